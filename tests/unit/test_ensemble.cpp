// The ensemble runner, sim::sensitivity and robustness over lever
// combinations, on small models built in code whose answers are known:
// values against single runs, thread-count independence (bytes), streaming
// quantiles, errors, the CSV writers, and robust lever choice.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "sim/generated.hpp"
#include "sim/native.hpp"
#include "sim/robustness.hpp"
#include "sim/sensitivity.hpp"
#include "support.hpp"

namespace {

sim::Uncertainty U(std::string name, sim::Distribution d) { return {std::move(name), std::move(d), "", {}}; }

// x' = r x, x(0) = 1, Euler with dt 0.5: x(t) = (1 + r/2)^(2t); y = k x.
sim::ModelSpec growth() {
    sim::ModelSpec m;
    m.name = "growth";
    m.specs.start = 0;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "1", {"inflow"});
    m.add_flow("inflow", "x * r");
    m.add_constant("r", 0.03);
    m.add_constant("k", 2);
    m.add_aux("y", "x * k");
    return m;
}

double x_at(double r, double t) { return std::pow(1 + r / 2, 2 * t); }

using simtest::same_bytes;

}  // namespace

TEST_CASE("ensemble: values are the runs' values at the report times, interpolated between saved rows") {
    const auto model = sim::Model::compile(growth());
    const std::vector<sim::Uncertainty> params = {U("r", sim::Distribution::uniform(0.01, 0.05)),
                                                  U("k", sim::Distribution::discrete({1, 2, 3}))};
    const auto s = sim::sample(params, {}, 40, sim::SampleMethod::latin_hypercube, 1);
    sim::EnsembleOptions o;
    o.indicators = {"x", "y"};
    o.at = {5, 5.25, 10};
    o.threads = 2;
    const auto e = sim::run_ensemble(model, s, o);
    REQUIRE(e.samples == 40);
    REQUIRE(e.values.size() == 40 * 2 * 3);
    for (std::size_t i = 0; i < 40; ++i) {
        const double r = s.at(i, 0), k = s.at(i, 1);
        CHECK(e.value(0, i, 0, 0) == doctest::Approx(x_at(r, 5)).epsilon(1e-12));
        CHECK(e.value(0, i, 0, 1) == doctest::Approx((x_at(r, 5) + x_at(r, 5.5)) / 2).epsilon(1e-12));
        CHECK(e.value(0, i, 1, 2) == doctest::Approx(k * x_at(r, 10)).epsilon(1e-12));
    }
    std::ostringstream csv;
    sim::write_indicators_csv(e, csv);
    const std::string out = csv.str();
    CHECK(out.rfind("sample,indicator,time,value\n0,x,5,", 0) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1 + 40 * 2 * 3);
}

TEST_CASE("ensemble: the same bytes with 1 and 2 threads, trajectories included; streaming quantiles") {
    const auto model = sim::Model::compile(growth());
    const std::vector<sim::Uncertainty> params = {U("r", sim::Distribution::uniform(0.01, 0.05))};
    const auto s = sim::sample(params, {}, 2000, sim::SampleMethod::latin_hypercube, 9);
    sim::EnsembleOptions o;
    o.indicators = {"x"};
    o.at = {10};
    o.trajectory_quantiles = {0.05, 0.5, 0.95};
    o.variants = {{}, {{"k", 3}}};
    o.threads = 1;
    const auto e1 = sim::run_ensemble(model, s, o);
    o.threads = 2;
    std::size_t calls = 0, last = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done > last);
        CHECK(total == 4000);
        last = done;
    };
    const auto e2 = sim::run_ensemble(model, s, o);
    CHECK(calls == 4000);
    CHECK(last == 4000);
    CHECK(same_bytes(e1.values, e2.values));
    CHECK(same_bytes(e1.trajectories, e2.trajectories));
    REQUIRE(e1.times.size() == 21);
    // x(t) increases with r, so its quantiles are x at r's quantiles.
    for (std::size_t row : {std::size_t{10}, std::size_t{20}}) {
        const double t = e1.times[row];
        CHECK(e1.trajectory(0, 0, row, 0) == doctest::Approx(x_at(0.01 + 0.04 * 0.05, t)).epsilon(2e-3));
        CHECK(e1.trajectory(0, 0, row, 1) == doctest::Approx(x_at(0.03, t)).epsilon(2e-3));
        CHECK(e1.trajectory(0, 0, row, 2) == doctest::Approx(x_at(0.01 + 0.04 * 0.95, t)).epsilon(2e-3));
    }
}

