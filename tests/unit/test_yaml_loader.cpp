// YAML model loader: mapping to ModelSpec, exact source positions, and every
// diagnostic the loader emits (code, position, variable).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sim/load.hpp"
#include "sim/spec.hpp"
#include "support.hpp"

namespace {

using simtest::count_code;
using simtest::find_code;

// 1-based line/col of the first occurrence of `needle` in `text` (computed
// independently of the loader, from the raw text).
sim::SourceLoc where(const std::string& text, const std::string& needle, std::size_t from = 0) {
    return simtest::loc_of("m.yaml", text, needle, from);
}

sim::ModelSpec parse(const std::string& text, sim::Diagnostics& d) { return sim::parse_yaml(text, "m.yaml", d); }

const std::string sir = R"(name: SIR epidemic
doc: a classic
sim:
  start: 0
  stop: 100
  dt: 0.125
  save_step: 1
  method: rk4
  time_units: day
stocks:
  susceptible:
    initial: total_population - infected0
    outflows: [infection]
    non_negative: true
    units: person
  infected:
    init: infected0
    inflows: [infection]
    outflows: [recovery]
  recovered: {initial: 0, inflows: [recovery]}
flows:
  infection:
    equation: contact_rate * infectivity * susceptible * infected / total_population
    non_negative: true
    units: person/day
  recovery: infected / duration
aux:
  total_population: susceptible + infected + recovered
constants:
  contact_rate: 6
  infectivity: {value: 0.25, units: dmnl, doc: "source: textbook"}
  duration: 5
  infected0: 1
  N0: "1000 - 1"
lookups:
  effect_table:
    points: [[0, 1.0], [1, 0.5], [2, 0.2]]
    kind: extrapolate
    units: dmnl
levers:
  planning:
    title: Coordinated planning
    section: "§5.1"
    changes: what it changes
    start: 20
    phase_in: 5
    intensity: 0.5
    on: true
    cost: planning_lever * 1.5e9
    cost_units: yuan/year
)";

}  // namespace

