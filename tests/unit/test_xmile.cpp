// XMILE loader: namespaces, prefix recovery, sim_specs, graphical functions,
// non-negative behaviour, array and module flattening, and diagnostics with
// their XML positions.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"
#include "support.hpp"

namespace {

using simtest::count_code;
using simtest::find_code;

// 1-based line/col of the first occurrence of `needle` in `text`, computed
// from the raw text independently of the loader.
sim::SourceLoc where(const std::string& text, const std::string& needle, std::size_t from = 0) {
    return simtest::loc_of("m.xmile", text, needle, from);
}

sim::ModelSpec parse(const std::string& text, sim::Diagnostics& d) { return sim::parse_xmile(text, "m.xmile", d); }

const sim::Variable& var(const sim::ModelSpec& m, const std::string& name) {
    const sim::Variable* v = m.find(name);
    REQUIRE_MESSAGE(v != nullptr, name);
    return *v;
}

// The equation tree of `name`, printed (canonical names).
std::string printed(const sim::ModelSpec& m, const std::string& name) {
    return sim::ast::print(var(m, name).equation.tree);
}

// A model body wrapped in an XMILE 1.0 file.
std::string xmile(const std::string& body, const std::string& specs = "<start>0</start><stop>10</stop><dt>1</dt>",
                  const std::string& ns = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0",
                  const std::string& top = "") {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<xmile version=\"1.0\" xmlns=\"" + ns +
           "\">\n<sim_specs method=\"Euler\" time_units=\"Months\">" + specs + "</sim_specs>\n" + top +
           "<model>\n<variables>\n" + body + "</variables>\n</model>\n</xmile>\n";
}

const std::string sir_body = R"(<stock name="Susceptible">
    <eqn>total_population - 5</eqn>
    <outflow>Infecting</outflow>
    <units>people</units>
    <doc>  not yet ill </doc>
</stock>
<stock name="Infected">
    <eqn>5</eqn>
    <inflow>Infecting</inflow>
    <outflow>"Recovering"</outflow>
</stock>
<flow name="Infecting">
    <eqn>Susceptible * Infected * contact / total_population</eqn>
</flow>
<flow name="Recovering">
    <eqn>Infected / duration</eqn>
</flow>
<aux name="total population"><eqn>1000</eqn></aux>
<aux name="contact"><eqn>0.3</eqn></aux>
<aux name="duration"><eqn>2 + 3</eqn></aux>
)";

}  // namespace

TEST_CASE("xmile: an XMILE 1.0 model maps onto ModelSpec with display names and positions") {
    std::string text = xmile(sir_body);
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(m.file == "m.xmile");
    CHECK(m.specs.start == 0);
    CHECK(m.specs.stop == 10);
    CHECK(m.specs.dt == 1);
    CHECK(!m.specs.save_step);
    CHECK(m.specs.method == sim::Method::euler);
    CHECK(m.specs.time_units == "Months");

    const std::vector<std::pair<std::string, sim::VarKind>> expected = {
        {"Susceptible", sim::VarKind::stock},          {"Infected", sim::VarKind::stock},
        {"Infecting", sim::VarKind::flow},             {"Recovering", sim::VarKind::flow},
        {"total population", sim::VarKind::constant},  {"contact", sim::VarKind::constant},
        {"duration", sim::VarKind::aux},
    };
    REQUIRE(m.variables.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(m.variables[i].name == expected[i].first);
        CHECK(m.variables[i].kind == expected[i].second);
    }
    const auto& s = var(m, "susceptible");
    CHECK(s.equation.text == "total_population - 5");
    CHECK(s.outflows == std::vector<std::string>{"Infecting"});
    CHECK(s.units == "people");
    CHECK(s.doc == "not yet ill");
    CHECK_AT(s.loc, where(text, "<stock name=\"Susceptible\""));
    CHECK_AT(s.equation.loc, where(text, "total_population - 5"));
    CHECK(var(m, "infected").outflows == std::vector<std::string>{"Recovering"});  // quotes removed
    CHECK(var(m, "duration").equation.text == "2 + 3");
}

