// The Chongqing model (models/chongqing/model.yaml, levers as shipped: all
// off) three ways: the hand translation of bench/chongqing_hand.hpp (also
// compiled with its constants as run-time values, chongqing_hand_runtime.cpp,
// to show what folding them is worth), libsim's generated code (sim::compile_native, as bench_batch makes it: compiled once,
// excluded from the timings) and the interpreter. One Euler run each, dt 1/8
// over 2013-2050, saving the same columns once a year (the stocks and the key
// outputs listed in chongqing_hand::columns, not every variable), results
// allocated per run. Timed by CPU time; at the end the ratios generated/hand
// and interpreter/hand, from the medians when run with repetitions:
//
//   bench_chongqing_hand --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//
// Before timing, main() checks that every value either hand loop saves equals
// the interpreter's within relative 1e-9 and that the generated code gives the
// interpreter's bits, and exits 1 (printing the largest difference) if not, so
// the bench_smoke ctest fails; it exits 77 (skipped) with no C++ compiler.
// Figures: docs/performance.md §1b.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "chongqing_hand.hpp"
#include "sim/native.hpp"
#include "sim/sim.hpp"

namespace bench {
// chongqing_hand_runtime.cpp: the hand loop with run-time constants.
void chongqing_hand_runtime_run(std::vector<double>& times, std::vector<double>& values);
}  // namespace bench