TEST_CASE("yaml: a full model maps onto ModelSpec in section and file order") {
    sim::Diagnostics d;
    auto m = parse(sir, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(m.name == "SIR epidemic");
    CHECK(m.doc == "a classic");
    CHECK(m.file == "m.yaml");
    CHECK(m.specs.start == 0);
    CHECK(m.specs.stop == 100);
    CHECK(m.specs.dt == 0.125);
    REQUIRE(m.specs.save_step);
    CHECK(*m.specs.save_step == 1);
    CHECK(m.specs.method == sim::Method::rk4);
    CHECK(m.specs.time_units == "day");

    const std::vector<std::pair<std::string, sim::VarKind>> expected = {
        {"susceptible", sim::VarKind::stock},     {"infected", sim::VarKind::stock},
        {"recovered", sim::VarKind::stock},       {"infection", sim::VarKind::flow},
        {"recovery", sim::VarKind::flow},         {"total_population", sim::VarKind::aux},
        {"contact_rate", sim::VarKind::constant}, {"infectivity", sim::VarKind::constant},
        {"duration", sim::VarKind::constant},     {"infected0", sim::VarKind::constant},
        {"N0", sim::VarKind::constant},           {"effect_table", sim::VarKind::lookup},
    };
    REQUIRE(m.variables.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(m.variables[i].name == expected[i].first);
        CHECK(m.variables[i].kind == expected[i].second);
    }
    const auto& s = *m.find("Susceptible");
    CHECK(s.equation.text == "total_population - infected0");
    CHECK(s.outflows == std::vector<std::string>{"infection"});
    CHECK(s.inflows.empty());
    CHECK(s.non_negative);
    CHECK(s.units == "person");
    CHECK(m.find("infected")->equation.text == "infected0");  // `init:` synonym
    CHECK(m.find("recovered")->inflows == std::vector<std::string>{"recovery"});
    CHECK(m.find("infection")->non_negative);
    CHECK(m.find("infection")->units == "person/day");
    CHECK(m.find("recovery")->equation.text == "infected / duration");
    CHECK(m.find("contact_rate")->equation.text == "6");
    CHECK(m.find("infectivity")->equation.text == "0.25");
    CHECK(m.find("infectivity")->units == "dmnl");
    CHECK(m.find("infectivity")->doc == "source: textbook");
    CHECK(m.find("N0")->equation.text == "1000 - 1");  // quoted: a constant expression

    const auto& lk = *m.find("effect table");
    REQUIRE(lk.gf);
    CHECK(lk.gf->x == std::vector<double>{0, 1, 2});
    CHECK(lk.gf->y == std::vector<double>{1.0, 0.5, 0.2});
    CHECK(lk.gf->kind == sim::LookupKind::extrapolate);
    CHECK(lk.units == "dmnl");

    REQUIRE(m.levers.size() == 1);
    const auto& l = m.levers[0];
    CHECK(l.name == "planning");
    CHECK(l.title == "Coordinated planning");
    CHECK(l.section == "§5.1");
    CHECK(l.description == "what it changes");
    CHECK(l.start == 20);
    CHECK(l.phase_in == 5);
    CHECK(l.intensity == 0.5);
    CHECK(l.on);
    CHECK(l.cost.text == "planning_lever * 1.5e9");
    CHECK(l.cost_units == "yuan/year");
    CHECK_AT(l.loc, where(sir, "planning:"));
    CHECK_AT(l.cost.loc, where(sir, "planning_lever * 1.5e9"));
}

TEST_CASE("yaml: variable and equation positions point at the key and the first character") {
    sim::Diagnostics d;
    auto m = parse(sir, d);
    REQUIRE(d.empty());
    CHECK_AT(m.find("susceptible")->loc, where(sir, "susceptible:"));
    CHECK_AT(m.find("susceptible")->equation.loc, where(sir, "total_population - infected0"));
    CHECK_AT(m.find("infection")->loc, where(sir, "infection:"));
    CHECK_AT(m.find("infection")->equation.loc, where(sir, "contact_rate * infectivity"));
    CHECK_AT(m.find("recovery")->equation.loc, where(sir, "infected / duration"));
    CHECK_AT(m.find("recovered")->equation.loc, where(sir, "0, inflows"));  // inside a flow mapping
    CHECK_AT(m.find("N0")->equation.loc, where(sir, "1000 - 1"));         // after the quote
    CHECK_AT(m.find("infectivity")->equation.loc, where(sir, "0.25"));
    CHECK_AT(m.find("effect_table")->loc, where(sir, "effect_table:"));
}

TEST_CASE("yaml: equation positions for quoted and block scalars") {
    const std::string text = "aux:\n"
                              "  a: \"b + 1\"\n"
                              "  c: 'b * 2'\n"
                              "  d: |\n"
                              "      b +\n"
                              "      c\n"
                              "  e: >-\n"
                              "\n"
                              "     max(b,\n"
                              "     c)\n"
                              "  f:\n"
                              "    equation: |\n"
                              "      IF b > 0\n"
                              "      THEN 1 ELSE 0\n"
                              "    units: dmnl\n"
                              "  g: {equation: \"b\"}\n"
                              "constants:\n"
                              "  b: 1\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(m.find("a")->equation.text == "b + 1");
    CHECK_AT(m.find("a")->equation.loc, where(text, "b + 1"));
    CHECK_AT(m.find("c")->equation.loc, where(text, "b * 2"));
    const auto& dd = m.find("d")->equation;
    CHECK(dd.text == "b +\nc\n");
    CHECK_AT(dd.loc, where(text, "b +\n"));
    // Equation::at maps offsets on continuation lines back into the file.
    CHECK_AT(dd.at(dd.text.find('c')), where(text, "c\n  e:"));
    const auto& e = m.find("e")->equation;
    CHECK(e.text.find("max(b, c)") != std::string::npos);
    CHECK(e.loc.line == where(text, "max(b").line - 1);  // the leading blank line is text[0]
    CHECK(e.loc.col == where(text, "max(b").col);
    CHECK_AT(m.find("f")->equation.loc, where(text, "IF b > 0"));
    CHECK(m.find("f")->units == "dmnl");
    CHECK_AT(m.find("g")->equation.loc, where(text, "b\"}"));
}

TEST_CASE("yaml: positions after non-ASCII names count characters, like Equation::at") {
    const std::string text = "aux:\n  人口 总数: \"a + b\"\nconstants:\n  a: 1\n  b: 2\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(m.variables[0].name == "人口 总数");
    CHECK_AT(m.variables[0].equation.loc, where(text, "a + b"));
}

TEST_CASE("yaml: synonyms, short forms and embedded lookups") {
    const std::string text = "stocks:\n"
                             "  pop: 100\n"  // short form: the initial value
                             "  s2: {initial: 1, inflows: grow}\n"
                             "flows:\n"
                             "  grow: pop * 0.1\n"
                             "auxiliaries:\n"
                             "  eff:\n"
                             "    equation: pop / 10\n"
                             "    lookup: {x: [0, 5, 10], y: [1, 2, 3], kind: discrete}\n"
                             "  eff2: {equation: pop, lookup: [[0, 0], [1, 1]]}\n"
                             "lookups:\n"
                             "  t: [[0, 0], [10, 1]]\n"
                             "constants:\n"
                             "  k: {equation: 2 * 3}\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(m.find("pop")->kind == sim::VarKind::stock);
    CHECK(m.find("pop")->equation.text == "100");
    CHECK(m.find("s2")->inflows == std::vector<std::string>{"grow"});
    CHECK(m.find("eff")->kind == sim::VarKind::aux);
    REQUIRE(m.find("eff")->gf);
    CHECK(m.find("eff")->gf->kind == sim::LookupKind::discrete);
    CHECK(m.find("eff")->gf->y == std::vector<double>{1, 2, 3});
    REQUIRE(m.find("eff2")->gf);
    CHECK(m.find("eff2")->gf->x == std::vector<double>{0, 1});
    REQUIRE(m.find("t")->gf);
    CHECK(m.find("t")->gf->kind == sim::LookupKind::continuous);
    CHECK(m.find("k")->kind == sim::VarKind::constant);
    CHECK(m.find("k")->equation.text == "2 * 3");
    CHECK(!m.specs.save_step);
    CHECK(m.specs.method == sim::Method::euler);
}

TEST_CASE("yaml: syntax errors carry yaml-cpp's position") {
    const std::string text = "name: x\nstocks:\n  a: [1, 2\nflows:\n";
    sim::Diagnostics d;
    parse(text, d);
    REQUIRE(d.items().size() == 1);
    const auto& e = d.items()[0];
    CHECK(e.code == sim::Code::E_YAML_SYNTAX);
    CHECK(e.loc.file == "m.yaml");
    CHECK(e.loc.line >= 3);
    CHECK(e.loc.col >= 1);
    CHECK(e.message.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("yaml: empty, non-mapping and binary files are errors, not crashes") {
    for (const char* t : {"", "   \n", "# only a comment\n", "---\n"}) {
        sim::Diagnostics d;
        parse(t, d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_EMPTY);
    }
    {
        sim::Diagnostics d;
        parse("- a\n- b\n", d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_YAML_TYPE);
        CHECK(d.items()[0].message.find("must be a mapping") != std::string::npos);
    }
    {
        sim::Diagnostics d;
        parse("just a string", d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_YAML_TYPE);
    }
    {
        sim::Diagnostics d;
        parse(std::string("name: x\nflows:\n  a: \x01\x00\xff\xfe", 24), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_ENCODING);
        CHECK(d.items()[0].loc.line == 3);
        CHECK(d.items()[0].loc.col == 7);
    }
    {
        sim::Diagnostics d;  // Latin-1 é, invalid as UTF-8
        parse("name: caf\xe9\n", d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_ENCODING);
        CHECK(d.items()[0].loc.col == 10);
    }
    {
        sim::Diagnostics d;  // valid UTF-8 is fine, with or without a BOM
        auto m = parse("\xEF\xBB\xBFname: café ☕\n", d);
        INFO(d.str());
        CHECK(d.empty());
        CHECK(m.name == "café ☕");
    }
}

TEST_CASE("yaml: unknown keys are reported with a suggestion and loading goes on") {
    const std::string text = "nmae: x\n"
                             "stocks:\n"
                             "  s:\n"
                             "    intial: 1\n"
                             "    inflow: [f]\n"
                             "flows:\n"
                             "  f: {equation: 1, unit: dmnl, colour: red}\n"
                             "constants:\n"
                             "  k: 1\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    CHECK(count_code(d, sim::Code::E_UNKNOWN_KEY) == 5);
    const auto* top = find_code(d, sim::Code::E_UNKNOWN_KEY, 0);
    REQUIRE(top);
    CHECK(top->message == "unknown key 'nmae' in the top level of the model (did you mean 'name'?)");
    CHECK_AT(top->loc, where(text, "nmae"));
    const auto* ini = find_code(d, sim::Code::E_UNKNOWN_KEY, 1);
    REQUIRE(ini);
    CHECK(ini->variable == "s");
    CHECK(ini->message == "unknown key 'intial' in the stock 's' (did you mean 'initial'?)");
    CHECK_AT(ini->loc, where(text, "intial"));
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY, 2)->message.find("did you mean 'inflows'") != std::string::npos);
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY, 3)->message.find("did you mean 'units'") != std::string::npos);
    // No close match: the allowed keys are listed instead.
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY, 4)->message ==
          "unknown key 'colour' in the flow 'f' (allowed: equation, non_negative, units, doc, lookup, dimensions, "
          "definitions, title, title_zh, better, money, display)");
    // The stock is missing its initial value (the misspelt key does not count).
    CHECK(count_code(d, sim::Code::E_MISSING_INITIAL) == 1);
    // Everything else still loaded.
    CHECK(m.variables.size() == 3);
    CHECK(m.find("k")->equation.text == "1");
}

