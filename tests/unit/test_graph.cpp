// sim::write_dot (sim/graph.hpp): the stock-and-flow graph from equation
// trees: nodes and shapes, pipes and clouds, dependency arrows (names,
// graphical functions called by name, subscripted and flattened XMILE
// references, lever variables), the three levels, and every model of the
// repository rendered by Graphviz when it is installed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "sim/graph.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "support.hpp"

namespace {

std::string dot(const sim::ModelSpec& spec, sim::GraphLevels levels = sim::GraphLevels::all) {
    sim::GraphOptions o;
    o.levels = levels;
    std::ostringstream out;
    sim::write_dot(spec, out, o);
    return out.str();
}

// The node id (n<k>) whose label is exactly `label`; "" if none.
std::string node(const std::string& g, const std::string& label) {
    std::smatch m;
    const std::regex re("  (n[0-9]+) \\[label=\"" + std::regex_replace(label, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + "\"");
    return std::regex_search(g, m, re) ? m[1].str() : "";
}

bool arrow(const std::string& g, const std::string& from, const std::string& to) {
    const std::string a = node(g, from), b = node(g, to);
    return !a.empty() && !b.empty() && g.find("  " + a + " -> " + b + " [") != std::string::npos;
}

std::size_t count(const std::string& s, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

sim::ModelSpec parse_yaml(const std::string& text) {
    sim::Diagnostics d;
    auto m = sim::parse_model(text, "m.yaml", d);
    INFO(d.str());
    REQUIRE_FALSE(d.has_errors());
    return m;
}

const char* const kPopulation = R"(name: population "test"
sim: {start: 0, stop: 10, dt: 1}
stocks:
  young:
    initial: initial young
    inflows: [births]
    outflows: [maturing]
  adults:
    initial: 100
    inflows: [maturing]
    outflows: [deaths]
flows:
  births: adults * fertility * MAX(0, 1 - crowding) * policy_lever
  maturing: young / maturation time
  deaths: adults * mortality(TIME)
aux:
  crowding: (young + adults) / capacity
  max: 3
constants:
  fertility: 0.1
  maturation time: 15
  capacity: 1000
  initial young: 50
lookups:
  mortality: {points: [[0, 0.01], [10, 0.02]]}
levers:
  policy:
    title: A policy
    section: "§1"
    cost: policy_lever * 10 * adults
)";

}  // namespace

TEST_CASE("graph: stocks as boxes, flows on pipes between stocks and clouds, dependencies from the trees") {
    const std::string g = dot(parse_yaml(kPopulation));
    CHECK(g.rfind("// Stock-and-flow structure (sdsim graph, levels all)", 0) == 0);
    CHECK(g.find("digraph \"population \\\"test\\\"\" {") != std::string::npos);
    CHECK(g.back() == '\n');
    CHECK(g.substr(g.size() - 2) == "}\n");
    for (const char* stock : {"young", "adults"}) {
        INFO(stock);
        CHECK(g.find("[label=\"" + std::string(stock) + "\", shape=box, style=filled") != std::string::npos);
    }
    CHECK(g.find("[label=\"births\", shape=box, style=\"rounded,filled\"") != std::string::npos);
    CHECK(g.find("[label=\"crowding\", shape=ellipse]") != std::string::npos);
    CHECK(g.find("[label=\"fertility\", shape=ellipse, color=gray60") != std::string::npos);
    CHECK(g.find("[label=\"mortality\", shape=ellipse, style=dashed") != std::string::npos);
    // Pipes: a cloud -> births -> young -> maturing -> adults -> deaths -> a cloud.
    const std::string pipe = "[color=\"gray25:white:gray25\"";
    CHECK(count(g, pipe) == 6);
    CHECK(count(g, "[label=\"\", shape=ellipse, style=dashed") == 2);  // two clouds
    CHECK(g.find("  cloud0 -> " + node(g, "births") + " " + pipe) != std::string::npos);
    CHECK(g.find("  " + node(g, "births") + " -> " + node(g, "young") + " " + pipe) != std::string::npos);
    CHECK(g.find("  " + node(g, "young") + " -> " + node(g, "maturing") + " " + pipe) != std::string::npos);
    CHECK(g.find("  " + node(g, "deaths") + " -> cloud1 " + pipe) != std::string::npos);
    // Information links, one per name in the tree (each once).
    CHECK(arrow(g, "adults", "births"));
    CHECK(arrow(g, "fertility", "births"));
    CHECK(arrow(g, "crowding", "births"));
    CHECK(arrow(g, "young", "crowding"));
    CHECK(arrow(g, "capacity", "crowding"));
    CHECK(arrow(g, "maturation time", "maturing"));
    // A graphical function called by name is a dependency; a builtin is not, even when a
    // variable has its name (`max` here), and TIME draws nothing.
    CHECK(arrow(g, "mortality", "deaths"));
    REQUIRE_FALSE(node(g, "max").empty());
    CHECK_FALSE(arrow(g, "max", "births"));
    CHECK(g.find(node(g, "max") + " -> ") == std::string::npos);
    // The initial value's dependency is dashed.
    CHECK(g.find("  " + node(g, "initial young") + " -> " + node(g, "young") + " [color=gray70, style=dashed];") !=
          std::string::npos);
    // The lever: one node for its generated variables; its cost a variable of its own.
    CHECK(g.find("[label=\"policy\\n(lever §1)\", shape=octagon") != std::string::npos);
    CHECK(arrow(g, "policy\\n(lever §1)", "births"));
    CHECK(arrow(g, "policy\\n(lever §1)", "policy_cost"));
    CHECK(arrow(g, "adults", "policy_cost"));
    // Deterministic.
    CHECK(g == dot(parse_yaml(kPopulation)));
}

TEST_CASE("graph: levels stocks and aux collapse what they hide into the arrows") {
    const auto spec = parse_yaml(kPopulation);
    const std::string s = dot(spec, sim::GraphLevels::stocks);
    CHECK(s.rfind("// Stock-and-flow structure (sdsim graph, levels stocks)", 0) == 0);
    CHECK(node(s, "crowding").empty());
    CHECK(node(s, "fertility").empty());
    CHECK(node(s, "policy_cost").empty());
    CHECK_FALSE(node(s, "births").empty());
    // births <- crowding <- young: through the hidden auxiliary.
    CHECK(arrow(s, "young", "births"));
    CHECK(arrow(s, "adults", "births"));
    CHECK(arrow(s, "policy\\n(lever §1)", "births"));
    CHECK(s.find("style=dashed];") == std::string::npos);  // no initial-value links
    CHECK(count(s, "[color=\"gray25:white:gray25\"") == 6);

    const std::string a = dot(spec, sim::GraphLevels::aux);
    CHECK(node(a, "fertility").empty());
    CHECK(node(a, "mortality").empty());
    CHECK_FALSE(node(a, "crowding").empty());
    CHECK_FALSE(node(a, "policy_cost").empty());
    CHECK(arrow(a, "crowding", "births"));
    CHECK_FALSE(arrow(a, "young", "births"));  // only through crowding
    CHECK(arrow(a, "young", "crowding"));

    CHECK(sim::parse_graph_levels("stocks") == sim::GraphLevels::stocks);
    CHECK(sim::parse_graph_levels("aux") == sim::GraphLevels::aux);
    CHECK(sim::parse_graph_levels("all") == sim::GraphLevels::all);
    CHECK_FALSE(sim::parse_graph_levels("Stocks").has_value());
    CHECK_FALSE(sim::parse_graph_levels("").has_value());
}

TEST_CASE("graph: only the selected variables, with paths through the rest, stocks through their flows") {
    const auto spec = parse_yaml(kPopulation);
    sim::GraphOptions o;
    o.only = {"Births", "young", "adults", "policy"};
    std::ostringstream out;
    sim::write_dot(spec, out, o);
    const std::string g = out.str();
    CHECK(g.rfind("// Stock-and-flow structure (sdsim graph, selected variables)", 0) == 0);
    CHECK(node(g, "crowding").empty());
    CHECK(node(g, "maturing").empty());
    CHECK(arrow(g, "young", "births"));   // through crowding
    CHECK(arrow(g, "adults", "births"));
    CHECK(arrow(g, "policy\\n(lever §1)", "births"));
    // adults changes with maturing (hidden), which names young; young's inflow births is shown
    // (a pipe), so births's dependencies are not repeated on young.
    CHECK(arrow(g, "young", "adults"));
    CHECK_FALSE(arrow(g, "adults", "young"));
    CHECK_FALSE(arrow(g, "young", "young"));
    CHECK(g.find("style=dashed];") == std::string::npos);  // no initial-value links
    // Pipes to shown stocks only; a cloud only where a flow has no stock at all.
    CHECK(count(g, "[color=\"gray25:white:gray25\"") == 2);  // cloud -> births -> young
    CHECK(count(g, "[label=\"\", shape=ellipse, style=dashed") == 1);

    // A hidden stock passes on what its flows depend on.
    o.only = {"births", "deaths"};
    std::ostringstream out2;
    sim::write_dot(spec, out2, o);
    CHECK(arrow(out2.str(), "births", "deaths"));  // deaths <- adults <- maturing <- young <- births
    CHECK(count(out2.str(), "[color=\"gray25:white:gray25\"") == 2);  // the two clouds' pipes

    // An unknown name is an error, with a suggestion, and nothing is written.
    o.only = {"births", "fertilty"};
    std::ostringstream out3;
    try {
        sim::write_dot(spec, out3, o);
        FAIL("no error");
    } catch (const sim::Error& e) {
        REQUIRE(e.diagnostics().items().size() == 1);
        const auto& d = e.diagnostics().items()[0];
        CHECK(d.code == sim::Code::E_UNKNOWN_NAME);
        CHECK(d.message == "cannot show 'fertilty': the model has no such variable or lever; did you mean 'fertility'?");
    }
    CHECK(out3.str().empty());
}

TEST_CASE("graph: XMILE arrays are one node per arrayed variable") {
    const std::string text = R"(<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>arrays</name></header>
<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<dimensions><dim name="Region"><elem name="North"/><elem name="South Side"/></dim></dimensions>
<model><variables>
<stock name="Stock A"><dimensions><dim name="Region"/></dimensions><eqn>1</eqn><inflow>Inflow_A</inflow></stock>
<flow name="Inflow A"><dimensions><dim name="Region"/></dimensions><eqn>Rate * Stock_A</eqn></flow>
<aux name="Rate"><eqn>0.1</eqn></aux>
<aux name="total"><eqn>Stock_A[North] + Stock_A[South_Side]</eqn></aux>
</variables></model>
</xmile>
)";
    sim::Diagnostics d;
    const auto spec = sim::parse_model(text, "arrays.xmile", d);
    INFO(d.str());
    REQUIRE_FALSE(d.has_errors());
    const std::string g = dot(spec);
    // Arrays stay arrays in the spec: one node per arrayed variable.
    CHECK(arrow(g, "Stock A", "Inflow A"));
    CHECK(arrow(g, "Rate", "Inflow A"));
    CHECK(arrow(g, "Stock A", "total"));
    CHECK(g.find("  " + node(g, "Inflow A") + " -> " + node(g, "Stock A") + " [color=\"gray25") !=
          std::string::npos);
}

