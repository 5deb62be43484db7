// The VM's entry points (vm.cpp); the inner loop itself is vm_exec.hpp.
#pragma once

#include <vector>

#include "compile/program.hpp"

namespace sim::detail {

// Executes `tape` over the slot vector `s`.
void run_tape(const Program& p, const std::vector<Instr>& tape, double* s);
// d[i] = sum of stock i's inflows - sum of its outflows, from the flow slots.
void derivatives(const Program& p, const double* s, double* d);

}  // namespace sim::detail
