// Tree passes and "parse once": lever expansion, XMILE module and array
// flattening, overrides; the builder API's parse-at-once and stable
// references; the scenario's model read once. Includes the two
// reproductions of issue 10 with their exact positions.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "compile/program.hpp"
#include "lang/tree.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/overrides.hpp"
#include "sim/scenario.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using simtest::count_code;
using simtest::find_code;

namespace {

void check_at(const sim::SourceLoc& got, const sim::SourceLoc& want) {
    CHECK(got.file == want.file);
    CHECK(got.line == want.line);
    CHECK(got.col == want.col);
}

// Every node of `e` has the span {0, 0} (a tree built, not parsed).
bool all_synthesised(const sim::ast::Expr& e) {
    for (const auto& n : e.nodes)
        if (n.span.begin != 0 || n.span.end != 0) return false;
    return true;
}

const char* land_use_yaml = R"(name: land-use lever
sim: {start: 0, stop: 4, dt: 1}
stocks:
  farmland: {initial: 100, outflows: [conversion]}
flows:
  conversion: farmland * 0.1 * "land-use_lever"
levers:
  land-use:
    title: Land use reform
    on: true
    start: 1
    phase_in: 2
)";

}  // namespace

TEST_CASE("levers: a lever named land-use, used quoted, compiles and runs (issue 10 reproduction)") {
    // Before: the lever's equation was generated as text and parsed again,
    // `land-use_on` read as `land - use_on`: 12 E-UNKNOWN-NAME, no position.
    sim::Diagnostics d;
    auto spec = sim::parse_yaml(land_use_yaml, "m.yaml", d);
    REQUIRE(d.empty());
    auto model = sim::Model::compile(spec, d);
    INFO(d.str());
    REQUIRE(model.has_value());
    CHECK(d.empty());
    auto r = model->run();
    const double expected[] = {0, 0, 0.5, 1, 1};  // step at 1, phase-in over 2
    for (int t = 0; t <= 4; ++t) CHECK(r.at("land-use_lever", t) == expected[t]);
    CHECK(r.at("conversion", 2) == doctest::Approx(100 * 0.1 * 0.5));
}

TEST_CASE("levers: expansion builds trees positioned at the lever's declaration") {
    sim::Diagnostics d;
    auto spec = sim::parse_yaml(land_use_yaml, "m.yaml", d);
    REQUIRE(d.empty());
    sim::detail::expand_levers(spec, d);
    CHECK(d.empty());
    const auto lever_at = simtest::loc_of("m.yaml", land_use_yaml, "land-use:");
    const auto* lv = spec.find("land-use_lever");
    REQUIRE(lv);
    CHECK(sim::ast::print(lv->equation.tree) ==
          "\"land-use_on\" * \"land-use_intensity\" * (IF \"land-use_phase_in\" > 0 THEN MIN(1, MAX(0, (time - "
          "\"land-use_start\") / \"land-use_phase_in\")) ELSE STEP(1, \"land-use_start\"))");
    CHECK(all_synthesised(lv->equation.tree));
    check_at(lv->equation.loc, lever_at);
    check_at(lv->equation.at(lv->equation.tree[lv->equation.tree.root].span), lever_at);
    const auto* on = spec.find("land-use_on");
    REQUIRE(on);
    CHECK(on->equation.number_value() == 1.0);
    check_at(on->equation.loc, lever_at);
}

TEST_CASE("levers: an error inside a generated equation points at the lever") {
    // `x_on` is a user lookup: the lever's x_on constant clashes with it, and
    // L_lever's reference to x_on finds the lookup.
    const std::string yaml = "sim: {start: 0, stop: 1, dt: 1}\n"
                             "lookups:\n"
                             "  x_on: [[0, 0], [1, 1]]\n"
                             "levers:\n"
                             "  x: {title: X}\n";
    sim::Diagnostics d;
    auto spec = sim::parse_yaml(yaml, "m.yaml", d);
    REQUIRE(d.empty());
    CHECK_FALSE(sim::Model::compile(spec, d).has_value());
    const auto* e = find_code(d, sim::Code::E_LOOKUP_AS_VALUE);
    REQUIRE(e);
    CHECK(e->variable == "x_lever");
    check_at(e->loc, simtest::loc_of("m.yaml", yaml, "x: {title"));
}

