// Arrays: YAML syntax, the compiler's expansion into element columns,
// array functions, and the located errors of the array passes.
#include <doctest/doctest.h>

#include <string>

#include "sim/checks.hpp"
#include "sim/compare.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "support.hpp"

namespace {

using simtest::find_code;

sim::SourceLoc where(const std::string& text, const std::string& needle, std::size_t from = 0) {
    return simtest::loc_of("m.yaml", text, needle, from);
}

sim::Results run_yaml(const std::string& text) {
    sim::Diagnostics d;
    auto spec = sim::parse_yaml(text, "m.yaml", d);
    INFO(d.str());
    REQUIRE(!d.has_errors());
    auto m = sim::Model::compile(spec, d);
    REQUIRE(m);
    return m->run();
}

sim::Diagnostics errors_of(const std::string& text) {
    sim::Diagnostics d;
    auto spec = sim::parse_yaml(text, "m.yaml", d);
    if (!d.has_errors()) {
        auto m = sim::Model::compile(spec, d);
        CHECK_FALSE(m);
    }
    return d;
}

const std::string specs = "sim: {start: 0, stop: 2, dt: 1}\n";

}  // namespace

TEST_CASE("arrays: 1-D and 2-D apply-to-all stocks, flows and constants run element by element") {
    std::string text = specs + R"(dimensions:
  region: [north, south]
  age: {elements: [young, old]}
stocks:
  pop:
    dimensions: [region, age]
    initial: 100 * share[age] + region
    inflows: [births]
flows:
  births:
    dimensions: [region, age]
    equation: pop * rate[region]
constants:
  rate: {dimensions: [region], value: [0.1, 0.2]}
  share: {dimensions: [age], value: [0.25, 0.75]}
aux:
  total: SUM(pop[*, *])
  north_total: SUM(pop[north, *])
)";
    auto r = run_yaml(text);
    CHECK(r.column("pop[north,young]"));
    CHECK(r.column("pop[south,old]"));
    CHECK(r.column("births[south,young]"));
    CHECK(r.column("rate[south]"));
    // initial: 100*share + position of region (1, 2)
    CHECK(r.at("pop[north,young]", 0) == doctest::Approx(26));
    CHECK(r.at("pop[south,old]", 0) == doctest::Approx(77));
    CHECK(r.at("pop[south,old]", 1) == doctest::Approx(77 * 1.2));
    CHECK(r.at("pop[north,old]", 2) == doctest::Approx(76 * 1.1 * 1.1));
    const double t0 = 26 + 76 + 27 + 77;
    CHECK(r.at("total", 0) == doctest::Approx(t0));
    CHECK(r.at("north_total", 1) == doctest::Approx((26 + 76) * 1.1));
}

TEST_CASE("arrays: per-element definitions with except, tables, transposition, subranges and mappings") {
    std::string text = specs + R"(dimensions:
  region: [north, south, east]
  dest: {equivalent_to: region}
  coast: [south, east]
  zone: {elements: [z1, z2, z3], maps_to: region}
constants:
  distance:
    dimensions: [region, dest]
    value: [[0, 5, 9],
            [5, 0, 4],
            [9, 4, 0]]
aux:
  tax:
    dimensions: [region]
    definitions:
      - {subscripts: [north], equation: 1}
      - {subscripts: [region], except: [[north]], equation: 2 * region}
  back:
    dimensions: [dest, region]
    equation: distance[region, dest] * 10 + 1
  coastal:
    dimensions: [coast]
    equation: tax[coast]
  by_zone:
    dimensions: [zone]
    equation: tax[region]
  dot: SUM(distance[north, dest!] * tax[dest!])
  biggest: VMAX(distance[*, *])
  n: SIZE(tax)
)";
    auto r = run_yaml(text);
    CHECK(r.at("tax[north]", 0) == 1);
    CHECK(r.at("tax[south]", 0) == 4);
    CHECK(r.at("tax[east]", 0) == 6);
    CHECK(r.at("back[south,north]", 0) == 51);
    CHECK(r.at("back[east,south]", 0) == 41);
    CHECK(r.at("coastal[east]", 0) == 6);
    CHECK_FALSE(r.column("coastal[north]"));
    CHECK(r.at("by_zone[z2]", 0) == 4);
    CHECK(r.at("dot", 0) == doctest::Approx(0 * 1 + 5 * 4 + 9 * 6));
    CHECK(r.at("biggest", 0) == 9);
    CHECK(r.at("n", 0) == 3);
}

