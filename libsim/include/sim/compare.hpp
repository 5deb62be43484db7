// Lever-combination comparison: every combination of k chosen levers (2^k
// runs of one compiled model), the full-factorial main effects and two-lever
// interactions, and each lever's Shapley share of the all-levers effect.
// Definitions: docs/compare.md.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "sim/spec.hpp"
#include "sim/model.hpp"

namespace sim {

// An output variable to compare, and which way is better (for "best
// combination" and for the sign of "reinforce"/"undercut" in the report).
struct Indicator {
    std::string name;
    bool lower_is_better = false;
};

struct CompareOptions {
    // Levers to combine, by name; empty = every lever of the model. Levers
    // not listed keep their setting from the model or `base`.
    std::vector<std::string> levers;
    // Report times; empty = those of 2030, 2035, 2050 inside the run, or else
    // the stop time. Each must lie within [start, stop]; the value used is the
    // one at the nearest saved time.
    std::vector<double> at;
    // Empty = default_indicators(spec, base).
    std::vector<Indicator> indicators;
    // Worker threads; 0 = std::thread::hardware_concurrency(). The results do
    // not depend on it (bit for bit).
    unsigned threads = 0;
    // Called after each finished run, from worker threads but never two at a
    // time, with `done` increasing from 1 to `total`.
    std::function<void(std::size_t done, std::size_t total)> progress;
    // The base run (scenario): method, times, and `set` overrides. `save` is
    // ignored; each chosen lever's L_on override is replaced.
    RunOptions base;
    // A model variable holding the cumulative fiscal cost. If the model has
    // no such variable, the cost is the trapezoid integral over the saved
    // rows of the sum of every lever's L_cost; "" forces the integral.
    std::string cost_variable = "cumulative_fiscal_cost";
};

// Full-factorial analysis of y over the 2^k corners of {0,1}^k, y[mask] with
// bit i of mask = lever i on. See docs/compare.md for the exact formulas.
struct FactorialEffects {
    double baseline = 0;              // y(no lever)
    double all = 0;                   // y(all levers) - y(no lever)
    std::vector<double> main;         // k: mean(y | i on) - mean(y | i off)
    std::vector<double> interaction;  // k*k, symmetric, zero diagonal:
                                      // half the change of i's effect when j turns on
    std::vector<double> shapley;      // k: sums to `all` up to rounding
    double interaction_at(std::size_t i, std::size_t j) const {
        return interaction[i * main.size() + j];
    }
};

// y.size() must be 2^k (throws std::invalid_argument otherwise); k <= 24.
FactorialEffects factorial_effects(std::span<const double> y);

// One combination's run, reduced to what the comparison needs.
struct Combination {
    unsigned mask = 0;                        // bit i = lever i on
    std::vector<std::vector<double>> series;  // [indicator][saved row]
    std::vector<double> cost_series;          // cumulative cost per saved row; empty if no cost
    std::vector<double> values;               // [indicator * at.size() + a]
    std::vector<double> cost;                 // [a]: cumulative cost at at[a]; empty if no cost
};

struct CompareResult {
    std::string model_name;
    std::vector<std::string> levers;         // display names, in bit order
    std::vector<std::string> lever_titles;   // "" if none
    std::vector<Indicator> indicators;
    std::vector<double> at;                  // requested report times
    std::vector<std::size_t> at_row;         // saved row used for each
    std::vector<double> times;               // saved times (shared by every run)
    bool has_cost = false;
    std::string cost_source;                 // how the cost was obtained (for the report)
    std::vector<Combination> combinations;   // 2^k, combinations[m].mask == m
    std::vector<FactorialEffects> effects;   // [indicator * at.size() + a]
    // Input files with their content hashes, one line each ("model: PATH
    // sha256:HEX"); compare() leaves it empty, front ends fill it, and
    // report.md lists it.
    std::vector<std::string> inputs;

    const FactorialEffects& effect(std::size_t indicator, std::size_t a) const {
        return effects[indicator * at.size() + a];
    }
    double value(unsigned mask, std::size_t indicator, std::size_t a) const {
        return combinations[mask].values[indicator * at.size() + a];
    }
    // "baseline", "planning", "planning+land", ...
    std::string label(unsigned mask) const;
};

// Indicators used when none are given: those of the Chongqing set that the
// model has (rural_income, urban_income, income_ratio [lower is better],
// total_household_consumption, urbanization_rate,
// non_citizenized_migrants [lower is better]); if it has none of them, every
// stock the base run saves (every stock if it saves everything).
std::vector<Indicator> default_indicators(const ModelSpec& spec, const RunOptions& base = {});

// Runs all 2^k combinations of `opts.levers` on `model` (compiled from
// `spec`) and analyses them. Throws sim::Error (codes E-COMPARE-*) for bad
// options, and rethrows the first error of any run.
//
//   auto spec = sim::load_model("models/chongqing/model.yaml");
//   auto model = sim::Model::compile(spec);
//   sim::CompareOptions o;
//   o.levers = {"planning", "land"};
//   sim::CompareResult r = sim::compare(model, spec, o);
//   sim::print_ranked_table(r, std::cout);
//   sim::write_compare_outputs(r, "out/compare");
CompareResult compare(const Model& model, const ModelSpec& spec, const CompareOptions& opts);
CompareResult compare(const ModelSpec& spec, const CompareOptions& opts);  // compiles it

// Fills `effects` from the combinations' `values` (sequentially, in mask
// order). compare() calls it; exposed for tests and other front ends.
void analyse(CompareResult& r);

struct CompareOutputOptions {
    bool charts = true;
    std::string gnuplot = "gnuplot";  // program name or path
    // Where to say that charts could not be made (besides report.md);
    // nullptr = silent.
    std::ostream* warnings = nullptr;
};

// Writes combinations.csv, effects.csv, trajectories.csv, report.md and
// charts/ (gnuplot scripts, data, PNG or SVG images) into `dir`, creating it.
// Each file is replaced atomically. Missing gnuplot is not an error: the
// report says so. Throws std::system_error on I/O failure.
void write_compare_outputs(const CompareResult& r, const std::string& dir,
                           const CompareOutputOptions& o = {});

void write_combinations_csv(const CompareResult& r, std::ostream& out);
void write_effects_csv(const CompareResult& r, std::ostream& out);
void write_trajectories_csv(const CompareResult& r, std::ostream& out);

// The combinations ranked by `rank_by` (an indicator index) at the last
// report time, best first, with every indicator and the cost.
void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by = 0);

}  // namespace sim