TEST_CASE("yaml: a comma inside a {...} mapping gets a hint") {
    const std::string text = "aux:\n  m: {equation: MAX(a, b), units: x}\n";
    sim::Diagnostics d;
    parse(text, d);
    REQUIRE(count_code(d, sim::Code::E_UNKNOWN_KEY) == 1);
    CHECK_AT(find_code(d, sim::Code::E_UNKNOWN_KEY)->loc, where(text, "b)"));
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY)->message.find("quote the equation") != std::string::npos);
}

TEST_CASE("yaml: duplicate names within and across sections, and duplicate YAML keys") {
    const std::string text = "stocks:\n"
                             "  Pop: 1\n"
                             "flows:\n"
                             "  growth: 1\n"
                             "  growth: 2\n"
                             "aux:\n"
                             "  pop: 3\n"
                             "constants:\n"
                             "  the rate: 1\n"
                             "  The_Rate: 2\n"
                             "sim:\n"
                             "  dt: 1\n"
                             "  dt: 2\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    REQUIRE(count_code(d, sim::Code::E_DUPLICATE) == 4);
    CHECK(d.error_count() == 4);
    // File order within the sim section, then sections in order.
    const auto* specs = find_code(d, sim::Code::E_DUPLICATE, 0);
    CHECK_AT(specs->loc, where(text, "dt: 2"));
    CHECK(specs->message.find("'dt' appears twice") != std::string::npos);
    const auto* g = find_code(d, sim::Code::E_DUPLICATE, 1);
    CHECK(g->variable == "growth");
    CHECK_AT(g->loc, where(text, "growth: 2"));
    CHECK(g->message.find("line 4") != std::string::npos);
    const auto* p = find_code(d, sim::Code::E_DUPLICATE, 2);
    CHECK(p->variable == "pop");
    CHECK(p->message.find("already defined as a stock at line 2") != std::string::npos);
    CHECK(find_code(d, sim::Code::E_DUPLICATE, 3)->variable == "The_Rate");
    // The first definition wins.
    CHECK(m.variables.size() == 3);
    CHECK(m.find("growth")->equation.text == "1");
    CHECK(m.find("pop")->kind == sim::VarKind::stock);
}

