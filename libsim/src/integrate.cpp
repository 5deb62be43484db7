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
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <stdexcept>

#include "vm_exec.hpp"

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

class Run {
public:
    Run(const Program& p, const SimSpecs& specs, std::vector<double>& s, const std::vector<Slot>& cols,
        Results& r)
        : p_(p), start_(specs.start), dt_(specs.dt), s_(s), cols_(cols), r_(r) {
        double steps = (specs.stop - specs.start) / specs.dt;
        n_ = static_cast<long>(std::floor(steps + 1e-9 * std::max(1.0, steps)));
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

    double time_at(long k) const { return start_ + static_cast<double>(k) * dt_; }
    double* stocks() { return s_.data() + p_.stock_begin; }

    void save() {
        const double* s = s_.data();
        *out_time_++ = s[slot_time];
        for (Slot c : cols_) *out_++ = s[c];
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
                for (const auto& g : p_.stock_flows) {
                    double net = 0;
                    for (auto j = g.in_begin; j < g.out_begin; ++j) net += s[fs[j]];
                    for (auto j = g.out_begin; j < g.end; ++j) net -= s[fs[j]];
                    x[g.stock] += dt * net;
                }
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
            stepper.do_step(sys, x, dxdt, time_at(k - 1), dt_);
            std::copy(x.begin(), x.end(), stocks());
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
            while (stepper.current_time() < tk - time_eps(dt_)) stepper.do_step(sys);
            stepper.calc_state(tk, x);
            std::copy(x.begin(), x.end(), stocks());
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
                  std::vector<std::string> names) {
    Results r;
    r.names = std::move(names);
    try {
        Run(p, specs, s, cols, r).run(specs);
    } catch (const std::exception& e) {
        Diagnostics d;
        d.error("E-INTEGRATION", specs.loc, "",
                std::string("the integrator failed (") + e.what() +
                    "); check for values that grow without bound or try a smaller dt");
        throw Error(std::move(d));
    }
    return r;
}

}  // namespace sim::detail
