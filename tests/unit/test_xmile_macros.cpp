// XMILE <macro>: expression macros expanded into their callers' trees,
// macros with <variables> instantiated per call, and the errors (argument
// counts, recursion, limits) at their XML positions.
#include <doctest/doctest.h>

#include <string>

#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"
#include "support.hpp"

namespace {

using simtest::count_code;
using simtest::find_code;

sim::SourceLoc where(const std::string& text, const std::string& needle, std::size_t from = 0) {
    return simtest::loc_of("m.xmile", text, needle, from);
}

sim::ModelSpec parse(const std::string& text, sim::Diagnostics& d, const sim::Limits& lim = {}) {
    return sim::parse_xmile(text, "m.xmile", d, lim);
}

// Macros and a model body in an XMILE 1.0 file.
std::string xmile(const std::string& macros, const std::string& body, const std::string& models = "") {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
           "<sim_specs method=\"Euler\"><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>\n" +
           macros + "<model>\n<variables>\n" + body + "</variables>\n</model>\n" + models + "</xmile>\n";
}

sim::Results run(const sim::ModelSpec& m) {
    sim::Diagnostics d;
    auto model = sim::Model::compile(m, d);
    INFO(d.str());
    REQUIRE(model);
    return model->run();
}

const std::string log_macro = R"(<macro name="LOG">
    <parm>x</parm>
    <parm default="10">base</parm>
    <eqn>LN(x) / LN(base)</eqn>
    <format>LOG(&lt;value&gt;, &lt;base&gt;)</format>
</macro>
)";

// XMILE 1.0 section 4.8.2's first-order smooth, as a stock and a flow.
const std::string smooth_macro = R"(<macro name="MY SMOOTH">
    <parm>input</parm>
    <parm>averaging_time</parm>
    <parm default="input">initial</parm>
    <eqn>Smooth_of_Input</eqn>
    <variables>
        <stock name="Smooth of Input">
            <eqn>initial</eqn>
            <inflow>change_in_smooth</inflow>
        </stock>
        <flow name="change in smooth">
            <eqn>(input - Smooth_of_Input) / averaging_time</eqn>
        </flow>
    </variables>
</macro>
)";

}  // namespace

TEST_CASE("xmile macros: an expression macro is its <eqn> with the arguments in place, defaults included") {
    const std::string text = xmile(log_macro + R"(<macro name="TWICE"><parm>v</parm><eqn>2 * v</eqn></macro>
<macro name="QUAD"><parm>v</parm><eqn>TWICE(TWICE(v))</eqn></macro>
)",
                                   R"(<aux name="a"><eqn>LOG(100)</eqn></aux>
<aux name="b"><eqn>LOG(8, 2) + 1</eqn></aux>
<aux name="q"><eqn>QUAD(k + 1)</eqn></aux>
<aux name="k"><eqn>2</eqn></aux>
<aux name="t"><eqn>twice(TIME)</eqn></aux>
<module name="inner"/>
)",
                                   R"(<model name="inner"><variables>
<aux name="x"><eqn>3</eqn></aux>
<aux name="y"><eqn>TWICE(x)</eqn></aux>
</variables></model>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE_FALSE(d.has_errors());
    // No variables are made for an expression macro: the trees hold the expansion.
    CHECK(m.variables.size() == 7);
    CHECK(sim::ast::print(m.find("a")->equation.tree) == "LN(100) / LN(10)");
    CHECK(sim::ast::print(m.find("q")->equation.tree) == "2 * (2 * (k + 1))");
    CHECK(sim::ast::print(m.find("inner.y")->equation.tree) == "2 * inner.x");
    // Nodes from a macro's <eqn> point at the call as written.
    const auto& b = m.find("b")->equation;
    CHECK_AT(b.at(b.tree[b.tree.root].span), where(text, "LOG(8, 2) + 1"));

    auto r = run(m);
    CHECK(r.at("a", 0) == doctest::Approx(2));
    CHECK(r.at("b", 0) == doctest::Approx(4));
    CHECK(r.at("q", 0) == doctest::Approx(12));
    CHECK(r.at("inner.y", 0) == doctest::Approx(6));
    CHECK(r.at("t", 4) == doctest::Approx(8));
}