TEST_CASE("yaml: missing initial values and equations") {
    const std::string text = "stocks:\n"
                             "  a:\n"
                             "    outflows: [f]\n"
                             "  b:\n"
                             "  c: {initial: }\n"
                             "flows:\n"
                             "  f: {units: x}\n"
                             "  g:\n"
                             "aux:\n"
                             "  h: \"  \"\n";
    sim::Diagnostics d;
    parse(text, d);
    INFO(d.str());
    CHECK(count_code(d, sim::Code::E_MISSING_INITIAL) == 3);
    CHECK(count_code(d, sim::Code::E_MISSING_EQUATION) == 3);
    CHECK(d.error_count() == 6);
    const auto* a = find_code(d, sim::Code::E_MISSING_INITIAL, 0);
    CHECK(a->variable == "a");
    CHECK_AT(a->loc, where(text, "a:"));
    CHECK(a->message == "stock 'a' has no initial value; add 'initial: <value or equation>'");
    CHECK(find_code(d, sim::Code::E_MISSING_INITIAL, 1)->variable == "b");
    CHECK(find_code(d, sim::Code::E_MISSING_INITIAL, 2)->variable == "c");
    const auto* f = find_code(d, sim::Code::E_MISSING_EQUATION, 0);
    CHECK(f->variable == "f");
    CHECK(f->message == "flow 'f' has no equation; add 'equation: <expression>'");
    CHECK(find_code(d, sim::Code::E_MISSING_EQUATION, 1)->variable == "g");
    CHECK(find_code(d, sim::Code::E_MISSING_EQUATION, 2)->variable == "h");
}

