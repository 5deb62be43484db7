// A model compiled ahead of time (sim_add_model(aot decay.yaml) in
// CMakeLists.txt): the generated class runs the generated code, with a
// constant set at run time, and gives the interpreter's results bit for bit
// and the exact Euler solution.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>

#include "decay.hpp"

int main() try {
    const sim_models::decay model;
    if (!model.has_generated_code()) return 1;
    sim::RunOptions o;
    o.set = {{"rate", 0.25}};
    o.engine = sim::RunEngine::generated;
    const sim::Results gen = model.run(o);
    o.engine = sim::RunEngine::interpreter;
    const sim::Results interp = model.run(o);
    const double want = 100 * std::pow(0.75, 4), got = gen.at("x", 4);
    std::printf("generated x(4) = %.17g (expected %.17g)\n", got, want);
    if (gen.values.size() != interp.values.size() ||
        std::memcmp(gen.values.data(), interp.values.data(), gen.values.size() * sizeof(double)) != 0) {
        std::fprintf(stderr, "the generated code's results differ from the interpreter's\n");
        return 1;
    }
    return got == want ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
