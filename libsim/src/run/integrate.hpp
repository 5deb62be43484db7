// The interpreter's run: a prepared plan in, Results out.
#pragma once

#include <array>
#include <cmath>
#include <optional>
#include <span>
#include <utility>

#include "run/observers.hpp"
#include "run/prepare.hpp"

namespace sim::detail {

// What runs reuse from one to the next (sim::Batch): nothing a run needs is
// allocated again once these have grown to size.
struct Workspace {
    Workspace(const Program& p, const Grid& g) : events(p, g) {}
    Events events;
    std::vector<double> scratch;        // the generated Euler loop's
    std::vector<double> initial_slots;  // a generated run's start, to repeat it
};

// One run of `plan` over the slot vector `s` (the plan's slots or a copy
// with other constants), writing grid.rows() times and rows of the plan's
// columns to `times` and `values`, warnings to `warnings`. As integrate.
void run_plan(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, double* times, double* values,
              std::vector<Diagnostic>& warnings, Workspace& ws);

// Runs in SIMD lanes (sim::Batch): true if `kernel` has Kernel::euler_lanes
// and the plan is an Euler run without a wall-clock budget.
bool lanes_usable(const RunPlan& plan, const Kernel* kernel);
// kernel_lanes runs of `plan` at once, lane l over the slot vector s[l]
// into times[l] and values[l] with the workspace ws[l], each as run_plan
// would run it with `kernel` (lanes_usable), bit for bit. True for each run
// whose results stand; false for a run that met a value that is not
// finite or a warning (for every run when one did so at its start): the
// caller runs it again with run_plan, which reports it as always.
std::array<bool, kernel_lanes> run_plan_lanes(const Program& p, const RunPlan& plan, double* const* s,
                                              const Kernel& kernel, double* const* times, double* const* values,
                                              Workspace* ws);

// Runs `plan` (from prepare_run) with the method's driver, evaluating with
// `kernel` (generated code matching `p`) or, if null, the VM. A run of
// generated code that meets a value that is not finite is repeated by the
// VM, which reports it. Throws sim::Error: E-NONFINITE / E-DIV-ZERO
// (on_nonfinite == error), E-BUDGET, E-INTEGRATION (the stepper failed).
Results integrate(const Program& p, RunPlan plan, const Kernel* kernel = nullptr);
// The same over the slot vector `s` instead of the plan's own (a copy of
// plan.slots with other constants set: the runs of an ensemble).
Results integrate(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel);

// --- Runs that share their first steps (sim::run_ensemble's lever
// combinations). Runs whose slot vectors differ only in the `_on` and
// `_intensity` settings of levers that nothing else reads
// (Program::lever_gates), with values finite and not negative
// (gate_value_ok), compute the same bits up to the grid point before the
// earliest of those levers' starts: each lever's variable is +0 until then.
// One run to that point (run_to) and each run continued from it (run_from)
// give every run's results bit for bit as a whole run would.

inline bool gate_value_ok(double x) { return std::isfinite(x) && !std::signbit(x); }

// The grid points runs of `plan` over `s` that differ only in the slots
// `differing` share: 0 unless the method is Euler, each differing slot is a
// lever gate's on or intensity and not saved, and the levers start after the
// first grid point (their start slots read from s).
long shared_steps(const Program& p, const RunPlan& plan, const double* s, std::span<const Slot> differing);

// A run's state at grid point `step` (Euler): its slot vector, the rows it
// saved, its saver's countdown, its events (delays, PREVIOUS), its warnings.
struct Checkpoint {
    long step = 0;
    std::vector<double> slots;
    std::vector<double> times, values;  // the rows saved at points 0..step
    long until = 0;
    std::optional<Events> events;
    std::vector<Diagnostic> warnings;
};

// Runs `plan` over `s` (as run_plan) to grid point `step` and keeps its state.
Checkpoint run_to(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, long step, Workspace& ws);

// Continues the run of `cp` with the slots in `set` changed (differing
// slots of shared_steps), over the slot vector `s` (p.slots.size() values),
// to the end of the grid, writing every row to `times` and `values` (as
// run_plan). False when generated code met a value that is not finite: the
// caller then runs the run whole (run_plan), which reports it.
bool run_from(const Program& p, const RunPlan& plan, const Checkpoint& cp, std::span<const std::pair<Slot, double>> set,
              const Kernel* kernel, double* s, double* times, double* values, std::vector<Diagnostic>& warnings,
              Workspace& ws);

// kernel_lanes runs continued from `cp` at once (lanes_usable), lane l
// with the slots in sets[l] changed, over the slot vector s[l] (p.slots.size()
// values) into times[l] and values[l] (all the grid's rows), each as run_from
// would continue it, bit for bit. False for a run that met a value that is
// not finite: the caller runs it whole (run_plan), which reports it.
std::array<bool, kernel_lanes> run_from_lanes(const Program& p, const RunPlan& plan, const Checkpoint& cp,
                                              const std::span<const std::pair<Slot, double>>* sets,
                                              const Kernel& kernel, double* const* s, double* const* times,
                                              double* const* values);

// E-MEMORY "out of memory while running": a std::bad_alloc of a run (or a
// batch of runs), within the memory budget but beyond what the process got.
[[noreturn]] void out_of_memory();

// The kernel a run with `opts` uses: null for the interpreter. Throws
// E-ENGINE when opts.engine is `generated` and the model has none.
const Kernel* select_kernel(const Model& m, const RunOptions& opts);

}  // namespace sim::detail