TEST_CASE("xmile: the pre-1.0 namespace reads the same as XMILE 1.0") {
    sim::Diagnostics d1, d2;
    auto a = parse(xmile(sir_body), d1);
    auto b = parse(xmile(sir_body, "<start>0</start><stop>10</stop><dt>1</dt>", "http://www.systemdynamics.org/XMILE"), d2);
    INFO(d1.str() << d2.str());
    REQUIRE(d1.empty());
    REQUIRE(d2.empty());
    REQUIRE(a.variables.size() == b.variables.size());
    for (std::size_t i = 0; i < a.variables.size(); ++i) {
        CHECK(a.variables[i].name == b.variables[i].name);
        CHECK(a.variables[i].kind == b.variables[i].kind);
        CHECK(a.variables[i].equation.text == b.variables[i].equation.text);
    }
}

TEST_CASE("xmile: an unknown namespace is read as XMILE 1.0 with a warning") {
    sim::Diagnostics d;
    auto m = parse(xmile(sir_body, "<start>0</start><stop>10</stop><dt>1</dt>", "urn:other"), d);
    CHECK(d.error_count() == 0);
    CHECK(count_code(d, sim::Code::W_XMILE_NAMESPACE) == 1);
    CHECK(m.variables.size() == 7);
}

TEST_CASE("xmile: an undeclared isee: prefix is recovered with one warning at its first use") {
    std::string text = "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                       "    <isee:prefs show_module_prefix=\"true\"/>\n"
                       "    <sim_specs isee:simulation_delay=\"0\" method=\"Euler\">\n"
                       "        <start>0</start><stop>4</stop><dt>1</dt>\n"
                       "    </sim_specs>\n"
                       "    <model><variables><aux name=\"a\"><eqn>1</eqn></aux></variables></model>\n"
                       "</xmile>\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    CHECK(d.error_count() == 0);
    REQUIRE(count_code(d, sim::Code::W_XMILE_UNDECLARED_PREFIX) == 1);
    const auto* w = find_code(d, sim::Code::W_XMILE_UNDECLARED_PREFIX);
    CHECK(w->severity == sim::Severity::warning);
    CHECK_AT(w->loc, where(text, "<isee:prefs"));
    CHECK(w->message.find("xmlns:isee=\"http://iseesystems.com/XMILE\"") != std::string::npos);
    CHECK(m.specs.stop == 4);
    CHECK(m.variables.size() == 1);

    // Declared: no warning.
    std::string declared = text;
    declared.replace(declared.find("version=\"1.0\""), 13, "version=\"1.0\" xmlns:isee=\"http://iseesystems.com/XMILE\"");
    sim::Diagnostics d2;
    parse(declared, d2);
    CHECK(d2.empty());
}

TEST_CASE("xmile: sim_specs: reciprocal dt, save interval and method") {
    sim::Diagnostics d;
    auto m = parse(xmile("<aux name=\"a\"><eqn>1</eqn></aux>",
                         "<start>2</start><stop>12</stop><dt reciprocal=\"true\">32</dt>"),
                   d);
    INFO(d.str());
    CHECK(d.empty());
    CHECK(m.specs.start == 2);
    CHECK(m.specs.stop == 12);
    CHECK(m.specs.dt == 1.0 / 32);

    std::string text = R"(<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" xmlns:isee="http://iseesystems.com/XMILE">
<sim_specs method="RK4" isee:save_interval="0.5"><start>0</start><stop>3</stop><dt>0.25</dt></sim_specs>
<model><variables/></model></xmile>)";
    sim::Diagnostics d2;
    auto m2 = parse(text, d2);
    CHECK(d2.empty());
    CHECK(m2.specs.method == sim::Method::rk4);
    REQUIRE(m2.specs.save_step);
    CHECK(*m2.specs.save_step == 0.5);

    std::string bad = text;
    bad.replace(bad.find("RK4"), 3, "Runge");
    bad.replace(bad.find("<dt>0.25"), 8, "<dt>x");
    sim::Diagnostics d3;
    parse(bad, d3);
    CHECK(count_code(d3, sim::Code::E_XMILE_SPECS) == 2);
    CHECK_AT(find_code(d3, sim::Code::E_XMILE_SPECS)->loc, where(bad, "<dt>x"));
}

