// Helpers shared by the benchmark programs in bench/.
#pragma once

#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

namespace bench {

// CPU time of the calling thread, in nanoseconds.
inline double thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// The console output, keeping each case's median CPU time per run (its
// `cpu_us_per_run` counter: the median aggregate when run with repetitions,
// else the median of its runs), for the ratios a program prints at the end.
class MedianReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            const std::string name = r.run_name.function_name;
            const auto it = r.counters.find("cpu_us_per_run");
            if (r.error_occurred || it == r.counters.end()) continue;
            if (r.run_type == Run::RT_Aggregate) {
                if (r.aggregate_name == "median") median_[name] = it->second.value;
            } else {
                runs_[name].push_back(it->second.value);
            }
        }
    }
    // NaN when the case did not run.
    double median(const std::string& name) const {
        if (auto m = median_.find(name); m != median_.end()) return m->second;
        auto r = runs_.find(name);
        if (r == runs_.end() || r->second.empty()) return NAN;
        std::vector<double> v = r->second;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }

private:
    std::map<std::string, double> median_;
    std::map<std::string, std::vector<double>> runs_;
};

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
