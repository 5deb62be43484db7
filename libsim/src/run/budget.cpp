// Budget checkers (budget.hpp): the messages and the clock.
#include "run/budget.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace sim::detail {

void over_budget(const RunPlan& plan, long k, const std::string& what) {
    const Grid& g = plan.grid;
    Diagnostics ds;
    ds.error(sim::Code::E_BUDGET, *plan.loc, "",
             "the run was stopped at time " + text::number(g.at(k - 1)) + " after " + std::to_string(k - 1) +
                 " of " + std::to_string(g.steps) + " steps: " + what + "; no results were written");
    throw Error(std::move(ds));
}

void StepBudget::exceeded(long k) const {
    over_budget(plan_, k, "it needs more than the step budget of " + std::to_string(max_) + " steps (--max-steps)");
}

ClockBudget::ClockBudget(const RunPlan& plan) : plan_(plan) {
    if (!plan.max_wall_seconds) return;
    timed_ = true;
    auto d = std::chrono::duration<double>(std::min(*plan.max_wall_seconds, 1e9));
    deadline_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

void ClockBudget::check(long k) const {
    if (std::chrono::steady_clock::now() > deadline_)
        over_budget(plan_, k,
                    "it ran longer than the wall-clock budget of " + text::number(*plan_.max_wall_seconds) +
                        " s (--max-seconds)");
}

}  // namespace sim::detail
