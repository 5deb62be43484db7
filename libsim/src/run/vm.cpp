// The VM: executes register-style tapes over the slot vector. One switch
// dispatch per instruction, no allocation, no name lookup.
#include "run/vm.hpp"

#include "run/vm_exec.hpp"

namespace sim::detail {

static_assert(static_cast<int>(LookupKind::continuous) == ops::lookup_continuous &&
              static_cast<int>(LookupKind::extrapolate) == ops::lookup_extrapolate &&
              static_cast<int>(LookupKind::discrete) == ops::lookup_discrete);

double lookup(const Table& t, double x) {
    return ops::lookup(static_cast<int>(t.kind), t.x.data(), t.y.data(), t.x.size(), x);
}

void run_tape(const Program& p, const std::vector<Instr>& tape, double* s) {
    exec(tape.data(), tape.data() + tape.size(), s, p.tables.data(), p.vector_ops.data());
}

void derivatives(const Program& p, const double* s, double* d) {
    for (std::uint32_t i = 0; i < p.stock_count; ++i) d[i] = 0.0;
    for (const auto& term : p.inflow_terms) d[term.stock] += s[term.flow];
    for (const auto& term : p.outflow_terms) d[term.stock] -= s[term.flow];
}

}  // namespace sim::detail
