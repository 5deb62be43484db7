// Integrators. The time grid is start + k*dt (never accumulated). Discrete
// events (PREVIOUS, fixed DELAY, non-negative stock clamping) happen only at
// grid points k, after the stocks reach t_k and before flows are evaluated
// there; inside Runge-Kutta stages their outputs hold their last values.
//
// Euler is a direct loop over the slot vector: the stocks are slots, so one
// step is "flow tape, then stock += dt * flow for each flow term", with no
// state copy, no allocation and no stepper overhead (the architecture's
// measurement: odeint's euler over a separate vector cost ~10x a hand loop on
// SIR). RK2 (Heun, odeint explicit_generic_rk), RK4 (runge_kutta4) and rk45
// (runge_kutta_dopri5 with dense output) use Boost.Odeint over a
// std::vector state that the system function copies into the stock slots.
//
// Run-time checks (RunOptions): every stock after each step and every saved
// value are tested for NaN/inf in one branch-free pass (x * 0 is 0 exactly
// when x is finite). Only when that fails is the cause looked for: the
// flow tape is walked in evaluation order, over the values of the last
// evaluation (Euler) or of a re-evaluation at the last accepted grid point
// (Runge-Kutta), and the first user variable holding a non-finite value is
// reported with its equation, and whether one of its divisions had a zero
// divisor (E-DIV-ZERO rather than E-NONFINITE). The step budget is one
// compare per step; the wall clock is read every 256 steps.
#include <boost/numeric/odeint.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "run/vm_exec.hpp"