TEST_CASE("xmile: an unknown name in a module equation is reported where it is written (issue 10 reproduction)") {
    // Before: the module prefix was pasted into the equation text and the old
    // position kept, so the column was off by the prefix's length.
    const std::string text = R"(<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    <header><name>module unknown name</name></header>
    <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
    <model>
        <variables>
            <module name="herd"/>
        </variables>
    </model>
    <model name="herd">
        <variables>
            <stock name="animals"><eqn>10</eqn><inflow>births</inflow></stock>
            <flow name="births"><eqn>animals * brith_rate</eqn></flow>
            <aux name="birth rate"><eqn>0.1</eqn></aux>
        </variables>
    </model>
</xmile>
)";
    sim::Diagnostics d;
    auto spec = sim::parse_xmile(text, "m.xmile", d);
    REQUIRE(d.empty());
    CHECK_FALSE(sim::Model::compile(spec, d).has_value());
    REQUIRE(d.error_count() == 1);
    const auto* e = find_code(d, sim::Code::E_UNKNOWN_NAME);
    REQUIRE(e);
    CHECK(e->variable == "herd.births");
    check_at(e->loc, sim::SourceLoc{"m.xmile", 13, 48});
    check_at(e->loc, simtest::loc_of("m.xmile", text, "brith_rate"));
    CHECK(e->message.find("'brith_rate'") != std::string::npos);
}

TEST_CASE("xmile flattening: renamed nodes keep their spans; a bad element is reported at the reference") {
    const std::string text = R"(<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>1</stop></sim_specs>
<dimensions><dim name="Region"><elem name="North"/><elem name="South"/></dim></dimensions>
<model><variables><module name="m"/></variables></model>
<model name="m"><variables>
  <aux name="rate"><dimensions><dim name="Region"/></dimensions><eqn>0.5</eqn></aux>
  <aux name="total"><eqn>rate[North] + rate[2] + "rate"[Nowhere]</eqn></aux>
</variables></model>
</xmile>
)";
    sim::Diagnostics d;
    auto spec = sim::parse_xmile(text, "m.xmile", d);
    REQUIRE(d.error_count() == 0);  // arrays stay arrays: elements are checked by the compiler
    const auto* total = spec.find("m.total");
    REQUIRE(total);
    const auto& eq = total->equation;
    CHECK(eq.text == "rate[North] + rate[2] + \"rate\"[Nowhere]");  // the text stays as written
    // Children still precede parents after the renaming pass.
    for (sim::ast::NodeId i = 0; i < eq.tree.nodes.size(); ++i)
        sim::ast::for_each_child(eq.tree[i], [&](sim::ast::NodeId c) { CHECK(c < i); });
    // `rate[2]`: renamed, its span still the reference's.
    const auto& sum = std::get<sim::ast::Binary>(eq.tree[eq.tree.root].v);
    const auto& left = std::get<sim::ast::Binary>(eq.tree[sum.lhs].v);
    const auto& ref = eq.tree[left.rhs];
    const auto& name = std::get<sim::ast::Name>(ref.v);
    CHECK(name.canonical == "m.rate");
    CHECK(eq.text.substr(ref.span.begin, ref.span.end - ref.span.begin) == "rate[2]");

    // The one unknown element is reported by the compiler at the reference.
    auto m = sim::Model::compile(spec, d);
    CHECK_FALSE(m);
    INFO(d.str());
    REQUIRE(d.error_count() == 1);
    const auto* bad = find_code(d, sim::Code::E_UNKNOWN_ELEMENT);
    REQUIRE(bad);
    CHECK(bad->variable == "m.total");
    CHECK(bad->message.find("'Nowhere'") != std::string::npos);
    CHECK(bad->loc.line == simtest::loc_of("m.xmile", text, "Nowhere").line);
}

