// Stepper support that need not be a template (steppers.hpp).
#include "run/steppers.hpp"

#include "sim/ops.hpp"

namespace sim::detail {

// A stock that would go below zero delivers only what it holds, so its
// outflows are cut in proportion and the stocks those outflows feed receive
// that much less. The flows' reported values are unchanged (as in Stella's
// output).
//
// A NaN stays NaN (neither limited nor clamped to 0), so that the check of
// the stocks reports it and its cause: clamped, a 0/0 in a flow at a step
// that is not saved vanished without a word.
void limit_outflows(const Program& p, const double* s, double dt, std::vector<double>& next) {
    for (auto i : p.nonneg_stocks) {
        if (!(next[i] < 0)) continue;
        double out = 0;
        for (const auto& t : p.outflow_terms)
            if (t.stock == i) out += dt * std::max(0.0, s[t.flow]);
        if (out > 0) {
            double withheld = std::min(1.0, -next[i] / out);
            for (const auto& t : p.outflow_terms) {
                if (t.stock != i || s[t.flow] <= 0) continue;
                for (const auto& u : p.inflow_terms)
                    if (u.flow == t.flow && u.stock != i) next[u.stock] -= dt * s[t.flow] * withheld;
            }
        }
        next[i] = 0;
    }
    for (auto i : p.nonneg_stocks) next[i] = ops::nonneg(next[i]);  // -0 -> 0, NaN stays
}

}  // namespace sim::detail
