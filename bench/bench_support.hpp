// Helpers shared by the benchmark programs in bench/.
#pragma once

#include <benchmark/benchmark.h>
#include <time.h>

#include <cstdio>
#include <exception>

namespace bench {

// CPU time of the calling thread, in nanoseconds.
inline double thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// main() of a benchmark program that checks its results before timing:
// returns 2 on unrecognised arguments, 1 if `check` returns non-zero or
// throws (so the bench_smoke ctest fails), otherwise runs the benchmarks.
template <class Check>
int run_checked(int argc, char** argv, const char* name, Check check) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    try {
        if (check() != 0) return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace bench
