// Integrators against analytic solutions: accuracy, order of convergence,
// rk45 tolerance, the time grid, and a 3-stock SIR model with every method.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "sim/model.hpp"

namespace {

// dS/dt = -k S, S(0) = 100.
sim::ModelSpec decay(double k, double stop, double dt) {
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = stop;
    m.specs.dt = dt;
    m.add_stock("S", "100", {}, {"outflow"});
    m.add_flow("outflow", "k * S");
    m.add_constant("k", k);
    return m;
}

double final_error(sim::Method method, double dt) {
    const double k = 0.8, stop = 2.0;
    auto m = sim::Model::compile(decay(k, stop, dt));
    sim::RunOptions o;
    o.method = method;
    auto r = m.run(o);
    CHECK(r.times.back() == doctest::Approx(stop).epsilon(1e-12));
    return std::abs(r.series("S").back() - 100 * std::exp(-k * stop));
}

double observed_order(sim::Method method, double dt) {
    return std::log2(final_error(method, dt) / final_error(method, dt / 2));
}

}  // namespace

TEST_CASE("integrators: exponential decay is close to exp(-k t) with every method") {
    const double k = 0.8;
    auto m = sim::Model::compile(decay(k, 5, 0.01));
    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4, sim::Method::rk45}) {
        CAPTURE(sim::to_string(method));
        sim::RunOptions o;
        o.method = method;
        auto r = m.run(o);
        REQUIRE(r.rows() == 501);
        double tol = method == sim::Method::euler ? 0.5 : 1e-3;  // Euler: ~dt*k^2*t*S/2
        for (std::size_t i = 0; i < r.rows(); i += 50)
            CHECK(std::abs(r.at(i, *r.column("S")) - 100 * std::exp(-k * r.times[i])) < tol);
    }
}

TEST_CASE("integrators: observed order of convergence when dt halves") {
    CHECK(std::abs(observed_order(sim::Method::euler, 0.02) - 1.0) < 0.3);
    CHECK(std::abs(observed_order(sim::Method::rk2, 0.02) - 2.0) < 0.3);
    CHECK(std::abs(observed_order(sim::Method::rk4, 0.1) - 4.0) < 0.3);
}

TEST_CASE("integrators: rk45 meets the requested relative tolerance") {
    for (double rtol : {1e-4, 1e-6, 1e-8}) {
        CAPTURE(rtol);
        auto m = sim::Model::compile(decay(0.8, 10, 0.5));
        sim::RunOptions o;
        o.method = sim::Method::rk45;
        o.rtol = rtol;
        o.atol = rtol * 1e-3;
        auto r = m.run(o);
        double exact = 100 * std::exp(-0.8 * 10);
        CHECK(std::abs(r.series("S").back() - exact) < 10 * rtol * exact);
    }
}

TEST_CASE("integrators: time grid is start + n*dt, never accumulated") {
    auto spec = decay(0.01, 100, 0.1);
    auto m = sim::Model::compile(spec);
    auto r = m.run();
    REQUIRE(r.rows() == 1001);
    CHECK(std::abs(r.times.back() - 100.0) < 1e-12);
    for (std::size_t i = 0; i < r.rows(); ++i) CHECK(r.times[i] == 0.0 + static_cast<double>(i) * 0.1);

    // save step: every 5th point, stop included
    sim::RunOptions o;
    o.save_step = 0.5;
    o.start = 10;
    auto r2 = m.run(o);
    REQUIRE(r2.rows() == 181);
    CHECK(r2.times.front() == 10.0);
    CHECK(std::abs(r2.times[1] - 10.5) < 1e-12);
    CHECK(std::abs(r2.times.back() - 100.0) < 1e-12);
}

TEST_CASE("integrators: SIR model runs with each method and conserves population") {
    sim::ModelSpec m;
    m.specs.stop = 100;
    m.specs.dt = 0.03125;
    m.add_stock("Susceptible", "990", {}, {"infection"});
    m.add_stock("Infectious", "10", {"infection"}, {"recovery"});
    m.add_stock("Recovered", "0", {"recovery"});
    m.add_flow("infection", "contact_rate * infectivity * Susceptible * Infectious / total_population");
    m.add_flow("recovery", "Infectious / duration");
    m.add_aux("total population", "Susceptible + Infectious + Recovered");
    m.add_constant("contact rate", 6);
    m.add_constant("infectivity", 0.25);
    m.add_constant("duration", 5);
    auto model = sim::Model::compile(m);
    CHECK(model.variable_names().size() == 9);

    sim::RunOptions ref_opts;
    ref_opts.method = sim::Method::rk45;
    ref_opts.rtol = 1e-10;
    ref_opts.atol = 1e-10;
    auto ref = model.run(ref_opts);
    // Final size relation of the SIR model: ln(S_inf/S0) = -R0 (1 - S_inf/N) (R_inf ~ N - S_inf).
    double s_inf = ref.series("Susceptible").back(), n = 1000, r0 = 6 * 0.25 * 5;
    CHECK(std::log(s_inf / 990) == doctest::Approx(-r0 * (n - s_inf) / n).epsilon(0.01));

    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4, sim::Method::rk45}) {
        CAPTURE(sim::to_string(method));
        sim::RunOptions o;
        o.method = method;
        auto r = model.run(o);
        REQUIRE(r.rows() == 3201);
        for (std::size_t i = 0; i < r.rows(); i += 100) {
            double total = r.at(i, *r.column("Susceptible")) + r.at(i, *r.column("Infectious")) +
                           r.at(i, *r.column("Recovered"));
            CHECK(total == doctest::Approx(1000).epsilon(1e-9));
        }
        double tol = method == sim::Method::euler ? 2.0 : 1e-3;
        CHECK(std::abs(r.series("Susceptible").back() - s_inf) < tol);
        // Peak of infection is where S = N / R0 (dI/dt = 0).
        auto inf = r.series("Infectious");
        auto peak = static_cast<std::size_t>(std::max_element(inf.begin(), inf.end()) - inf.begin());
        CHECK(r.series("Susceptible")[peak] == doctest::Approx(n / r0).epsilon(0.02));
    }
}