namespace {

const std::string model_path = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";

struct Setup {
    sim::Model model;
    std::optional<sim::Model> generated;
};
Setup* setup_ptr = nullptr;

sim::RunOptions options(sim::RunEngine engine) {
    sim::RunOptions o;
    o.method = sim::Method::euler;
    o.engine = engine;
    o.save.assign(std::begin(chongqing_hand::columns), std::end(chongqing_hand::columns));
    return o;
}

// Largest relative difference |a - b| / max(|a|, |b|) (0 where both are 0)
// between a hand loop's results and the interpreter's; 1 if over 1e-9 or on
// a shape mismatch.
int check_hand(const char* which, const sim::Results& r, const chongqing_hand::Results& h) {
    using chongqing_hand::cols;
    if (r.rows() != static_cast<std::size_t>(chongqing_hand::rows) || r.cols() != cols || r.times != h.times) {
        std::fprintf(stderr, "bench_chongqing_hand: the interpreter saved %zu x %zu, the %s %d x %zu\n", r.rows(),
                     r.cols(), which, chongqing_hand::rows, cols);
        return 1;
    }
    double worst = 0;
    std::size_t worst_row = 0, worst_col = 0;
    for (std::size_t c = 0; c < cols; ++c) {
        const auto col = r.column(chongqing_hand::columns[c]);
        if (!col) {
            std::fprintf(stderr, "bench_chongqing_hand: no column '%s'\n", chongqing_hand::columns[c]);
            return 1;
        }
        for (std::size_t row = 0; row < r.rows(); ++row) {
            const double a = r.at(row, *col), b = h.values[row * cols + c];
            const double scale = std::fmax(std::fabs(a), std::fabs(b));
            const double d = a == b ? 0.0 : std::fabs(a - b) / scale;  // NaN if either is
            if (!(d <= worst)) {
                worst = d;
                worst_row = row;
                worst_col = c;
            }
        }
    }
    const auto col = *r.column(chongqing_hand::columns[worst_col]);
    std::fprintf(stderr,
                 "bench_chongqing_hand: %s vs interpreter, %d rows x %zu columns: largest relative "
                 "difference %.3g ('%s' at %g: interpreter %.17g, hand %.17g)\n",
                 which, chongqing_hand::rows, cols, worst, chongqing_hand::columns[worst_col], r.times[worst_row],
                 r.at(worst_row, col), h.values[worst_row * cols + worst_col]);
    if (!(worst <= 1e-9)) {
        std::fprintf(stderr, "bench_chongqing_hand: the %s differs from the interpreter by more than 1e-9\n", which);
        return 1;
    }
    return 0;
}

template <class F>
void timed(benchmark::State& state, F body) {
    const double t0 = bench::thread_cpu_ns();
    for (auto _ : state) body();
    const double t1 = bench::thread_cpu_ns();
    if (state.iterations() > 0)
        state.counters["cpu_us_per_run"] = (t1 - t0) / 1e3 / static_cast<double>(state.iterations());
}

void BM_hand(benchmark::State& state) {
    timed(state, [] {
        chongqing_hand::Results r = chongqing_hand::run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_hand_runtime_constants(benchmark::State& state) {
    timed(state, [] {
        std::vector<double> times, values;
        bench::chongqing_hand_runtime_run(times, values);
        benchmark::DoNotOptimize(values.data());
        benchmark::ClobberMemory();
    });
}
void run_engine(benchmark::State& state, const sim::Model& m, sim::RunEngine engine) {
    const sim::RunOptions o = options(engine);
    timed(state, [&] {
        sim::Results r = m.run(o);
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_generated(benchmark::State& state) { run_engine(state, *setup_ptr->generated, sim::RunEngine::generated); }
void BM_interpreter(benchmark::State& state) { run_engine(state, setup_ptr->model, sim::RunEngine::interpreter); }

BENCHMARK(BM_hand)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_hand_runtime_constants)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_generated)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_interpreter)->Unit(benchmark::kMicrosecond);

// The ratios to the hand loop, printed at the end from each case's median
// CPU time per run (bench::MedianReporter).
void print_ratios(const bench::MedianReporter& reporter) {
    auto get = [&](const std::string& name) { return reporter.median(name); };
    const double hand = get("BM_hand"), runtime = get("BM_hand_runtime_constants");
    const double gen = get("BM_generated"), interp = get("BM_interpreter");
    std::printf("\nChongqing, CPU per run: hand %.1f us, hand with run-time constants %.1f us, generated %.1f us, "
                "interpreter %.1f us\n",
                hand, runtime, gen, interp);
    std::printf("generated / hand = %.2f, interpreter / hand = %.2f, hand with run-time constants / hand = %.2f, "
                "generated / hand with run-time constants = %.2f\n",
                gen / hand, interp / hand, runtime / hand, gen / runtime);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    if (std::system("c++ --version >/dev/null 2>&1") != 0) {
        std::fprintf(stderr, "bench_chongqing_hand: skipped: no C++ compiler (c++) on the PATH\n");
        return 77;
    }
    try {
        Setup s{sim::Model::compile(sim::load_model(model_path)), std::nullopt};
        sim::Diagnostics d;
        sim::NativeOptions no;
        no.cache_dir = std::string(SIM_BINARY_DIR) + "/bench-native-cache";
        s.generated = sim::compile_native(s.model, d, no);
        if (!s.generated) {
            std::fprintf(stderr, "bench_chongqing_hand: no generated code:\n%s", d.str().c_str());
            return 1;
        }
        setup_ptr = &s;

        // Correctness first.
        const sim::Results ri = s.model.run(options(sim::RunEngine::interpreter));
        const sim::Results rg = s.generated->run(options(sim::RunEngine::generated));
        if (ri.values.size() != rg.values.size() || ri.times != rg.times ||
            std::memcmp(ri.values.data(), rg.values.data(), ri.values.size() * sizeof(double)) != 0) {
            std::fprintf(stderr, "bench_chongqing_hand: the generated code differs from the interpreter\n");
            return 1;
        }
        if (check_hand("hand loop", ri, chongqing_hand::run()) != 0) return 1;
        chongqing_hand::Results rt;
        bench::chongqing_hand_runtime_run(rt.times, rt.values);
        if (check_hand("hand loop with run-time constants", ri, rt) != 0) return 1;

        bench::MedianReporter reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
        print_ratios(reporter);
        benchmark::Shutdown();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_chongqing_hand: %s\n", e.what());
        return 1;
    }
    return 0;
}
