// A run: the pieces of run/ put together, for the interpreter or a model's
// generated code (the same preparation, drivers, observers and checks; only
// the evaluation of the tapes differs, and under Euler the generated code
// takes the steps itself). The initial values and the flows at the start
// time are evaluated and saved here; the method's driver (steppers.hpp)
// then takes every step, calling the budget checkers (budget.hpp) and the
// grid-point observer (observers.hpp).
#include "run/integrate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <type_traits>

#include "run/budget.hpp"
#include "run/steppers.hpp"
#include "sim/ops.hpp"

namespace sim::detail {
namespace {

// Heun's method (explicit trapezoid): c = (0, 1), a21 = 1, b = (1/2, 1/2).
struct Heun : odeint::explicit_generic_rk<2, 2, State, double, State, double> {
    using base = odeint::explicit_generic_rk<2, 2, State, double, State, double>;
    static coef_a_type coef_a() {
        boost::array<double, 1> a1 = {{1.0}};
        return coef_a_type(a1);
    }
    Heun() : base(coef_a(), coef_b_type{{0.5, 0.5}}, coef_c_type{{0.0, 1.0}}) {}
};

// A run of `plan` over `s` from grid point `from` to `to` (-1: the last).
// From 0 it starts at the start time: initial values, the first row. From a
// later point (a run continued from a checkpoint: Euler only) the state of
// that point is already in s, the events, the saver and the warnings.
template <class Eval>
void run(const Program& p, const RunPlan& plan, double* s, const Eval& eval, Saver& saver, Workspace& ws,
         std::vector<Diagnostic>& warnings, long from = 0, long to = -1) {
    Budgets budget(plan);  // the clock starts here
    Events& events = ws.events;
    NonFiniteCheck check(p, plan, warnings);
    const long last = to < 0 ? plan.grid.steps : to;

    if (from == 0) {
        eval.initial(s);
        events.start(s);
        // Flows at the initial time (the tape also refreshes every auxiliary
        // from the stocks' initial values).
        eval.flows(s);
        events.after(s);
        if (!saver.save(s) && check.on()) check.report(s, true);
        if (check.on() && !all_finite(s + p.stock_begin, p.stock_count)) check.report(s, true);
    }

    AtGridPoint<Eval> at(eval, s, plan.grid, events, saver, check);
    const Stepping st{p, s, plan.grid, check};
    switch (plan.specs.method) {
        case Method::euler:
            if constexpr (std::is_same_v<Eval, Generated>)
                drive_kernel_euler(st, eval.k, plan, budget, events, saver, ws.scratch,
                                   plan.max_wall_seconds.has_value(), from + 1, last);
            else
                drive_euler(st, budget, at, from + 1, last);
            break;
        case Method::rk2: drive_fixed(Heun(), st, eval, budget, at); break;
        case Method::rk4: drive_fixed(odeint::runge_kutta4<State>(), st, eval, budget, at); break;
        case Method::rk45: drive_adaptive(st, eval, plan.specs.atol, plan.specs.rtol, budget, at); break;
    }
}

// f(), with the failures of a run turned into sim::Error: an allocation
// (E-MEMORY), the integrator (E-INTEGRATION).
template <class F>
void guarded(const RunPlan& plan, F&& f) {
    try {
        f();
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        out_of_memory();  // not the integrator's fault: say which resource ran out
    } catch (const std::exception& e) {
        Diagnostics d;
        d.error(sim::Code::E_INTEGRATION, *plan.loc, "",
                std::string("the integrator failed (") + e.what() +
                    "); check for values that grow without bound or try a smaller dt");
        throw Error(std::move(d));
    }
}

}  // namespace

// E-MEMORY: an allocation of the run failed (within --max-memory, but the
// process had no more).
void out_of_memory() {
    Diagnostics d;
    d.error(sim::Code::E_MEMORY, {}, "",
            "out of memory while running (the process could not allocate more); save fewer variables "
            "(--vars), save less often (--save-step), or lower --max-memory so that such runs are refused "
            "before they start");
    throw Error(std::move(d));
}

namespace {

// A run from the start to grid point `to` (-1: the last) with generated code,
// repeated from the start by the VM when it meets a value that is not finite
// (or with the VM alone when there is no kernel); returns where its saver
// stopped. The run_plan and run_to of the header.
Saver::Cursor run_from_start(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, double* times,
                             double* values, std::vector<Diagnostic>& warnings, Workspace& ws, long to) {
    if (kernel) {
        // Kept for a repetition by the interpreter (NeedsInterpreter).
        ws.initial_slots.assign(s, s + p.slots.size());
        try {
            Saver saver(plan.cols, plan.checked, plan.grid, times, values);
            run(p, plan, s, Generated{*kernel}, saver, ws, warnings, 0, to);
            return saver.cursor();
        } catch (const NeedsInterpreter&) {
            std::copy(ws.initial_slots.begin(), ws.initial_slots.end(), s);
            warnings.clear();
        }
    }
    Saver saver(plan.cols, plan.checked, plan.grid, times, values);
    run(p, plan, s, Interpreted{p}, saver, ws, warnings, 0, to);
    return saver.cursor();
}

}  // namespace

void run_plan(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, double* times, double* values,
              std::vector<Diagnostic>& warnings, Workspace& ws) {
    guarded(plan, [&] { run_from_start(p, plan, s, kernel, times, values, warnings, ws, -1); });
}

namespace {

// A run continued from `cp` with the slots in `set` changed: its slot
// vector `s`, what the initial tape computed from constants once per run
// (the lever's on * intensity among them) again with this run's values, and
// the rows saved so far in `times` and `values`; returns where its saver
// goes on (run_from, run_from_lanes).
Saver::Cursor resume(const Program& p, const Checkpoint& cp, std::span<const std::pair<Slot, double>> set, double* s,
                     double* times, double* values) {
    std::copy(cp.slots.begin(), cp.slots.end(), s);
    for (const auto& [slot, value] : set) s[slot] = value;
    exec(p.initial_tape.data() + p.hoist_begin, p.initial_tape.data() + p.initial_tape.size(), s, p.tables.data(),
         p.vector_ops.data());
    std::copy(cp.times.begin(), cp.times.end(), times);
    std::copy(cp.values.begin(), cp.values.end(), values);
    return {times + cp.times.size(), values + cp.values.size(), cp.until};
}

// Kernel::euler_lanes from grid point `first` to the last; true for each
// lane whose results stand (as drive_kernel_euler checks a run: what the
// kernel summed, and the stocks).
std::array<bool, kernel_lanes> lanes_to_end(const Program& p, const RunPlan& plan, const Kernel& kernel,
                                            KernelLanesRun& r, long first) {
    r.k_begin = first;
    r.k_end = plan.grid.steps + 1;
    r.start = plan.grid.start;
    r.dt = plan.grid.dt;
    r.save_every = plan.grid.save_every;
    r.cols = plan.cols.data();
    r.ncols = plan.cols.size();
    r.all_columns = plan.all_columns ? 1 : 0;
    if (r.k_begin < r.k_end) kernel.euler_lanes(r);
    std::array<bool, kernel_lanes> ok{};
    for (int l = 0; l < kernel_lanes; ++l)
        ok[l] = r.bad[l] == 0 && all_finite(r.s[l] + p.stock_begin, p.stock_count);
    return ok;
}

}  // namespace

bool lanes_usable(const RunPlan& plan, const Kernel* kernel) {
    return kernel && kernel->euler_lanes && plan.specs.method == Method::euler && !plan.max_wall_seconds;
}

std::array<bool, kernel_lanes> run_plan_lanes(const Program& p, const RunPlan& plan, double* const* s,
                                              const Kernel& kernel, double* const* times, double* const* values,
                                              Workspace* ws) {
    std::array<bool, kernel_lanes> ok{};
    KernelLanesRun r{};
    // Each run's start as run_plan takes it (initial values, the flows at
    // the start time, the first row), to grid point 0.
    std::vector<Diagnostic> warnings;
    for (int l = 0; l < kernel_lanes; ++l) {
        try {
            Saver saver(plan.cols, plan.checked, plan.grid, times[l], values[l]);
            run(p, plan, s[l], Generated{kernel}, saver, ws[l], warnings, 0, 0);
            const Saver::Cursor c = saver.cursor();
            r.s[l] = s[l];
            r.out_t[l] = c.t;
            r.out_v[l] = c.v;
            r.until = c.until;  // the same grid: the same for every run
        } catch (...) {
            return ok;  // run_plan finds and reports it, or runs it with the interpreter
        }
        if (!warnings.empty()) return ok;
    }
    return lanes_to_end(p, plan, kernel, r, 1);
}

std::array<bool, kernel_lanes> run_from_lanes(const Program& p, const RunPlan& plan, const Checkpoint& cp,
                                              const std::span<const std::pair<Slot, double>>* sets,
                                              const Kernel& kernel, double* const* s, double* const* times,
                                              double* const* values) {
    KernelLanesRun r{};
    // Each run as run_from starts it, from the checkpoint (no events: a
    // model with lanes has no PREVIOUS or fixed delays).
    for (int l = 0; l < kernel_lanes; ++l) {
        const Saver::Cursor c = resume(p, cp, sets[l], s[l], times[l], values[l]);
        r.s[l] = s[l];
        r.out_t[l] = c.t;
        r.out_v[l] = c.v;
        r.until = c.until;  // cp's, the same for every run
    }
    return lanes_to_end(p, plan, kernel, r, cp.step + 1);
}

long shared_steps(const Program& p, const RunPlan& plan, const double* s, std::span<const Slot> differing) {
    if (plan.specs.method != Method::euler || differing.empty()) return 0;
    double start = std::numeric_limits<double>::infinity();
    for (Slot d : differing) {
        const auto g = std::find_if(p.lever_gates.begin(), p.lever_gates.end(),
                                    [&](const Program::LeverGate& x) { return x.on == d || x.intensity == d; });
        if (g == p.lever_gates.end()) return 0;
        if (std::find(plan.cols.begin(), plan.cols.end(), d) != plan.cols.end()) return 0;  // saved: differs
        const double t = s[g->start];
        if (std::isnan(t)) return 0;
        start = std::min(start, t);
    }
    // Every evaluation up to point k (Euler: at grid points only) before the
    // start, with the margin STEP allows for the rounding of start + k*dt.
    const double eps = ops::time_eps(plan.grid.dt);
    long k = 0;
    while (k < plan.grid.steps && plan.grid.at(k + 1) + eps < start) ++k;
    return k;
}

Checkpoint run_to(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, long step, Workspace& ws) {
    Checkpoint cp;
    cp.step = step;
    guarded(plan, [&] {
        const std::size_t n_cols = plan.cols.size();
        cp.times.resize(plan.grid.rows());
        cp.values.resize(plan.grid.rows() * n_cols);
        const Saver::Cursor c =
            run_from_start(p, plan, s, kernel, cp.times.data(), cp.values.data(), cp.warnings, ws, step);
        const auto rows = static_cast<std::size_t>(c.t - cp.times.data());
        cp.times.resize(rows);
        cp.values.resize(rows * n_cols);
        cp.until = c.until;
        cp.slots.assign(s, s + p.slots.size());
        cp.events.emplace(ws.events);
    });
    return cp;
}

bool run_from(const Program& p, const RunPlan& plan, const Checkpoint& cp, std::span<const std::pair<Slot, double>> set,
              const Kernel* kernel, double* s, double* times, double* values, std::vector<Diagnostic>& warnings,
              Workspace& ws) {
    bool finished = true;
    guarded(plan, [&] {
        const Saver::Cursor c = resume(p, cp, set, s, times, values);
        warnings = cp.warnings;
        ws.events.copy_state(*cp.events);
        Saver saver(plan.cols, plan.checked, plan.grid, times, values);
        saver.set_cursor(c);
        if (!kernel) return run(p, plan, s, Interpreted{p}, saver, ws, warnings, cp.step);
        try {
            run(p, plan, s, Generated{*kernel}, saver, ws, warnings, cp.step);
        } catch (const NeedsInterpreter&) {
            finished = false;  // the caller runs it whole, which finds and reports the cause
        }
    });
    return finished;
}

Results integrate(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel) {
    Results r;
    std::optional<Workspace> ws;
    try {  // the results and the delay histories, estimated within --max-memory by prepare
        r.times.resize(plan.grid.rows());
        r.values.resize(plan.grid.rows() * plan.cols.size());
        ws.emplace(p, plan.grid);
    } catch (const std::bad_alloc&) {
        out_of_memory();
    }
    run_plan(p, plan, s, kernel, r.times.data(), r.values.data(), r.warnings, *ws);
    r.names = plan.names;  // shared, not copied (Names)
    return r;
}

Results integrate(const Program& p, RunPlan plan, const Kernel* kernel) {
    return integrate(p, plan, plan.slots.data(), kernel);
}

}  // namespace sim::detail
