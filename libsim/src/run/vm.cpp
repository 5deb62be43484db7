// The VM: executes register-style tapes over the slot vector. One switch
// dispatch per instruction, no allocation, no name lookup.
#include "run/vm.hpp"

#include <algorithm>
#include <cmath>

#include "run/vm_exec.hpp"

namespace sim::detail {

double lookup(const Table& t, double x) {
    const auto& xs = t.x;
    const auto& ys = t.y;
    const std::size_t n = xs.size();
    if (n == 1) return ys[0];
    if (std::isnan(x)) return x;
    if (t.kind == LookupKind::discrete) {
        // Value of the last point whose x <= input; the first y below the range.
        auto it = std::upper_bound(xs.begin(), xs.end(), x);
        if (it == xs.begin()) return ys[0];
        return ys[static_cast<std::size_t>(it - xs.begin()) - 1];
    }
    std::size_t i;  // segment [i, i+1]
    if (x <= xs[0]) {
        if (t.kind == LookupKind::continuous) return ys[0];
        i = 0;
    } else if (x >= xs[n - 1]) {
        if (t.kind == LookupKind::continuous) return ys[n - 1];
        i = n - 2;
    } else {
        i = static_cast<std::size_t>(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin()) - 1;
    }
    double x0 = xs[i], x1 = xs[i + 1];
    return ys[i] + (ys[i + 1] - ys[i]) * (x - x0) / (x1 - x0);
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
