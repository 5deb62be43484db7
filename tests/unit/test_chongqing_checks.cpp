// Chongqing model (models/chongqing): its `checks:` (the extreme-condition and behaviour tests
// of issue 15, item 6; Sterman, Business Dynamics ch. 21) run for the model and every scenario,
// the tests a check cannot state (runs compared with each other, income parity found by
// iteration, identity of every column, every range end of `uncertainties:`), and the
// agreement of `uncertainties:` with the model's values and the README's parameter table.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/checks.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/spec.hpp"

namespace {

const std::string kCq = std::string(SIM_SOURCE_DIR) + "/models/chongqing";
const char* const kCqLevers[] = {"planning", "land", "infrastructure", "registration", "innovation"};
using Set = std::vector<std::pair<std::string, double>>;

const sim::ModelSpec& spec() {
    static const sim::ModelSpec s = sim::load_model(kCq + "/model.yaml");
    return s;
}

const sim::Model& model() {
    static const sim::Model m = sim::Model::compile(spec());
    return m;
}

sim::Results run(Set set = {}) {
    sim::RunOptions o;
    o.set = std::move(set);
    return model().run(o);
}

double value_of_constant(const std::string& name) {
    for (const auto& v : spec().variables)
        if (v.kind == sim::VarKind::constant && v.name == name) return std::stod(v.equation.text);
    FAIL("no constant " << name);
    return 0;
}

// The constants held fixed (no range): the 2013 resident populations (data), the
// reference values of two normalisations and one policy setting (how the infrastructure
// lever is targeted: a choice, not an uncertainty). Every other constant has an
// `uncertainties:` entry.
const std::set<std::string> kFixed = {"initial_rural_residents", "initial_urban_residents",
                                      "reference_expected_income_ratio", "reference_real_growth",
                                      "infrastructure_wing_targeting"};

struct Range {
    double low, high;
    std::string basis;  // the word before the colon that starts the entry's doc
    const sim::Uncertainty* u;
};

// Each constant's range: the support of its `uncertainties:` entry in model.yaml (the one
// machine-readable place for the ranges).
const std::map<std::string, Range>& ranges() {
    static const std::map<std::string, Range> r = [] {
        std::map<std::string, Range> out;
        for (const auto& u : spec().uncertainties) {
            INFO(u.name);
            CHECK(out.count(u.name) == 0);
            const auto [lo, hi] = sim::support(u.dist);
            out[u.name] = {lo, hi, u.doc.substr(0, u.doc.find(':')), &u};
        }
        return out;
    }();
    return r;
}

bool all_finite(const sim::Results& r) {
    return std::all_of(r.values.begin(), r.values.end(), [](double x) { return std::isfinite(x); });
}


// Every column equal, bit for bit, except the named ones.
void check_identical(const sim::Results& a, const sim::Results& b, const std::set<std::string>& except = {}) {
    REQUIRE(a.names == b.names);
    REQUIRE(a.rows() == b.rows());
    std::size_t differing = 0;
    for (std::size_t c = 0; c < a.cols(); ++c) {
        if (except.count(a.names[c])) continue;
        for (std::size_t i = 0; i < a.rows(); ++i)
            if (!(a.at(i, c) == b.at(i, c))) {
                INFO(a.names[c] << " at " << a.times[i] << ": " << a.at(i, c) << " vs " << b.at(i, c));
                CHECK(a.at(i, c) == b.at(i, c));
                ++differing;
                break;
            }
    }
    CHECK(differing == 0);
}

}  // namespace

// ----------------------------------------------------------------- parameters

TEST_CASE("chongqing parameters: every constant but the fixed ones has an uncertainty around its value") {
    const std::set<std::string> bases = {"source", "derived", "calibrated", "assumption", "numerical"};
    std::set<std::string> constants;
    for (const auto& v : spec().variables)
        if (v.kind == sim::VarKind::constant) constants.insert(v.name);
    REQUIRE(constants.size() > 80);
    for (const auto& name : constants) {
        INFO(name);
        if (kFixed.count(name)) {
            CHECK(ranges().count(name) == 0);
            continue;
        }
        REQUIRE(ranges().count(name) == 1);
        const Range& r = ranges().at(name);
        const sim::Distribution& d = r.u->dist;
        const double v = value_of_constant(name);
        CHECK(std::isfinite(r.low));
        CHECK(std::isfinite(r.high));
        CHECK(r.low < r.high);
        CHECK(v >= r.low);
        CHECK(v <= r.high);
        CHECK(bases.count(r.basis) == 1);
        // Uniform: only a range is known; triangular: the model's value is the central one;
        // normal: the calibration's estimate (its mean) and standard error.
        switch (d.kind) {
            case sim::DistKind::uniform: break;
            case sim::DistKind::triangular: CHECK(d.mode == v); break;
            case sim::DistKind::normal:
                CHECK(r.basis == "calibrated");
                CHECK(d.mean == v);
                CHECK(d.sd < 0.25 * (r.high - r.low));
                break;
            default: FAIL("unexpected distribution " << sim::to_string(d.kind));
        }
    }
    for (const auto& name_ : kFixed) CHECK(constants.count(name_) == 1);
    for (const auto& u : spec().uncertainties) CHECK(constants.count(u.name) == 1);
    CHECK(spec().correlations.size() >= 3);
}