TEST_CASE("xmile: graphical functions: xpts/ypts, separators, xscale, types, embedded") {
    std::string text = xmile(R"(<gf name="table one">
    <xpts>0,5, 10</xpts>
    <ypts sep=";">0;1;0.5</ypts>
</gf>
<gf name="scaled" type="extrapolate">
    <xscale min="0" max="45"/>
    <ypts>0,0,1,1,0,0,-1,-1,0,0</ypts>
</gf>
<gf name="steps" type="discrete"><xpts sep=" ">1 2 3</xpts><ypts>4,5,6</ypts></gf>
<aux name="inline">
    <eqn>Time</eqn>
    <gf><xpts>0,1</xpts><ypts>2,3</ypts></gf>
</aux>
<aux name="call"><eqn>table_one(Time)</eqn></aux>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    const auto& t = var(m, "table one");
    CHECK(t.kind == sim::VarKind::lookup);
    CHECK(t.equation.empty());
    REQUIRE(t.gf);
    CHECK(t.gf->kind == sim::LookupKind::continuous);
    CHECK(t.gf->x == std::vector<double>{0, 5, 10});
    CHECK(t.gf->y == std::vector<double>{0, 1, 0.5});
    CHECK_AT(t.gf->loc, where(text, "<gf name=\"table one\""));

    const auto& s = var(m, "scaled");
    REQUIRE(s.gf);
    CHECK(s.gf->kind == sim::LookupKind::extrapolate);
    REQUIRE(s.gf->x.size() == 10);
    for (std::size_t i = 0; i < 10; ++i) CHECK(s.gf->x[i] == doctest::Approx(5.0 * double(i)));

    const auto& st = var(m, "steps");
    REQUIRE(st.gf);
    CHECK(st.gf->kind == sim::LookupKind::discrete);
    CHECK(st.gf->x == std::vector<double>{1, 2, 3});

    const auto& in = var(m, "inline");
    CHECK(in.kind == sim::VarKind::aux);
    CHECK(in.equation.text == "Time");
    REQUIRE(in.gf);
    CHECK(in.gf->y == std::vector<double>{2, 3});
    CHECK(var(m, "call").equation.text == "table_one(Time)");
}

TEST_CASE("xmile: malformed graphical functions are diagnosed at their element") {
    std::string text = xmile(R"(<gf name="short"><xpts>0,1,2</xpts><ypts>1,2</ypts></gf>
<gf name="back"><xpts>0,2,1</xpts><ypts>1,2,3</ypts></gf>
<gf name="word"><xpts>0,a</xpts><ypts>1,2</ypts></gf>
<gf name="noscale"><ypts>1,2</ypts></gf>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    CHECK(count_code(d, sim::Code::E_XMILE_GF) == 4);
    CHECK_AT(d.items()[0].loc, where(text, "<gf name=\"short\""));
    CHECK(d.items()[0].message.find("3 x values and 2 y values") != std::string::npos);
    CHECK_AT(d.items()[1].loc, where(text, "<xpts>0,2,1"));
    CHECK_AT(d.items()[2].loc, where(text, "<xpts>0,a"));
    CHECK(d.items()[3].variable == "noscale");
    CHECK(m.find("short") == nullptr);
}

TEST_CASE("xmile: non_negative per variable and <behavior> defaults with overrides") {
    const std::string body = R"(<flow name="out"><eqn>1</eqn></flow>
<flow name="out2"><eqn>1</eqn><non_negative>false</non_negative></flow>
<stock name="plain"><eqn>1</eqn><outflow>out</outflow></stock>
<stock name="yes"><eqn>1</eqn><outflow>out</outflow><non_negative/></stock>
<stock name="yes2"><eqn>1</eqn><non_negative>true</non_negative></stock>
<stock name="no"><eqn>1</eqn><non_negative>false</non_negative></stock>
)";
    const std::string specs = "<start>0</start><stop>1</stop><dt>1</dt>";
    const std::string ns = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0";
    struct Case {
        std::string behavior;
        bool out, out2, plain, yes, yes2, no;
    };
    const Case cases[] = {
        {"", false, false, false, true, true, false},
        {"<behavior><non_negative/></behavior>\n", true, false, true, true, true, false},
        {"<behavior><stock><non_negative/></stock></behavior>\n", false, false, true, true, true, false},
        {"<behavior><flow><non_negative/></flow></behavior>\n", true, false, false, true, true, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.behavior);
        sim::Diagnostics d;
        auto m = parse(xmile(body, specs, ns, c.behavior), d);
        INFO(d.str());
        REQUIRE(d.empty());
        CHECK(var(m, "out").non_negative == c.out);
        CHECK(var(m, "out2").non_negative == c.out2);
        CHECK(var(m, "plain").non_negative == c.plain);
        CHECK(var(m, "yes").non_negative == c.yes);
        CHECK(var(m, "yes2").non_negative == c.yes2);
        CHECK(var(m, "no").non_negative == c.no);
    }
}

TEST_CASE("xmile: arrays stay arrays in the spec and compile to one column per element") {
    std::string top = R"(<dimensions>
    <dim name="Region"><elem name="North"/><elem name="South Side"/></dim>
    <dim name="N" size="2"/>
</dimensions>
)";
    std::string text = xmile(R"(<stock name="Stock A">
    <dimensions><dim name="Region"/></dimensions>
    <eqn>init_value</eqn>
    <inflow>Inflow_A</inflow>
</stock>
<aux name="init value"><eqn>3</eqn></aux>
<aux name="Rate A">
    <dimensions><dim name="Region"/></dimensions>
    <element subscript="North"><eqn>0.1</eqn></element>
    <element subscript="South Side"><eqn>Rate_A[North] * 2</eqn></element>
</aux>
<flow name="Inflow A">
    <dimensions><dim name="Region"/></dimensions>
    <eqn>Rate_A[Region] * Stock_A + Rate_A[2]</eqn>
</flow>
<aux name="by index"><dimensions><dim name="N"/></dimensions><eqn>N * 10</eqn></aux>
<aux name="total"><eqn>Stock_A[North] + Stock_A[South_Side]</eqn></aux>
<aux name="sum"><eqn>SUM(Stock_A[*])</eqn></aux>
)",
                             "<start>0</start><stop>1</stop><dt>1</dt>", "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0",
                             top);
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    REQUIRE(m.dimensions.size() == 2);
    CHECK(m.dimensions[0].elements == std::vector<std::string>{"North", "South Side"});
    CHECK(var(m, "Stock A").dimensions == std::vector<std::string>{"Region"});
    CHECK(var(m, "Stock A").inflows == std::vector<std::string>{"Inflow_A"});
    const auto& rate = var(m, "Rate A");
    REQUIRE(rate.definitions.size() == 2);
    CHECK(rate.definitions[0].subscripts == std::vector<std::string>{"North"});
    CHECK(rate.definitions[1].equation.text == "Rate_A[North] * 2");
    CHECK_AT(rate.definitions[1].equation.loc, where(text, "Rate_A[North] * 2"));

    auto model = sim::Model::compile(m, d);
    REQUIRE(model);
    auto r = model->run();
    for (const char* col : {"Stock A[North]", "Stock A[South Side]", "Rate A[North]", "Rate A[South Side]",
                            "Inflow A[North]", "Inflow A[South Side]", "by index[1]", "by index[2]", "total", "sum"})
        CHECK_MESSAGE(r.column(col).has_value(), col);
    // t=0: stocks 3; inflow[north] = 0.1*3 + 0.2, inflow[south] = 0.2*3 + 0.2
    CHECK(r.at("Inflow A[North]", 0) == doctest::Approx(0.5));
    CHECK(r.at("Inflow A[South Side]", 0) == doctest::Approx(0.8));
    CHECK(r.at("Stock A[North]", 1) == doctest::Approx(3.5));
    CHECK(r.at("Stock A[South Side]", 1) == doctest::Approx(3.8));
    CHECK(r.at("by index[2]", 0) == doctest::Approx(20));
    CHECK(r.at("sum", 1) == doctest::Approx(7.3));
    CHECK(r.at("total", 1) == doctest::Approx(7.3));
}

