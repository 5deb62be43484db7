// Observers of a run, in Boost.Odeint's sense: they see the slot vector at
// accepted grid points and never change how a step is taken. Saving (rows
// at the grid's exact times), discrete events (PREVIOUS, fixed delays,
// non-negative stock clamping: only ever at accepted grid points, never in
// a Runge-Kutta stage) and the non-finite check with its diagnosis.
// AtGridPoint composes them into what happens when a driver arrives at a
// grid point. Everything a step touches is sized before the first step.
#pragma once

#include <vector>

#include "run/prepare.hpp"
#include "run/vm_exec.hpp"
#include "sim/kernel.hpp"

namespace sim::detail {

// How a run evaluates its tapes: the interpreter, or a model's generated
// code (sim/kernel.hpp). Everything else about a run is the same code.
struct Interpreted {
    const Program& p;
    void initial(double* s) const { run_tape(p, p.initial_tape, s); }
    void flows(double* s) const {
        exec(p.flow_tape.data(), p.flow_tape.data() + p.flow_tape.size(), s, p.tables.data(), p.vector_ops.data());
    }
};
struct Generated {
    const Kernel& k;
    void initial(double* s) const { k.initial(s); }
    void flows(double* s) const { k.flows(s); }
};

// True if every value is finite: x * 0 is 0 for finite x and NaN otherwise.
// Four independent sums, so that a long stretch is not one chain of
// dependent adds. (Testing the exponent bits with integer operations, which
// the compiler vectorises, measured 2 % slower on Chongqing's interpreter,
// which checks its stocks this way every step; not analysed further.)
inline bool all_finite(const double* v, std::size_t n) {
    double z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        z0 += v[i] * 0.0;
        z1 += v[i + 1] * 0.0;
        z2 += v[i + 2] * 0.0;
        z3 += v[i + 3] * 0.0;
    }
    for (; i < n; ++i) z0 += v[i] * 0.0;
    return (z0 + z1) + (z2 + z3) == 0;
}

// Writes one row per save_every grid points into Results sized up front,
// so that saving a row is plain stores (no capacity checks).
class Saver {
public:
    // `times` holds grid.rows() values, `values` grid.rows() x cols.size().
    // `checked`: the saved slots rows after the first check (RunPlan::checked).
    Saver(const std::vector<Slot>& cols, const std::vector<Slot>& checked, const Grid& g, double* times,
          double* values)
        : cols_(cols), checked_(checked), every_(g.save_every), first_time_(times), out_time_(times), out_(values) {}
    // The first row; true if every saved value is finite (one branch-free pass).
    bool save(const double* s) {
        *out_time_++ = s[slot_time];
        double z = 0;
        for (Slot c : cols_) {
            z += s[c] * 0.0;
            *out_++ = s[c];
        }
        return z == 0;
    }
    // At each grid point after the first. A countdown rather than k %
    // save_every: a 64-bit division per step costs as much as a small
    // model's whole flow tape. True unless a saved value is not finite:
    // only the columns a step writes that are not stocks are checked (the
    // drivers check the stocks before, and the rest was checked in the
    // first row), so a row is a copy and a short sum.
    bool step(const double* s) {
        if (--until_ != 0) return true;
        until_ = every_;
        *out_time_++ = s[slot_time];
        for (Slot c : cols_) *out_++ = s[c];
        double z = 0;
        for (Slot c : checked_) z += s[c] * 0.0;
        return z == 0;
    }
    bool only_first_row() const { return out_time_ == first_time_ + 1; }

    // Where the next row goes, for generated code that saves rows itself.
    struct Cursor {
        double* t;
        double* v;
        long until;
    };
    Cursor cursor() const { return {out_time_, out_, until_}; }
    void set_cursor(const Cursor& c) {
        out_time_ = c.t;
        out_ = c.v;
        until_ = c.until;
    }

private:
    const std::vector<Slot>& cols_;
    const std::vector<Slot>& checked_;
    long every_, until_ = every_;
    double* first_time_;
    double* out_time_;
    double* out_;
};

// PREVIOUS, fixed delays and clamping of non-negative stocks.
class Events {
public:
    Events(const Program& p, const Grid& g) : p_(p), grid_(g), any_(p.has_events()) {}
    bool any() const { return any_; }
    // After the initial values: a delay's output holds its initial value
    // until its input has arrived; the histories hold one value per point.
    void start(const double* s);
    // Before the flows at a grid point are evaluated (stocks already there).
    void before(double* s, bool clamp);
    // After the flows at a grid point are evaluated: record the inputs.
    void after(const double* s) {
        for (std::size_t i = 0; i < p_.previous.size(); ++i) latch_[i] = s[p_.previous[i].input];
        if (p_.delays.empty()) return;
        for (std::size_t i = 0; i < p_.delays.size(); ++i) history_[i][recorded_] = s[p_.delays[i].input];
        ++recorded_;
    }