TEST_CASE("yaml: constants must be numbers or quoted expressions") {
    const std::string text = "constants:\n"
                             "  ok1: -2.5e-3\n"
                             "  ok2: +4\n"
                             "  ok3: \"ok1 * 2\"\n"
                             "  bad1: abc\n"
                             "  bad2: 0,25\n"
                             "  bad3:\n"
                             "  bad4: [1, 2]\n"
                             "  bad5: {value: 1.2.3}\n"
                             "  bad6: {units: x}\n"
                             "  bad7: .nan\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    CHECK(count_code(d, sim::Code::E_BAD_NUMBER) == 7);
    CHECK(d.error_count() == 7);
    CHECK(m.find("ok1")->equation.text == "-2.5e-3");
    CHECK(m.find("ok2")->equation.text == "+4");
    CHECK(m.find("ok3")->equation.text == "ok1 * 2");
    const auto* b1 = find_code(d, sim::Code::E_BAD_NUMBER, 0);
    CHECK(b1->variable == "bad1");
    CHECK_AT(b1->loc, where(text, "abc"));
    CHECK(b1->message ==
          "constant 'bad1' has value 'abc', which is not a number; write a number, or quote it (\"...\") for a "
          "constant expression");
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 1)->variable == "bad2");
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 2)->variable == "bad3");
    CHECK_AT(find_code(d, sim::Code::E_BAD_NUMBER, 2)->loc, where(text, "bad3"));
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 3)->variable == "bad4");
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 4)->variable == "bad5");
    CHECK_AT(find_code(d, sim::Code::E_BAD_NUMBER, 4)->loc, where(text, "1.2.3"));
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 5)->variable == "bad6");
    CHECK(find_code(d, sim::Code::E_BAD_NUMBER, 6)->variable == "bad7");
}

TEST_CASE("yaml: lookup errors") {
    const std::string text = "lookups:\n"
                             "  unsorted: {points: [[0, 1], [2, 2], [1, 3]]}\n"
                             "  repeated: {x: [0, 1, 1], y: [0, 0, 0]}\n"
                             "  empty1: {points: []}\n"
                             "  empty2:\n"
                             "  mismatch: {x: [0, 1, 2], y: [0, 1]}\n"
                             "  halves: {x: [0, 1]}\n"
                             "  kind: {points: [[0, 0]], kind: cubic}\n"
                             "  kind2: {points: [[0, 0]], kind: discrete}\n"
                             "  triple: {points: [[0, 0, 0]]}\n"
                             "  word: {points: [[0, a]]}\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    CHECK(count_code(d, sim::Code::E_LOOKUP_ORDER) == 2);
    CHECK(count_code(d, sim::Code::E_LOOKUP_EMPTY) == 2);
    CHECK(count_code(d, sim::Code::E_LOOKUP_SIZE) == 2);
    CHECK(count_code(d, sim::Code::E_LOOKUP_KIND) == 1);
    CHECK(count_code(d, sim::Code::E_LOOKUP_FORM) == 1);
    CHECK(count_code(d, sim::Code::E_BAD_NUMBER) == 1);
    CHECK(d.error_count() == 9);
    const auto* o = find_code(d, sim::Code::E_LOOKUP_ORDER);
    CHECK(o->variable == "unsorted");
    CHECK_AT(o->loc, where(text, "[1, 3]"));  // the offending point
    CHECK(o->message.find("point 3 has x = 1 after x = 2") != std::string::npos);
    CHECK(find_code(d, sim::Code::E_LOOKUP_ORDER, 1)->variable == "repeated");
    CHECK(find_code(d, sim::Code::E_LOOKUP_SIZE, 0)->message ==
          "the lookup has 3 x values but 2 y values; they must pair up");
    const auto* k = find_code(d, sim::Code::E_LOOKUP_KIND);
    CHECK_AT(k->loc, where(text, "cubic"));
    CHECK(k->message.find("use continuous, extrapolate or discrete") != std::string::npos);
    REQUIRE(m.find("kind2")->gf);
    CHECK(m.find("kind2")->gf->kind == sim::LookupKind::discrete);
    CHECK(!m.find("unsorted")->gf);
}

