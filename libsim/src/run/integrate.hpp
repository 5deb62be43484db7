// The interpreter's run: a prepared plan in, Results out.
#pragma once

#include "run/prepare.hpp"

namespace sim::detail {

// Runs `plan` (from prepare_run) with the VM and the method's driver.
// Throws sim::Error: E-NONFINITE / E-DIV-ZERO (on_nonfinite == error),
// E-BUDGET, E-INTEGRATION (the stepper failed).
Results integrate(const Program& p, RunPlan plan);

}  // namespace sim::detail
