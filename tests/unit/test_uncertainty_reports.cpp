// Phase 2 of issue 11 below the command line: the ensemble's size bound
// (refused before any run), sim::compare with samples (common random
// numbers, nominal comparison unchanged, interaction intervals), and the
// report writers of comparisons under uncertainty, sensitivity analyses and
// calibrations (files, columns, today's effects.csv columns first).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/calibrate.hpp"
#include "sim/report.hpp"
#include "sim/robustness.hpp"
#include "sim/sensitivity.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using simtest::find_code;

namespace {

sim::Uncertainty U(std::string name, sim::Distribution d) { return {std::move(name), std::move(d), "", {}}; }

// y = 10 + a alpha + b (beta - 1) + a b gamma at t = 1: lever a helps by
// alpha, b by beta - 1, together they add gamma (the interaction).
sim::ModelSpec levers_model() {
    sim::ModelSpec m;
    m.name = "levers";
    m.specs.start = 0;
    m.specs.stop = 1;
    m.specs.dt = 1;
    m.add_constant("alpha", 1);
    m.add_constant("beta", 1);
    m.add_constant("gamma", 0);
    m.add_aux("y", "10 + a_lever * alpha + b_lever * (beta - 1) + a_lever * b_lever * gamma");
    m.add_lever("a");
    m.add_lever("b");
    return m;
}

std::vector<sim::Uncertainty> levers_params() {
    return {U("alpha", sim::Distribution::uniform(1, 2)), U("beta", sim::Distribution::uniform(0, 1.5)),
            U("gamma", sim::Distribution::uniform(-0.5, 0.5))};
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("ensemble size: counted before any run, refused beyond the limit with E-ENSEMBLE-SIZE") {
    const auto model = sim::Model::compile(levers_model());
    sim::EnsembleOptions o;
    o.indicators = {"y"};
    o.at = {0, 1};
    o.variants.resize(4);
    auto z = sim::ensemble_size(model, 1000, 3, o);
    CHECK(z.runs == 4000);
    CHECK(z.values == 1000 * 3 + 4000 * 2);
    // Percentile trajectories: 2 saved rows, estimators and one chunk of trajectories on top.
    o.trajectory_quantiles = {0.5};
    o.threads = 1;
    const auto zq = sim::ensemble_size(model, 1000, 3, o);
    CHECK(zq.values > z.values);
    // Saturates instead of overflowing.
    CHECK(sim::ensemble_size(model, SIZE_MAX / 2, 3, o).values == SIZE_MAX);

    const auto s = sim::sample(levers_params(), {}, 50, sim::SampleMethod::latin_hypercube, 1);
    o.trajectory_quantiles.clear();
    o.max_values = 50 * 3 + 4 * 50 * 2 - 1;
    std::size_t runs = 0;
    o.progress = [&](std::size_t, std::size_t) { ++runs; };
    try {
        sim::run_ensemble(model, s, o);
        FAIL("expected E-ENSEMBLE-SIZE");
    } catch (const sim::Error& e) {
        CHECK(find_code(e.diagnostics(), sim::Code::E_ENSEMBLE_SIZE));
        CHECK(std::string(e.what()).find("more than the limit of 549") != std::string::npos);
    }
    CHECK(runs == 0);
    o.max_values += 1;
    CHECK(sim::run_ensemble(model, s, o).values.size() == 4 * 50 * 2);

    // sim::sensitivity refuses before sampling: N (k + 2) runs of the Sobol' design.
    CHECK(sim::design_runs(sim::SensitivityMethod::sobol, 10, 3) == 50);
    CHECK(sim::design_runs(sim::SensitivityMethod::morris, 10, 3) == 40);
    CHECK(sim::design_runs(sim::SensitivityMethod::latin_hypercube, 10, 3) == 10);
    CHECK(sim::design_runs(sim::SensitivityMethod::sobol, SIZE_MAX / 2, 3) == SIZE_MAX);
    sim::SensitivityOptions so;
    so.samples = 1'000'000'000;
    so.indicators = {"y"};
    CHECK_THROWS_WITH_AS(sim::sensitivity(model, levers_params(), {}, so),
                         doctest::Contains("the sobol design of 1000000000 samples would make 5000000000 runs"),
                         sim::Error);
    // No parameters: E-NO-UNCERTAINTIES.
    try {
        sim::sensitivity(model, {}, {}, so);
        FAIL("expected E-NO-UNCERTAINTIES");
    } catch (const sim::Error& e) {
        CHECK(find_code(e.diagnostics(), sim::Code::E_NO_UNCERTAINTIES));
    }
}

TEST_CASE("compare with samples: the nominal comparison as compare(), every combination over the same samples") {
    const auto model = sim::Model::compile(levers_model());
    sim::CompareOptions o;
    o.indicators = {{"y", false}};
    o.threads = 2;
    std::size_t last_done = 0, last_total = 0, calls = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done > last_done);
        last_done = done;
        last_total = total;
    };
    sim::SampleOptions s;
    s.uncertainties = levers_params();
    s.samples = 200;
    s.seed = 11;
    const auto u = sim::compare(model, o, s);
    CHECK(calls == 4 + 4 * 200);
    CHECK(last_done == last_total);
    CHECK(last_total == 4 + 4 * 200);
    o.progress = {};
    const auto plain = sim::compare(model, o);
    REQUIRE(u.nominal.combinations.size() == 4);
    for (unsigned m = 0; m < 4; ++m) CHECK(u.nominal.value(m, 0, 0) == plain.value(m, 0, 0));
    CHECK(u.samples.rows == 200);
    CHECK(u.seed == 11);
    CHECK(u.uncertainties.size() == 3);
    // p_best adds up to 1 over the combinations.
    double total = 0;
    for (unsigned m = 0; m < 4; ++m) total += u.robust.stat(m, 0, 0).p_best;
    CHECK(total == doctest::Approx(1));
    // Per sample the effects are known: main effect of a = alpha + gamma/2,
    // interaction = gamma / 2, baseline 10, all levers alpha + beta - 1 + gamma.
    double mean_alpha = 0, mean_gamma = 0, mean_beta = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        mean_alpha += u.samples.at(i, 0) / 200;
        mean_beta += u.samples.at(i, 1) / 200;
        mean_gamma += u.samples.at(i, 2) / 200;
    }
    CHECK(u.robust.main_effect(0, 0, 0).mean == doctest::Approx(mean_alpha + mean_gamma / 2));
    CHECK(u.robust.interaction_at(0, 0, 0, 1).mean == doctest::Approx(mean_gamma / 2));
    CHECK(u.robust.interaction_at(0, 0, 1, 0).mean == doctest::Approx(mean_gamma / 2));
    CHECK(u.robust.interaction_at(0, 0, 0, 1).share_positive == doctest::Approx(0.5).epsilon(0.05));
    CHECK(u.robust.baseline[0].p5 == 10);
    CHECK(u.robust.baseline[0].p95 == 10);
    CHECK(u.robust.all[0].mean == doctest::Approx(mean_alpha + mean_beta - 1 + mean_gamma));

    // Threads do not change a bit.
    o.threads = 1;
    const auto u1 = sim::compare(model, o, s);
    std::ostringstream a, b;
    sim::write_robustness_csv(u.robust, a);
    sim::write_robustness_csv(u1.robust, b);
    CHECK(a.str() == b.str());

    // Errors: no uncertainties; too large, before any run.
    s.uncertainties.clear();
    try {
        sim::compare(model, o, s);
        FAIL("expected E-NO-UNCERTAINTIES");
    } catch (const sim::Error& e) {
        CHECK(find_code(e.diagnostics(), sim::Code::E_NO_UNCERTAINTIES));
    }
    s.uncertainties = levers_params();
    s.max_values = 1000;
    calls = 0;
    o.progress = [&](std::size_t, std::size_t) { ++calls; };
    try {
        sim::compare(model, o, s);
        FAIL("expected E-ENSEMBLE-SIZE");
    } catch (const sim::Error& e) {
        CHECK(find_code(e.diagnostics(), sim::Code::E_ENSEMBLE_SIZE));
        CHECK(std::string(e.what()).find("200 samples x 4 combinations x 1 indicators x 1 report times") !=
              std::string::npos);
    }
    CHECK(calls == 0);
}

