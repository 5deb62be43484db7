// Several runs interleaved in SIMD lanes, measured against one run at a time
// (issue 14 item 4), in the best case: the hand translation of Chongqing
// (bench/chongqing_hand.hpp) with four parameter sets, which vary the
// elasticities that are the exponents of its pow calls (CHONGQING_LANES_PARAMS:
// as shipped, all +10 %, all -10 %, alternately +10 % and -10 %).
//
// - BM_hand: one run of the constexpr hand loop at the shipped settings (the
//   yardstick of bench_chongqing_hand), for reference.
// - BM_hand_one_at_a_time: the four parameter sets one after the other with
//   the hand loop with run-time constants (chongqing_hand_runtime.cpp).
// - BM_hand_lanes_avx2: the four in the four lanes of a 256-bit vector
//   (bench/lanes.hpp, chongqing_lanes_avx2.cpp); skipped without AVX2.
// - BM_hand_lanes_sse2: the same in two 128-bit halves (x86-64's baseline).
// pow, log and exp stay glibc's scalar calls, once per lane; results
// allocated per run as in bench_chongqing_hand. Counters: CPU time per run
// (a lanes iteration is four runs) and runs per second; at the end the ratios
// lanes / one at a time, from the medians when run with repetitions:
//
//   taskset -c 1 bench_lanes --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//
// Before timing, main() checks that every saved value (and time) of every
// lane is bit for bit the one-at-a-time run's with that lane's constants, that
// the four runs differ, and that the lane type's MIN, MAX, non-negative flow
// and select give the scalar functions' bits on special values (NaN, signed
// zeros, infinities); it exits 1 with the first difference otherwise.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "chongqing_hand.hpp"
#include "chongqing_lanes.hpp"
#include "sim/ops.hpp"

namespace {

using bench::ChongqingParams;
using bench::lanes_width;
using chongqing_hand::cols;
using chongqing_hand::rows;

ChongqingParams sets[lanes_width];

// Lane 0 as shipped, 1 every varied constant +10 %, 2 -10 %, 3 alternately.
void make_sets() {
    const ChongqingParams base = bench::chongqing_hand_runtime_params();
    for (int l = 0; l < lanes_width; ++l) {
        int k = 0;
#define BENCH_LANES_VARY(name)                                                          \
    {                                                                                   \
        const double f = l == 0 ? 1.0 : l == 1 ? 1.1 : l == 2 ? 0.9 : k % 2 ? 0.9 : 1.1; \
        sets[l].name = base.name * f;                                                   \
        ++k;                                                                            \
    }
        CHONGQING_LANES_PARAMS(BENCH_LANES_VARY)
#undef BENCH_LANES_VARY
        (void)k;
    }
}

struct Runs {
    std::vector<double> times[lanes_width], values[lanes_width];
};

void one_at_a_time(Runs& r) {
    for (int l = 0; l < lanes_width; ++l) {
        bench::chongqing_hand_runtime_set(sets[l]);
        bench::chongqing_hand_runtime_run(r.times[l], r.values[l]);
    }
}

using LanesFn = void (*)(const ChongqingParams*, double* const*, double* const*);

// Fresh result vectors per run, as one_at_a_time gets them.
void in_lanes(LanesFn f, Runs& r) {
    double* t[lanes_width];
    double* v[lanes_width];
    for (int l = 0; l < lanes_width; ++l) {
        r.times[l] = std::vector<double>(rows);
        r.values[l] = std::vector<double>(rows * cols);
        t[l] = r.times[l].data();
        v[l] = r.values[l].data();
    }
    f(sets, t, v);
}

bool have_avx2() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

// Every lane's times and values against the one-at-a-time run's bits.
int check_lanes(const char* which, LanesFn f) {
    Runs lanes, scalar;
    in_lanes(f, lanes);
    one_at_a_time(scalar);
    for (int l = 0; l < lanes_width; ++l) {
        if (lanes.times[l].size() != scalar.times[l].size() || lanes.values[l].size() != scalar.values[l].size()) {
            std::fprintf(stderr, "bench_lanes: %s lane %d: %zu x %zu values, one at a time %zu x %zu\n", which, l,
                         lanes.times[l].size(), cols, scalar.times[l].size(), cols);
            return 1;
        }
        if (std::memcmp(lanes.times[l].data(), scalar.times[l].data(), rows * sizeof(double)) != 0) {
            std::fprintf(stderr, "bench_lanes: %s lane %d: the times differ from one at a time\n", which, l);
            return 1;
        }
        for (std::size_t i = 0; i < lanes.values[l].size(); ++i) {
            const double a = lanes.values[l][i], b = scalar.values[l][i];
            if (std::memcmp(&a, &b, sizeof a) != 0) {
                std::fprintf(stderr,
                             "bench_lanes: %s lane %d differs from the same run one at a time: '%s' at %g: "
                             "lanes %.17g, one at a time %.17g\n",
                             which, l, chongqing_hand::columns[i % cols], scalar.times[l][i / cols], a, b);
                return 1;
            }
        }
    }
    for (int l = 1; l < lanes_width; ++l)
        if (scalar.values[l] == scalar.values[0]) {
            std::fprintf(stderr, "bench_lanes: parameter set %d gives the results of set 0\n", l);
            return 1;
        }
    std::fprintf(stderr,
                 "bench_lanes: %s: every value of the %d lanes (%d rows x %zu columns each) is bit for bit the "
                 "one-at-a-time run's\n",
                 which, lanes_width, rows, cols);
    return 0;
}

// The lane type's choices against the scalar functions on all pairs of
// special values.
int check_ops(const char* which, void (*ops)(const double*, const double*, std::size_t, double*)) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-310, -1e-310, inf, -inf, nan, -nan, 2.0};
    std::vector<double> a, b;
    for (double x : special)
        for (double y : special) {
            a.push_back(x);
            b.push_back(y);
        }
    while (a.size() % lanes_width != 0) {
        a.push_back(0.0);
        b.push_back(0.0);
    }
    const std::size_t n = a.size();
    std::vector<double> out(bench::lanes_ops * n);
    ops(a.data(), b.data(), n, out.data());
    const char* names[bench::lanes_ops] = {"min_ (std::min)",       "max_ (std::max)",
                                           "ops_min (sim::ops::min)", "ops_max (sim::ops::max)",
                                           "ops_nonneg (sim::ops::nonneg)", "if_"};
    for (std::size_t i = 0; i < n; ++i) {
        const double x = a[i], y = b[i];
        const double want[bench::lanes_ops] = {std::min(x, y),        std::max(x, y), sim::ops::min(x, y),
                                               sim::ops::max(x, y), sim::ops::nonneg(x), x < y ? x : y};
        for (int k = 0; k < bench::lanes_ops; ++k)
            if (std::memcmp(&want[k], &out[k * n + i], sizeof(double)) != 0) {
                std::fprintf(stderr, "bench_lanes: %s lanes' %s(%g, %g) is %g, the scalar's %g\n", which, names[k], x,
                             y, out[k * n + i], want[k]);
                return 1;
            }
    }
    return 0;
}