TEST_CASE("tree passes: compact restores children-before-parents and drops what is unreachable") {
    std::vector<sim::ast::ParseError> errs;
    auto e = sim::ast::parse("a[b] * 2", errs);
    REQUIRE(e);
    const auto root = e->root;
    const auto ref = std::get<sim::ast::Binary>((*e)[root].v).lhs;
    const auto three = e->number(3);
    std::get<sim::ast::Name>((*e)[ref].v).subscripts = {three};  // a child after its parent; `b` unreachable
    e->root = root;
    sim::ast::compact(*e);
    CHECK(e->nodes.size() == 4);
    for (sim::ast::NodeId i = 0; i < e->nodes.size(); ++i)
        sim::ast::for_each_child((*e)[i], [&](sim::ast::NodeId c) { CHECK(c < i); });
    CHECK(e->root == e->nodes.size() - 1);
    CHECK(sim::ast::print(*e) == "a[3] * 2");
}

TEST_CASE("builder: equations are parsed when added; parse errors are reported when compiled") {
    sim::ModelSpec m;
    auto& y = m.add_aux("y", "1 +");
    CHECK(y.equation.tree.empty());
    REQUIRE(y.equation.error);
    CHECK(y.equation.error->offset == 3);
    auto& z = m.add_aux("z", "y * unknown_thing");
    CHECK(z.equation.parsed());
    CHECK(sim::ast::print(z.equation.tree) == "y * unknown_thing");
    y.equation.loc = {"m.yaml", 4, 6};  // positions apply when reported
    sim::Diagnostics d;
    CHECK_FALSE(sim::Model::compile(m, d).has_value());
    CHECK(d.error_count() == 2);  // the broken equation marks y; z is still checked
    check_at(find_code(d, sim::Code::E_PARSE)->loc, sim::SourceLoc{"m.yaml", 4, 9});
    CHECK(find_code(d, sim::Code::E_UNKNOWN_NAME));

    // Text assigned directly (no tree yet) is parsed when compiled.
    sim::ModelSpec n;
    sim::Variable v;
    v.name = "k";
    v.kind = sim::VarKind::aux;
    v.equation.text = "2 * 21";
    n.variables.push_back(v);
    CHECK(sim::Model::compile(n).run().at("k", 0) == 42);
}

TEST_CASE("builder: references returned by add_* stay valid while more are added") {
    sim::ModelSpec m;
    m.specs.stop = 2;
    auto& tax = m.add_lever("tax");
    auto& pop = m.add_stock("pop", "100", {"births"});
    auto& rate = m.add_constant("rate", 0.1);
    for (int i = 0; i < 5000; ++i) m.add_constant("c" + std::to_string(i), i);
    for (int i = 0; i < 100; ++i) m.add_lever("l" + std::to_string(i));
    CHECK(&pop == &m.variables[0]);
    CHECK(&rate == &m.variables[1]);
    CHECK(&tax == &m.levers[0]);
    pop.units = "people";
    rate.equation = sim::Equation::number(0.5);
    tax.on = true;
    tax.intensity = 0.5;
    m.add_flow("births", "pop * rate * tax_lever");
    auto r = sim::Model::compile(m).run();
    CHECK(m.find("pop")->units == "people");
    CHECK(r.at("births", 0) == 100 * 0.5 * 0.5);
}

namespace {

const char* override_yaml = R"(sim: {start: 0, stop: 5, dt: 0.5}
stocks:
  x: {initial: 100, outflows: [draining]}
flows:
  draining: x * rate * (1 - subsidy_lever)
aux:
  scale: 2
  doubled: x * scale
constants:
  rate: 0.1
levers:
  subsidy: {title: Subsidy, start: 1, intensity: 0.5}
)";

