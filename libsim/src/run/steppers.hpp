// Stepper drivers, in Boost.Odeint's sense: each advances the stocks from
// grid point k-1 to k and hands every accepted point to the observer, with
// the budget checker called first. The time grid is start + k*dt (never
// accumulated). Discrete events happen only in the observer, at accepted
// points; inside Runge-Kutta stages their outputs hold their last values.
//
// Euler is a direct loop over the slot vector: the stocks are slots, so one
// step is "stock += dt * (inflows - outflows)" for each stock, then the
// observer, with no state copy, no allocation and no stepper overhead (the
// architecture's measurement: odeint's euler over a separate vector cost
// ~10x a hand loop on SIR). RK2 (Heun, odeint explicit_generic_rk), RK4
// (runge_kutta4) and rk45 (runge_kutta_dopri5 with dense output) use
// Boost.Odeint over a std::vector state that the system function copies into
// the stock slots.
//
// Driver contract: Checker has operator()(k) and internal(k); Observer has
// operator()(k, clamp). When the stocks are not finite after a step, the
// driver asks the NonFiniteCheck for the cause before the observer runs.
#pragma once

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <type_traits>
#include <vector>

#include "run/observers.hpp"

namespace sim::detail {

namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

// What the drivers step: the stocks are slots [stock_begin, stock_begin +
// stock_count) of the slot vector `s`.
struct Stepping {
    const Program& p;
    double* s;
    const Grid& grid;
    NonFiniteCheck& check;
    double* stocks() const { return s + p.stock_begin; }
};

// Stella's non-negative stocks under Euler (steppers.cpp).
void limit_outflows(const Program& p, const double* s, double dt, std::vector<double>& next);

// Euler with non-negative stocks: the next state in a buffer made once per
// run, outflows limited, then stored.
template <class Checker, class Observer>
void drive_euler_nonneg(const Stepping& st, Checker& budget, Observer& at, long first, long last) {
    const Program& p = st.p;
    NonFiniteCheck& check = st.check;
    double* x = st.stocks();
    const double dt = st.grid.dt;
    std::vector<double> next(p.stock_count);
    for (long k = first; k <= last; ++k) {
        derivatives(p, st.s, next.data());
        for (std::uint32_t i = 0; i < p.stock_count; ++i) next[i] = x[i] + dt * next[i];
        limit_outflows(p, st.s, dt, next);
        std::copy(next.begin(), next.end(), x);
        if (check.on() && !all_finite(x, p.stock_count)) check.stocks_went_bad(st.s, k, nullptr);
        budget(k);
        at(k, false);
    }
}

// Euler takes grid points first..last (1..steps for a whole run; a run
// continued from a checkpoint, run_from in run/integrate.hpp, starts later).
template <class Checker, class Observer>
void drive_euler(const Stepping& st, Checker& budget, Observer& at, long first, long last) {
    if (!st.p.nonneg_stocks.empty()) return drive_euler_nonneg(st, budget, at, first, last);
    const Program& p = st.p;
    NonFiniteCheck& check = st.check;
    const double* s = st.s;
    double* x = st.stocks();
    const double dt = st.grid.dt;
    const Slot* fs = p.flow_slots.data();
    for (long k = first; k <= last; ++k) {
        // The finiteness check rides along with the updates (only these
        // stocks change): re-reading them afterwards as one vector load
        // defeats store-to-load forwarding, a stall that cost 10-15% of
        // SIR's run (docs/performance.md).
        double z = 0;
        // net = in... - out..., from the first term on (not 0 + ...: one
        // add fewer on the step's latency chain; the generated code sums
        // the same way, see plain_update): stocks with an inflow first.
        const auto* g = p.stock_flows.data();
        const auto* const g_out = g + p.stock_flows_in_first;
        const auto* const g_end = g + p.stock_flows.size();
        for (; g != g_out; ++g) {
            double net = s[fs[g->in_begin]];
            for (auto j = g->in_begin + 1; j < g->out_begin; ++j) net += s[fs[j]];
            for (auto j = g->out_begin; j < g->end; ++j) net -= s[fs[j]];
            const double v = x[g->stock] + dt * net;
            x[g->stock] = v;
            z += v * 0.0;
        }
        for (; g != g_end; ++g) {  // outflows only
            // x - dt * (out1 + out2 ...): the same bits as x + dt * (-out1
            // - out2 ...) (IEEE rounding is symmetric in sign, and a + (-b)
            // is a - b), without a negation on the step's latency chain.
            double out = s[fs[g->in_begin]];
            for (auto j = g->in_begin + 1; j < g->end; ++j) out += s[fs[j]];
            const double v = x[g->stock] - dt * out;
            x[g->stock] = v;
            z += v * 0.0;
        }
        if (check.on() && z != 0) check.stocks_went_bad(st.s, k, nullptr);
        budget(k);
        at(k, false);
    }
}

// Euler through generated code (sim/kernel.hpp): the kernel takes the
// steps, doing what drive_euler/drive_euler_nonneg and the grid-point
// observer do, in one call, or in chunks of 256 points when the wall-clock
// budget is on (checked between them). Values that are not finite are only
// noticed here, after a chunk (the stocks, and what the kernel summed, x * 0,
// over the values it saved and over the non-negative stocks at each step,
// since a limit can set those back to 0): the run then throws
// NeedsInterpreter and is repeated by the interpreter, which finds and
// reports the cause exactly as always.
struct NeedsInterpreter {};

template <class Checker>
void drive_kernel_euler(const Stepping& st, const Kernel& kernel, const RunPlan& plan, Checker& budget,
                        Events& events, Saver& saver, std::vector<double>& scratch, bool chunked, long first,
                        long last) {
    static_assert(std::is_same_v<Slot, unsigned>, "KernelRun::cols is the plan's columns");
    const Program& p = st.p;
    scratch.resize(p.stock_count);
    KernelRun r{};
    r.s = st.s;
    r.start = st.grid.start;
    r.dt = st.grid.dt;
    r.save_every = st.grid.save_every;
    const Saver::Cursor c = saver.cursor();
    r.out_t = c.t;
    r.out_v = c.v;
    r.until = c.until;
    r.cols = plan.cols.data();
    r.ncols = plan.cols.size();
    r.all_columns = plan.all_columns ? 1 : 0;
    events.lend(r);
    r.scratch = scratch.data();
    for (long k0 = first; k0 <= last;) {
        const long k1 = chunked ? std::min(last, k0 + 255) + 1 : last + 1;
        r.k_begin = k0;
        r.k_end = k1;
        kernel.euler(r);
        if (st.check.on() && (r.bad != 0 || !all_finite(st.stocks(), p.stock_count))) throw NeedsInterpreter{};
        if (r.failed_delay != 0) {  // stopped at grid time s[0], where Events::before stops the interpreter
            const std::size_t i = r.failed_delay - 1;
            events.negative_delay(i, st.s[slot_time], st.s[p.delays[i].delay_time]);
        }
        budget(k1 - 1);
        k0 = k1;
    }
    saver.set_cursor({r.out_t, r.out_v, r.until});
    events.take_back(r);
}

// The right-hand side odeint calls (at trial times too): stocks from x, the
// flow tape at t, the stock derivatives.
template <class Eval>
struct System {
    const Program* p;
    double* s;
    Eval eval;
    void operator()(const State& x, State& dxdt, double t) const {
        std::copy(x.begin(), x.end(), s + p->stock_begin);
        s[slot_time] = t;
        eval.flows(s);
        derivatives(*p, s, dxdt.data());
    }
};

// A fixed-step odeint stepper (RK2, RK4) on the grid.
template <class Stepper, class Eval, class Checker, class Observer>
void drive_fixed(Stepper stepper, const Stepping& st, const Eval& eval, Checker& budget, Observer& at) {
    const Program& p = st.p;
    State x(st.stocks(), st.stocks() + p.stock_count), dxdt(p.stock_count), prev;
    derivatives(p, st.s, dxdt.data());  // flows at t0 are already evaluated
    const System<Eval> sys{&p, st.s, eval};
    for (long k = 1; k <= st.grid.steps; ++k) {
        if (st.check.on()) prev = x;
        stepper.do_step(sys, x, dxdt, st.grid.at(k - 1), st.grid.dt);
        std::copy(x.begin(), x.end(), st.stocks());
        if (st.check.on() && !all_finite(st.stocks(), p.stock_count)) st.check.stocks_went_bad(st.s, k, prev.data());
        budget(k);
        at(k, true);
        if (!p.nonneg_stocks.empty()) std::copy(st.stocks(), st.stocks() + p.stock_count, x.begin());
        derivatives(p, st.s, dxdt.data());
    }
}

// Dormand-Prince 5(4) with dense output: free adaptive steps, the state at
// each grid point by interpolation. With discrete events the stepper is
// restarted at every grid point from the (possibly changed) state.
template <class Eval, class Checker, class Observer>
void drive_adaptive(const Stepping& st, const Eval& eval, double atol, double rtol, Checker& budget, Observer& at) {
    const Program& p = st.p;
    const double dt = st.grid.dt;
    State x(st.stocks(), st.stocks() + p.stock_count), prev;
    auto stepper = odeint::make_dense_output(atol, rtol, odeint::runge_kutta_dopri5<State>());
    const System<Eval> sys{&p, st.s, eval};
    stepper.initialize(x, st.grid.start, dt);
    for (long k = 1; k <= st.grid.steps; ++k) {
        const double tk = st.grid.at(k);
        if (st.check.on()) prev = x;
        while (stepper.current_time() < tk - time_eps(dt)) {
            stepper.do_step(sys);
            budget.internal(k);
            // A non-finite error estimate never shrinks the step: stop
            // rather than integrate NaN.
            if (st.check.on() && !all_finite(stepper.current_state().data(), p.stock_count)) break;
        }
        stepper.calc_state(tk, x);
        std::copy(x.begin(), x.end(), st.stocks());
        if (st.check.on() && !all_finite(st.stocks(), p.stock_count)) st.check.stocks_went_bad(st.s, k, prev.data());
        budget(k);
        at(k, true);
        if (p.has_events()) {
            std::copy(st.stocks(), st.stocks() + p.stock_count, x.begin());
            stepper.initialize(x, tk, std::min(stepper.current_time_step(), 10 * dt));
        }
    }
}

}  // namespace sim::detail