TEST_CASE("xmile macros: a macro with <variables> is an instance per call, with state of its own") {
    const std::string text = xmile(smooth_macro, R"(<aux name="input"><eqn>IF TIME >= 2 THEN 10 ELSE 0</eqn></aux>
<aux name="mine"><eqn>MY_SMOOTH(input, 3)</eqn></aux>
<aux name="builtin"><eqn>SMTH1(input, 3)</eqn></aux>
<aux name="slow"><eqn>MY_SMOOTH(input * 2, 5, 1) + 1</eqn></aux>
<aux name="slow builtin"><eqn>SMTH1(input * 2, 5, 1) + 1</eqn></aux>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE_FALSE(d.has_errors());
    // Each call: its parameters (auxiliaries equal to the arguments) and variables, named MACRO#k.
    for (const char* n : {"MY SMOOTH#1.input", "MY SMOOTH#1.averaging_time", "MY SMOOTH#1.initial",
                          "MY SMOOTH#1.Smooth of Input", "MY SMOOTH#1.change in smooth", "MY SMOOTH#2.Smooth of Input"})
        CHECK_MESSAGE(m.find(n) != nullptr, n);
    // (Printed quoted: '#' does not read back as part of a name.)
    CHECK(sim::ast::print(m.find("mine")->equation.tree) == "\"my_smooth#1.smooth_of_input\"");
    CHECK(sim::ast::print(m.find("MY SMOOTH#1.initial")->equation.tree) == "\"my_smooth#1.input\"");
    CHECK(m.find("MY SMOOTH#1.Smooth of Input")->inflows == std::vector<std::string>{"MY SMOOTH#1.change_in_smooth"});
    // The argument keeps its position in the caller's equation.
    const auto& arg = m.find("MY SMOOTH#2.input")->equation;
    CHECK_AT(arg.at(arg.tree[arg.tree.root].span), where(text, "input * 2, 5, 1"));

    auto r = run(m);
    for (double t : {0.0, 2.0, 2.5, 4.0, 7.5, 10.0}) {
        CHECK(r.at("mine", t) == doctest::Approx(r.at("builtin", t)));
        CHECK(r.at("slow", t) == doctest::Approx(r.at("slow builtin", t)));
    }
    CHECK(r.at("mine", 10) > 5);
}

TEST_CASE("xmile macros: wrong argument counts are located at the call") {
    const std::string text = xmile(log_macro + smooth_macro, R"(<aux name="few"><eqn>1 + LOG()</eqn></aux>
<aux name="many"><eqn>LOG(1, 2, 3)</eqn></aux>
<aux name="inst"><eqn>MY_SMOOTH(1)</eqn></aux>
)");
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    REQUIRE(count_code(d, sim::Code::E_XMILE_MACRO) == 3);
    const auto* few = find_code(d, sim::Code::E_XMILE_MACRO, 0);
    CHECK_AT(few->loc, where(text, "LOG()"));
    CHECK(few->variable == "few");
    CHECK(few->message == "macro 'LOG' takes from 1 to 2 arguments, but 0 were given");
    const auto* many = find_code(d, sim::Code::E_XMILE_MACRO, 1);
    CHECK_AT(many->loc, where(text, "LOG(1, 2, 3)"));
    CHECK(many->message == "macro 'LOG' takes from 1 to 2 arguments, but 3 were given");
    const auto* inst = find_code(d, sim::Code::E_XMILE_MACRO, 2);
    CHECK_AT(inst->loc, where(text, "MY_SMOOTH(1)"));
    CHECK(inst->message == "macro 'MY SMOOTH' takes from 2 to 3 arguments, but 1 was given");
}

TEST_CASE("xmile macros: recursion, directly or not, is refused at the macro") {
    const std::string text = xmile(R"(<macro name="FACT"><parm>x</parm><eqn>IF x &lt;= 1 THEN 1 ELSE x * FACT(x - 1)</eqn></macro>
<macro name="PING"><parm>x</parm><eqn>PONG(x)</eqn></macro>
<macro name="PONG"><parm>x</parm><eqn>x</eqn><variables><aux name="y"><eqn>PING(x)</eqn></aux></variables></macro>
)",
                                   R"(<aux name="f"><eqn>FACT(4)</eqn></aux>
<aux name="p"><eqn>PING(1)</eqn></aux>
)");
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    REQUIRE(count_code(d, sim::Code::E_XMILE_MACRO) == 2);
    const auto* fact = find_code(d, sim::Code::E_XMILE_MACRO, 0);
    CHECK_AT(fact->loc, where(text, "<macro name=\"FACT\""));
    CHECK(fact->variable == "FACT");
    CHECK(fact->message.find("macro 'FACT' calls itself (FACT -> FACT)") == 0);
    const auto* ping = find_code(d, sim::Code::E_XMILE_MACRO, 1);
    CHECK_AT(ping->loc, where(text, "<macro name=\"PING\""));
    CHECK(ping->message.find("macro 'PING' calls itself (PING -> PONG -> PING)") == 0);
}

