// The interpreter's run: the pieces of run/ put together. The initial values
// and the flows at the start time are evaluated and saved here; the method's
// driver (steppers.hpp) then takes every step, calling the budget checkers
// (budget.hpp) and the grid-point observer (observers.hpp).
#include "run/integrate.hpp"

#include <exception>
#include <new>
#include <string>

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

void run(const Program& p, RunPlan& plan, Results& r) {
    double* s = plan.slots.data();
    Budgets budget(plan);  // the clock starts here
    Saver saver(plan.cols, plan.grid, r);
    Events events(p, plan.grid);
    NonFiniteCheck check(p, plan, r);

    run_tape(p, p.initial_tape, s);
    events.start(s);
    // Flows at the initial time (the tape also refreshes every auxiliary
    // from the stocks' initial values).
    run_tape(p, p.flow_tape, s);
    events.after(s);
    if (!saver.save(s) && check.on()) check.report(s, true);
    if (check.on() && !all_finite(s + p.stock_begin, p.stock_count)) check.report(s, true);

    AtGridPoint at(p, s, plan.grid, events, saver, check);
    const Stepping st{p, s, plan.grid, check};
    switch (plan.specs.method) {
        case Method::euler: drive_euler(st, budget, at); break;
        case Method::rk2: drive_fixed(Heun(), st, budget, at); break;
        case Method::rk4: drive_fixed(odeint::runge_kutta4<State>(), st, budget, at); break;
        case Method::rk45: drive_adaptive(st, plan.specs.atol, plan.specs.rtol, budget, at); break;
    }
}

}  // namespace

Results integrate(const Program& p, RunPlan plan) {
    Results r;
    r.names = std::move(plan.names);
    try {
        run(p, plan, r);
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        // Not the integrator's fault: say which resource ran out.
        Diagnostics d;
        d.error(sim::Code::E_MEMORY, {}, "",
                "out of memory while running (the process could not allocate more); save fewer variables "
                "(--vars), save less often (--save-step), or lower --max-memory so that such runs are refused "
                "before they start");
        throw Error(std::move(d));
    } catch (const std::exception& e) {
        Diagnostics d;
        d.error(sim::Code::E_INTEGRATION, plan.specs.loc, "",
                std::string("the integrator failed (") + e.what() +
                    "); check for values that grow without bound or try a smaller dt");
        throw Error(std::move(d));
    }
    return r;
}

}  // namespace sim::detail
