// Budget checkers (RunOptions::max_steps, max_wall_seconds), in Boost.Odeint's
// sense: small functors the drivers call at each accepted grid point (and
// the adaptive driver after each internal step), not code inside a stepper.
// Exceeding a budget throws E-BUDGET; no partial results are returned.
#pragma once

#include <chrono>
#include <string>

#include "run/prepare.hpp"

namespace sim::detail {

[[noreturn]] void over_budget(const RunPlan& plan, long k, const std::string& what);

// The grid was already checked against the budget (prepare_run refuses a
// run that needs more steps before it starts); this guards every driver's
// count of accepted points. One compare per step.
class StepBudget {
public:
    explicit StepBudget(const RunPlan& plan) : max_(plan.max_steps), plan_(plan) {}
    void operator()(long k) const {
        if (k > max_) exceeded(k);
    }

private:
    [[noreturn]] void exceeded(long k) const;
    long max_;
    const RunPlan& plan_;
};

// The clock starts when the checker is made; it is read every 256 grid
// points, and after every internal step of the adaptive stepper.
class ClockBudget {
public:
    explicit ClockBudget(const RunPlan& plan);
    void operator()(long k) const {
        if (timed_ && (k & 255) == 0) check(k);
    }
    void internal(long k) const {
        if (timed_) check(k);
    }

private:
    void check(long k) const;
    const RunPlan& plan_;
    bool timed_ = false;
    std::chrono::steady_clock::time_point deadline_;
};

struct Budgets {
    StepBudget steps;
    ClockBudget clock;
    explicit Budgets(const RunPlan& plan) : steps(plan), clock(plan) {}
    // At accepted grid point k, before it is evaluated.
    void operator()(long k) const {
        steps(k);
        clock(k);
    }
    // After an internal step of an adaptive stepper heading for point k.
    void internal(long k) const { clock.internal(k); }
};

}  // namespace sim::detail