sim::ModelSpec override_model() {
    sim::Diagnostics d;
    auto m = sim::parse_yaml(override_yaml, "m.yaml", d);
    REQUIRE(d.empty());
    return m;
}

sim::Override at_file(std::string name, std::string value, int line) {
    sim::Override o;
    o.name = std::move(name);
    o.name_loc = {"s.yaml", line, 3};
    o.value = sim::Equation::parse(std::move(value), {"s.yaml", line, 12});
    return o;
}

}  // namespace

TEST_CASE("overrides: a constant's tree becomes the value, positioned at the override") {
    auto m = override_model();
    sim::Diagnostics d;
    std::vector<sim::Override> o{at_file("rate", "0.25", 4), at_file("scale", "3", 5)};
    CHECK(sim::apply_overrides(m, o, d));
    CHECK(d.empty());
    const auto& rate = m.find("rate")->equation;
    CHECK(rate.number_value() == 0.25);
    check_at(rate.loc, {"s.yaml", 4, 12});
    CHECK(m.find("scale")->equation.number_value() == 3);  // an auxiliary that is just a number
    // A quoted expression is a tree too; a later override of the same name wins.
    std::vector<sim::Override> again{at_file("rate", "0.5 * 0.04", 6), at_file("Rate", "0.03", 7)};
    CHECK(sim::apply_overrides(m, again, d));
    CHECK(m.find("rate")->equation.number_value() == 0.03);
}

TEST_CASE("overrides: applied to the spec, they give the same run as RunOptions::set, bit for bit") {
    auto base = override_model();
    auto set = override_model();
    sim::Diagnostics d;
    std::vector<sim::Override> o{sim::command_line_override("rate", 0.3), sim::command_line_override("scale", 1.5),
                                 sim::command_line_override("subsidy_on", 1)};
    REQUIRE(sim::apply_overrides(set, o, d));
    sim::RunOptions opts;
    opts.set = {{"rate", 0.3}, {"scale", 1.5}, {"subsidy_on", 1}};
    auto a = sim::Model::compile(base).run(opts);
    auto b = sim::Model::compile(set).run();
    REQUIRE(a.names == b.names);
    REQUIRE(a.rows() == b.rows());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t c = 0; c < a.cols(); ++c) CHECK(a.at(i, c) == b.at(i, c));
}

TEST_CASE("overrides: lever settings change the lever; bad ones are reported at their source") {
    auto m = override_model();
    sim::Diagnostics d;
    std::vector<sim::Override> ok{at_file("subsidy_on", "1", 2), at_file("subsidy_intensity", "0.25", 3),
                                  at_file("subsidy_start", "2", 4), at_file("subsidy_phase_in", "-0", 5)};
    CHECK(sim::apply_overrides(m, ok, d));
    CHECK(d.empty());
    const auto& l = *m.find_lever("subsidy");
    CHECK(l.on);
    CHECK(l.intensity == 0.25);
    CHECK(l.start == 2);
    CHECK(l.phase_in == 0);

    std::vector<sim::Override> bad{at_file("subsidy_on", "0.5", 2), at_file("subsidy_intensity", "2", 3),
                                   at_file("subsidy_phase_in", "-1", 4), at_file("subsidy_start", "rate", 5)};
    CHECK_FALSE(sim::apply_overrides(m, bad, d));
    REQUIRE(d.error_count() == 4);
    CHECK(d.items()[0].code == sim::Code::E_BAD_NUMBER);
    CHECK(d.items()[0].message == "'subsidy_on' must be 0 (off) or 1 (on), found 0.5");
    CHECK(d.items()[1].code == sim::Code::E_LEVER_INTENSITY);
    check_at(d.items()[1].loc, {"s.yaml", 3, 12});
    CHECK(d.items()[2].message == "lever phase_in must be 0 (a step) or a positive duration");
    CHECK(d.items()[3].message == "'subsidy_start' must be a number");
    CHECK(l.intensity == 0.25);  // unchanged by the bad ones
}