TEST_CASE("ensemble: errors") {
    auto spec = growth();
    spec.add_aux("inverse", "1 / r");
    const auto model = sim::Model::compile(spec);
    sim::SampleMatrix s;
    s.names = {"r"};
    s.rows = 3;
    s.values = {0.02, 0.0, 0.03};
    sim::EnsembleOptions o;
    o.indicators = {"inverse"};
    o.threads = 1;
    try {
        sim::run_ensemble(model, s, o);
        FAIL("expected a run error");
    } catch (const sim::Error& e) {
        const auto& items = e.diagnostics().items();
        REQUIRE(items.size() >= 2);
        CHECK(items.back().severity == sim::Severity::note);
        CHECK(items.back().message == "in sample 1 (r = 0)");
    }
    auto code = [&](sim::EnsembleOptions opts, const sim::SampleMatrix& sm) {
        try {
            sim::run_ensemble(model, sm, opts);
        } catch (const sim::Error& e) {
            return std::string(sim::name(e.diagnostics().items().at(0).code)) + ": " + e.diagnostics().items().at(0).message;
        }
        return std::string("no error");
    };
    s.values = {0.02, 0.01, 0.03};
    o.indicators = {"nope"};
    CHECK(code(o, s) == "E-ENSEMBLE: the model has no variable 'nope'");
    o.indicators = {"x"};
    o.at = {11};
    CHECK(code(o, s) == "E-ENSEMBLE: report time 11 is outside the run [0, 10]");
    o.at = {10};
    o.base.save_step = 3;  // saved rows 0, 3, 6, 9
    CHECK(code(o, s) == "E-ENSEMBLE: report time 10 is outside the saved times [0, 9]");
    o.base.save_step.reset();
    o.at = {};
    sim::SampleMatrix bad = s;
    bad.names = {"inflow"};
    CHECK(code(o, bad) == "E-ENSEMBLE: 'inflow' is not a constant that a run can set");
}

TEST_CASE("sensitivity: a model's indices, the CSVs, and the same bytes whatever the thread count") {
    const auto model = sim::Model::compile(growth());
    const std::vector<sim::Uncertainty> params = {U("r", sim::Distribution::uniform(0.01, 0.05)),
                                                  U("k", sim::Distribution::uniform(1, 3))};
    sim::SensitivityOptions o;
    o.samples = 256;
    o.seed = 3;
    o.bootstrap = 200;
    o.indicators = {"x", "y"};
    o.at = {5, 10};
    o.threads = 1;
    const auto r1 = sim::sensitivity(model, params, {}, o);
    o.threads = 2;
    const auto r2 = sim::sensitivity(model, params, {}, o);
    REQUIRE(r1.samples.rows == 256 * 4);
    std::ostringstream i1, i2, p1, s1;
    sim::write_indices_csv(r1, i1);
    sim::write_indices_csv(r2, i2);
    CHECK(i1.str() == i2.str());
    CHECK(same_bytes(r1.samples.values, r2.samples.values));
    CHECK(same_bytes(r1.ensemble.values, r2.ensemble.values));
    CHECK(i1.str().rfind("indicator,time,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,SRRC,PRCC\nx,5,r,", 0) == 0);
    sim::write_percentiles_csv(r1, p1);
    CHECK(p1.str().rfind("indicator,time,p5,p25,p50,p75,p95,mean\nx,5,", 0) == 0);
    sim::write_samples_csv(r1.samples, s1);
    CHECK(s1.str().rfind("sample,r,k\n0,", 0) == 0);
    // x does not depend on k; y depends on both.
    CHECK(r1.index(0, 1, 0).S1 == doctest::Approx(1).epsilon(0.02));
    CHECK(std::fabs(r1.index(0, 1, 1).ST) < 1e-12);
    CHECK(r1.index(0, 1, 0).PRCC == doctest::Approx(1).epsilon(1e-9));
    CHECK(r1.index(1, 1, 1).S1 > 0.5);  // k spans a factor of 3, r about 1.5 over 10 years
    // Another seed, other samples.
    o.seed = 4;
    const auto r3 = sim::sensitivity(model, params, {}, o);
    CHECK(r3.samples.values != r1.samples.values);

    // Latin hypercube: ranks only, correlations honoured; Morris: its own CSV.
    o.method = sim::SensitivityMethod::latin_hypercube;
    const auto l = sim::sensitivity(model, params, {{"r", "k", 0.5, {}}}, o);
    CHECK(l.samples.rows == 256);
    CHECK(l.notes.empty());
    std::ostringstream li;
    sim::write_indices_csv(l, li);
    CHECK(li.str().find("\nx,5,r,,,,,,,") != std::string::npos);
    o.method = sim::SensitivityMethod::morris;
    o.samples = 10;
    const auto m = sim::sensitivity(model, params, {{"r", "k", 0.5, {}}}, o);
    CHECK(m.samples.rows == 30);
    REQUIRE(m.notes.items().size() == 1);
    CHECK(m.notes.items()[0].code == sim::Code::W_CORRELATION_IGNORED);
    std::ostringstream mo;
    sim::write_morris_csv(m, mo);
    CHECK(mo.str().rfind("indicator,time,parameter,mu,mu_star,sigma\nx,5,r,", 0) == 0);
    CHECK(m.index(0, 0, 1).mu_star == 0);  // x ignores k
}