TEST_CASE("xmile: array misuse is diagnosed at its position; 2-D arrays compile") {
    std::string top = R"(<dimensions><dim name="R"><elem name="a"/><elem name="b"/></dim>
<dim name="S"><elem name="x"/><elem name="y"/></dim></dimensions>
)";
    std::string body = R"(<aux name="v"><dimensions><dim name="R"/></dimensions><eqn>1</eqn></aux>
<aux name="wrong"><eqn>v[c]</eqn></aux>
<aux name="range"><eqn>v[3]</eqn></aux>
<aux name="two"><dimensions><dim name="R"/><dim name="S"/></dimensions><eqn>R * 10 + S</eqn></aux>
<aux name="t"><dimensions><dim name="S"/><dim name="R"/></dimensions><eqn>two[R, S]</eqn></aux>
)";
    {
        std::string text = xmile(body + R"(<aux name="nodim"><dimensions><dim name="Q"/></dimensions><eqn>1</eqn></aux>
)", "<start>0</start><stop>1</stop><dt>1</dt>", "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0", top);
        sim::Diagnostics d;
        parse(text, d);
        INFO(d.str());
        auto e = find_code(d, sim::Code::E_XMILE_ARRAY);
        REQUIRE(e);
        CHECK(e->variable == "nodim");
    }
    std::string text = xmile(body, "<start>0</start><stop>1</stop><dt>1</dt>",
                             "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0", top);
    sim::Diagnostics d;
    auto m = parse(text, d);
    REQUIRE(d.empty());
    auto model = sim::Model::compile(m, d);
    INFO(d.str());
    CHECK_FALSE(model);
    auto by_var = [&](const std::string& v) -> const sim::Diagnostic* {
        for (const auto& x : d.items())
            if (x.variable == v) return &x;
        return nullptr;
    };
    REQUIRE(by_var("wrong"));
    CHECK(by_var("wrong")->code == sim::Code::E_UNKNOWN_ELEMENT);
    CHECK_AT(by_var("wrong")->loc, where(text, "c]"));
    REQUIRE(by_var("range"));
    CHECK(by_var("range")->code == sim::Code::E_SUBSCRIPT_RANGE);
    CHECK_FALSE(by_var("two"));
    CHECK_FALSE(by_var("t"));

    // without the errors, the 2-D array and its transpose run
    m.variables.erase(m.variables.begin() + 1, m.variables.begin() + 3);
    sim::Diagnostics d2;
    auto ok = sim::Model::compile(m, d2);
    INFO(d2.str());
    REQUIRE(ok);
    auto r = ok->run();
    CHECK(r.at("two[b,x]", 0) == doctest::Approx(21));
    CHECK(r.at("t[y,a]", 0) == doctest::Approx(12));
    CHECK(r.at("t[x,b]", 0) == doctest::Approx(21));
}

