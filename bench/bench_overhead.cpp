// Interpretive overhead: the SDXorg sample models SIR (3 stocks, dt 1/32 over
// 100 days = 3,200 Euler steps, 8 columns) and teacup (1 stock, dt 1/8 over
// 30 minutes = 240 steps, 4 columns), loaded from their XMILE files in the
// conformance suite and run through libsim, against the same equations as a
// hand-written C++ Euler loop with the same dt and the same saved output
// (times + row-major values of every column at every step, allocated per run
// as libsim does). Each pair is also timed without saving: libsim saves one
// stock at the start and stop times only, the hand loop returns the final
// value. Compilation is excluded (the model is compiled once).
//
// Before timing, main() checks that libsim and the hand-written loops agree
// (every saved value, relative 1e-12) and exits 1 if not, so the bench_smoke
// ctest fails on a mismatch. Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "sim/sim.hpp"

namespace {

const std::string samples = std::string(SIM_CONFORMANCE_DIR) + "/test-models/samples/";

struct HandResults {
    std::vector<double> times;
    std::vector<double> values;  // row-major, columns as in `names`
};

// --- SIR: dt = 0.03125, 0..100.
constexpr double sir_dt = 0.03125;
constexpr std::size_t sir_steps = 3200;
const char* const sir_names[] = {"susceptible", "infectious", "recovered", "succumbing",
                                 "recovering", "total_population", "duration", "contact_infectivity"};

HandResults hand_sir() {
    constexpr std::size_t cols = 8;
    const double total_population = 1000, duration = 5, contact_infectivity = 0.3;
    double susceptible = total_population, infectious = 5, recovered = 0;
    HandResults r;
    r.times.resize(sir_steps + 1);
    r.values.resize((sir_steps + 1) * cols);
    double* out = r.values.data();
    for (std::size_t n = 0;; ++n) {
        const double succumbing = susceptible * infectious / total_population * contact_infectivity;
        const double recovering = infectious / duration;
        r.times[n] = static_cast<double>(n) * sir_dt;  // start + n*dt, never accumulated
        out[0] = susceptible;
        out[1] = infectious;
        out[2] = recovered;
        out[3] = succumbing;
        out[4] = recovering;
        out[5] = total_population;
        out[6] = duration;
        out[7] = contact_infectivity;
        out += cols;
        if (n == sir_steps) break;
        susceptible += sir_dt * (-succumbing);
        infectious += sir_dt * (succumbing - recovering);
        recovered += sir_dt * recovering;
    }
    return r;
}

double hand_sir_nosave() {
    const double total_population = 1000, duration = 5, contact_infectivity = 0.3;
    double susceptible = total_population, infectious = 5, recovered = 0;
    for (std::size_t n = 0; n < sir_steps; ++n) {
        const double succumbing = susceptible * infectious / total_population * contact_infectivity;
        const double recovering = infectious / duration;
        susceptible += sir_dt * (-succumbing);
        infectious += sir_dt * (succumbing - recovering);
        recovered += sir_dt * recovering;
    }
    return susceptible + 0 * recovered;  // keeps `recovered` computed (0 * x is not folded)
}

// --- teacup: dt = 0.125, 0..30.
constexpr double tea_dt = 0.125;
constexpr std::size_t tea_steps = 240;
const char* const tea_names[] = {"Heat Loss to Room", "Room Temperature", "Teacup Temperature",
                                 "Characteristic Time"};

HandResults hand_teacup() {
    constexpr std::size_t cols = 4;
    const double room = 70, characteristic_time = 10;
    double teacup = 180;
    HandResults r;
    r.times.resize(tea_steps + 1);
    r.values.resize((tea_steps + 1) * cols);
    double* out = r.values.data();
    for (std::size_t n = 0;; ++n) {
        const double heat_loss = (teacup - room) / characteristic_time;
        r.times[n] = static_cast<double>(n) * tea_dt;
        out[0] = heat_loss;
        out[1] = room;
        out[2] = teacup;
        out[3] = characteristic_time;
        out += cols;
        if (n == tea_steps) break;
        teacup += tea_dt * (-heat_loss);
    }
    return r;
}

double hand_teacup_nosave() {
    const double room = 70, characteristic_time = 10;
    double teacup = 180;
    for (std::size_t n = 0; n < tea_steps; ++n) teacup += tea_dt * (-(teacup - room) / characteristic_time);
    return teacup;
}

// --- timing helpers

using bench::thread_cpu_ns;

// Runs `body` as the benchmark loop and sets ns_per_step (CPU time per Euler
// step; CPU rather than wall-clock time because the machine is shared).
template <class F>
void timed_loop(benchmark::State& state, std::size_t steps, F body) {
    const double t0 = thread_cpu_ns();
    for (auto _ : state) body();
    const double t1 = thread_cpu_ns();
    if (state.iterations() == 0) return;
    state.counters["ns_per_step"] =
        (t1 - t0) / static_cast<double>(state.iterations()) / static_cast<double>(steps);
}

const sim::Model& sir_model() {
    static const sim::Model m = sim::Model::compile(sim::load_model(samples + "SIR/SIR.xmile"));
    return m;
}
const sim::Model& teacup_model() {
    static const sim::Model m = sim::Model::compile(sim::load_model(samples + "teacup/teacup.xmile"));
    return m;
}

// Native mode (sim/native.hpp), built once; nullptr if there is no C++
// compiler (the native benchmarks then report an error, the rest run).
const sim::NativeModel* native(const sim::Model& m) {
    static std::map<const sim::Model*, std::optional<sim::NativeModel>> built;
    auto it = built.find(&m);
    if (it == built.end()) {
        sim::Diagnostics d;
        it = built.emplace(&m, sim::NativeModel::build(m, d)).first;
        if (!it->second) std::fprintf(stderr, "bench_overhead: no native mode: %s\n", d.str().c_str());
    }
    return it->second ? &*it->second : nullptr;
}

// Minimal output: one stock, at the start and stop times only.
sim::RunOptions nosave(const sim::Model& m, const char* stock) {
    sim::RunOptions o;
    o.save = {stock};
    o.save_step = m.specs().stop - m.specs().start;
    return o;
}

template <class HandFn>
void libsim_vs_hand_check(const char* model, const sim::Results& r, HandFn hand, const char* const* names,
                          std::size_t cols, std::size_t steps, int& failures) {
    const HandResults h = hand();
    if (r.rows() != steps + 1 || r.cols() != cols) {
        std::fprintf(stderr, "bench_overhead: %s: libsim saved %zu x %zu, expected %zu x %zu\n", model, r.rows(),
                     r.cols(), steps + 1, cols);
        ++failures;
        return;
    }
    for (std::size_t c = 0; c < cols; ++c) {
        auto col = r.column(names[c]);
        if (!col) {
            std::fprintf(stderr, "bench_overhead: %s: libsim did not save '%s'\n", model, names[c]);
            ++failures;
            return;
        }
        for (std::size_t row = 0; row <= steps; ++row) {
            double a = r.at(row, *col), b = h.values[row * cols + c];
            if (std::fabs(a - b) > 1e-12 * std::fmax(1.0, std::fabs(b)) || r.times[row] != h.times[row]) {
                std::fprintf(stderr, "bench_overhead: %s: libsim %.17g, hand-written %.17g for '%s' at t=%g\n",
                             model, a, b, names[c], h.times[row]);
                ++failures;
                return;
            }
        }
    }
}

int check() {
    int failures = 0;
    libsim_vs_hand_check("SIR", sir_model().run(), hand_sir, sir_names, 8, sir_steps, failures);
    libsim_vs_hand_check("teacup", teacup_model().run(), hand_teacup, tea_names, 4, tea_steps, failures);
    auto final_value = [&](const char* model, const sim::Model& m, const char* stock, double hand) {
        sim::Results r = m.run(nosave(m, stock));
        if (r.rows() != 2 || std::fabs(r.at(1, 0) - hand) > 1e-12 * std::fabs(hand)) {
            std::fprintf(stderr, "bench_overhead: %s without saving: %zu rows, final %.17g, hand-written %.17g\n",
                         model, r.rows(), r.rows() ? r.at(r.rows() - 1, 0) : 0.0, hand);
            ++failures;
        }
    };
    final_value("SIR", sir_model(), "susceptible", hand_sir_nosave());
    for (const sim::Model* m : {&sir_model(), &teacup_model()}) {
        const sim::NativeModel* n = native(*m);
        if (!n) continue;
        sim::Results a = m->run(), b = n->run();
        if (a.values != b.values || a.times != b.times || a.names != b.names) {
            std::fprintf(stderr, "bench_overhead: native mode differs from the interpreter\n");
            ++failures;
        }
    }
    final_value("teacup", teacup_model(), "Teacup Temperature", hand_teacup_nosave());
    return failures;
}

// --- benchmarks

void BM_sir_libsim(benchmark::State& state) {
    const sim::Model& m = sir_model();
    timed_loop(state, sir_steps, [&] {
        sim::Results r = m.run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_sir_hand(benchmark::State& state) {
    timed_loop(state, sir_steps, [] {
        HandResults r = hand_sir();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_sir_libsim_nosave(benchmark::State& state) {
    const sim::Model& m = sir_model();
    const sim::RunOptions o = nosave(m, "susceptible");
    timed_loop(state, sir_steps, [&] {
        sim::Results r = m.run(o);
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_sir_hand_nosave(benchmark::State& state) {
    timed_loop(state, sir_steps, [] { benchmark::DoNotOptimize(hand_sir_nosave()); });
}
void BM_teacup_libsim(benchmark::State& state) {
    const sim::Model& m = teacup_model();
    timed_loop(state, tea_steps, [&] {
        sim::Results r = m.run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_teacup_hand(benchmark::State& state) {
    timed_loop(state, tea_steps, [] {
        HandResults r = hand_teacup();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_teacup_libsim_nosave(benchmark::State& state) {
    const sim::Model& m = teacup_model();
    const sim::RunOptions o = nosave(m, "Teacup Temperature");
    timed_loop(state, tea_steps, [&] {
        sim::Results r = m.run(o);
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_teacup_hand_nosave(benchmark::State& state) {
    timed_loop(state, tea_steps, [] { benchmark::DoNotOptimize(hand_teacup_nosave()); });
}
// Native mode: the same runs through generated and compiled C++.
template <class Get>
void native_bench(benchmark::State& state, Get model, const char* nosave_stock, std::size_t steps) {
    const sim::NativeModel* n = native(model());
    if (!n) {
        state.SkipWithError("no native mode (no C++ compiler?)");
        for (auto _ : state) {
        }
        return;
    }
    const sim::RunOptions o = nosave_stock ? nosave(model(), nosave_stock) : sim::RunOptions{};
    timed_loop(state, steps, [&] {
        sim::Results r = n->run(o);
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_sir_native(benchmark::State& state) { native_bench(state, sir_model, nullptr, sir_steps); }
void BM_sir_native_nosave(benchmark::State& state) { native_bench(state, sir_model, "susceptible", sir_steps); }
void BM_teacup_native(benchmark::State& state) { native_bench(state, teacup_model, nullptr, tea_steps); }
void BM_teacup_native_nosave(benchmark::State& state) {
    native_bench(state, teacup_model, "Teacup Temperature", tea_steps);
}

// For reference: SIR with RK4 (four right-hand-side evaluations per step).
void BM_sir_libsim_rk4(benchmark::State& state) {
    const sim::Model& m = sir_model();
    sim::RunOptions o;
    o.method = sim::Method::rk4;
    timed_loop(state, sir_steps, [&] {
        sim::Results r = m.run(o);
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}

}  // namespace

BENCHMARK(BM_sir_libsim)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_hand)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_libsim_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_hand_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_libsim)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_hand)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_libsim_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_hand_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_native)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_native_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_native)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_teacup_native_nosave)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sir_libsim_rk4)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) { return bench::run_checked(argc, argv, "bench_overhead", check); }