TEST_CASE("robustness: p_best, regret, effects and conclusions of two levers over samples") {
    // y = 10 + a_lever * alpha + b_lever * (beta - 1): lever a always helps,
    // lever b only when beta > 1 (a third of U(0, 1.5)).
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = 1;
    m.specs.dt = 1;
    m.add_constant("alpha", 1);
    m.add_constant("beta", 1);
    m.add_aux("y", "10 + a_lever * alpha + b_lever * (beta - 1)");
    m.add_lever("a");
    m.add_lever("b");
    const auto model = sim::Model::compile(m);
    const std::vector<sim::Uncertainty> params = {U("alpha", sim::Distribution::uniform(1, 2)),
                                                  U("beta", sim::Distribution::uniform(0, 1.5))};
    const std::size_t n = 300;
    const auto s = sim::sample(params, {}, n, sim::SampleMethod::latin_hypercube, 5);
    sim::EnsembleOptions o;
    o.at = {1};
    o.threads = 2;
    const auto r = sim::robust_compare(model, {"a", "b"}, {{"y", false}}, s, o);
    REQUIRE(r.combinations() == 4);
    CHECK(r.label(3) == "a+b");
    double share_b = 0, regret = 0, regret_a = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double beta = s.at(i, 1);
        share_b += beta > 1;
        regret += beta < 1 ? 1 - beta : 0;    // of a+b
        regret_a += beta > 1 ? beta - 1 : 0;  // of a alone
    }
    share_b /= n;
    regret /= n;
    regret_a /= n;
    CHECK(share_b == doctest::Approx(1.0 / 3).epsilon(0.01));
    CHECK(r.stat(3, 0, 0).p_best == doctest::Approx(share_b));
    CHECK(r.stat(1, 0, 0).p_best == doctest::Approx(1 - share_b));
    CHECK(r.stat(0, 0, 0).p_best == 0);
    CHECK(r.stat(3, 0, 0).regret_mean == doctest::Approx(regret));
    CHECK(r.stat(1, 0, 0).regret_mean == doctest::Approx(regret_a));
    CHECK(regret_a == doctest::Approx(1.0 / 12).epsilon(0.02));  // E max(0, beta - 1)
    CHECK(r.stat(0, 0, 0).p50 == 10);
    const auto& ma = r.main_effect(0, 0, 0);
    CHECK(ma.share_positive == 1);
    CHECK(ma.p50 == doctest::Approx(1.5).epsilon(0.01));
    CHECK(r.main_effect(0, 0, 1).share_negative == doctest::Approx(1 - share_b));
    // Conclusions: a helps in every sample; the best combination holds in 2/3 only.
    bool saw_a = false, saw_best = false;
    for (const auto& c : r.conclusions) {
        if (c.kind == sim::Conclusion::Kind::main_effect && c.lever == 0) {
            saw_a = true;
            CHECK(c.text == "y at 1: a has a positive main effect");
            CHECK(c.holds);
        }
        if (c.kind == sim::Conclusion::Kind::best) {
            saw_best = true;
            CHECK(c.mask == 1);
            CHECK(c.share == doctest::Approx(1 - share_b));
            CHECK(!c.holds);
        }
    }
    CHECK(saw_a);
    CHECK(saw_best);
    std::ostringstream csv;
    sim::write_robustness_csv(r, csv);
    CHECK(csv.str().rfind("combination,indicator,time,p_best,regret_mean,regret_p95,p5,p50,p95\nbaseline,y,1,0,", 0) == 0);
    // A lever that is not the model's.
    CHECK_THROWS_AS(sim::robust_compare(model, {"c"}, {{"y", false}}, s, o), sim::Error);
}