TEST_CASE("xmile: modules flatten into module.var with <connect> inputs") {
    std::string text = R"(<xmile version="1.0" xmlns="http://www.systemdynamics.org/XMILE">
<sim_specs><start>0</start><stop>12</stop><dt>0.5</dt></sim_specs>
<model>
  <variables>
    <module name="prey">
      <connect to="area" from=".area"/>
      <connect to="predators" from="hunters.population"/>
    </module>
    <module name="hunters">
      <connect to="prey_density" from="prey.density"/>
    </module>
    <aux name="area"><eqn>1000</eqn></aux>
  </variables>
</model>
<model name="prey">
  <variables>
    <stock name="population"><eqn>500</eqn><inflow>births</inflow><outflow>eaten</outflow><non_negative/></stock>
    <flow name="births"><eqn>population * birth\nfraction</eqn></flow>
    <flow name="eaten"><eqn>predators * kill_rate(density)</eqn></flow>
    <aux name="birth\nfraction"><eqn>0.1</eqn></aux>
    <aux name="area"><eqn>{set from outside}</eqn></aux>
    <aux name="density"><eqn>population / area</eqn></aux>
    <stock name="predators"><eqn>{input}</eqn></stock>
    <gf name="kill rate"><xpts>0,1</xpts><ypts>0,2</ypts></gf>
  </variables>
</model>
<model name="hunters">
  <variables>
    <stock name="population"><eqn>10</eqn><inflow>growth</inflow></stock>
    <flow name="growth"><eqn>population * prey_density / 100</eqn></flow>
    <aux name="prey density"><eqn>{input}</eqn></aux>
  </variables>
</model>
</xmile>
)";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    std::vector<std::string> names;
    for (const auto& v : m.variables) names.push_back(v.name);
    CHECK(names == std::vector<std::string>{"prey.population", "prey.births", "prey.eaten", "prey.birth fraction",
                                            "prey.area", "prey.density", "prey.predators", "prey.kill rate",
                                            "hunters.population", "hunters.growth", "hunters.prey density",
                                            "area"});
    const auto& pop = var(m, "prey.population");
    CHECK(pop.kind == sim::VarKind::stock);
    CHECK(pop.non_negative);
    CHECK(pop.inflows == std::vector<std::string>{"prey.births"});
    CHECK(pop.outflows == std::vector<std::string>{"prey.eaten"});
    CHECK(printed(m, "prey.births") == "prey.population * prey.birth_fraction");
    CHECK(var(m, "prey.births").equation.text == "population * birth  fraction");  // as written
    CHECK(printed(m, "prey.eaten") == "prey.predators * prey.kill_rate(prey.density)");
    CHECK(var(m, "prey.kill rate").kind == sim::VarKind::lookup);
    // Connected inputs become auxiliaries equal to their source, whatever they were declared as.
    const auto& pred = var(m, "prey.predators");
    CHECK(pred.kind == sim::VarKind::aux);
    CHECK(pred.equation.text == "hunters.population");
    CHECK_AT(pred.equation.loc, where(text, "<connect to=\"predators\""));
    CHECK(var(m, "prey.area").equation.text == "area");
    CHECK(var(m, "hunters.prey density").equation.text == "prey.density");
    CHECK(printed(m, "hunters.growth") == "hunters.population * hunters.prey_density / 100");
}

