// Comparing lever combinations through the C++ API: every combination of the
// Chongqing model's five levers (32 runs of one compiled model, in parallel),
// the ranked table, and the CSVs, charts and report written to a directory.
//
//   example_compare_levers [OUT_DIR]     (default: a directory under /tmp)
//
// ctest runs it as `example.compare_levers`; it exits non-zero if the
// Shapley shares do not add up to the all-levers effect.
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "sim/compare.hpp"
#include "sim/report.hpp"
#include "sim/sim.hpp"

int main(int argc, char** argv) try {
    const std::string model_file = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";
    const std::string out = argc > 1 ? argv[1]
                                     : (std::filesystem::temp_directory_path() / "libsim_compare_levers").string();

    // Load and compile once; every combination runs on the same compiled model.
    sim::ModelSpec spec = sim::load_model(model_file);  // throws sim::Error on any error
    sim::Model model = sim::Model::compile(spec);

    sim::CompareOptions opts;
    // opts.levers = {"planning", "land"};           // default: every lever (here 5 -> 32 runs)
    opts.at = {2030, 2035, 2050};
    // The paper's indicators (the default would be every stock of the model).
    opts.indicators = {{"rural_income"},      {"urban_income"},
                       {"income_ratio", true}, {"total_household_consumption"},
                       {"urbanization_rate"}, {"non_citizenized_migrants", true}};
    opts.threads = 0;  // all cores; the results are the same bit for bit with any number
    opts.progress = [](std::size_t done, std::size_t total) {
        if (done == total) std::fprintf(stderr, "%zu runs done\n", total);
    };

    sim::CompareResult r = sim::compare(model, opts);

    sim::print_ranked_table(r, std::cout, 0);  // ranked by the first indicator at 2050

    // Any value by names, at any time within the run (interpolated between saved rows).
    std::printf("\nrural_income with planning and land in 2040: %.6g\n",
                r.value("planning+land", "rural_income", 2040));

    // Main effects and Shapley shares of one indicator at 2050.
    const std::size_t last = r.at.size() - 1;
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const sim::FactorialEffects& e = r.effect(ind, last);
        std::printf("\n%s at %g: baseline %.6g, all levers %+.6g\n", r.indicators[ind].name.c_str(), r.at[last],
                    e.baseline, e.all);
        double sum = 0;
        for (std::size_t i = 0; i < r.levers.size(); ++i) {
            std::printf("  %-15s main %+12.6g   Shapley %+12.6g\n", r.levers[i].c_str(), e.main[i], e.shapley[i]);
            sum += e.shapley[i];
        }
        if (std::fabs(sum - e.all) > 1e-9 * std::fmax(1.0, std::fabs(e.all))) {
            std::fprintf(stderr, "Shapley shares do not add up for %s\n", r.indicators[ind].name.c_str());
            return 1;
        }
    }

    sim::CompareOutputOptions w;
    w.warnings = &std::cerr;  // e.g. when gnuplot is not installed
    sim::write_compare_outputs(r, out, w);
    std::printf("\nwrote %s/report.md\n", out.c_str());
    return 0;
} catch (const sim::Error& e) {
    std::fprintf(stderr, "%s\n", e.diagnostics().str().c_str());
    return 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