TEST_CASE("arrays: incomplete and overlapping definitions, unknown elements and ranges are located errors") {
    std::string text = specs + R"(dimensions:
  region: [north, south, east]
aux:
  partial:
    dimensions: [region]
    definitions:
      - {subscripts: [north], equation: 1}
  twice:
    dimensions: [region]
    definitions:
      - {subscripts: [region], equation: 1}
      - {subscripts: [south], equation: 2}
  ok:
    dimensions: [region]
    equation: 1
  bad_elem: ok[west] + 0
  bad_pos: ok[4] + 0
)";
    auto d = errors_of(text);
    INFO(d.str());
    auto inc = find_code(d, sim::Code::E_INCOMPLETE_DEFINITION);
    REQUIRE(inc);
    CHECK(inc->variable == "partial");
    CHECK(inc->message.find("south") != std::string::npos);
    auto over = find_code(d, sim::Code::E_OVERLAPPING_DEFINITION);
    REQUIRE(over);
    CHECK(over->variable == "twice");
    auto ue = find_code(d, sim::Code::E_UNKNOWN_ELEMENT);
    REQUIRE(ue);
    CHECK(ue->variable == "bad_elem");
    CHECK_AT(ue->loc, where(text, "west"));
    auto sr = find_code(d, sim::Code::E_SUBSCRIPT_RANGE);
    REQUIRE(sr);
    CHECK(sr->variable == "bad_pos");
}

TEST_CASE("arrays: sizes are bounded before anything is allocated") {
    std::string text = specs + R"(dimensions:
  big: {size: 1000}
  huge: {size: 2000}
aux:
  x:
    dimensions: [big, huge]
    equation: 1
)";
    auto d = errors_of(text);
    INFO(d.str());
    auto e = find_code(d, sim::Code::E_ARRAY_SIZE);
    REQUIRE(e);
    CHECK(e->message.find("1000000") != std::string::npos);
}

TEST_CASE("arrays: a wrong number of values for an array is located") {
    std::string text = specs + R"(dimensions:
  region: [north, south, east]
constants:
  k: {dimensions: [region], value: [1, 2]}
)";
    auto d = errors_of(text);
    INFO(d.str());
    CHECK(find_code(d, sim::Code::E_ARRAY_VALUES));
}

TEST_CASE("arrays: an arrayed stock's elements are compare's default indicators and non-negativity checks cover them") {
    const std::string text = specs + R"(dimensions:
  region: [north, south]
stocks:
  total: {initial: 1, inflows: [gain]}
  pop: {dimensions: [region], initial: 2, outflows: [drain]}
flows:
  gain: 1
  drain: {dimensions: [region], equation: "IF region = 1 THEN 0 ELSE 3"}
checks:
  no stock negative:
    stocks_non_negative: true
)";
    sim::Diagnostics d;
    const auto spec = sim::parse_yaml(text, "m.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto m = sim::Model::compile(spec, d);
    REQUIRE(m);
    std::vector<std::string> names;
    for (const auto& i : sim::default_indicators(*m)) names.push_back(i.name);
    CHECK(names == std::vector<std::string>{"total", "pop[north]", "pop[south]"});

    // pop[south] = 2 - 3 t is negative from t = 1: the check names it.
    auto report = sim::run_checks(spec, {}, d);
    REQUIRE_MESSAGE(report, d.str());
    REQUIRE(report->outcomes.size() == 1);
    CHECK(!report->outcomes[0].passed);
    CHECK(report->outcomes[0].message.find("pop[south]") != std::string::npos);
}

TEST_CASE("arrays: an element's display metadata is its array's, titled with the element") {
    const std::string text = specs + R"y(dimensions:
  region: [north, south]
stocks:
  pop:
    dimensions: [region]
    initial: 10
    units: people
    title: population
    title_zh: 人口
aux:
  total: {equation: "SUM(pop[*])", units: people}
)y";
    sim::Diagnostics d;
    const auto spec = sim::parse_yaml(text, "m.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    const sim::Display e = spec.display_of("pop[south]");
    CHECK(e.title == "population [south]");
    CHECK(e.title_zh == "人口 [south]");
    CHECK(e.units == "people");
    CHECK(spec.display_of("pop").title == "population");
    CHECK(spec.display_of("total").units == "people");
    CHECK(spec.display_of("total").title.empty());
    CHECK(spec.find_or_array("pop[north]") == spec.find("pop"));
    CHECK(spec.find_or_array("nothing[north]") == nullptr);
    CHECK(spec.display_of("nothing").empty());
}
