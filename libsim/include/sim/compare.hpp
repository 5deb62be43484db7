// Lever-combination comparison: every combination of k chosen levers (2^k
// runs of one compiled model), the full-factorial main effects and two-lever
// interactions, and each lever's Shapley share of the all-levers effect.
// Definitions: docs/compare.md. The writers (CSV, Markdown, charts, the
// ranked table) are in the separate sim::report library (sim/report.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/distributed.hpp"
#include "sim/expected.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"

namespace sim {

// An output variable to compare, and which way is better (for "best
// combination" and for the sign of "reinforce"/"undercut" in the report).
struct Indicator {
    std::string name;
    bool lower_is_better = false;
};

struct CompareResult;

struct CompareOptions {
    // Levers to combine, by name; empty = every lever of the model. Levers
    // not listed keep their setting from the model or `base`.
    std::vector<std::string> levers;
    // Report times; empty = the stop time. Each must lie within [start,
    // stop]; the value at a time between two saved rows is interpolated
    // linearly (exact at a saved time).
    std::vector<double> at;
    // Empty = default_indicators(model, base).
    std::vector<Indicator> indicators;
    // Worker threads; 0 = std::thread::hardware_concurrency(). The results do
    // not depend on it (bit for bit).
    unsigned threads = 0;
    // Called after each finished run, from worker threads but never two at a
    // time, with `done` increasing from 1 to `total`.
    std::function<void(std::size_t done, std::size_t total)> progress;
    // compare(model, opts, sampling) only: called with the nominal comparison
    // once it is done, before the samples run, from the calling thread (sdsim
    // compare starts drawing its charts there: sim::CompareOutputs).
    std::function<void(const CompareResult& nominal)> on_nominal;
    // The base run (scenario): method, times, and `set` overrides. `save` is
    // ignored; each chosen lever's L_on override is replaced.
    RunOptions base;
    // A model variable holding the cumulative cost (a stock; a scenario's
    // `cost:`). If empty, the cost is the trapezoid integral over the saved
    // rows of the sum of the levers' L_cost rates (no cost if no lever has one).
    // A name the model does not have is an error (E-COMPARE-INDICATOR).
    std::string cost_variable;
    // Whose whole series (Combination::series, cost_series) are kept: every
    // combination's, or only the runs the reports show (baseline, each lever
    // alone, all levers: trajectories.csv and the charts), or none. The
    // values at the report times are kept for every combination in any case.
    // What is kept, plus one run's results per thread, is estimated before
    // any run against base.max_memory (default_memory_budget() if unset):
    // E-MEMORY if over. `sdsim compare` keeps `shown`.
    enum class Keep { all, shown, none };
    Keep keep_series = Keep::all;
    // Ranks to split the 2^k runs across (sim/distributed.hpp); nullptr =
    // this process alone. Every rank returns the same result.
    const Communicator* comm = nullptr;
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

// y.size() must be 2^k with k <= 24 (else sim::Error E-COMPARE-EFFECTS).
FactorialEffects factorial_effects(std::span<const double> y);

// One combination's run, reduced to what the comparison needs.
struct Combination {
    unsigned mask = 0;                        // bit i = lever i on
    std::vector<std::vector<double>> series;  // [indicator][saved row]; empty if not kept
    std::vector<double> cost_series;          // cumulative cost per saved row; empty if no cost or not kept
    std::vector<double> values;               // [indicator * at.size() + a]
    std::vector<double> cost;                 // [a]: cumulative cost at at[a]; empty if no cost
    std::vector<double> deflator_series;      // the model's deflator per saved row; empty if none
};

struct CompareResult {
    std::string model_name;
    std::vector<std::string> levers;         // display names, in bit order
    std::vector<std::string> lever_titles;   // "" if none
    std::vector<Indicator> indicators;
    std::vector<double> at;                  // report times
    std::vector<double> times;               // saved times (shared by every run)
    bool has_cost = false;
    std::string cost_name;                   // column name: the cost variable, or "integrated_lever_cost"
    std::string cost_units;                  // "" if unknown
    std::string cost_source;                 // how the cost was obtained (for the report)
    std::vector<Combination> combinations;   // 2^k, combinations[m].mask == m
    std::vector<FactorialEffects> effects;   // [indicator * at.size() + a]
    // Display metadata from the model, for reports (sim::report): per
    // indicator (units default to the variable's units), the cost, per lever.
    std::vector<Display> indicator_display;
    Display cost_display;
    std::vector<std::string> lever_titles_zh, lever_names_zh, lever_sections;
    std::string deflator;                    // the deflator variable; "" if none
    double deflator_year = 0;                // constant prices of this year
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
    // By names: the combination as its label ("baseline", "planning+land";
    // levers in any order, names compared canonically), an indicator, and
    // any time within the saved run (linear interpolation between saved
    // rows, exact at a saved time). Throws sim::Error: E-COMPARE-LEVER for a
    // lever not compared, E-UNKNOWN-NAME for an indicator not compared,
    // E-RESULTS-TIME for a time outside the run.
    //   double y = cmp.value("planning+land", "rural_income", 2050);
    double value(std::string_view combination, std::string_view indicator, double t) const;
    // The mask of a label as accepted by value() (same errors).
    unsigned mask_of(std::string_view combination) const;
    // "baseline", "planning", "planning+land", ...
    std::string label(unsigned mask) const;
};

// Indicators used when none are given: every stock the base run saves (every
// stock of the model if it saves everything), higher is better.
std::vector<Indicator> default_indicators(const Model& model, const RunOptions& base = {});

// Runs all 2^k combinations of `opts.levers` on `model` and analyses them.
// Throws sim::Error (codes E-COMPARE-*) for bad options, and rethrows the
// first error of any run.
//
//   auto model = sim::Model::compile(sim::load_model("models/chongqing/model.yaml"));
//   sim::CompareOptions o;
//   o.levers = {"planning", "land"};
//   o.at = {2035, 2050};
//   sim::CompareResult r = sim::compare(model, o);
//   double y = r.value("planning+land", "rural_income", 2050);
CompareResult compare(const Model& model, const CompareOptions& opts);
CompareResult compare(const ModelSpec& spec, const CompareOptions& opts);  // compiles it
// The same without throwing: the result, or the diagnostics.
Expected<CompareResult> try_compare(const Model& model, const CompareOptions& opts);

// Fills `effects` from the combinations' `values` (sequentially, in mask
// order). compare() calls it; exposed for tests and other front ends.
void analyse(CompareResult& r);

}  // namespace sim
