// Uncertainty, sensitivity, robust lever choice, behaviour checks and
// calibration through the C++ API (docs/uncertainty.md, docs/calibration.md,
// docs/checks.md):
//   1. Chongqing: four of the distributions its model file declares under
//      `uncertainties:` and one declared in code;
//   2. Sobol' indices of rural income (Saltelli's scheme, N (k + 2) runs);
//   3. three levers' 8 combinations over the same 100 samples: how often
//      each is best, its regret, and which conclusions hold in >= 90 %;
//   4. a behaviour check;
//   5. calibration of the classic SIR model to data made from it.
//
//   example_uncertainty [OUT_DIR]     (default: a directory under /tmp)
//
// ctest runs it as `example.uncertainty`; it exits non-zero if a result
// breaks what is known about it (indices outside [0, 1] by more than their
// sampling error, shares of "best" not adding up to 1, a failed fit).
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/calibrate.hpp"
#include "sim/checks.hpp"
#include "sim/robustness.hpp"
#include "sim/sensitivity.hpp"
#include "sim/sim.hpp"

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

void write(const std::filesystem::path& p, const std::function<void(std::ostream&)>& f) {
    sim::write_file_atomic(p.string(), f);
    std::printf("wrote %s\n", p.c_str());
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string root = SIM_SOURCE_DIR;
    const std::filesystem::path out =
        argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "libsim_uncertainty";
    std::filesystem::create_directories(out);

    // 1. The model and uncertain parameters: four of those the model file
    //    declares (uniform, normal, triangular) and one declared here.
    sim::ModelSpec spec = sim::load_model(root + "/models/chongqing/model.yaml");
    std::vector<sim::Uncertainty> chosen;
    for (const char* name : {"habit_time", "settlement_time", "county_labour_share", "tfp_base_growth"})
        for (const auto& u : spec.uncertainties)
            if (u.name == name) chosen.push_back(u);
    if (chosen.size() != 4) throw std::runtime_error("the model no longer declares the example's parameters");
    chosen.push_back({"rural_local_spending_share", sim::Distribution::beta_dist(4, 4, 0.3, 0.7),
                      "in code: a beta on the model's range", {}});
    spec.uncertainties = chosen;
    spec.correlations = {{"habit_time", "tfp_base_growth", 0.3, {}}};  // illustrative
    const sim::Model model = sim::Model::compile(spec);

    // 2. Sobol' indices (independent parameters: the correlation is noted
    //    as ignored; the latin_hypercube method would honour it).
    sim::SensitivityOptions so;
    so.samples = 64;  // base points: 64 * (5 + 2) = 448 runs
    so.seed = 7;
    so.bootstrap = 200;
    so.indicators = {"rural_income"};
    so.at = {2035, 2050};
    const sim::SensitivityResult sens = sim::sensitivity(model, spec.uncertainties, spec.correlations, so);
    for (const auto& n : sens.notes.items()) std::printf("note: %s\n", n.message.c_str());
    std::printf("\nrural_income at 2050 (%zu runs): p5 %.0f, p50 %.0f, p95 %.0f\n", sens.samples.rows,
                sens.percentiles[1].p5, sens.percentiles[1].p50, sens.percentiles[1].p95);
    int bad = 0;
    for (std::size_t p = 0; p < sens.parameters.size(); ++p) {
        const auto& x = sens.index(0, 1, p);
        std::printf("  %-27s S1 %6.3f [%6.3f, %6.3f]  ST %6.3f  PRCC %+6.3f\n", sens.parameters[p].c_str(), x.S1,
                    x.S1_low, x.S1_high, x.ST, x.PRCC);
        if (!(x.ST_high >= 0 && x.S1_low <= 1)) ++bad;
    }
    write(out / "samples.csv", [&](std::ostream& o) { sim::write_samples_csv(sens.samples, o); });
    write(out / "indicators.csv", [&](std::ostream& o) { sim::write_indicators_csv(sens.ensemble, o); });
    write(out / "percentiles.csv", [&](std::ostream& o) { sim::write_percentiles_csv(sens, o); });
    write(out / "indices.csv", [&](std::ostream& o) { sim::write_indices_csv(sens, o); });

    // 3. Levers x uncertainties: the same Latin-hypercube samples (with the
    //    rank correlation) for every combination.
    const auto samples =
        sim::sample(spec.uncertainties, spec.correlations, 100, sim::SampleMethod::latin_hypercube, 11);
    sim::EnsembleOptions eo;
    eo.at = {2035, 2050};
    const std::vector<std::string> levers = {"planning", "infrastructure", "innovation"};
    const sim::RobustnessResult rob =
        sim::robust_compare(model, levers, {{"rural_income", false}}, samples, eo);
    std::printf("\nrural_income at 2050 over %zu samples:\n", rob.samples);
    double total = 0;
    for (unsigned m = 0; m < rob.combinations(); ++m) {
        const auto& c = rob.stat(m, 0, 1);
        std::printf("  %-36s p_best %.2f  mean regret %8.1f  p50 %.0f\n", rob.label(m).c_str(), c.p_best,
                    c.regret_mean, c.p50);
        total += c.p_best;
    }
    if (std::fabs(total - 1) > 1e-9) ++bad;
    for (const auto& c : rob.conclusions)
        if (c.a == 1 && c.kind != sim::Conclusion::Kind::beats)
            std::printf("  %s in %.0f %% of samples: %s\n", c.holds ? "holds" : "does not hold", 100 * c.share,
                        c.text.c_str());
    write(out / "robustness.csv", [&](std::ostream& o) { sim::write_robustness_csv(rob, o); });
    write(out / "effect_intervals.csv", [&](std::ostream& o) { sim::write_effect_intervals_csv(rob, o); });

    // 4. A behaviour check (a model file declares them under `checks:`).
    sim::BehaviourCheck check;
    check.name = "income ratio stays in [1, 4]";
    check.expression = "income_ratio >= 1 AND income_ratio <= 4";
    spec.checks = {check};
    sim::Diagnostics diags;
    if (auto report = sim::run_checks(spec, {}, diags)) {
        std::printf("\n");
        sim::print_check_report(*report, std::cout);
    } else {
        std::fprintf(stderr, "%s\n", diags.str().c_str());
        return 1;
    }

    // 5. Calibration: SIR data made at contact_rate 0.4, two parameters fitted.
    const sim::ModelSpec sir = sim::load_model(root + "/models/classic/sir.yaml");
    const sim::Model sir_model = sim::Model::compile(sir);
    sim::RunOptions truth;
    truth.set = {{"contact_rate", 0.4}};
    truth.save = {"infected"};
    const sim::Results r = sir_model.run(truth);
    std::string csv = "time,infected\n";
    for (std::size_t row = 0; row < r.rows(); row += 5) csv += num(r.times[row]) + "," + num(r.at(row, 0)) + "\n";
    const sim::CalibrationData data = sim::parse_calibration_data(csv, "sir-data.csv", diags);
    sim::CalibrationOptions co;
    co.fit = {"contact_rate", "duration"};
    co.bounds = {{"contact_rate", {0.1, 1.0}}, {"duration", {1, 20}}};
    co.starts = 4;
    const sim::CalibrationResult fit = sim::calibrate(sir_model, data, co);
    std::printf("\nSIR fit (payoff %.3g):\n", fit.payoff);
    for (std::size_t i = 0; i < fit.parameters.size(); ++i)
        std::printf("  %-13s %.6g (std error %.2g)\n", fit.parameters[i].c_str(), fit.estimate[i], fit.std_error[i]);
    if (std::fabs(fit.estimate[0] - 0.4) > 1e-3) ++bad;
    write(out / "fit.csv", [&](std::ostream& o) { sim::write_fit_csv(fit, o); });
    write(out / "fitted.csv", [&](std::ostream& o) { sim::write_fitted_series_csv(fit, o); });
    return bad ? 1 : 0;
} catch (const sim::Error& e) {
    std::fprintf(stderr, "%s\n", e.diagnostics().str().c_str());
    return 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