TEST_CASE("yaml: simulation spec errors") {
    SUBCASE("bad method and non-numbers") {
        const std::string text = "sim:\n  start: zero\n  stop: [1]\n  dt: 0.5\n  method: rk3\n  stpo: 4\n";
        sim::Diagnostics d;
        parse(text, d);
        INFO(d.str());
        REQUIRE(count_code(d, sim::Code::E_BAD_METHOD) == 1);
        CHECK_AT(find_code(d, sim::Code::E_BAD_METHOD)->loc, where(text, "rk3"));
        CHECK(find_code(d, sim::Code::E_BAD_METHOD)->message == "unknown integration method 'rk3'; use euler, rk2, rk4 or rk45");
        CHECK(count_code(d, sim::Code::E_BAD_NUMBER) == 2);
        CHECK_AT(find_code(d, sim::Code::E_BAD_NUMBER)->loc, where(text, "zero"));
        CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY)->message.find("did you mean 'stop'") != std::string::npos);
    }
    SUBCASE("ranges") {
        const std::string text = "sim:\n  start: 10\n  stop: 5\n  dt: 0\n  save_step: 0.3\n";
        sim::Diagnostics d;
        parse(text, d);
        INFO(d.str());
        // dt <= 0 and stop < start; the save step is not compared with a dt of 0.
        CHECK(d.error_count() == 2);
        REQUIRE(count_code(d, sim::Code::E_DT) == 1);
        CHECK_AT(find_code(d, sim::Code::E_DT)->loc, where(text, "0\n  save"));
        REQUIRE(count_code(d, sim::Code::E_STOP) == 1);
        CHECK_AT(find_code(d, sim::Code::E_STOP)->loc, where(text, "5\n"));
    }
    SUBCASE("rk45 tolerances") {
        const std::string text = "sim: {method: rk45, rtol: 0, atol: 0}\n";
        sim::Diagnostics d;
        parse(text, d);
        REQUIRE(count_code(d, sim::Code::E_TOLERANCE) == 1);
        CHECK_AT(find_code(d, sim::Code::E_TOLERANCE)->loc, where(text, "0, atol"));
    }
    SUBCASE("save step must be a whole multiple of dt") {
        sim::Diagnostics d;
        parse("sim: {dt: 0.25, save_step: 0.3}\n", d);
        REQUIRE(count_code(d, sim::Code::E_SAVE_STEP) == 1);
        CHECK(find_code(d, sim::Code::E_SAVE_STEP)->message.find("whole multiple of dt") != std::string::npos);
        CHECK(find_code(d, sim::Code::E_SAVE_STEP)->loc.col == 28);
        sim::Diagnostics ok;
        auto m = parse("sim: {dt: 0.1, save_step: 0.3}\n", ok);  // 0.3/0.1 is not exactly 3 in binary
        INFO(ok.str());
        CHECK(ok.empty());
        sim::Diagnostics less;
        parse("sim: {dt: 1, save_step: 0.5}\n", less);
        CHECK(count_code(less, sim::Code::E_SAVE_STEP) == 1);
    }
}