TEST_CASE("xmile macros: an unknown macro is an unknown function at the call") {
    const std::string text = xmile(log_macro, R"(<aux name="u"><eqn>2 * LOGG(100)</eqn></aux>
)");
    sim::Diagnostics d;
    auto m = parse(text, d);
    REQUIRE_FALSE(d.has_errors());
    auto model = sim::Model::compile(m, d);
    CHECK_FALSE(model);
    const auto* e = find_code(d, sim::Code::E_UNKNOWN_FUNCTION);
    REQUIRE(e);
    CHECK_AT(e->loc, where(text, "LOGG(100)"));
    CHECK(e->variable == "u");
}

TEST_CASE("xmile macros: malformed definitions are located") {
    const std::string text = xmile(R"(<macro name="NOEQN"><parm>x</parm></macro>
<macro name="ORDER"><parm default="1">a</parm><parm>b</parm><eqn>a + b</eqn></macro>
<macro name="TWO"><parm>a</parm><parm>A</parm><eqn>a</eqn></macro>
<macro name="SHADOW"><parm>a</parm><eqn>a</eqn><variables><aux name="a"><eqn>3</eqn></aux></variables></macro>
<macro name="ORDER"><eqn>1</eqn></macro>
<macro><eqn>1</eqn></macro>
)",
                                   R"(<aux name="s"><eqn>SHADOW(1)</eqn></aux>
)");
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    const auto* noeqn = find_code(d, sim::Code::E_XMILE_EQN);
    REQUIRE(noeqn);
    CHECK_AT(noeqn->loc, where(text, "<macro name=\"NOEQN\""));
    REQUIRE(count_code(d, sim::Code::E_XMILE_MACRO) == 3);
    CHECK_AT(find_code(d, sim::Code::E_XMILE_MACRO, 0)->loc, where(text, "<parm>b"));
    CHECK(find_code(d, sim::Code::E_XMILE_MACRO, 0)->message.find("parameter 'b' of macro 'ORDER' has no default") == 0);
    CHECK_AT(find_code(d, sim::Code::E_XMILE_MACRO, 1)->loc, where(text, "<parm>A"));
    CHECK_AT(find_code(d, sim::Code::E_XMILE_MACRO, 2)->loc, where(text, "<aux name=\"a\">"));
    CHECK(find_code(d, sim::Code::E_XMILE_MACRO, 2)->message.find("has the name of one of its parameters") !=
          std::string::npos);
    const auto* dup = find_code(d, sim::Code::E_XMILE_DUPLICATE);
    REQUIRE(dup);
    CHECK_AT(dup->loc, where(text, "<macro name=\"ORDER\"><eqn>"));
    const auto* noname = find_code(d, sim::Code::E_XMILE_NAME);
    REQUIRE(noname);
    CHECK_AT(noname->loc, where(text, "<macro><eqn>"));
}