TEST_CASE("xmile: module errors: missing model, bad connect target") {
    std::string text = R"(<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables>
  <module name="ghost"/>
  <module name="sub"><connect to="nothing" from="x"/></module>
  <aux name="x"><eqn>1</eqn></aux>
</variables></model>
<model name="sub"><variables><aux name="y"><eqn>2</eqn></aux></variables></model>
</xmile>)";
    sim::Diagnostics d;
    parse(text, d);
    REQUIRE(count_code(d, sim::Code::E_XMILE_MODULE) == 2);
    CHECK_AT(d.items()[0].loc, where(text, "<module name=\"ghost\""));
    CHECK_AT(d.items()[1].loc, where(text, "<connect to=\"nothing\""));
}

TEST_CASE("xmile: equations: {comments}, XML entities, \\n in names, aux listed as a flow") {
    std::string text = xmile(R"(<aux name="Heat\nLoss"><eqn>IF Time &gt; 5 {late} THEN 1 ELSE 0</eqn></aux>
<stock name="s"><eqn>
        0
    </eqn><inflow>in</inflow></stock>
<aux name="in"><eqn>"Heat\nLoss" * 2</eqn></aux>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    CHECK(d.error_count() == 0);
    const auto& h = var(m, "Heat Loss");
    CHECK(h.name == "Heat Loss");
    CHECK(h.equation.text == "IF Time > 5        THEN 1 ELSE 0");
    const auto& s = var(m, "s");
    CHECK(s.equation.text == "0");
    CHECK_AT(s.equation.loc, where(text, "0\n    </eqn>"));
    // Vensim exports write flows as <aux>: a stock's inflow is read as a flow, with a warning.
    CHECK(var(m, "in").kind == sim::VarKind::flow);
    CHECK(var(m, "in").equation.text == "\"Heat  Loss\" * 2");
    REQUIRE(count_code(d, sim::Code::W_XMILE_AUX_AS_FLOW) == 1);
    CHECK_AT(find_code(d, sim::Code::W_XMILE_AUX_AS_FLOW)->loc, where(text, "<aux name=\"in\""));
}

TEST_CASE("xmile: malformed XML is E-XML-SYNTAX at the right line") {
    std::string text = "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                       "<sim_specs><start>0</start><stop>1</stop></sim_specs>\n"
                       "<model><variables>\n"
                       "  <aux name=\"a\"><eqn>1</eqn>\n"
                       "</variables></model>\n"
                       "</xmile>\n";
    sim::Diagnostics d;
    parse(text, d);
    REQUIRE(d.error_count() == 1);
    CHECK(d.items()[0].code == sim::Code::E_XML_SYNTAX);
    CHECK(d.items()[0].loc.file == "m.xmile");
    // pugixml stops at the mismatched end tag </variables>.
    CHECK(d.items()[0].loc.line == 5);

    sim::Diagnostics d2;
    parse("<xmile><model><aux name=\"a\"></xmile", d2);
    CHECK(find_code(d2, sim::Code::E_XML_SYNTAX));

    sim::Diagnostics d3;
    parse("<?xml version=\"1.0\"?>\n<model/>\n", d3);
    REQUIRE(find_code(d3, sim::Code::E_XMILE_ROOT));
    CHECK(find_code(d3, sim::Code::E_XMILE_ROOT)->loc.line == 2);
}

TEST_CASE("xmile: unsupported elements are diagnosed with their line") {
    std::string text = xmile(R"(<stock name="belt"><eqn>0</eqn><conveyor><len>3</len></conveyor></stock>
<aux name="vendor"><eqn>isee:foo(1)</eqn></aux>
<aux name="fine"><eqn>a :AND: b</eqn></aux>
)",
                             "<start>0</start><stop>1</stop><dt>1</dt>", "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0",
                             "<macro name=\"m\"><eqn>1</eqn><sim_specs><stop>3</stop></sim_specs></macro>\n");
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    REQUIRE(count_code(d, sim::Code::E_XMILE_UNSUPPORTED) == 3);
    std::vector<const sim::Diagnostic*> u;
    for (const auto& x : d.items())
        if (x.code == sim::Code::E_XMILE_UNSUPPORTED) u.push_back(&x);
    CHECK_AT(u[0]->loc, where(text, "<sim_specs><stop>"));
    CHECK(u[0]->message.find("<sim_specs> in macro 'm'") != std::string::npos);
    CHECK_AT(u[1]->loc, where(text, "<conveyor>"));
    CHECK(u[1]->variable == "belt");
    CHECK_AT(u[2]->loc, where(text, "isee:foo"));
    CHECK(u[2]->message.find("isee:foo") != std::string::npos);
}

