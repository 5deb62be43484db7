// Consumer of libsim (installed, or through add_subdirectory): builds
// exponential decay in code, runs it and checks the result against the exact
// Euler solution; then compares a one-lever model and prints the ranked
// table with sim::report.
#include <cmath>
#include <cstdio>
#include <exception>

#include <sstream>

#include <sim/report.hpp>
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
    const double got = r.at("x", 10);
    std::printf("x(10) = %.12g (expected %.12g)\n", got, want);
    if (std::fabs(got - want) > 1e-12 * want) return 1;

    // s' = 1 + boost_lever from 0 to 2 (Euler, dt 1): s(2) = 2, or 4 with the lever.
    sim::ModelSpec g;
    g.specs.stop = 2;
    g.add_lever("boost").start = 0;
    g.add_stock("s", "0", {"f"});
    g.add_flow("f", "1 + boost_lever");
    sim::CompareResult c = sim::compare(g, sim::CompareOptions{});
    std::ostringstream table;
    sim::print_ranked_table(c, table);
    std::printf("%s", table.str().c_str());
    return c.value("boost", "s", 2) == 4 && c.value("baseline", "s", 2) == 2 ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
