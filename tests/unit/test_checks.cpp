// Behaviour checks: a small model whose runs are known step by step
// (Euler, dt 1), each kind of check passing and failing, the first failing
// time and values, and errors located in the model file.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "sim/checks.hpp"
#include "sim/load.hpp"
#include "support.hpp"

using simtest::find_code;
using simtest::loc_of;

namespace {

// pop grows 2 % a step (3 % births, 1 % deaths); 4 % births with the land
// lever. tank drains 1 a step from 5.
const std::string model_text = R"(name: checks
sim: {start: 0, stop: 10, dt: 1}
stocks:
  pop: {initial: 100, inflows: [births], outflows: [deaths]}
  tank: {initial: 5, outflows: [drain]}
flows:
  births: pop * birth_rate * (1 + land_lever / 3)
  deaths: pop * death_rate
  drain: 1
constants:
  birth_rate: 0.03
  death_rate: 0.01
levers:
  land: {title: Land}
checks:
  no births, no growth:
    set: {birth_rate: 0}
    expect: pop <= INIT(pop)
  population stays below 110:
    expect: pop < 110 AND death_rate > 0
  land raises population:
    levers: {land: on}
    value: pop
    baseline: higher
    at: [5, 10]
  land raises population from the start:
    levers: {land: on}
    value: pop
    baseline: higher
  tank never negative:
    stocks_non_negative: true
  tank never negative early on:
    stocks_non_negative: true
    to: 5
)";

}  // namespace

TEST_CASE("checks: pass and fail with the first failing time and values") {
    sim::Diagnostics d;
    const auto spec = sim::parse_yaml(model_text, "m.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto report = sim::run_checks(spec, {}, d);
    REQUIRE_MESSAGE(report, d.str());
    REQUIRE(report->outcomes.size() == 6);
    const auto& o = report->outcomes;

    CHECK(o[0].name == "no births, no growth");
    CHECK(o[0].passed);
    CHECK(o[0].message == "holds at 11 times");
    CHECK_AT(o[0].loc, loc_of("m.yaml", model_text, "no births, no growth:"));

    // 100 * 1.02^5 = 110.40808032 at t = 5.
    CHECK(!o[1].passed);
    REQUIRE(o[1].time);
    CHECK(*o[1].time == 5);
    REQUIRE(o[1].values.size() == 3);
    CHECK(o[1].values[0] == std::pair<std::string, double>{"pop < 110 AND death_rate > 0", 0});
    CHECK(o[1].values[1].first == "pop");
    CHECK(o[1].values[1].second == doctest::Approx(110.40808032));
    CHECK(o[1].values[2] == std::pair<std::string, double>{"death_rate", 0.01});
    CHECK(o[1].message.rfind("'pop < 110 AND death_rate > 0' is false at time 5 (pop = 110.408", 0) == 0);

    CHECK(o[2].passed);
    CHECK(o[2].message == "holds at 2 times");
    // At time 0 the lever has not changed anything yet: not higher.
    CHECK(!o[3].passed);
    CHECK(o[3].time == 0.0);
    CHECK(o[3].message == "'pop' is 100 at time 0, not > its baseline 100");

    CHECK(!o[4].passed);
    CHECK(o[4].time == 6.0);
    CHECK(o[4].values == std::vector<std::pair<std::string, double>>{{"tank", -1}});
    CHECK(o[4].message == "stock 'tank' is -1 at time 6");
    CHECK(o[5].passed);
    CHECK(report->failed() == 3);

    std::ostringstream text, csv;
    sim::print_check_report(*report, text);
    CHECK(text.str().find("FAIL tank never negative: stock 'tank' is -1 at time 6\n") != std::string::npos);
    CHECK(text.str().find("3 of 6 checks passed\n") != std::string::npos);
    sim::write_checks_csv(*report, csv);
    CHECK(csv.str().find("check,result,time,values,message\n\"no births, no growth\",pass,,,") == 0);
    CHECK(csv.str().find("\ntank never negative,fail,6,tank=-1,stock 'tank' is -1 at time 6\n") != std::string::npos);
}

TEST_CASE("checks: a run that fails fails its check") {
    const std::string text = model_text.substr(0, model_text.find("checks:")) + R"(checks:
  explodes:
    set: {death_rate: 0.03}
    expect: (births - deaths) / (births - deaths)
)";
    sim::Diagnostics d;
    const auto spec = sim::parse_yaml(text, "m.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto report = sim::run_checks(spec, {}, d);
    REQUIRE_MESSAGE(report, d.str());
    CHECK(!report->outcomes[0].passed);
    CHECK(!report->outcomes[0].time);
    CHECK(report->outcomes[0].message.rfind("the run failed: ", 0) == 0);
}

TEST_CASE("checks: errors in expressions and times are located in the file") {
    const std::string text = model_text.substr(0, model_text.find("checks:")) + R"(checks:
  typo:
    expect: pop < limt
  off the grid:
    expect: pop > 0
    at: [2, 2.5]
)";
    sim::Diagnostics d;
    const auto spec = sim::parse_yaml(text, "m.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto report = sim::run_checks(spec, {}, d);
    CHECK(!report);
    const auto* e = find_code(d, sim::Code::E_UNKNOWN_NAME);
    REQUIRE_MESSAGE(e, d.str());
    CHECK_AT(e->loc, loc_of("m.yaml", text, "limt"));
    CHECK(e->variable == "check 'typo'");
    // The expression's compile error stops before any run: fix it and the
    // time is reported.
    const std::string fixed = text.substr(0, text.find("limt")) + "110" + text.substr(text.find("limt") + 4);
    sim::Diagnostics d2;
    const auto spec2 = sim::parse_yaml(fixed, "m.yaml", d2);
    CHECK(!sim::run_checks(spec2, {}, d2));
    const auto* a = find_code(d2, sim::Code::E_CHECK_AT);
    REQUIRE_MESSAGE(a, d2.str());
    CHECK_AT(a->loc, loc_of("m.yaml", fixed, "2.5"));
    CHECK(a->message == "time 2.5 is not a saved time of the run (0 to 10); use a time on the save step");
}
