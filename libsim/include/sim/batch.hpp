// Batches: many runs of one compiled model that differ only in constants
// (parameter sets), for ensembles, sensitivity analysis and calibration.
// The run is prepared once (options checked, columns, time grid, the
// parameters' slots), the results of every run go into one allocation, and
// each worker reuses its buffers from run to run, so that a run costs its
// evaluation only. A model with generated code (sim/generated.hpp,
// sim/native.hpp) runs it; the results are those of Model::run with the same
// options and the parameters as `set`, bit for bit, for any thread count.
//
//   sim::BatchOptions o;
//   o.base.save = {"rural_income"};
//   o.parameters = {"migration_elasticity", "land_lever_on"};
//   sim::Batch batch(model, o);
//   std::vector<double> sets = {0.8, 0, 0.8, 1, 1.2, 0, 1.2, 1};  // 4 runs x 2 parameters
//   sim::BatchResult r = batch.run(sets);
//   double last = r.at(3, r.times.size() - 1, 0);   // run 3, last row, rural_income
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/model.hpp"

namespace sim {

struct BatchOptions {
    // Every run's options: method, times, saved columns (`save`, default
    // every variable), `set`, budgets, on_nonfinite, engine.
    RunOptions base;
    // The constants each run sets, in the order of a parameter set's values:
    // constants with a number as equation, and lever settings (L_on, ...).
    std::vector<std::string> parameters;
    // Worker threads; 0 = the hardware concurrency. Results do not depend on it.
    unsigned threads = 1;
    // Euler runs of generated code with lanes (sim/kernel.hpp: native mode
    // on a machine with AVX2, for models without PREVIOUS, fixed delays or
    // vector functions) go four at a time in SIMD lanes; the results are
    // the same bit for bit. false: one at a time.
    bool lanes = true;
};

struct BatchResult {
    std::vector<std::string> names;  // saved columns
    std::vector<double> times;       // saved times, the same for every run
    std::size_t runs = 0;
    std::vector<double> values;      // [run][row][column]
    // Warnings of runs under NonFinite::warn: (run, warning), in run order.
    std::vector<std::pair<std::size_t, Diagnostic>> warnings;

    std::size_t rows() const { return times.size(); }
    std::size_t cols() const { return names.size(); }
    double at(std::size_t run, std::size_t row, std::size_t col) const {
        return values[(run * times.size() + row) * names.size() + col];
    }
    // One run's rows, row-major.
    std::span<const double> run_values(std::size_t run) const {
        return {values.data() + run * times.size() * names.size(), times.size() * names.size()};
    }
};

class Batch {
public:
    // Prepares the runs. Throws sim::Error with every problem of the options
    // (as Model::run) and of the parameters (E-UNKNOWN-NAME, E-NOT-CONSTANT,
    // E-ENGINE).
    Batch(const Model& model, BatchOptions opts);
    ~Batch();
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;

    const std::vector<std::string>& names() const;  // saved columns
    const std::vector<double>& times() const;       // saved times
    std::size_t rows() const { return times().size(); }
    std::size_t cols() const { return names().size(); }
    std::size_t parameters() const;

    // Runs every parameter set: `sets` holds runs x parameters() values,
    // row-major (with no parameters, `runs` says how many). A run that fails
    // throws its sim::Error, with a note naming the run and its values; no
    // partial result is returned. What the batch allocates (the results, and
    // one run's buffers per worker) is estimated first against
    // base.max_memory (default_memory_budget() if unset): E-MEMORY, naming
    // the budget, before anything is allocated; an allocation that fails
    // all the same is E-MEMORY "out of memory while running".
    BatchResult run(std::span<const double> sets) const;
    BatchResult run(std::size_t runs) const;  // no parameters: `runs` identical runs
    // The same into caller memory: `out` holds runs x rows() x cols().
    void run(std::span<const double> sets, std::span<double> out,
             std::vector<std::pair<std::size_t, Diagnostic>>* warnings = nullptr) const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace sim
