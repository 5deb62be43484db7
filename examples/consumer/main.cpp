// Consumer of an installed libsim: builds exponential decay in code, runs it
// and checks the result against the exact Euler solution.
#include <cmath>
#include <cstdio>
#include <exception>

#include <sim/sim.hpp>

int main() try {
    sim::ModelSpec m;
    m.name = "decay";
    m.specs.start = 0;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "100", {}, {"draining"});
    m.add_flow("draining", "k * x");
    m.add_constant("k", 0.1);

    sim::Results r = sim::Model::compile(m).run();

    // Euler: x(n dt) = 100 (1 - k dt)^n, here n = 20 steps of factor 0.95.
    const double want = 100 * std::pow(0.95, 20);
    const double got = r.value_at("x", 10);
    std::printf("x(10) = %.12g (expected %.12g)\n", got, want);
    return std::fabs(got - want) <= 1e-12 * want ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