TEST_CASE("chongqing parameters: the README's parameter table shows the model's values and the ranges") {
    std::ifstream in(kCq + "/README.md");
    REQUIRE(in.good());
    std::string line;
    bool inside = false;
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        if (line == "<!-- BEGIN generated: parameters -->") inside = true;
        else if (line == "<!-- END generated: parameters -->") inside = false;
        else if (inside && line.rfind("| `", 0) == 0) {
            // | `name` | value | unit | range | distribution | basis | doc |
            std::vector<std::string> cells;
            std::stringstream ss(line.substr(1));
            std::string cell;
            while (std::getline(ss, cell, '|')) {
                const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
                cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
            }
            REQUIRE(cells.size() >= 6);
            const std::string name = cells[0].substr(1, cells[0].size() - 2);
            INFO(line);
            const double value = value_of_constant(name);
            CHECK(std::stod(cells[1]) == doctest::Approx(value).epsilon(1e-5));
            const auto dash = cells[3].find('-', 1);
            const double lo = std::stod(cells[3].substr(0, dash));
            const double hi = dash == std::string::npos ? lo : std::stod(cells[3].substr(dash + 1));
            if (kFixed.count(name)) {
                CHECK(lo == doctest::Approx(value).epsilon(1e-5));
                CHECK(hi == lo);
                CHECK(cells[4] == "fixed");
                CHECK(cells[5] == "fixed");
            } else {
                REQUIRE(ranges().count(name) == 1);
                const Range& r = ranges().at(name);
                CHECK(lo == doctest::Approx(r.low).epsilon(1e-5));
                CHECK(hi == doctest::Approx(r.high).epsilon(1e-5));
                CHECK(cells[4].rfind(sim::to_string(r.u->dist.kind), 0) == 0);
                CHECK(cells[5] == r.basis);
            }
            ++rows;
        }
    }
    CHECK(rows == ranges().size() + kFixed.size());
}

TEST_CASE("chongqing extreme: every parameter at either end of its range runs without NaN") {
    const auto base = run();
    std::size_t runs = 0;
    for (const auto& [name_, r_] : ranges()) {
        const auto& name = name_;
        const auto& r = r_;
        for (double v : {r.low, r.high}) {
            if (v == value_of_constant(name)) continue;
            INFO(name << " = " << v);
            sim::Results res;
            // on_nonfinite is `error`: a NaN or infinity throws, naming the variable.
            CHECK_NOTHROW(res = run({{name, v}}));
            if (res.rows() == 0) continue;
            CHECK(res.rows() == base.rows());
            CHECK(all_finite(res));
            for (double e : res.series("population_balance_error")) CHECK(std::abs(e) < 1e-6);
            ++runs;
        }
    }
    CHECK(runs > 150);
}

// ------------------------------------------------------- extreme conditions

TEST_CASE("chongqing extreme: at parity migration is zero") {
    // Income parity in 2013: iterate initial_urban_income -> rural income (rural income rises
    // with urban income through outside wages, remittances and transfers, less than one for one).
    double u = 24000;
    for (int k = 0; k < 60; ++k) u = run({{"initial_urban_income", u}}).at("rural_income", 2013);
    const auto r = run({{"initial_urban_income", u}});
    REQUIRE(r.at("income_ratio", 2013) == doctest::Approx(1).epsilon(1e-9));
    CHECK(r.at("rural_to_urban_migration", 2013) == 0);
    const auto perceived = r.series("perceived_expected_income_ratio");
    const auto out = r.series("rural_to_urban_migration");
    for (std::size_t i = 0; i < r.rows(); ++i)
        if (perceived[i] <= 1) {
            INFO("t = " << r.times[i]);
            CHECK(out[i] == 0);
        }

    // Parity of expected incomes (Harris-Todaro): expected urban income = rural income.
    double lo = 5000, hi = 60000;
    for (int k = 0; k < 80; ++k) {
        const double mid = (lo + hi) / 2;
        (run({{"initial_urban_income", mid}}).at("expected_income_ratio", 2013) < 1 ? lo : hi) = mid;
    }
    const auto p = run({{"initial_urban_income", (lo + hi) / 2}});
    REQUIRE(p.at("perceived_expected_income_ratio", 2013) == doctest::Approx(1).epsilon(1e-9));
    const double normal = run().at("rural_to_urban_migration", 2013);
    CHECK(p.at("rural_to_urban_migration", 2013) <= 1e-6 * normal);
    CHECK(std::abs(p.at("migration_pull", 2013)) < 1e-8);
}