namespace {

// Two levers that start after the model does (a ramp from 8, a step at 10),
// and every kind of run state: a non-negative stock, a fixed delay,
// PREVIOUS, a SMOOTH (hidden stock), rows saved every 4 steps.
// `deaths` and `spending` other equations if given.
sim::ModelSpec policy(bool lever_read_elsewhere = false, double a_start = 8, const std::string& deaths = "",
                      const std::string& spending = "") {
    sim::ModelSpec m;
    m.name = "policy";
    m.specs.start = 0;
    m.specs.stop = 20;
    m.specs.dt = 0.25;
    m.specs.save_step = 1;
    m.add_stock("pop", "100", {"births"}, {"deaths"});
    m.add_flow("births", "pop * birth_rate * (1 + a_lever * 0.5 + b_lever * 0.3)");
    m.add_flow("deaths", deaths.empty() ? "pop * 0.02 + DELAY FIXED(births, 2, 1) * 0.01" : deaths);
    auto& fund = m.add_stock("fund", "10", {"income"}, {"spending"});
    fund.non_negative = true;
    m.add_flow("income", "pop * 0.01 * income_share");
    m.add_flow("spending", !spending.empty() ? spending
                                             : std::string("(a_lever + b_lever) * 5 + PREVIOUS(fund, 0) * 0.01") +
                                                   (lever_read_elsewhere ? " + a_on * 0.001" : ""));
    m.add_aux("smoothed", "SMOOTH(pop, 3)");
    m.add_constant("birth_rate", 0.03);
    m.add_constant("income_share", 1);
    m.add_constant("other", 1);
    sim::Lever a;
    a.name = "a";
    a.start = a_start;
    a.phase_in = 2;
    sim::Lever b;
    b.name = "b";
    b.start = 10;
    b.phase_in = 0;
    m.levers = {a, b};
    return m;
}

sim::EnsembleResult policy_ensemble(const sim::Model& model, bool share, unsigned threads,
                                    std::vector<sim::Overrides> variants = sim::lever_variants({"a", "b"}),
                                    sim::RunEngine engine = sim::RunEngine::interpreter) {
    const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05)),
                                                  U("income_share", sim::Distribution::uniform(0.5, 1.5))};
    const auto s = sim::sample(params, {}, 12, sim::SampleMethod::latin_hypercube, 3);
    sim::EnsembleOptions o;
    o.indicators = {"pop", "fund", "smoothed", "spending"};
    o.at = {5, 8, 9.5, 10, 20};
    o.variants = std::move(variants);
    o.threads = threads;
    o.share_steps = share;
    o.base.engine = engine;
    return sim::run_ensemble(model, s, o);
}

}  // namespace

TEST_CASE("ensemble: lever combinations share their first steps, the same bytes as runs from the start") {
    const auto model = sim::Model::compile(policy());
    const auto whole = policy_ensemble(model, false, 1);
    CHECK(whole.continued == 0);
    for (unsigned threads : {1u, 2u}) {
        CAPTURE(threads);
        std::size_t calls = 0, last = 0;
        const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05)),
                                                      U("income_share", sim::Distribution::uniform(0.5, 1.5))};
        const auto shared = policy_ensemble(model, true, threads);
        CHECK(shared.continued == 4 * 12);  // every run of every sample
        CHECK(same_bytes(shared.values, whole.values));
        // The lever's effect is there after its start (the runs differ).
        CHECK(shared.value(3, 0, 0, 4) != shared.value(0, 0, 0, 4));
        CHECK(shared.value(3, 0, 0, 0) == shared.value(0, 0, 0, 0));
        // Progress after each run, 1..total.
        sim::EnsembleOptions o;
        o.indicators = {"pop"};
        o.variants = sim::lever_variants({"a", "b"});
        o.threads = threads;
        o.progress = [&](std::size_t done, std::size_t total) {
            ++calls;
            CHECK(done == last + 1);
            CHECK(total == 4 * 12);
            last = done;
        };
        const auto p = sim::run_ensemble(model, sim::sample(params, {}, 12, sim::SampleMethod::latin_hypercube, 3), o);
        CHECK(p.continued == 4 * 12);
        CHECK(calls == 4 * 12);
    }
    // Intensities in [0, 1] are shared too; a negative one is not (the lever
    // would be -0 before its start), nor a variant setting anything else.
    CHECK(policy_ensemble(model, true, 2, {{{"a_intensity", 0.5}}, {{"a_intensity", 1}}}).continued == 24);
    const auto negative = policy_ensemble(model, true, 2, {{{"a_on", 1}}, {{"a_on", -1}}});
    CHECK(negative.continued == 0);
    CHECK(same_bytes(negative.values, policy_ensemble(model, false, 2, {{{"a_on", 1}}, {{"a_on", -1}}}).values));
    CHECK(policy_ensemble(model, true, 2, {{{"a_on", 1}}, {{"other", 2}}}).continued == 0);
}