namespace sim::detail {
namespace {

namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

// Heun's method (explicit trapezoid): c = (0, 1), a21 = 1, b = (1/2, 1/2).
struct Heun : odeint::explicit_generic_rk<2, 2, State, double, State, double> {
    using base = odeint::explicit_generic_rk<2, 2, State, double, State, double>;
    static coef_a_type coef_a() {
        boost::array<double, 1> a1 = {{1.0}};
        return coef_a_type(a1);
    }
    Heun() : base(coef_a(), coef_b_type{{0.5, 0.5}}, coef_c_type{{0.0, 1.0}}) {}
};

std::string num(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// True if every value is finite: x * 0 is 0 for finite x and NaN otherwise.
inline bool all_finite(const double* v, std::size_t n) {
    double z = 0;
    for (std::size_t i = 0; i < n; ++i) z += v[i] * 0.0;
    return z == 0;
}

// True if `in` divides by a zero divisor in the current slot values.
bool divides_by_zero(const Instr& in, const double* s) {
    const int op = static_cast<int>(in.op);
    if (in.op == Code::div || in.op == Code::mod) return s[in.b] == 0;
    auto ar = [](int o, double x, double y) { return o == 0 ? x + y : o == 1 ? x - y : o == 2 ? x * y : x / y; };
    if (op >= static_cast<int>(Code::fused_l2) && op < static_cast<int>(Code::fused_r2)) {
        const int k = op - static_cast<int>(Code::fused_l2), o1 = k / 4, o2 = k % 4;
        return (o1 == 3 && s[in.b] == 0) || (o2 == 3 && s[in.c] == 0);
    }
    if (op >= static_cast<int>(Code::fused_r2) && op < static_cast<int>(Code::fused_l3)) {
        const int k = op - static_cast<int>(Code::fused_r2), o1 = k / 4, o2 = k % 4;
        return (o1 == 3 && s[in.c] == 0) || (o2 == 3 && ar(o1, s[in.b], s[in.c]) == 0);
    }
    if (op >= static_cast<int>(Code::fused_l3) && op < static_cast<int>(Code::fused_end)) {
        const int k = op - static_cast<int>(Code::fused_l3), o1 = k / 16, o2 = (k / 4) % 4, o3 = k % 4;
        return (o1 == 3 && s[in.b] == 0) || (o2 == 3 && s[in.c] == 0) || (o3 == 3 && s[in.d] == 0);
    }
    return false;
}

class Run {
public:
    Run(const Program& p, const SimSpecs& specs, std::vector<double>& s, const std::vector<Slot>& cols,
        Results& r, const RunOptions& opts)
        : p_(p), start_(specs.start), dt_(specs.dt), s_(s), cols_(cols), r_(r), spec_loc_(specs.loc) {
        check_ = opts.on_nonfinite != NonFinite::ignore;
        warn_ = opts.on_nonfinite == NonFinite::warn;
        if (opts.max_steps)
            max_steps_ = static_cast<long>(std::min<std::uint64_t>(*opts.max_steps, std::numeric_limits<long>::max()));
        if (opts.max_wall_seconds) {
            timed_ = true;
            wall_budget_ = *opts.max_wall_seconds;
            began_ = std::chrono::steady_clock::now();
            auto d = std::chrono::duration<double>(std::min(wall_budget_, 1e9));
            deadline_ = began_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
        }
        double steps = (specs.stop - specs.start) / specs.dt;
        // Before anything is allocated: a step count past 2^52 cannot even be
        // counted exactly (and past LONG_MAX the conversion is undefined).
        if (!(steps < 4.5e15)) {
            Diagnostics ds;
            ds.error(sim::Code::E_DT, specs.loc, "",
                     "the run from " + num(specs.start) + " to " + num(specs.stop) + " with dt " + num(specs.dt) +
                         " would take " + num(std::floor(steps)) + " steps; use a larger dt or a shorter run");
            throw Error(std::move(ds));
        }
        n_ = static_cast<long>(std::floor(steps + 1e-9 * std::max(1.0, steps)));
        if (n_ > max_steps_) {
            Diagnostics ds;
            ds.error(sim::Code::E_BUDGET, specs.loc, "",
                     "the run needs " + std::to_string(n_) + " steps, more than the step budget of " +
                         std::to_string(max_steps_) + " (--max-steps); nothing was run");
            throw Error(std::move(ds));
        }
        double ratio = specs.save_step.value_or(specs.dt) / specs.dt;
        save_every_ = std::max<long>(1, std::lround(ratio));
        until_save_ = save_every_;
        s_[slot_time] = start_;
        s_[slot_dt] = dt_;
        s_[slot_start] = specs.start;
        s_[slot_stop] = specs.stop;
        // Pre-sized so that saving a row is plain stores (no capacity checks).
        std::size_t rows = static_cast<std::size_t>(n_ / save_every_ + 1);
        r_.times.resize(rows);
        r_.values.resize(rows * cols_.size());
        out_time_ = r_.times.data();
        out_ = r_.values.data();
        events_ = p_.has_events();
        flow_begin_ = p_.flow_tape.data();
        flow_end_ = flow_begin_ + p_.flow_tape.size();
    }

    void run(const SimSpecs& specs) {
        double* s = s_.data();
        run_tape(p_, p_.initial_tape, s);
        delay_initial_.resize(p_.delays.size());
        history_.resize(p_.delays.size());
        for (std::size_t i = 0; i < p_.delays.size(); ++i) {
            delay_initial_[i] = s[p_.delays[i].out];
            history_[i].reserve(static_cast<std::size_t>(n_) + 1);
        }
        latch_.resize(p_.previous.size());
        // Flows at the initial time (the tape also refreshes every auxiliary
        // from the stocks' initial values).
        run_tape(p_, p_.flow_tape, s);
        after_eval();
        save();
        if (check_ && !stocks_finite()) nonfinite(true);
        switch (specs.method) {
            case Method::euler: euler(); break;
            case Method::rk2: fixed_step(Heun()); break;
            case Method::rk4: fixed_step(odeint::runge_kutta4<State>()); break;
            case Method::rk45: adaptive(specs.atol, specs.rtol); break;
        }
    }

private:
    const Program& p_;
    double start_, dt_;
    std::vector<double>& s_;
    const std::vector<Slot>& cols_;
    Results& r_;
    long n_ = 0, save_every_ = 1;
    long until_save_ = 1;
    bool events_ = false;
    const Instr* flow_begin_ = nullptr;
    const Instr* flow_end_ = nullptr;
    double* out_time_ = nullptr;
    double* out_ = nullptr;
    std::vector<double> delay_initial_, latch_;
    std::vector<std::vector<double>> history_;  // delay inputs at t_0..t_k
    SourceLoc spec_loc_;
    // Run-time checks.
    bool check_ = true;  // cleared by `ignore`, and after the first warning
    bool warn_ = false;
    long max_steps_ = std::numeric_limits<long>::max();
    bool timed_ = false;
    double wall_budget_ = 0;
    std::chrono::steady_clock::time_point began_, deadline_;
    State prev_;  // RK methods: the stocks at the last accepted grid point

    bool stocks_finite() { return all_finite(stocks(), p_.stock_count); }

    // The slots hold one consistent evaluation at s[slot_time] and some value
    // is not finite: report the first user variable, in evaluation order,
    // whose value is not finite. `initial`: the evaluation at the start time
    // (the initial-value tape counts too).
    // `last_try` false: return false, reporting nothing, if no variable is
    // to blame (the caller tries another evaluation).
    bool nonfinite(bool initial, bool last_try = true) {
        const double* s = s_.data();
        const double t = s[slot_time];
        std::unordered_map<Slot, std::size_t> var_of;
        for (std::size_t i = 0; i < p_.vars.size(); ++i) var_of.emplace(p_.vars[i].slot, i);
        const VarInfo* culprit = nullptr;
        bool div0 = false;
        // Variables no tape writes (constants, folded values): only at the start.
        if (initial) {
            std::vector<char> written(s_.size(), 0);
            for (const auto* tape : {&p_.initial_tape, &p_.flow_tape})
                for (const auto& in : *tape) written[in.dst] = 1;
            for (const auto& v : p_.vars)
                if (!written[v.slot] && v.kind != VarKind::stock && !std::isfinite(s[v.slot])) {
                    culprit = &v;
                    break;
                }
        }
        auto walk = [&](const std::vector<Instr>& tape) {
            std::size_t first = 0;  // first instruction of the current variable
            for (std::size_t i = 0; i < tape.size() && !culprit; ++i) {
                auto it = var_of.find(tape[i].dst);
                if (it == var_of.end()) continue;
                if (!std::isfinite(s[tape[i].dst])) {
                    culprit = &p_.vars[it->second];
                    for (std::size_t j = first; j <= i; ++j) div0 = div0 || divides_by_zero(tape[j], s);
                }
                first = i + 1;
            }
        };
        if (initial && !culprit) {
            for (const auto& v : p_.vars)  // a stock whose initial value is not finite
                if (v.kind == VarKind::stock && !std::isfinite(s[v.slot])) {
                    walk(p_.initial_tape);
                    if (!culprit) culprit = &v;
                    break;
                }
        }
        if (!culprit) walk(p_.flow_tape);
        if (!culprit && !last_try) return false;
        bool overflow = false;
        if (!culprit) {
            // Every flow and auxiliary is finite here: a stock overflowed in
            // the step, or (Runge-Kutta) went bad at an intermediate stage.
            overflow = true;
            for (const auto& v : p_.vars)
                if (v.kind == VarKind::stock && !std::isfinite(stocks_after_[v.slot - p_.stock_begin])) {
                    culprit = &v;
                    break;
                }
        }
        Diagnostic d;
        d.severity = warn_ ? Severity::warning : Severity::error;
        d.code = div0 ? sim::Code::E_DIV_ZERO : sim::Code::E_NONFINITE;
        d.loc = spec_loc_;
        std::string what;
        if (!culprit) {
            what = "a value became NaN or infinite at time " + num(t) +
                   " in a stock hidden inside SMTH/DELAY/TREND; check the inputs of those functions";
        } else {
            d.variable = culprit->name;
            const Variable* v = p_.spec.find(culprit->canonical);
            std::string eq;
            if (v) {
                d.loc = v->equation.empty() ? v->loc : v->equation.loc;
                eq = v->equation.text;
                while (!eq.empty() && (eq.back() == '\n' || eq.back() == ' ')) eq.pop_back();
                if (eq.size() > 120) eq = eq.substr(0, 117) + "...";
            }
            const double val = overflow ? stocks_after_[culprit->slot - p_.stock_begin] : s[culprit->slot];
            const std::string vs = std::isnan(val) ? "NaN" : val > 0 ? "+inf" : "-inf";
            if (overflow) {
                what = "the stock became " + vs + " in the step from time " + num(t) +
                       " although its flows were finite there: it overflowed; check for runaway growth or use a "
                       "smaller dt";
            } else if (div0) {
                what = "division by zero at time " + num(t) + " makes the value " + vs + " in '" + eq +
                       "'; guard the divisor or use SAFEDIV(a, b, value if b is 0)";
            } else if (initial && culprit->kind == VarKind::stock) {
                what = "the initial value is " + vs + " in '" + eq + "'";
            } else {
                what = "the value is " + vs + " at time " + num(t) + " in '" + eq + "'";
            }
        }
        d.message = what + (warn_ ? " (the run went on: --on-nonfinite=warn)"
                                  : " (--on-nonfinite=warn reports this and goes on)");
        if (warn_) {
            r_.warnings.push_back(std::move(d));
            check_ = false;  // report the first one only: everything after it follows from it
            return true;
        }
        Diagnostics ds;
        ds.add(std::move(d));
        throw Error(std::move(ds));
    }
    std::vector<double> stocks_after_;  // the non-finite stocks, for the report

    // Stocks not finite after the step from grid point k-1: find the cause at
    // t_{k-1}. `x_prev` (Runge-Kutta) is the state there, re-evaluated first;
    // nullptr (Euler) means the slots other than the stocks still hold that
    // evaluation (the stocks were updated in place, the flows not yet).
    void stocks_went_bad(long k, const State* x_prev) {
        stocks_after_.assign(stocks(), stocks() + p_.stock_count);
        if (x_prev) {
            // The stages see t_{k-1}, the midpoint and t_k: a pole at t_k
            // (e.g. 1 / (3 - TIME)) shows only in the last.
            const double t0 = time_at(k - 1);
            const double at[] = {t0, t0 + 0.5 * dt_, time_at(k)};
            for (int i = 0; i < 3; ++i) {
                std::copy(x_prev->begin(), x_prev->end(), stocks());
                s_[slot_time] = at[i];
                run_tape(p_, p_.flow_tape, s_.data());
                if (nonfinite(false, i == 2)) break;
            }
        } else {
            nonfinite(false);
        }
        std::copy(stocks_after_.begin(), stocks_after_.end(), stocks());  // warn: go on as computed
    }

    [[noreturn]] void over_budget(long k, const std::string& what) {
        Diagnostics ds;
        ds.error(sim::Code::E_BUDGET, spec_loc_, "",
                 "the run was stopped at time " + num(time_at(k - 1)) + " after " + std::to_string(k - 1) +
                     " of " + std::to_string(n_) + " steps: " + what + "; no results were written");
        throw Error(std::move(ds));
    }
    void check_clock(long k) {
        if (std::chrono::steady_clock::now() > deadline_)
            over_budget(k, "it ran longer than the wall-clock budget of " + num(wall_budget_) +
                               " s (--max-seconds)");
    }

    double time_at(long k) const { return start_ + static_cast<double>(k) * dt_; }
    double* stocks() { return s_.data() + p_.stock_begin; }

    void save() {
        const double* s = s_.data();
        *out_time_++ = s[slot_time];
        double z = 0;
        for (Slot c : cols_) {
            z += s[c] * 0.0;
            *out_++ = s[c];
        }
        if (z != 0 && check_) nonfinite(out_time_ == r_.times.data() + 1);
    }

    // Before the flows at a new grid point are evaluated.
    void before_eval(bool clamp) {
        double* s = s_.data();
        if (clamp)
            for (auto i : p_.nonneg_stocks) stocks()[i] = std::max(0.0, stocks()[i]);
        for (std::size_t i = 0; i < p_.previous.size(); ++i) s[p_.previous[i].out] = latch_[i];
        const double t = s[slot_time], eps = time_eps(dt_);
        for (std::size_t i = 0; i < p_.delays.size(); ++i) {
            const auto& d = p_.delays[i];
            // The delay time is the value from the last evaluation (constant in
            // practice); the output needs only inputs already recorded.
            double when = t - s[d.delay_time];
            if (when < start_ - eps) {
                s[d.out] = delay_initial_[i];
                continue;
            }
            const auto& h = history_[i];
            double pos = (when - start_) / dt_;
            double j = std::floor(pos + 1e-9);
            auto idx = static_cast<std::size_t>(std::max(0.0, j));
            double frac = pos - j;
            if (idx + 1 >= h.size() || std::abs(frac) <= 1e-9)
                s[d.out] = h[std::min(idx, h.size() - 1)];
            else
                s[d.out] = h[idx] + (h[idx + 1] - h[idx]) * frac;
        }
    }

    // After the flows at a grid point are evaluated: record PREVIOUS/DELAY inputs.
    void after_eval() {
        const double* s = s_.data();
        for (std::size_t i = 0; i < p_.previous.size(); ++i) latch_[i] = s[p_.previous[i].input];
        for (std::size_t i = 0; i < p_.delays.size(); ++i) history_[i].push_back(s[p_.delays[i].input]);
    }

    // Events, flows and saving at grid point k; the stocks are already at t_k.
    void arrive(long k, bool clamp) {
        if (k > max_steps_)
            over_budget(k, "it needs more than the step budget of " + std::to_string(max_steps_) + " steps (--max-steps)");
        if (timed_ && (k & 255) == 0) check_clock(k);
        s_[slot_time] = time_at(k);
        if (events_) before_eval(clamp);
        exec(flow_begin_, flow_end_, s_.data(), p_.tables.data());
        if (events_) after_eval();
        // A countdown rather than k % save_every_: a 64-bit division per step
        // costs as much as a small model's whole flow tape.
        if (--until_save_ == 0) {
            until_save_ = save_every_;
            save();
        }
    }

    void euler() {
        double* s = s_.data();
        double* x = stocks();
        const double dt = dt_;
        if (p_.nonneg_stocks.empty()) {
            const Slot* fs = p_.flow_slots.data();
            for (long k = 1; k <= n_; ++k) {
                // The finiteness check rides along with the updates (only
                // these stocks change): re-reading them afterwards as one
                // vector load defeats store-to-load forwarding, a stall that
                // cost 10-15% of SIR's run (docs/performance.md).
                double z = 0;
                for (const auto& g : p_.stock_flows) {
                    double net = 0;
                    for (auto j = g.in_begin; j < g.out_begin; ++j) net += s[fs[j]];
                    for (auto j = g.out_begin; j < g.end; ++j) net -= s[fs[j]];
                    const double v = x[g.stock] + dt * net;
                    x[g.stock] = v;
                    z += v * 0.0;
                }
                if (check_ && z != 0) stocks_went_bad(k, nullptr);
                arrive(k, false);
            }
            return;
        }
        std::vector<double> next(p_.stock_count);
        for (long k = 1; k <= n_; ++k) {
            derivatives(p_, s, next.data());
            for (std::uint32_t i = 0; i < p_.stock_count; ++i) next[i] = x[i] + dt * next[i];
            limit_outflows(next);
            std::copy(next.begin(), next.end(), x);
            if (check_ && !stocks_finite()) stocks_went_bad(k, nullptr);
            arrive(k, false);
        }
    }

    // Stella's non-negative stocks under Euler: a stock that would go below
    // zero delivers only what it holds, so its outflows are cut in proportion
    // and the stocks those outflows feed receive that much less. The flows'
    // reported values are unchanged (as in Stella's output).
    void limit_outflows(std::vector<double>& next) {
        const double* s = s_.data();
        for (auto i : p_.nonneg_stocks) {
            if (next[i] >= 0) continue;
            double out = 0;
            for (const auto& t : p_.outflow_terms)
                if (t.stock == i) out += dt_ * std::max(0.0, s[t.flow]);
            if (out > 0) {
                double withheld = std::min(1.0, -next[i] / out);
                for (const auto& t : p_.outflow_terms) {
                    if (t.stock != i || s[t.flow] <= 0) continue;
                    for (const auto& u : p_.inflow_terms)
                        if (u.flow == t.flow && u.stock != i) next[u.stock] -= dt_ * s[t.flow] * withheld;
                }
            }
            next[i] = 0;
        }
        for (auto i : p_.nonneg_stocks) next[i] = std::max(0.0, next[i]);
    }

    auto system() {
        return [this](const State& x, State& dxdt, double t) {
            std::copy(x.begin(), x.end(), stocks());
            s_[slot_time] = t;
            run_tape(p_, p_.flow_tape, s_.data());
            derivatives(p_, s_.data(), dxdt.data());
        };
    }

    void sync_from_slots(State& x) { std::copy(stocks(), stocks() + p_.stock_count, x.begin()); }

    template <class Stepper>
    void fixed_step(Stepper stepper) {
        State x(p_.stock_count), dxdt(p_.stock_count);
        sync_from_slots(x);
        derivatives(p_, s_.data(), dxdt.data());  // flows at t0 are already evaluated
        auto sys = system();
        for (long k = 1; k <= n_; ++k) {
            if (check_) prev_ = x;
            stepper.do_step(sys, x, dxdt, time_at(k - 1), dt_);
            std::copy(x.begin(), x.end(), stocks());
            if (check_ && !stocks_finite()) stocks_went_bad(k, &prev_);
            arrive(k, true);
            if (!p_.nonneg_stocks.empty()) sync_from_slots(x);
            derivatives(p_, s_.data(), dxdt.data());
        }
    }

    // Dormand-Prince 5(4) with dense output: free adaptive steps, the state at
    // each dt grid point by interpolation. With discrete events the stepper is
    // restarted at every grid point from the (possibly changed) state.
    void adaptive(double atol, double rtol) {
        State x(p_.stock_count);
        sync_from_slots(x);
        auto stepper = odeint::make_dense_output(atol, rtol, odeint::runge_kutta_dopri5<State>());
        auto sys = system();
        stepper.initialize(x, start_, dt_);
        for (long k = 1; k <= n_; ++k) {
            const double tk = time_at(k);
            if (check_) prev_ = x;
            while (stepper.current_time() < tk - time_eps(dt_)) {
                stepper.do_step(sys);
                if (timed_) check_clock(k);
                // A non-finite error estimate never shrinks the step: stop
                // rather than integrate NaN.
                if (check_ && !all_finite(stepper.current_state().data(), p_.stock_count)) break;
            }
            stepper.calc_state(tk, x);
            std::copy(x.begin(), x.end(), stocks());
            if (check_ && !stocks_finite()) stocks_went_bad(k, &prev_);
            arrive(k, true);
            if (events_) {
                sync_from_slots(x);
                stepper.initialize(x, tk, std::min(stepper.current_time_step(), 10 * dt_));
            }
        }
    }
};

}  // namespace

Results integrate(const Program& p, const SimSpecs& specs, std::vector<double> s, const std::vector<Slot>& cols,
                  std::vector<std::string> names, const RunOptions& opts) {
    Results r;
    r.names = std::move(names);
    try {
        Run(p, specs, s, cols, r, opts).run(specs);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        Diagnostics d;
        d.error(sim::Code::E_INTEGRATION, specs.loc, "",
                std::string("the integrator failed (") + e.what() +
                    "); check for values that grow without bound or try a smaller dt");
        throw Error(std::move(d));
    }
    return r;
}

}  // namespace sim::detail