TEST_CASE("overrides: unknown and computed names; --set is sourced 'option --set'") {
    auto m = override_model();
    sim::Diagnostics d;
    std::vector<sim::Override> o{sim::command_line_override("rtae", 1), sim::command_line_override("draining", 1),
                                 sim::command_line_override("subsidy_lever", 1), at_file("doubled", "2", 9)};
    CHECK_FALSE(sim::apply_overrides(m, o, d));
    REQUIRE(d.error_count() == 4);
    CHECK(sim::format(d.items()[0]) ==
          "option --set: error: variable 'rtae': the model has no constant 'rtae' (did you mean 'rate'?) "
          "[E-UNKNOWN-PARAM]");
    CHECK(sim::format(d.items()[1]) ==
          "option --set: error: variable 'draining': 'draining' is a flow, not a constant; only constants can be "
          "set [E-NOT-CONSTANT]");
    CHECK(d.items()[2].code == sim::Code::E_NOT_CONSTANT);
    CHECK(d.items()[2].message ==
          "'subsidy_lever' is computed from the settings of lever 'subsidy'; set subsidy_on, subsidy_intensity, "
          "subsidy_start or subsidy_phase_in");
    CHECK(d.items()[3].code == sim::Code::E_NOT_CONSTANT);
    check_at(d.items()[3].loc, {"s.yaml", 9, 3});
    CHECK(sim::ast::print(m.find("draining")->equation.tree) == "x * rate * (1 - subsidy_lever)");  // untouched
}

TEST_CASE("scenario: the model's hash is that of the bytes parsed (the file is read once)") {
    simtest::TempDir dir("sim_test_read_once");
    fs::create_directories(dir / "models");
    // A FIFO serves each open of the "file" with other bytes: a loader that
    // read the model twice would hash one version and parse the other.
    const std::string fifo = (dir / "models/model.yaml").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const std::vector<std::string> versions{"constants:\n  rate: 0.01\n", "constants:\n  rate: 0.02\n"};
    std::atomic<bool> stop{false};
    std::atomic<int> opens{0};
    std::thread writer([&] {
        // Non-blocking opens succeed only while a reader has the FIFO open.
        while (!stop && opens < static_cast<int>(versions.size())) {
            int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            const std::string& text = versions[static_cast<std::size_t>(opens.load())];
            const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            ::close(fd);
            ++opens;
            if (!written) break;
            // The next version only to a reader that opens the FIFO anew.
            while (!stop) {
                int again = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
                if (again < 0) break;  // ENXIO: the reader has closed it
                ::close(again);
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
    });
    const std::string scen = dir.write("s.yaml", "model: models/model.yaml\n");
    sim::Diagnostics d;
    auto sc = sim::load_scenario(scen, d);
    stop = true;
    writer.join();
    INFO(d.str());
    CHECK(d.empty());
    CHECK(opens == 1);
    CHECK(sc.model_file.sha256 == sim::sha256_hex(versions[0]));
    REQUIRE(sc.model.find("rate"));
    CHECK(sc.model.find("rate")->equation.number_value() == 0.01);
}

TEST_CASE("scenario: the model's hash matches the model file's bytes") {
    simtest::TempDir dir("sim_test_hash");
    const std::string model = "constants:\n  rate: 0.5\n";
    dir.write("m.yaml", model);
    const std::string scen = dir.write("s.yaml", "model: m.yaml\nset:\n  rate: 0.25\n");
    sim::Diagnostics d;
    auto sc = sim::load_scenario(scen, d);
    CHECK(d.empty());
    CHECK(sc.model_file.sha256 == sim::sha256_hex(model));
    CHECK(sc.model.find("rate")->equation.number_value() == 0.25);
}