TEST_CASE("ensemble: shared first steps only when a checkpoint and its runs fit the memory budget") {
    // A sample's task holds its checkpoint, the run it continues and, if
    // generated code cannot finish that one, a run from the start: three
    // runs' worth, against a budget that prepare_run checked for one run.
    const auto model = sim::Model::compile(policy());
    const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05))};
    const auto s = sim::sample(params, {}, 3, sim::SampleMethod::latin_hypercube, 3);
    auto ensemble = [&](std::uint64_t budget) {
        sim::EnsembleOptions o;
        o.indicators = {"pop", "fund"};
        o.variants = sim::lever_variants({"a", "b"});
        o.base.max_memory = budget;
        return sim::run_ensemble(model, s, o);
    };
    // The least budget one run fits: below it, the plan is refused and the
    // runs report E-MEMORY.
    std::uint64_t lo = 1, hi = 1 << 20;  // lo refused, hi accepted
    REQUIRE_THROWS_AS(ensemble(lo), sim::Error);
    REQUIRE_NOTHROW(ensemble(hi));
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        bool ok = true;
        try {
            ensemble(mid);
        } catch (const sim::Error& e) {
            CHECK(e.diagnostics().items().front().code == sim::Code::E_MEMORY);
            ok = false;
        }
        (ok ? hi : lo) = mid;
    }
    const auto one_run = ensemble(hi);
    CHECK(one_run.continued == 0);  // one run fits, three do not: every run whole
    const auto two_runs = ensemble(2 * hi);
    CHECK(two_runs.continued == 0);
    const auto three_runs = ensemble(3 * hi);
    CHECK(three_runs.continued == 4 * 3);
    CHECK(same_bytes(one_run.values, three_runs.values));
}

TEST_CASE("ensemble: no shared steps when a lever's setting is read elsewhere or the lever starts at once") {
    for (const bool read_elsewhere : {true, false}) {
        CAPTURE(read_elsewhere);
        const auto model = sim::Model::compile(policy(read_elsewhere, read_elsewhere ? 8 : 0));
        const auto shared = policy_ensemble(model, true, 2);
        CHECK(shared.continued == 0);
        CHECK(same_bytes(shared.values, policy_ensemble(model, false, 1).values));
    }
}

TEST_CASE("ensemble: shared first steps with generated code, the same bytes") {
    const auto gen = simtest::with_generated_code(sim::Model::compile(policy()));
    if (!gen) return;
    const auto interpreted = policy_ensemble(sim::Model::compile(policy()), false, 1);
    const auto e = policy_ensemble(*gen, true, 2, sim::lever_variants({"a", "b"}), sim::RunEngine::generated);
    CHECK(e.continued == 4 * 12);
    CHECK(same_bytes(e.values, interpreted.values));
}

TEST_CASE("ensemble: a sample whose shared steps warned of a value that is not finite runs whole") {
    sim::ModelSpec spec = policy();
    spec.add_aux("spike", "1 / (TIME - 2)");  // infinite at t = 2, before the levers start
    const auto model = sim::Model::compile(spec);
    const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05))};
    const auto s = sim::sample(params, {}, 5, sim::SampleMethod::latin_hypercube, 3);
    sim::EnsembleOptions o;
    o.indicators = {"pop", "spike"};
    o.at = {5, 20};
    o.variants = sim::lever_variants({"a", "b"});
    o.base.on_nonfinite = sim::NonFinite::warn;
    const auto shared = sim::run_ensemble(model, s, o);
    CHECK(shared.continued == 0);
    o.share_steps = false;
    CHECK(same_bytes(shared.values, sim::run_ensemble(model, s, o).values));
    o.share_steps = true;
    o.base.on_nonfinite = sim::NonFinite::ignore;  // no check, no warning: shared
    CHECK(sim::run_ensemble(model, s, o).continued == 4 * 5);
}