TEST_CASE("xmile: missing file is E-IO; .stmx reads like .xmile") {
    sim::Diagnostics d;
    sim::load_xmile("/nonexistent/model.stmx", d);
    REQUIRE(d.error_count() == 1);
    CHECK(d.items()[0].code == sim::Code::E_IO);

    simtest::TempDir dir("sim_test_xmile");
    std::string text = xmile(sir_body);
    for (const char* ext : {"m.xmile", "m.stmx"}) dir.write(ext, text);
    sim::Diagnostics d1, d2;
    auto a = sim::load_xmile((dir / "m.xmile").string(), d1);
    auto b = sim::load_xmile((dir / "m.stmx").string(), d2);
    CHECK(d1.empty());
    CHECK(d2.empty());
    CHECK(b.file == (dir / "m.stmx").string());
    REQUIRE(a.variables.size() == b.variables.size());
    for (std::size_t i = 0; i < a.variables.size(); ++i) {
        CHECK(a.variables[i].name == b.variables[i].name);
        CHECK(a.variables[i].equation.text == b.variables[i].equation.text);
        CHECK(a.variables[i].equation.loc.line == b.variables[i].equation.loc.line);
    }
}

TEST_CASE("xmile: the same model as YAML gives the same ModelSpec") {
    const std::string yaml = R"(sim:
  start: 0
  stop: 10
  dt: 0.5
  method: rk4
stocks:
  tank:
    initial: 100
    outflows: [drain]
    non_negative: true
flows:
  drain: tank / tau * effect(tank)
constants:
  tau: 4
lookups:
  effect:
    points: [[0, 0], [100, 1]]
)";
    const std::string xml = R"(<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="RK4"><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>
