// SIR benchmark: one run of the SDXorg sample SIR model (3 stocks, dt 1/32
// over 100 days = 3,200 Euler steps, every one of the 8 columns saved at
// every step) through libsim, against a hand-written C++ Euler loop of the
// same equations with the same saving. Figures: docs/performance.md.
//
// The model is built in code (test-models/samples/SIR/SIR.xmile's equations)
// so the benchmark depends on no file. Each benchmark reports the time per
// run and, as the counter ns_per_step, the CPU time per Euler step.
#include <benchmark/benchmark.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstddef>
#include <string>
#include <vector>

#include "sim/sim.hpp"

namespace {

constexpr double t_start = 0, t_stop = 100, dt = 0.03125;
constexpr std::size_t steps = 3200;  // (t_stop - t_start) / dt
constexpr std::size_t cols = 8;

sim::ModelSpec sir_spec(sim::Method method) {
    sim::ModelSpec m;
    m.name = "SIR";
    m.specs.start = t_start;
    m.specs.stop = t_stop;
    m.specs.dt = dt;
    m.specs.method = method;
    m.add_stock("susceptible", "total_population", {}, {"succumbing"});
    m.add_stock("infectious", "5", {"succumbing"}, {"recovering"});
    m.add_stock("recovered", "0", {"recovering"}, {});
    m.add_flow("succumbing", "susceptible*infectious/total_population*contact_infectivity");
    m.add_flow("recovering", "infectious/duration");
    // Auxiliaries in SIR.xmile, constants in effect.
    m.add_constant("total_population", 1000);
    m.add_constant("duration", 5);
    m.add_constant("contact_infectivity", 0.3);
    return m;
}

// The baseline: what a careful programmer writes by hand for this model.
// Same output shape as sim::Results (times + row-major values, columns in
// the model's order), allocated per run as libsim does.
struct HandResults {
    std::vector<double> times;
    std::vector<double> values;
};

HandResults hand_sir() {
    const double total_population = 1000, duration = 5, contact_infectivity = 0.3;
    double susceptible = total_population, infectious = 5, recovered = 0;
    HandResults r;
    r.times.resize(steps + 1);
    r.values.resize((steps + 1) * cols);
    double* out = r.values.data();
    for (std::size_t n = 0;; ++n) {
        const double succumbing = susceptible * infectious / total_population * contact_infectivity;
        const double recovering = infectious / duration;
        r.times[n] = t_start + static_cast<double>(n) * dt;  // never accumulated
        out[0] = susceptible;
        out[1] = infectious;
        out[2] = recovered;
        out[3] = succumbing;
        out[4] = recovering;
        out[5] = total_population;
        out[6] = duration;
        out[7] = contact_infectivity;
        out += cols;
        if (n == steps) break;
        susceptible += dt * (-succumbing);
        infectious += dt * (succumbing - recovering);
        recovered += dt * recovering;
    }
    return r;
}

// CPU time of this thread, as the CPU column measures it.
double thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Runs `body` as the benchmark loop and sets ns_per_step: CPU time per
// iteration (the CPU column) divided by the number of Euler steps. CPU time,
// not wall-clock time, because the machine is shared and a preempted run says
// nothing about the code. Measured here rather than with a kInvert rate
// counter, which would print the value in seconds under a name that says ns.
template <class F>
void timed_loop(benchmark::State& state, F body) {
    const double t0 = thread_cpu_ns();
    for (auto _ : state) body();
    const double t1 = thread_cpu_ns();
    if (state.iterations() == 0) return;
    state.counters["ns_per_step"] = (t1 - t0) / static_cast<double>(state.iterations()) / static_cast<double>(steps);
}

// Both sides must compute the same thing, or the comparison means nothing.
bool same_as_hand(const sim::Results& r, std::string& why) {
    const HandResults h = hand_sir();
    const char* names[cols] = {"susceptible", "infectious", "recovered", "succumbing",
                               "recovering", "total_population", "duration", "contact_infectivity"};
    if (r.rows() != steps + 1 || r.cols() != cols) {
        why = "libsim saved " + std::to_string(r.rows()) + " x " + std::to_string(r.cols()) + ", expected " +
              std::to_string(steps + 1) + " x " + std::to_string(cols);
        return false;
    }
    for (std::size_t c = 0; c < cols; ++c) {
        auto col = r.column(names[c]);
        if (!col) {
            why = std::string("libsim did not save ") + names[c];
            return false;
        }
        for (std::size_t row = 0; row <= steps; ++row) {
            double a = r.at(row, *col), b = h.values[row * cols + c];
            if (std::fabs(a - b) > 1e-9 * std::fmax(1.0, std::fabs(b)) || r.times[row] != h.times[row]) {
                why = std::string("libsim and the hand-written loop differ in ") + names[c] + " at t=" +
                      std::to_string(h.times[row]);
                return false;
            }
        }
    }
    return true;
}

void BM_sir_libsim_euler(benchmark::State& state) {
    const sim::Model model = sim::Model::compile(sir_spec(sim::Method::euler));
    timed_loop(state, [&] {
        sim::Results r = model.run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}

void BM_sir_hand_euler(benchmark::State& state) {
    timed_loop(state, [] {
        HandResults r = hand_sir();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}

// For reference: the same run with RK4 (four right-hand-side evaluations per step).
void BM_sir_libsim_rk4(benchmark::State& state) {
    const sim::Model model = sim::Model::compile(sir_spec(sim::Method::rk4));
    timed_loop(state, [&] {
        sim::Results r = model.run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}

}  // namespace

BENCHMARK(BM_sir_libsim_euler)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_hand_euler)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_libsim_rk4)->Unit(benchmark::kMicrosecond);

// Checks before timing that libsim and the baseline agree; a mismatch fails
// the run (and so the bench_smoke ctest), which SkipWithError would not.
int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    std::string why;
    if (!same_as_hand(sim::Model::compile(sir_spec(sim::Method::euler)).run(), why)) {
        std::fprintf(stderr, "bench_sir: %s\n", why.c_str());
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