TEST_CASE("chongqing behaviour: every lever off is identical to the baseline") {
    const auto base = run();
    // The baseline scenario file is the model as written.
    sim::Diagnostics diags;
    const auto sc = sim::load_scenario(kCq + "/scenarios/baseline.yaml", diags);
    REQUIRE_FALSE(diags.has_errors());
    const auto m = sim::Model::compile(sc.model, diags);
    REQUIRE(m.has_value());
    check_identical(m->run(sc.run), base);
    for (const char* l_ : kCqLevers) {
        const std::string l = l_;
        INFO("lever " << l);
        // Switched on at intensity 0: nothing changes but the lever's own settings.
        check_identical(run({{l + "_on", 1.0}, {l + "_intensity", 0.0}}), base, {l + "_on", l + "_intensity"});
        // Switched on, starting at the end of the run: nothing changes before it acts.
        check_identical(run({{l + "_on", 1.0}, {l + "_start", 2050.0}}), base, {l + "_on", l + "_start"});
    }
    for (double c : base.series("fiscal_cost_rate")) CHECK(c == 0);
}

TEST_CASE("chongqing extreme: a land reform intensity above 1 is refused by the model and scenario files") {
    // In the model file and in a scenario an intensity above 1 is an error.
    sim::ModelSpec s = spec();
    s.find_lever("land")->intensity = 1.5;
    sim::Diagnostics diags;
    CHECK_FALSE(sim::Model::compile(s, diags).has_value());
    CHECK(std::any_of(diags.items().begin(), diags.items().end(),
                      [](const sim::Diagnostic& d) { return d.code == sim::Code::E_LEVER_INTENSITY; }));
    const auto dir = std::filesystem::temp_directory_path() / "sim_test_chongqing_checks";
    std::filesystem::create_directories(dir);
    const auto file = dir / "land-too-strong.yaml";
    {
        std::ofstream out(file);
        out << "model: " << kCq << "/model.yaml\nlevers:\n  land: {on: true, intensity: 2}\n";
    }
    sim::Diagnostics sdiags;
    sim::load_scenario(file.string(), sdiags);
    CHECK(std::any_of(sdiags.items().begin(), sdiags.items().end(),
                      [](const sim::Diagnostic& d) { return d.code == sim::Code::E_LEVER_INTENSITY; }));
    std::filesystem::remove_all(dir);
    // A run-time override is capped by the model, and ten times the reform rate keeps the land
    // stocks in their bounds: model.yaml's checks.
}

// ------------------------------------------------------------ demand feedback

TEST_CASE("chongqing demand feedback: strength 1 turns extra household demand into GDP one for one") {
    // The registration lever raises consumption (migrants' gap, citizenization) but not TFP.
    for (double strength : {1.0, 0.5}) {
        const auto b = run({{"demand_feedback_strength", strength}});
        const auto r = run({{"demand_feedback_strength", strength}, {"registration_on", 1.0}});
        for (double t : {2035.0, 2050.0}) {
            const double dgdp = r.at("gdp", t) - b.at("gdp", t);
            const double dc = r.at("total_household_consumption", t) - b.at("total_household_consumption", t);
            const double dsupply = r.at("supply_gdp", t) - b.at("supply_gdp", t);
            INFO("strength " << strength << " t " << t << " dGDP " << dgdp << " dC " << dc);
            CHECK(dsupply == 0);
            REQUIRE(dc > 0);
            // The adjustment takes a year and consumption keeps growing, hence the tolerance.
            CHECK(dgdp / dc == doctest::Approx(strength).epsilon(0.1));
        }
    }
    // Strength 0 (GDP = the supply path) and no demand pull in the history: model.yaml's checks.
}

// ------------------------------------------------------------------ behaviour

