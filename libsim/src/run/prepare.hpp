// Run preparation, shared by every engine (the interpreter's integrate() and
// native mode): options validated, effective specs, overrides written into
// the slot vector, the saved columns, the time grid and the budgets. Nothing
// is evaluated here and nothing is allocated in proportion to the run's
// length, so a refused run costs nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "compile/program.hpp"

namespace sim::detail {

// The time grid: point k is start + k * dt (computed, never accumulated),
// k = 0..steps; a row is saved every `save_every` points from k = 0.
struct Grid {
    double start = 0, dt = 1;
    long steps = 0, save_every = 1;
    double at(long k) const { return start + static_cast<double>(k) * dt; }
    std::size_t rows() const { return static_cast<std::size_t>(steps / save_every + 1); }
};

struct RunPlan {
    SimSpecs specs;              // effective and validated; its strings (loc, time_units) left empty
    const SourceLoc* loc = nullptr;  // the model's specs' place (the program outlives the plan)
    Grid grid;
    std::vector<double> slots;   // the template with overrides and the fixed slots set
    std::vector<Slot> cols;      // saved slots, in column order
    Names names;                     // their display names
    bool all_columns = false;        // cols are every user variable in model order
    std::vector<Slot> checked;       // the saved slots a step writes, not stocks (Program::step_written):
                                     // what rows after the first check for non-finite values
    NonFinite on_nonfinite = NonFinite::error;
    long max_steps = std::numeric_limits<long>::max();
    std::optional<double> max_wall_seconds;
};

// Throws sim::Error: every problem with the options at once (E-SPECS, E-DT,
// E-STOP, E-SAVE-STEP, E-TOLERANCE, E-UNKNOWN-NAME, E-NOT-CONSTANT,
// E-BUDGET); then, for valid options, a grid too long to count (E-DT) or
// longer than the step budget (E-BUDGET).
RunPlan prepare_run(const Program& p, const RunOptions& opts);

// What one run of `plan` allocates in proportion to its length, in bytes,
// estimated before any of it is: the results (rows x (columns + time)), the
// fixed-delay histories (one value per grid point each) and the slot vector.
// prepare_run refuses a plan whose estimate is over the budget.
double run_memory(const Program& p, const RunPlan& plan);

// Whether `bytes` fit the memory budget `max_memory` (RunOptions::max_memory;
// default_memory_budget() when unset, without asking the system for a need
// below min_memory_budget). The one budget test of a run, a batch, a
// comparison and an ensemble's shared steps.
bool fits_memory(double bytes, const std::optional<std::uint64_t>& max_memory);

}  // namespace sim::detail