    // The same state, for generated code that applies the events itself
    // (sim::KernelRun): lent with lend, taken back with take_back.
    void lend(KernelRun& r) {
        history_ptrs_.clear();
        for (auto& h : history_) history_ptrs_.push_back(h.data());
        r.latch = latch_.data();
        r.history = history_ptrs_.data();
        r.delay_initial = delay_initial_.data();
        r.recorded = recorded_;
    }
    void take_back(const KernelRun& r) { recorded_ = r.recorded; }
    // o's state (another run of the same program and grid, stopped at a grid
    // point): what a run continued from there needs (run_from, run/integrate.hpp).
    void copy_state(const Events& o) {
        delay_initial_ = o.delay_initial_;
        latch_ = o.latch_;
        history_ = o.history_;
        recorded_ = o.recorded_;
    }

    // E-DELAY-TIME: fixed delay i's time is `value` (negative) at grid time t.
    [[noreturn]] void negative_delay(std::size_t i, double t, double value) const;

private:
    const Program& p_;
    Grid grid_;
    bool any_;
    std::vector<double> delay_initial_, latch_;
    std::vector<std::vector<double>> history_;  // delay inputs at t_0..t_steps, sized before the first step
    std::size_t recorded_ = 0;                  // points recorded in every history
    std::vector<double*> history_ptrs_;
};

// RunOptions::on_nonfinite. The drivers test finiteness cheaply (one
// branch-free pass); only when that fails is the cause looked for, here.
class NonFiniteCheck {
public:
    // Warnings (under `warn`) go to `warnings`.
    NonFiniteCheck(const Program& p, const RunPlan& plan, std::vector<Diagnostic>& warnings)
        : p_(p), grid_(plan.grid), loc_(*plan.loc), warnings_(warnings), on_(plan.on_nonfinite != NonFinite::ignore),
          warn_(plan.on_nonfinite == NonFinite::warn) {}
    // Cleared by `ignore`, and after the first warning (everything after it
    // follows from it).
    bool on() const { return on_; }

    // The slots hold one consistent evaluation at s[slot_time] and some
    // value is not finite: report the first user variable, in evaluation
    // order, whose value is not finite, with its equation and whether a
    // division by zero made it (E-DIV-ZERO, else E-NONFINITE). Throws, or
    // under `warn` records a warning and returns true. `initial`: the
    // evaluation at the start time (the initial-value tape counts too).
    // `last_try` false: if no variable is to blame, return false and report
    // nothing (the caller tries another evaluation).
    bool report(const double* s, bool initial, bool last_try = true);

    // The stocks are not finite after the step to grid point k: find the
    // cause at t_{k-1}. `x_prev` (Runge-Kutta) is the state there, which is
    // re-evaluated at the stage times; nullptr (Euler) means the slots other
    // than the stocks still hold that evaluation. Under `warn` the stocks
    // are left as computed.
    void stocks_went_bad(double* s, long k, const double* x_prev);

private:
    struct Culprit {
        const VarInfo* var = nullptr;
        bool div0 = false, overflow = false;
        bool singular = false;  // an INVERT MATRIX of the variable's gave NaN: a singular matrix
        bool hidden = false;    // a stock hidden inside the variable's SMTH/DELAY/TREND went bad
        double hidden_value = 0;  // that stock's value
    };
    // `hidden`: when no user variable is found, and no user stock went bad,
    // look at the stocks hidden inside SMTH/DELAY/TREND (their owner).
    Culprit find(const double* s, bool initial, bool hidden = false) const;
    Diagnostic describe(const Culprit& c, const double* s, bool initial) const;
    double stock_after(const VarInfo& v, const double* s) const;
    double stock_after(std::uint32_t stock, const double* s) const;  // by index from stock_begin

    const Program& p_;
    Grid grid_;
    const SourceLoc& loc_;  // the run's specs (the plan outlives the run)
    std::vector<Diagnostic>& warnings_;
    bool on_, warn_;
    std::vector<double> stocks_after_;  // the non-finite stocks, for the report
};

// What happens when a driver arrives at grid point k (the stocks already
// hold their values at t_k): the clock, events, the flow tape, saving.
template <class Eval>
class AtGridPoint {
public:
    AtGridPoint(const Eval& eval, double* s, const Grid& g, Events& ev, Saver& saver, NonFiniteCheck& check)
        : eval_(eval), s_(s), grid_(g), events_(ev), saver_(saver), check_(check) {}
    // `clamp`: clamp non-negative stocks first (Euler clamps in the step).
    void operator()(long k, bool clamp) {
        s_[slot_time] = grid_.at(k);
        if (events_.any()) events_.before(s_, clamp);
        eval_.flows(s_);
        if (events_.any()) events_.after(s_);
        if (!saver_.step(s_) && check_.on()) check_.report(s_, false);
    }

private:
    const Eval eval_;
    double* s_;
    Grid grid_;
    Events& events_;
    Saver& saver_;
    NonFiniteCheck& check_;
};

}  // namespace sim::detail