TEST_CASE("compare reports under uncertainty: today's effects.csv columns first, ranked table with p_best and regret") {
    const auto model = sim::Model::compile(levers_model());
    sim::CompareOptions o;
    o.indicators = {{"y", false}};
    o.at = {0.5, 1};
    sim::SampleOptions s;
    s.uncertainties = levers_params();
    s.samples = 40;
    const auto u = sim::compare(model, o, s);

    std::ostringstream plain, robust;
    sim::write_effects_csv(u.nominal, plain);
    sim::write_effects_csv(u.nominal, u.robust, robust);
    const auto pl = lines(plain.str()), rl = lines(robust.str());
    REQUIRE(pl.size() == rl.size());
    CHECK(rl[0] == pl[0] + ",mean,p5,p50,p95,share_positive,share_negative");
    for (std::size_t i = 1; i < pl.size(); ++i) {
        CHECK(rl[i].rfind(pl[i] + ",", 0) == 0);
        CHECK(std::count(rl[i].begin(), rl[i].end(), ',') == std::count(pl[i].begin(), pl[i].end(), ',') + 6);
    }

    std::ostringstream t0, t1;
    sim::print_ranked_table(u.nominal, t0);
    sim::print_ranked_table(u, t1);
    const auto l0 = lines(t0.str()), l1 = lines(t1.str());
    REQUIRE(l1.size() == l0.size() + 2);
    CHECK(l1[0] == l0[0]);
    CHECK(l1[1] == "p_best, regret: y at 1 over 40 samples of 3 uncertain parameters (Latin hypercube, seed 1)");
    for (std::size_t i = 1; i < l0.size(); ++i) CHECK(l1[i + 2].rfind(l0[i], 0) == 0);
    CHECK(l1[3].find("p_best") != std::string::npos);
    CHECK(l1[3].find("regret") != std::string::npos);

    simtest::TempDir dir("uncertain_compare");
    sim::ReportOptions w;
    w.charts = false;
    sim::write_compare_outputs(u, (dir / "out").string(), w);
    for (const char* f : {"combinations.csv", "effects.csv", "trajectories.csv", "samples.csv", "robustness.csv",
                          "conclusions.csv", "report.md"})
        CHECK_MESSAGE(fs::exists(dir / "out" / f), f);
    CHECK(slurp(dir / "out" / "effects.csv") == robust.str());
    const std::string report = slurp(dir / "out" / "report.md");
    CHECK(report.find("## Ranking under uncertainty at 1") != std::string::npos);
    CHECK(report.find("| rank | combination | value | p5 | p50 | p95 | p_best | regret mean | regret p95 |") !=
          std::string::npos);
    CHECK(report.find("## Conclusions under uncertainty at 1") != std::string::npos);
    CHECK(report.find("Holds:") != std::string::npos);
    CHECK(report.find("Does not hold:") != std::string::npos);
    CHECK(report.find("| alpha | uniform on [1, 2] |  |") != std::string::npos);
    // Without samples the report has none of it.
    sim::write_compare_outputs(u.nominal, (dir / "plain").string(), w);
    CHECK(!fs::exists(dir / "plain" / "robustness.csv"));
    CHECK(slurp(dir / "plain" / "report.md").find("uncertainty") == std::string::npos);
    CHECK(slurp(dir / "plain" / "effects.csv") == plain.str());
}

