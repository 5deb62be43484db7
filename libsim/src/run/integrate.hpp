// The interpreter's run: a prepared plan in, Results out.
#pragma once

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

// Runs `plan` (from prepare_run) with the method's driver, evaluating with
// `kernel` (generated code matching `p`) or, if null, the VM. A run of
// generated code that meets a value that is not finite is repeated by the
// VM, which reports it. Throws sim::Error: E-NONFINITE / E-DIV-ZERO
// (on_nonfinite == error), E-BUDGET, E-INTEGRATION (the stepper failed).
Results integrate(const Program& p, RunPlan plan, const Kernel* kernel = nullptr);
// The same over the slot vector `s` instead of the plan's own (a copy of
// plan.slots with other constants set: the runs of an ensemble).
Results integrate(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel);

// E-MEMORY "out of memory while running": a std::bad_alloc of a run (or a
// batch of runs), within the memory budget but beyond what the process got.
[[noreturn]] void out_of_memory();

// The kernel a run with `opts` uses: null for the interpreter. Throws
// E-ENGINE when opts.engine is `generated` and the model has none.
const Kernel* select_kernel(const Model& m, const RunOptions& opts);

}  // namespace sim::detail