TEST_CASE("yaml: levers") {
    const std::string text = "sim: {start: 2020, stop: 2050}\n"
                             "levers:\n"
                             "  a: {title: A, intensity: 1.5}\n"
                             "  b: {on: maybe, phase_in: 3}\n"
                             "  c:\n"
                             "  A: {title: again}\n"
                             "  d: {titel: x}\n";
    sim::Diagnostics d;
    auto m = parse(text, d);
    INFO(d.str());
    CHECK(count_code(d, sim::Code::E_LEVER_INTENSITY) == 1);
    CHECK_AT(find_code(d, sim::Code::E_LEVER_INTENSITY)->loc, where(text, "1.5"));
    CHECK(find_code(d, sim::Code::E_LEVER_INTENSITY)->variable == "a");
    CHECK(count_code(d, sim::Code::E_BAD_BOOL) == 1);
    CHECK(count_code(d, sim::Code::E_DUPLICATE) == 1);
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY)->message.find("did you mean 'title'") != std::string::npos);
    CHECK(d.error_count() == 4);
    REQUIRE(m.levers.size() == 4);
    CHECK(m.levers[0].intensity == 1.0);  // the bad value is not kept
    CHECK(m.levers[1].phase_in == 3);
    CHECK(m.levers[2].name == "c");
    CHECK(m.levers[2].start == 2020);  // default: the run's start
    CHECK(!m.levers[2].on);
}

TEST_CASE("yaml: wrong node types are reported, not thrown") {
    const std::string text = "name: [a]\n"
                             "stocks: [1, 2]\n"
                             "flows:\n"
                             "  f: [1]\n"
                             "aux:\n"
                             "  ? [x]\n"
                             "  : 1\n"
                             "sim: 5\n";
    sim::Diagnostics d;
    CHECK_NOTHROW(parse(text, d));
    INFO(d.str());
    CHECK(d.error_count() == 5);
    CHECK(count_code(d, sim::Code::E_YAML_TYPE) == 4);
    CHECK(count_code(d, sim::Code::E_BAD_NAME) == 1);
}

TEST_CASE("yaml: load_yaml and load_model read files; missing files are E-IO") {
    simtest::TempDir dir("sim_test_yaml_loader");
    const auto path = dir.write("m.yml", "constants:\n  k: 2\n");
    sim::Diagnostics d;
    auto m = sim::load_model(path, d);
    CHECK(d.empty());
    CHECK(m.file == path);
    CHECK(m.find("k")->equation.loc.file == path);
    CHECK(m.find("k")->equation.loc.line == 2);
    CHECK_NOTHROW(sim::load_model(path));

    sim::Diagnostics missing;
    sim::load_model((dir / "nope.yaml").string(), missing);
    REQUIRE(missing.items().size() == 1);
    CHECK(missing.items()[0].code == sim::Code::E_IO);
    CHECK_THROWS_AS(sim::load_model((dir / "nope.yaml").string()), sim::Error);

    const auto bad = dir.write("bad.yaml", "constants:\n  k: x\n");
    try {
        sim::load_model(bad);
        FAIL("expected sim::Error");
    } catch (const sim::Error& e) {
        REQUIRE(e.diagnostics().items().size() == 1);
        CHECK(e.diagnostics().items()[0].code == sim::Code::E_BAD_NUMBER);
        CHECK(std::string(e.what()).find(bad + ":2:6: error: variable 'k'") != std::string::npos);
    }
}

TEST_CASE("yaml: every classic model loads without diagnostics") {
    const std::filesystem::path dir = std::filesystem::path(SIM_SOURCE_DIR) / "models" / "classic";
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".yaml") continue;
        ++n;
        sim::Diagnostics d;
        auto m = sim::load_model(e.path().string(), d);
        INFO(e.path().string() << "\n" << d.str());
        CHECK(d.empty());
        CHECK(!m.name.empty());
        CHECK(!m.variables.empty());
    }
    CHECK(n >= 4);
}

// ---- The classic models run and behave as models/classic/README.md says.

#include <cmath>

#include "sim/model.hpp"

namespace {

sim::Results run_classic(const std::string& file, const sim::RunOptions& opts = {}) {
    const auto path = std::string(SIM_SOURCE_DIR) + "/models/classic/" + file;
    sim::Diagnostics d;
    auto spec = sim::load_model(path, d);
    auto m = sim::Model::compile(spec, d);
    INFO(d.str());
    REQUIRE(m);
    return m->run(opts);
}

}  // namespace

