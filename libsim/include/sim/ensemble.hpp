// Ensembles: one compiled model run over every row of a sample matrix (each
// row applied as constant overrides), optionally under several variants
// (e.g. the 2^k lever combinations: every variant sees the same samples,
// common random numbers), on worker threads. Memory stays bounded: a run
// keeps only the requested indicators at the requested report times, plus
// optional percentile trajectories estimated in streaming form. The run's
// plan (options checked, columns chosen) is made once and each parameter's
// slot looked up once; a run then copies the slot vector and sets its values
// (the results are those of Model::run with the same overrides, bit for bit).
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "sim/distributed.hpp"
#include "sim/model.hpp"
#include "sim/sampling.hpp"

namespace sim {

using Overrides = std::vector<std::pair<std::string, double>>;

// The default bound on what an ensemble keeps in memory: 50 million values
// (8 bytes each, 400 MB), counted by ensemble_size.
inline constexpr std::size_t max_ensemble_values = 50'000'000;

struct EnsembleOptions {
    std::vector<std::string> indicators;  // variables to keep; at least one
    // Report times, each within the run; a time between saved rows is
    // interpolated linearly between them. Empty = the stop time.
    std::vector<double> at;
    // Method, times and `set` of every run (`save` is ignored). A sample's
    // values and a variant's overrides are applied after `set`, the sample's
    // last, so they win.
    RunOptions base;
    // Extra overrides per variant; empty = one variant with none.
    std::vector<Overrides> variants;
    // Worker threads; 0 = the hardware concurrency. The results do not
    // depend on it (bit for bit).
    unsigned threads = 0;
    // Called after each finished run, never two at a time, `done` from 1 to
    // variants x samples.
    std::function<void(std::size_t done, std::size_t total)> progress;
    // Quantiles (in (0, 1)) of each indicator at every saved time, over the
    // samples, estimated in streaming form (P-square algorithm, Jain &
    // Chlamtac 1985) in sample order; empty = none. For fan charts.
    std::vector<double> trajectory_quantiles;
    // Refuse (E-ENSEMBLE-SIZE, before any run) an ensemble whose kept
    // values (ensemble_size().values) would exceed this.
    std::size_t max_values = max_ensemble_values;
    // Ranks to split the runs across (sim/distributed.hpp); nullptr = this
    // process alone. Every rank returns the same result, bit for bit the
    // single-process one; `progress` then counts this rank's runs.
    const Communicator* comm = nullptr;
    // Lever combinations share their first steps: when the variants set only
    // levers' `_on` or `_intensity` (finite, not negative) and nothing but
    // each lever's own variable reads those, every run is the same up to the
    // grid point before the earliest of those levers' starts (the lever's
    // variable is exactly 0 until then). Under Euler, without trajectory
    // quantiles (across ranks too), each sample then runs once to that point
    // and each variant goes on from there: the same results bit for bit,
    // ~(start - model start) / (stop - model start) of the work saved for all
    // variants but one. false: every run from the start (for comparisons).
    bool share_steps = true;
    // Euler runs of generated code with lanes (sim/kernel.hpp,
    // sim::kernel_has_lanes) go four at a time in SIMD lanes, whether
    // continued from shared first steps or from the start: the same results
    // bit for bit. false: one at a time.
    bool lanes = true;
};

struct EnsembleResult {
    std::vector<std::string> parameters;  // the sample matrix's columns
    std::vector<std::string> indicators;
    std::vector<double> at;
    std::size_t samples = 0;
    std::size_t variants = 1;
    // [((variant * samples + sample) * indicators + indicator) * at + a]
    std::vector<double> values;
    // Runs continued from their sample's shared first steps
    // (EnsembleOptions::share_steps); the rest ran from the start.
    std::size_t continued = 0;
    // Runs whose results came from SIMD lanes (EnsembleOptions::lanes); a
    // lane that met a value that is not finite, or a warning, ran again alone.
    std::size_t in_lanes = 0;

    // Streaming quantile trajectories (empty unless asked for):
    std::vector<double> times;                 // saved times of the runs
    std::vector<double> trajectory_quantiles;  // as asked
    // [((variant * indicators + indicator) * times + row) * quantiles + q]
    std::vector<double> trajectories;

    double value(std::size_t variant, std::size_t sample, std::size_t indicator, std::size_t a) const {
        return values[((variant * samples + sample) * indicators.size() + indicator) * at.size() + a];
    }
    // One indicator at one report time over the samples, in sample order.
    std::vector<double> across_samples(std::size_t variant, std::size_t indicator, std::size_t a) const;
    double trajectory(std::size_t variant, std::size_t indicator, std::size_t row, std::size_t q) const {
        return trajectories[((variant * indicators.size() + indicator) * times.size() + row) *
                                trajectory_quantiles.size() + q];
    }
};

// Runs `model` for every (variant, sample). Throws sim::Error for bad
// options (E-ENSEMBLE: no indicator, unknown variable, report time outside
// the run; E-ENSEMBLE-SIZE: more than opts.max_values kept) and rethrows the first run's error, with a note naming the
// sample and its values.
//
//   sim::SampleMatrix s = sim::sample(spec.uncertainties, spec.correlations, 1000,
//                                     sim::SampleMethod::latin_hypercube, 42);
//   sim::EnsembleOptions o;
//   o.indicators = {"rural_income"};
//   o.at = {2035, 2050};
//   sim::EnsembleResult e = sim::run_ensemble(model, s, o);
EnsembleResult run_ensemble(const Model& model, const SampleMatrix& samples, const EnsembleOptions& opts);

// What an ensemble of `samples` rows (of `parameters` columns) under
// `opts` would keep, counted before anything is allocated: the sample
// matrix, every run's indicators at the report times, and the streaming
// quantile estimators with one chunk of trajectories (when asked for; the
// saved rows counted from the run's times and save step). `runs` is
// variants x samples. Saturates at SIZE_MAX instead of overflowing.
struct EnsembleSize {
    std::size_t runs = 0;
    std::size_t values = 0;
};
EnsembleSize ensemble_size(const Model& model, std::size_t samples, std::size_t parameters,
                           const EnsembleOptions& opts);

// indicators.csv: `sample,indicator,time,value` for variant 0, in sample
// order, then indicator, then time.
void write_indicators_csv(const EnsembleResult& e, std::ostream& out, std::size_t variant = 0);

// Streaming quantile estimate by the P-square algorithm (Jain & Chlamtac
// 1985): five markers, O(1) memory; exact while fewer than five values.
class StreamingQuantile {
public:
    explicit StreamingQuantile(double p = 0.5);
    void add(double x);
    double value() const;  // NaN before any value
    std::size_t count() const { return n_; }

private:
    double p_;
    std::size_t n_ = 0;
    double q_[5] = {};   // marker heights
    double pos_[5] = {}; // marker positions (1-based)
    double want_[5] = {};
    double step_[5] = {};
};

}  // namespace sim