template <class F>
void timed(benchmark::State& state, int runs_per_iteration, F body) {
    const double t0 = bench::thread_cpu_ns();
    for (auto _ : state) body();
    const double t1 = bench::thread_cpu_ns();
    if (state.iterations() > 0) {
        const double us = (t1 - t0) / 1e3 / static_cast<double>(state.iterations() * runs_per_iteration);
        state.counters["cpu_us_per_run"] = us;
        state.counters["runs_per_s"] = 1e6 / us;
    }
}

void BM_hand(benchmark::State& state) {
    timed(state, 1, [] {
        chongqing_hand::Results r = chongqing_hand::run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    });
}
void BM_hand_one_at_a_time(benchmark::State& state) {
    timed(state, lanes_width, [] {
        Runs r;
        one_at_a_time(r);
        benchmark::DoNotOptimize(r.values[0].data());
        benchmark::ClobberMemory();
    });
}
void lanes_case(benchmark::State& state, LanesFn f) {
    timed(state, lanes_width, [f] {
        Runs r;
        in_lanes(f, r);
        benchmark::DoNotOptimize(r.values[0].data());
        benchmark::ClobberMemory();
    });
}
void BM_hand_lanes_avx2(benchmark::State& state) {
    if (!have_avx2()) {
        state.SkipWithError("no AVX2 on this CPU");
        return;
    }
    lanes_case(state, bench::chongqing_lanes_run_avx2);
}
void BM_hand_lanes_sse2(benchmark::State& state) { lanes_case(state, bench::chongqing_lanes_run_sse2); }

BENCHMARK(BM_hand)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_hand_one_at_a_time)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_hand_lanes_avx2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_hand_lanes_sse2)->Unit(benchmark::kMicrosecond);

// The ratios, printed at the end from each case's median CPU time per run
// (bench::MedianReporter).
void print_ratios(const bench::MedianReporter& reporter) {
    auto get = [&](const std::string& name) { return reporter.median(name); };
    const double hand = get("BM_hand"), one = get("BM_hand_one_at_a_time");
    const double avx2 = get("BM_hand_lanes_avx2"), sse2 = get("BM_hand_lanes_sse2");
    std::printf("\nChongqing, CPU per run: hand %.1f us, one at a time (run-time constants) %.1f us, "
                "lanes AVX2 %.1f us, lanes SSE2 %.1f us\n",
                hand, one, avx2, sse2);
    std::printf("runs per second: one at a time %.0f, lanes AVX2 %.0f, lanes SSE2 %.0f\n", 1e6 / one, 1e6 / avx2,
                1e6 / sse2);
    std::printf("lanes / one at a time = %.2f (AVX2), %.2f (SSE2); lanes AVX2 / hand = %.2f\n", avx2 / one,
                sse2 / one, avx2 / hand);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    make_sets();
    if (check_ops("SSE2", bench::chongqing_lanes_ops_sse2) != 0) return 1;
    if (check_lanes("SSE2", bench::chongqing_lanes_run_sse2) != 0) return 1;
    if (have_avx2()) {
        if (check_ops("AVX2", bench::chongqing_lanes_ops_avx2) != 0) return 1;
        if (check_lanes("AVX2", bench::chongqing_lanes_run_avx2) != 0) return 1;
    } else {
        std::fprintf(stderr, "bench_lanes: no AVX2 on this CPU: BM_hand_lanes_avx2 skipped\n");
    }
    bench::MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_ratios(reporter);
    benchmark::Shutdown();
    return 0;
}
