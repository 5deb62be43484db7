// A run: the pieces of run/ put together, for the interpreter or a model's
// generated code (the same preparation, drivers, observers and checks; only
// the evaluation of the tapes differs, and under Euler the generated code
// takes the steps itself). The initial values and the flows at the start
// time are evaluated and saved here; the method's driver (steppers.hpp)
// then takes every step, calling the budget checkers (budget.hpp) and the
// grid-point observer (observers.hpp).
#include "run/integrate.hpp"

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <type_traits>

#include "run/budget.hpp"
#include "run/steppers.hpp"

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

template <class Eval>
void run(const Program& p, const RunPlan& plan, double* s, const Eval& eval, Saver& saver, Workspace& ws,
         std::vector<Diagnostic>& warnings) {
    Budgets budget(plan);  // the clock starts here
    Events& events = ws.events;
    NonFiniteCheck check(p, plan, warnings);

    eval.initial(s);
    events.start(s);
    // Flows at the initial time (the tape also refreshes every auxiliary
    // from the stocks' initial values).
    eval.flows(s);
    events.after(s);
    if (!saver.save(s) && check.on()) check.report(s, true);
    if (check.on() && !all_finite(s + p.stock_begin, p.stock_count)) check.report(s, true);

    AtGridPoint<Eval> at(eval, s, plan.grid, events, saver, check);
    const Stepping st{p, s, plan.grid, check};
    switch (plan.specs.method) {
        case Method::euler:
            if constexpr (std::is_same_v<Eval, Generated>)
                drive_kernel_euler(st, eval.k, plan, budget, events, saver, ws.scratch,
                                   plan.max_wall_seconds.has_value());
            else
                drive_euler(st, budget, at);
            break;
        case Method::rk2: drive_fixed(Heun(), st, eval, budget, at); break;
        case Method::rk4: drive_fixed(odeint::runge_kutta4<State>(), st, eval, budget, at); break;
        case Method::rk45: drive_adaptive(st, eval, plan.specs.atol, plan.specs.rtol, budget, at); break;
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

void run_plan(const Program& p, const RunPlan& plan, double* s, const Kernel* kernel, double* times, double* values,
              std::vector<Diagnostic>& warnings, Workspace& ws) {
    try {
        if (kernel) {
            // Kept for a repetition by the interpreter (NeedsInterpreter).
            ws.initial_slots.assign(s, s + p.slots.size());
            try {
                Saver saver(plan.cols, plan.checked, plan.grid, times, values);
                run(p, plan, s, Generated{*kernel}, saver, ws, warnings);
                return;
            } catch (const NeedsInterpreter&) {
                std::copy(ws.initial_slots.begin(), ws.initial_slots.end(), s);
                warnings.clear();
            }
        }
        Saver saver(plan.cols, plan.checked, plan.grid, times, values);
        run(p, plan, s, Interpreted{p}, saver, ws, warnings);
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