TEST_CASE("sensitivity report: the files, report.md, and a note instead of charts without gnuplot") {
    // x' = r x from 1 over [0, 4] (Euler, dt 1): x(4) = (1 + r)^4; k is idle.
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = 4;
    m.specs.dt = 1;
    m.add_stock("x", "1", {"inflow"});
    m.add_flow("inflow", "x * r");
    m.add_constant("r", 0.1);
    m.add_constant("k", 1);
    const auto model = sim::Model::compile(m);
    sim::SensitivityOptions o;
    o.samples = 32;
    o.bootstrap = 50;
    o.indicators = {"x"};
    o.at = {2, 4};
    o.trajectory_quantiles = {0.05, 0.25, 0.5, 0.75, 0.95};
    const auto r = sim::sensitivity(model, {U("r", sim::Distribution::uniform(0.05, 0.15)),
                                           U("k", sim::Distribution::normal(1, 0.1))}, {}, o);
    CHECK(r.index(0, 1, 1).ST == 0);
    CHECK(r.index(0, 1, 1).S1 == 0);

    simtest::TempDir dir("sensitivity_report");
    std::ostringstream warn;
    sim::ReportOptions w;
    w.gnuplot = "/nonexistent/gnuplot";
    w.warnings = &warn;
    w.title = "growth";
    w.inputs = {"model: growth.yaml sha256:00"};
    sim::write_sensitivity_outputs(r, dir.root.string(), w);
    for (const char* f : {"samples.csv", "indicators.csv", "percentiles.csv", "indices.csv", "trajectories.csv",
                          "report.md", "charts/charts.gp", "charts/fan_x.dat", "charts/tornado_x.dat"})
        CHECK_MESSAGE(fs::exists(dir / f), f);
    CHECK(!fs::exists(dir / "morris.csv"));
    CHECK(slurp(dir / "trajectories.csv").rfind("indicator,time,p5,p25,p50,p75,p95\nx,0,1,1,1,1,1\n", 0) == 0);
    CHECK(lines(slurp(dir / "samples.csv")).size() == 1 + 32 * 4);
    // The tornado lists the most important parameter last (at the top of the chart).
    CHECK(lines(slurp(dir / "charts" / "tornado_x.dat")).back().rfind("\"r\" ", 0) == 0);
    const std::string report = slurp(dir / "report.md");
    CHECK(report.rfind("# Sensitivity analysis: growth\n\nInputs:\n\n- `model: growth.yaml sha256:00`\n", 0) == 0);
    CHECK(report.find("32 base samples x (2 + 2) = 128 runs (seed 1); 95 % intervals from 50 bootstrap") !=
          std::string::npos);
    CHECK(report.find("| k | normal (mean 1, sd 0.1) |  |") != std::string::npos);
    CHECK(report.find("| time | p5 | p25 | p50 | p75 | p95 | mean |") != std::string::npos);
    CHECK(report.find("Charts were not made: gnuplot was not found") != std::string::npos);
    CHECK(warn.str().find("gnuplot was not found") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "charts/gnuplot.log"));  // nothing ran

    std::ostringstream summary;
    sim::print_sensitivity_summary(r, summary);
    const auto sl = lines(summary.str());
    REQUIRE(sl.size() >= 6);
    CHECK(sl[0] == "Sobol' indices (Saltelli's scheme): 32 base samples x (2 + 2) = 128 runs, 2 parameters, seed 1");
    CHECK(sl[2].rfind("x at 4: p5 ", 0) == 0);
    CHECK(sl[4].rfind("  r  ", 0) == 0);  // most influential first
    CHECK(sl[5].rfind("  k  ", 0) == 0);

    if (std::system("gnuplot --version >/dev/null 2>&1") != 0) {
        simtest::skip("gnuplot is not installed (charts)");
        return;
    }
    simtest::TempDir charts("sensitivity_charts");
    sim::write_sensitivity_outputs(r, charts.root.string());  // SVG by default
    for (const char* f : {"charts/fan_x", "charts/tornado_x"}) {
        const std::string svg = std::string(f) + ".svg";
        REQUIRE_MESSAGE(fs::exists(charts / svg), svg);
        CHECK_MESSAGE(slurp(charts / svg).rfind("<?xml", 0) == 0, svg);
        CHECK_MESSAGE(slurp(charts / svg).find("<svg") != std::string::npos, svg);
        CHECK_FALSE(fs::exists(charts / (std::string(f) + ".png")));
        CHECK(slurp(charts / "report.md").find("](" + svg + ")") != std::string::npos);
    }
    // The tornado's own height (two parameters: 360).
    CHECK(slurp(charts / "charts/charts.gp").find("\nset terminal svg size 960,360 ") != std::string::npos);

    if (std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") != 0) {
        simtest::skip("gnuplot has no pngcairo terminal (PNG charts)");
        return;
    }
    simtest::TempDir png_charts("sensitivity_png_charts");
    sim::ReportOptions png;
    png.chart_format = sim::ChartFormat::png;
    sim::write_sensitivity_outputs(r, png_charts.root.string(), png);
    for (const char* f : {"charts/fan_x", "charts/tornado_x"}) {
        const std::string p = std::string(f) + ".png";
        REQUIRE_MESSAGE(fs::exists(png_charts / p), p);
        CHECK_MESSAGE(slurp(png_charts / p).rfind("\x89PNG\r\n\x1a\n", 0) == 0, p);
        CHECK_FALSE(fs::exists(png_charts / (std::string(f) + ".svg")));
        CHECK(slurp(png_charts / "report.md").find("](" + p + ")") != std::string::npos);
    }
    CHECK(slurp(png_charts / "charts/charts.gp").find("\nset terminal pngcairo size 960,360 ") != std::string::npos);
}