TEST_CASE("graph: a model with broken equations still gives a graph") {
    sim::ModelSpec m;
    m.name = "broken";
    m.add_stock("s", "1", {"f"});
    m.add_flow("f", "s * (");   // parse error: no tree, no arrows
    m.add_aux("g", "unknown_name + s");
    m.add_aux("h", "0").equation = sim::Equation{};
    m.find("h")->equation.text = "g * 2";  // text only: parsed here as the compiler would
    const std::string g = dot(m);
    CHECK(arrow(g, "g", "h"));
    CHECK_FALSE(node(g, "f").empty());
    CHECK(arrow(g, "s", "g"));
    CHECK_FALSE(arrow(g, "s", "f"));
    CHECK(g.find("cloud0 -> " + node(g, "f")) != std::string::npos);
}

TEST_CASE("graph: every model of the repository is a graph Graphviz reads") {
    if (std::system("dot -V > /dev/null 2>&1") != 0) {
        simtest::skip("Graphviz 'dot' is not installed");
        return;
    }
    simtest::TempDir dir("sim_test_graph");
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(SIM_SOURCE_DIR) + "/models"))
        if (e.path().filename() == "model.yaml" || e.path().parent_path().filename() == "classic")
            if (e.path().extension() == ".yaml") files.push_back(e.path().string());
    const std::filesystem::path conf = SIM_CONFORMANCE_DIR;
    if (std::filesystem::is_directory(conf))
        for (const auto& e : std::filesystem::recursive_directory_iterator(conf))
            if (e.path().extension() == ".xmile") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 5);
    std::size_t drawn = 0;
    for (const auto& f : files) {
        INFO(f);
        sim::Diagnostics d;
        const auto spec = sim::load_model(f, d);
        if (d.has_errors()) continue;  // the conformance suite holds models libsim rejects
        for (auto levels : {sim::GraphLevels::stocks, sim::GraphLevels::all}) {
            const auto path = dir / ("g" + std::to_string(drawn) + ".dot");
            {
                std::ofstream out(path);
                sim::GraphOptions o;
                o.levels = levels;
                sim::write_dot(spec, out, o);
            }
            const std::string cmd = "dot -Tsvg '" + path.string() + "' -o '" + path.string() + ".svg' 2>&1";
            CHECK(std::system(cmd.c_str()) == 0);
            CHECK(std::filesystem::file_size(path.string() + ".svg") > 200);
            ++drawn;
        }
    }
    CHECK(drawn >= 2 * 5);
}