TEST_CASE("xmile macros: a macro with <variables> is refused in an arrayed variable") {
    const std::string text = "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                             "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n"
                             "<dimensions><dim name=\"d\"><elem name=\"a\"/><elem name=\"b\"/></dim></dimensions>\n" +
                             smooth_macro + "<macro name=\"DBL\"><parm>v</parm><eqn>2 * v</eqn></macro>\n" +
                             "<model><variables>\n"
                             "<aux name=\"x\"><dimensions><dim name=\"d\"/></dimensions><eqn>DBL(1)</eqn></aux>\n"
                             "<aux name=\"y\"><dimensions><dim name=\"d\"/></dimensions><eqn>MY_SMOOTH(x[d], 2)</eqn></aux>\n"
                             "</variables></model>\n</xmile>\n";
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    REQUIRE(d.error_count() == 1);
    const auto* e = find_code(d, sim::Code::E_XMILE_UNSUPPORTED);
    REQUIRE(e);
    CHECK_AT(e->loc, where(text, "MY_SMOOTH(x[d]"));
    CHECK(e->variable == "y");
}

TEST_CASE("xmile macros: nodes made and the depth of calls are bounded") {
    SUBCASE("a macro doubling its argument at each level: --max-operations, reported once") {
        std::string macros = "<macro name=\"M0\"><parm>x</parm><eqn>x + x</eqn></macro>\n";
        for (int k = 1; k <= 20; ++k)
            macros += "<macro name=\"M" + std::to_string(k) + "\"><parm>x</parm><eqn>M" + std::to_string(k - 1) + "(x + x)</eqn></macro>\n";
        const std::string text = xmile(macros, "<aux name=\"a\"><eqn>M20(1)</eqn></aux>\n<aux name=\"b\"><eqn>M20(2)</eqn></aux>\n");
        sim::Limits lim;
        lim.operations = 10'000;
        sim::Diagnostics d;
        parse(text, d, lim);
        INFO(d.str());
        REQUIRE(d.error_count() == 1);
        const auto* e = find_code(d, sim::Code::E_LIMIT);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "M20(1)"));
        CHECK(e->message.find("--max-operations") != std::string::npos);
        sim::Diagnostics ok;
        parse(xmile(macros, "<aux name=\"a\"><eqn>M3(1)</eqn></aux>\n"), ok, lim);
        CHECK_FALSE(ok.has_errors());
    }
    SUBCASE("a chain of 7 macros with --max-depth 6 (the XML is 5 deep)") {
        std::string macros = "<macro name=\"C0\"><parm>x</parm><eqn>x</eqn></macro>\n";
        for (int k = 1; k < 7; ++k)
            macros += "<macro name=\"C" + std::to_string(k) + "\"><parm>x</parm><eqn>C" + std::to_string(k - 1) + "(x)</eqn></macro>\n";
        const std::string text = xmile(macros, "<aux name=\"a\"><eqn>C6(1)</eqn></aux>\n");
        sim::Limits lim;
        lim.depth = 6;
        sim::Diagnostics d;
        parse(text, d, lim);
        INFO(d.str());
        const auto* e = find_code(d, sim::Code::E_LIMIT);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "<macro name=\"C6\""));
        CHECK(e->message.find("--max-depth") != std::string::npos);
        sim::Diagnostics ok;
        auto m = parse(text, ok);
        CHECK_FALSE(ok.has_errors());
        CHECK(sim::ast::print(m.find("a")->equation.tree) == "1");
    }
}