// policy() without its fixed delay and PREVIOUS (models with them have no
// SIMD lanes); with `nan_when`, an outflow of the non-negative fund that goes
// nowhere divides 0 by 0 from TIME 12 in the runs where it holds.
sim::ModelSpec lanes_policy(const std::string& nan_when = "") {
    sim::ModelSpec m = policy(false, 8, "pop * 0.02", "(a_lever + b_lever) * 5 + fund * 0.01");
    if (!nan_when.empty()) {
        m.find("fund")->outflows.push_back("vent");
        m.add_flow("vent", "IF " + nan_when + " AND TIME >= 12 THEN (TIME - TIME) / (TIME - TIME) ELSE 0");
    }
    return m;
}

// The model's generated code, if it has lanes (else a skip, reported).
std::optional<sim::Model> generated_with_lanes(const sim::Model& model) {
    auto gen = simtest::with_generated_code(model);
    if (gen && !sim::kernel_has_lanes(*gen)) {
        simtest::skip("the generated code has no SIMD lanes on this machine (no AVX2)");
        return std::nullopt;
    }
    return gen;
}

// The error of an ensemble of a lanes_policy(nan_when) model (its vent's
// division by zero), with or without lanes.
std::string vent_error(const sim::Model& model, const sim::SampleMatrix& s, sim::EnsembleOptions o, bool lanes) {
    o.lanes = lanes;
    try {
        (void)sim::run_ensemble(model, s, o);
        FAIL("no error");
    } catch (const sim::Error& err) {
        CHECK(err.diagnostics().items().front().code == sim::Code::E_DIV_ZERO);
        CHECK(err.diagnostics().items().front().variable == "vent");
        return err.what();
    }
    return "";
}

TEST_CASE("ensemble: continued runs in SIMD lanes, the same bytes, and a NaN in one lane reported as alone") {
    // The both-levers variant meets the NaN.
    const char* nan_when = "a_lever * b_lever > 0.5";
    const auto model = sim::Model::compile(lanes_policy());
    const auto gen = generated_with_lanes(model);
    if (!gen) return;
    // Six variants: a group of four in lanes, two one at a time.
    auto variants = sim::lever_variants({"a", "b"});
    variants.push_back({{"a_intensity", 0.5}});
    variants.push_back({{"b_intensity", 0.25}});
    const auto interpreted = policy_ensemble(model, false, 1, variants);
    for (unsigned threads : {1u, 2u}) {
        const auto e = policy_ensemble(*gen, true, threads, variants, sim::RunEngine::generated);
        CHECK(e.continued == 6 * 12);
        CHECK(same_bytes(e.values, interpreted.values));
    }

    const auto nan_model = sim::Model::compile(lanes_policy(nan_when));
    const auto nan_gen = simtest::with_generated_code(nan_model);
    REQUIRE(nan_gen);
    REQUIRE(sim::kernel_has_lanes(*nan_gen));
    const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05))};
    const auto s = sim::sample(params, {}, 3, sim::SampleMethod::latin_hypercube, 3);
    sim::EnsembleOptions o;
    o.indicators = {"pop", "fund"};
    o.at = {5, 20};
    o.variants = variants;
    o.base.engine = sim::RunEngine::generated;
    o.threads = 1;  // every sample fails: with more threads, which one is reported first may vary
    CHECK(vent_error(*nan_gen, s, o, true) == vent_error(*nan_gen, s, o, false));
    o.base.on_nonfinite = sim::NonFinite::warn;
    o.lanes = true;
    const auto warned = sim::run_ensemble(*nan_gen, s, o);
    CHECK(warned.continued == 5 * 3);  // all but the both-levers variant's runs
    o.lanes = false;
    CHECK(same_bytes(warned.values, sim::run_ensemble(*nan_gen, s, o).values));
    o.share_steps = false;
    o.base.engine = sim::RunEngine::interpreter;
    CHECK(same_bytes(warned.values, sim::run_ensemble(nan_model, s, o).values));
}

