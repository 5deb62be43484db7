// Results::at and CompareResult::value: values by name at any time within
// the run, exact at saved times, linear in between, errors outside.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "sim/compare.hpp"
#include "sim/model.hpp"
#include "support.hpp"

namespace {

// x' = 2 from 1, saved every 2 time units: x = 1 + 2t; y = t^2 (a nonlinear aux).
sim::Results ramp() {
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = 10;
    m.specs.dt = 1;
    m.specs.save_step = 2;
    m.add_stock("x", "1", {"g"});
    m.add_flow("g", "2");
    m.add_aux("y", "TIME * TIME");
    return sim::Model::compile(m).run();
}

sim::Code code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const sim::Error& e) {
        return e.code();
    }
    return sim::Code::none;
}

}  // namespace

TEST_CASE("results: at(name, t) is exact at saved times and interpolates linearly between them") {
    auto r = ramp();
    REQUIRE(r.times == std::vector<double>{0, 2, 4, 6, 8, 10});
    CHECK(r.at("x", 4.0) == 9);
    CHECK(r.at("y", 4.0) == 16);
    // Between rows 4 (16) and 6 (36): a straight line, not the nearest row.
    CHECK(r.at("y", 5.0) == 26);
    CHECK(r.at("y", 4.5) == 21);
    CHECK(r.at("x", 3.0) == 7);
    CHECK(r.at("X", 0) == 1);  // names compared canonically
    CHECK(r.at("x", 10) == 21);
}

TEST_CASE("results: at(name, t) refuses a time outside the run and an unknown name") {
    auto r = ramp();
    CHECK(code_of([&] { (void)r.at("x", 10.5); }) == sim::Code::E_RESULTS_TIME);
    CHECK(code_of([&] { (void)r.at("x", -0.001); }) == sim::Code::E_RESULTS_TIME);
    CHECK(code_of([&] { (void)r.at("x", std::nan("")); }) == sim::Code::E_RESULTS_TIME);
    CHECK(code_of([&] { (void)r.at("z", 2); }) == sim::Code::E_UNKNOWN_NAME);
    try {
        (void)r.at("yy", 2);
    } catch (const sim::Error& e) {
        CHECK(e.diagnostics().items()[0].message == "the results have no variable 'yy'; did you mean 'y'?");
    }
}

TEST_CASE("compare: value(combination, indicator, t) by names") {
    // y = 10 + 3a + 5b (a, b levers from t = 0), z = TIME * (1 + a).
    sim::ModelSpec s;
    s.specs.start = 0;
    s.specs.stop = 10;
    s.specs.dt = 1;
    s.specs.save_step = 2;
    for (const char* n : {"planning", "land"}) {
        auto& l = s.add_lever(n);
        l.start = 0;
    }
    s.add_aux("rural_income", "10 + 3*planning_lever + 5*land_lever");
    s.add_aux("z", "TIME * (1 + planning_lever)");
    sim::CompareOptions o;
    o.indicators = {{"rural_income"}, {"z"}};
    o.at = {4, 10};
    auto cmp = sim::compare(s, o);
    CHECK(cmp.value("baseline", "rural_income", 10) == 10);
    CHECK(cmp.value("planning+land", "rural_income", 10) == 18);
    CHECK(cmp.value("land + planning", "Rural Income", 4) == 18);  // any order, canonical names
    CHECK(cmp.value("land", "rural_income", 5) == 15);             // between saved rows
    CHECK(cmp.value("planning", "z", 5) == 10);                    // 2 * 5, interpolated exactly
    CHECK(cmp.value("planning", "z", 4) == cmp.value(cmp.mask_of("planning"), 1, 0));
    CHECK(code_of([&] { (void)cmp.value("planning+roads", "z", 4); }) == sim::Code::E_COMPARE_LEVER);
    CHECK(code_of([&] { (void)cmp.value("planning", "urban_income", 4); }) == sim::Code::E_UNKNOWN_NAME);
    CHECK(code_of([&] { (void)cmp.value("planning", "z", 11); }) == sim::Code::E_RESULTS_TIME);
}

TEST_CASE("compare: generic defaults: every stock at the stop time, the cost named after its source") {
    // tests/cli/levers.yaml in code: x' = 1 + a + 2b; cost rates 10a + 5b euro/year.
    sim::ModelSpec s;
    s.specs.stop = 4;
    s.specs.time_units = "year";
    s.add_stock("x", "0", {"growth"});
    s.add_flow("growth", "1 + a_lever + 2 * b_lever");
    for (auto [n, rate] : {std::pair{"a", "10"}, std::pair{"b", "5"}}) {
        auto& l = s.add_lever(n);
        l.start = 0;
        l.cost.text = std::string(rate) + " * " + n + "_lever";
        l.cost_units = "euro/year";
    }
    auto r = sim::compare(s, {});
    REQUIRE(r.indicators.size() == 1);
    CHECK(r.indicators[0].name == "x");
    CHECK(r.at == std::vector<double>{4});
    CHECK(r.cost_name == "integrated_lever_cost");
    CHECK(r.cost_units == "euro");
    CHECK(r.value("a+b", "x", 4) == 16);
    CHECK(r.combinations[3].cost[0] == 60);
    // Units that do not divide by the time unit stay unknown.
    s.find_lever("b")->cost_units = "euro";
    CHECK(sim::compare(s, {}).cost_units.empty());
}