TEST_CASE("calibration report: fit, correlations, fitted series, starts and the model against the data") {
    // x' = -rate x from 100 (Euler, dt 1); data at rate 0.3 with small errors.
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = 4;
    m.specs.dt = 1;
    m.add_stock("x", "100", {}, {"draining"});
    m.add_flow("draining", "x * rate");
    m.add_constant("rate", 0.5);
    const auto model = sim::Model::compile(m);
    sim::Diagnostics d;
    const auto data = sim::parse_calibration_data("time,x\n0,100\n1,70.4\n2,48.7\n3,34.6\n4,23.9\n", "d.csv", d);
    REQUIRE(!d.has_errors());
    sim::CalibrationOptions o;
    o.fit = {"rate"};
    o.bounds = {{"rate", {0.05, 0.95}}};
    o.starts = 3;
    std::size_t calls = 0;
    o.progress = [&](std::size_t, std::size_t total) {
        ++calls;
        CHECK(total == 4);  // the model's own value, then 3
    };
    const auto r = sim::calibrate(model, data, o);
    CHECK(calls == 4);
    CHECK(r.estimate[0] == doctest::Approx(0.3).epsilon(0.01));
    CHECK(r.trajectory_times.size() == 5);
    CHECK(r.trajectory.size() == 5);
    CHECK(r.trajectory[4] == doctest::Approx(100 * std::pow(1 - r.estimate[0], 4)));

    simtest::TempDir dir("calibration_report");
    sim::ReportOptions w;
    w.gnuplot = "/nonexistent/gnuplot";
    w.title = "decay";
    sim::write_calibration_outputs(r, dir.root.string(), w);
    for (const char* f : {"fit.csv", "correlation.csv", "fitted.csv", "starts.csv", "report.md", "charts/charts.gp",
                          "charts/model_x.dat", "charts/data_x.dat"})
        CHECK_MESSAGE(fs::exists(dir / f), f);
    CHECK(slurp(dir / "fit.csv").rfind("parameter,estimate,std_error,lower,upper,start\nrate,0.299", 0) == 0);
    CHECK(lines(slurp(dir / "starts.csv")).size() == 1 + 4);
    CHECK(lines(slurp(dir / "charts" / "model_x.dat")).size() == 1 + 5);
    const std::string report = slurp(dir / "report.md");
    CHECK(report.find("Data: `d.csv`, 5 weighted observations of 1 column at 5 times.") != std::string::npos);
    CHECK(report.find("No pair of estimates is correlated beyond |r| > 0.9.") != std::string::npos);
    CHECK(report.find("| x | 5 | 1 |") != std::string::npos);
    CHECK(report.find("Charts were not made: gnuplot was not found") != std::string::npos);

    std::ostringstream t;
    sim::print_fit_table(r, t);
    const auto tl = lines(t.str());
    REQUIRE(tl.size() == 3);
    CHECK(tl[0] == "parameter      estimate     std_error         lower         upper");
    CHECK(tl[1].rfind("rate           0.299", 0) == 0);
    CHECK(tl[2].rfind("payoff ", 0) == 0);
    CHECK(tl[2].find("best of 4 starts") != std::string::npos);

    if (std::system("gnuplot --version >/dev/null 2>&1") != 0) {
        simtest::skip("gnuplot is not installed (charts)");
        return;
    }
    simtest::TempDir charts("calibration_charts");
    sim::write_calibration_outputs(r, charts.root.string());  // SVG by default
    REQUIRE(fs::exists(charts / "charts/fit_x.svg"));
    CHECK(slurp(charts / "charts/fit_x.svg").find("<svg") != std::string::npos);
    CHECK_FALSE(fs::exists(charts / "charts/fit_x.png"));
    CHECK(slurp(charts / "report.md").find("](charts/fit_x.svg)") != std::string::npos);
    if (std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") != 0) {
        simtest::skip("gnuplot has no pngcairo terminal (PNG charts)");
        return;
    }
    simtest::TempDir png_charts("calibration_png_charts");
    sim::ReportOptions png;
    png.chart_format = sim::ChartFormat::png;
    sim::write_calibration_outputs(r, png_charts.root.string(), png);
    REQUIRE(fs::exists(png_charts / "charts/fit_x.png"));
    CHECK(slurp(png_charts / "charts/fit_x.png").rfind("\x89PNG\r\n\x1a\n", 0) == 0);
    CHECK_FALSE(fs::exists(png_charts / "charts/fit_x.svg"));
    CHECK(slurp(png_charts / "report.md").find("](charts/fit_x.png)") != std::string::npos);
}