TEST_CASE("ensemble: runs from the start in SIMD lanes (sensitivity, trajectories), the same bytes, errors as alone") {
    // Runs from the start: no variants, or variants without shared steps, or
    // percentile trajectories (chunks of runs). The NaN model meets it in
    // samples with birth_rate above 0.03 (some lanes of a group).
    const char* nan_when = "birth_rate > 0.03";
    const auto model = sim::Model::compile(lanes_policy());
    const auto gen = generated_with_lanes(model);
    if (!gen) return;
    const std::vector<sim::Uncertainty> params = {U("birth_rate", sim::Distribution::uniform(0.01, 0.05)),
                                                  U("income_share", sim::Distribution::uniform(0.5, 1.5))};
    // 23 samples: without variants, five groups of four and three runs one
    // at a time; with four variants 92 runs, with trajectories in two
    // chunks (64 + 28 runs).
    const auto s = sim::sample(params, {}, 23, sim::SampleMethod::latin_hypercube, 5);
    auto options = [&](sim::RunEngine engine, bool lanes, unsigned threads) {
        sim::EnsembleOptions o;
        o.indicators = {"pop", "fund", "spending"};
        o.at = {5, 10, 20};
        o.base.engine = engine;
        o.lanes = lanes;
        o.threads = threads;
        return o;
    };
    for (const bool traj : {false, true}) {
        for (const bool variants : {false, true}) {
            CAPTURE(traj);
            CAPTURE(variants);
            auto o = options(sim::RunEngine::interpreter, false, 1);
            if (traj) o.trajectory_quantiles = {0.1, 0.5, 0.9};
            if (variants) o.variants = sim::lever_variants({"a", "b"});
            o.share_steps = false;
            const auto interpreted = sim::run_ensemble(model, s, o);
            CHECK(interpreted.in_lanes == 0);
            o.base.engine = sim::RunEngine::generated;
            o.lanes = true;
            const std::size_t total = (variants ? 4 : 1) * 23;
            for (unsigned threads : {1u, 2u}) {
                CAPTURE(threads);
                o.threads = threads;
                std::size_t calls = 0, last = 0;
                o.progress = [&](std::size_t done, std::size_t all) {
                    ++calls;
                    CHECK(done == last + 1);  // after each run, one at a time
                    CHECK(all == total);
                    last = done;
                };
                const auto e = sim::run_ensemble(*gen, s, o);
                CHECK(calls == total);
                o.progress = nullptr;
                // Every group of four in lanes (chunks of 64 runs hold whole groups).
                CHECK(e.in_lanes == total / 4 * 4);
                CHECK(e.continued == 0);
                CHECK(same_bytes(e.values, interpreted.values));
                CHECK(same_bytes(e.trajectories, interpreted.trajectories));
                CHECK(same_bytes(e.times, interpreted.times));
                o.lanes = false;
                const auto one = sim::run_ensemble(*gen, s, o);
                CHECK(one.in_lanes == 0);
                CHECK(same_bytes(one.values, e.values));
                o.lanes = true;
            }
        }
    }

    const auto nan_model = sim::Model::compile(lanes_policy(nan_when));
    const auto nan_gen = simtest::with_generated_code(nan_model);
    REQUIRE(nan_gen);
    REQUIRE(sim::kernel_has_lanes(*nan_gen));
    std::size_t failing = 0;
    for (std::size_t i = 0; i < s.rows; ++i) failing += s.at(i, 0) > 0.03;
    REQUIRE(failing > 0);
    REQUIRE(failing < s.rows);
    {
        auto o = options(sim::RunEngine::generated, true, 1);  // one thread: the first failing sample is reported
        const std::string in_lanes = vent_error(*nan_gen, s, o, true);
        CHECK(in_lanes == vent_error(*nan_gen, s, o, false));
        CHECK(in_lanes.find("in sample") != std::string::npos);
    }
    auto o = options(sim::RunEngine::generated, true, 2);
    o.base.on_nonfinite = sim::NonFinite::warn;
    const auto warned = sim::run_ensemble(*nan_gen, s, o);
    // Lanes hold the runs that met no NaN; the others ran alone.
    CHECK(warned.in_lanes < 20);
    CHECK(warned.in_lanes > 0);
    o.base.engine = sim::RunEngine::interpreter;
    o.lanes = false;
    CHECK(same_bytes(warned.values, sim::run_ensemble(nan_model, s, o).values));
}