TEST_CASE("classic: teacup cools monotonically towards room temperature") {
    auto r = run_classic("teacup.yaml");
    const auto t = r.series("teacup temperature");
    REQUIRE(t.size() == 241);  // 0..30 every 0.125
    CHECK(t.front() == 180);
    for (std::size_t i = 1; i < t.size(); ++i) {
        CHECK(t[i] < t[i - 1]);
        CHECK(t[i] > 70);
    }
    // Euler on T' = -(T - 70)/10 is exactly geometric: (1 - dt/10)^n.
    CHECK(t.back() == doctest::Approx(70 + 110 * std::pow(1 - 0.125 / 10, 240)).epsilon(1e-12));
    // ... and within Euler's first-order error of the analytic 70 + 110 e^{-3}
    // (about 110 e^{-3} * t * dt / (2 * 10^2) = 0.10 at t = 30).
    CHECK(std::fabs(t.back() - (70 + 110 * std::exp(-3.0))) < 0.12);
}

TEST_CASE("classic: SIR conserves the population and the epidemic burns out") {
    auto r = run_classic("sir.yaml");
    const auto s = r.series("susceptible"), i = r.series("infected"), rec = r.series("recovered");
    REQUIRE(s.size() == 101);
    for (std::size_t k = 0; k < s.size(); ++k) CHECK(s[k] + i[k] + rec[k] == doctest::Approx(1000).epsilon(1e-12));
    const auto peak = std::max_element(i.begin(), i.end()) - i.begin();
    CHECK(peak > 0);
    CHECK(peak < 100);
    CHECK(i[static_cast<std::size_t>(peak)] > 300);  // R0 = 7.5: a large outbreak
    CHECK(i.back() < 1);
    // Final-size relation s_inf = exp(-R0 (1 - s_inf)) gives about 0.55 people.
    CHECK(s.back() < 5);
    for (std::size_t k = 1; k < s.size(); ++k) CHECK(s[k] <= s[k - 1]);
}

TEST_CASE("classic: Bass adoption is an S-curve saturating at the market size") {
    auto r = run_classic("bass.yaml");
    const auto a = r.series("adopters"), rate = r.series("adoption rate");
    const auto p = r.series("potential adopters");
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(a[k] + p[k] == doctest::Approx(1e6).epsilon(1e-12));
    CHECK(a.front() == 0);
    for (std::size_t k = 1; k < a.size(); ++k) CHECK(a[k] >= a[k - 1]);
    CHECK(a.back() > 0.99 * 1e6);
    CHECK(a.back() <= 1e6);
    // S-curve: the adoption rate rises to an interior peak, then falls.
    const auto peak = static_cast<std::size_t>(std::max_element(rate.begin(), rate.end()) - rate.begin());
    CHECK(peak > 0);
    CHECK(peak + 1 < rate.size());
    CHECK(rate[peak] > 3 * rate.front());
    CHECK(rate.back() < 0.05 * rate[peak]);
}

TEST_CASE("classic: the aging chain conserves people (stocks change only by births and deaths)") {
    sim::RunOptions o;
    o.save_step = 0.25;  // every Euler step, so the accounting is exact
    auto r = run_classic("aging_chain.yaml", o);
    const auto total = r.series("total population"), births = r.series("births"), deaths = r.series("deaths");
    const auto c = r.series("children"), w = r.series("working age"), e = r.series("elderly");
    REQUIRE(total.size() == 401);
    CHECK(total.front() == 1000);
    for (std::size_t k = 0; k < total.size(); ++k) CHECK(total[k] == doctest::Approx(c[k] + w[k] + e[k]));
    for (std::size_t k = 0; k + 1 < total.size(); ++k)
        CHECK(total[k + 1] - total[k] == doctest::Approx(0.25 * (births[k] - deaths[k])).epsilon(1e-9).scale(1));
    // The delays start in equilibrium with their initial inflow (20 births a year).
    CHECK(r.series("maturation").front() == doctest::Approx(20));
    for (std::size_t k = 0; k < c.size(); ++k) {
        CHECK(c[k] > 0);
        CHECK(w[k] > 0);
        CHECK(e[k] > 0);
    }
}