TEST_CASE("chongqing behaviour: planning started in 2025 gives more rural income than started in 2030") {
    const auto early = run({{"planning_on", 1.0}, {"planning_start", 2025.0}});
    const auto late = run({{"planning_on", 1.0}, {"planning_start", 2030.0}});
    double sum_early = 0, sum_late = 0;
    for (int t = 2025; t <= 2050; ++t) {
        sum_early += early.at("rural_income", t);
        sum_late += late.at("rural_income", t);
    }
    CHECK(sum_early > sum_late);
    for (int t = 2026; t <= 2040; ++t) {
        INFO("t = " << t);
        CHECK(early.at("rural_income", t) > late.at("rural_income", t));
    }
    // By 2050 both have had the full effect for 15 years or more; the earlier start has held
    // back more migration, whose per-capita gains are part of rural income (README, Timing).
    CHECK(std::abs(early.at("rural_income", 2050) / late.at("rural_income", 2050) - 1) < 0.01);
}

TEST_CASE("chongqing behaviour: a larger income gap does not raise rural operating income") {
    // More migration raises rural per-capita incomes (model.yaml's checks); the gap itself
    // raises nothing: a higher initial urban income (without migration, and without the
    // demand pull through GDP and infrastructure) leaves operating income exactly as it was.
    const auto gap = run({{"initial_urban_income", 30000.0}, {"normal_migration_rate", 0.0}, {"demand_feedback_strength", 0.0}});
    const auto nogap = run({{"normal_migration_rate", 0.0}, {"demand_feedback_strength", 0.0}});
    REQUIRE(gap.at("income_ratio", 2013) > nogap.at("income_ratio", 2013));
    for (int t = 2014; t <= 2050; ++t)
        CHECK(gap.at("rural_operating_income", t) == nogap.at("rural_operating_income", t));
}

// -------------------------------------------------------------------- checks:

namespace {

// Runs the checks of `spec` (with `base` as the baseline run); every one must pass.
void all_checks_pass(const sim::ModelSpec& s, const sim::RunOptions& base) {
    sim::Diagnostics diags;
    const auto report = sim::run_checks(s, base, diags);
    const std::string first_error = diags.items().empty() ? std::string() : sim::format(diags.items().front());
    INFO(first_error);
    REQUIRE(report.has_value());
    CHECK(report->outcomes.size() == s.checks.size());
    for (const auto& o : report->outcomes) {
        INFO(o.message);
        CHECK(o.passed);
    }
}

// The outcome of the check `name` with `spec`'s variable `var` given `equation`.
sim::CheckOutcome outcome_with(const std::string& var, const std::string& equation, const std::string& name) {
    sim::ModelSpec s = spec();
    sim::Variable* v = s.find(var);
    REQUIRE(v != nullptr);
    v->equation = sim::Equation::parse(equation, v->equation.loc);
    sim::Diagnostics diags;
    const auto report = sim::run_checks(s, {}, diags);
    REQUIRE(report.has_value());
    for (const auto& o : report->outcomes)
        if (o.name == name) return o;
    FAIL("no check '" << name << "'");
    return {};
}

}  // namespace

TEST_CASE("chongqing checks: the model's checks pass for the model and every scenario") {
    REQUIRE(spec().checks.size() >= 30);
    all_checks_pass(spec(), {});
    std::size_t scenarios = 0;
    for (const auto& f : std::filesystem::directory_iterator(kCq + "/scenarios")) {
        if (f.path().extension() != ".yaml") continue;
        INFO(f.path().string());
        sim::Diagnostics diags;
        const auto sc = sim::load_scenario(f.path().string(), diags);
        REQUIRE_FALSE(diags.has_errors());
        // A scenario inherits the model's checks (and may add its own).
        CHECK(sc.model.checks.size() >= spec().checks.size());
        all_checks_pass(sc.model, sc.run);
        ++scenarios;
    }
    CHECK(scenarios >= 8);
}

TEST_CASE("chongqing checks: they fail on v1's extreme-condition failures") {
    // v1 let migration go on at half its normal rate when rural income exceeded urban income.
    auto o = outcome_with("rural_to_urban_migration", "rural_residents * normal_migration_rate * MAX(0.5, migration_pull)",
                          "rural income above urban income stops migration to the cities");
    CHECK_FALSE(o.passed);
    REQUIRE(o.time.has_value());
    CHECK(*o.time == 2013);
    // Without the cap, a run-time land intensity of 10 acts ten times over.
    o = outcome_with("land_reform_level", "land_lever", "land reform intensity is capped at 1");
    CHECK_FALSE(o.passed);
    // An income that grows with the gap itself: convergence built in (with zero migration the
    // income ratio falls below its 2013 value).
    o = outcome_with("rural_transfer_core_change",
                     "rural_transfer_core * LN(1 + urban_income_growth) + 0.05 * (urban_income - rural_income)",
                     "zero migration gives no convergence");
    CHECK_FALSE(o.passed);
}