<model><variables>
  <stock name="tank"><eqn>100</eqn><outflow>drain</outflow><non_negative/></stock>
  <flow name="drain"><eqn>tank / tau * effect(tank)</eqn></flow>
  <aux name="tau"><eqn>4</eqn></aux>
  <gf name="effect"><xpts>0,100</xpts><ypts>0,1</ypts></gf>
</variables></model></xmile>)";
    sim::Diagnostics dy, dx;
    auto y = sim::parse_yaml(yaml, "m.yaml", dy);
    auto x = parse(xml, dx);
    INFO(dy.str() << dx.str());
    REQUIRE(dy.empty());
    REQUIRE(dx.empty());
    CHECK(x.specs.start == y.specs.start);
    CHECK(x.specs.stop == y.specs.stop);
    CHECK(x.specs.dt == y.specs.dt);
    CHECK(x.specs.method == y.specs.method);
    REQUIRE(x.variables.size() == y.variables.size());
    for (const auto& yv : y.variables) {
        CAPTURE(yv.name);
        const auto& xv = var(x, yv.name);
        CHECK(xv.name == yv.name);
        CHECK(xv.kind == yv.kind);
        CHECK(xv.equation.text == yv.equation.text);
        CHECK(xv.inflows == yv.inflows);
        CHECK(xv.outflows == yv.outflows);
        CHECK(xv.non_negative == yv.non_negative);
        CHECK(xv.gf.has_value() == yv.gf.has_value());
        if (xv.gf && yv.gf) {
            CHECK(xv.gf->x == yv.gf->x);
            CHECK(xv.gf->y == yv.gf->y);
            CHECK(xv.gf->kind == yv.gf->kind);
        }
    }
}

#ifdef SIM_CONFORMANCE_DIR
TEST_CASE("xmile: conformance teacup .xmile and .stmx: display names as written, same structure") {
    const std::string root = std::string(SIM_CONFORMANCE_DIR) + "/test-models/samples/teacup/";
    if (!std::filesystem::exists(root + "teacup.xmile")) {
        simtest::skip("the conformance suite is not at SIM_CONFORMANCE_DIR");
        return;
    }
    sim::Diagnostics d1, d2;
    auto a = sim::load_xmile(root + "teacup.xmile", d1);
    auto b = sim::load_xmile(root + "teacup.stmx", d2);
    INFO(d1.str() << d2.str());
    CHECK(d1.error_count() == 0);
    CHECK(d2.error_count() == 0);
    CHECK(var(a, "Teacup Temperature").name == "Teacup Temperature");
    CHECK(var(b, "Teacup Temperature").name == "teacup temperature");
    REQUIRE(a.variables.size() == b.variables.size());
    for (const auto& v : a.variables) {
        CAPTURE(v.name);
        CHECK(var(b, v.name).kind == v.kind);
    }
    CHECK(var(a, "heat loss to room").equation.text ==
          "(\"Teacup Temperature\"-\"Room Temperature\")/\"Characteristic Time\"");
    CHECK(var(b, "teacup temperature").non_negative);
    CHECK(!var(a, "teacup temperature").non_negative);
}
#endif
