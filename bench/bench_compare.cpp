// Parallel batches: the 32-combination lever comparison of the Chongqing
// model (models/chongqing/model.yaml, five levers, Euler dt 1/8 over
// 2013-2050) through sim::compare on 1 and 2 threads, timed by wall clock
// (the point is the elapsed time); the speed-up is the ratio of the two.
//
// Before timing, main() checks
//   - that 1 and 2 threads give the same results bit for bit;
//   - that a run allocates nothing per step: with a counting global
//     operator new, a run over N steps and one over 2N steps make the same
//     number of allocations;
// and exits 1 if not (so the bench_smoke ctest fails).
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "bench_support.hpp"
#include "sim/sim.hpp"

namespace {
std::atomic<long> allocations{0};
}

// Counting allocator (every form of operator new ends up in these two).
// g++ 12 flags free() in a replaced operator delete as a mismatch with
// operator new (a false positive: both are replaced here, over malloc/free).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
#pragma GCC diagnostic pop

namespace {

const std::string model_path = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";

struct Chongqing {
    sim::ModelSpec spec;
    sim::Model model;
};

const Chongqing& chongqing() {
    static const Chongqing c = [] {
        sim::ModelSpec spec = sim::load_model(model_path);
        sim::Model m = sim::Model::compile(spec);
        return Chongqing{std::move(spec), std::move(m)};
    }();
    return c;
}

sim::CompareResult run_compare(unsigned threads) {
    sim::CompareOptions o;
    o.threads = threads;
    o.at = {2030, 2035, 2050};
    o.indicators = {{"rural_income"},      {"urban_income"},
                    {"income_ratio", true}, {"total_household_consumption"},
                    {"urbanization_rate"}, {"non_citizenized_migrants", true}};
    return sim::compare(chongqing().model, o);
}

double process_cpu_ms() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
    return ms(u.ru_utime) + ms(u.ru_stime);
}
double wall_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Counters: process_cpu_ms = CPU time of every thread per comparison (the
// work, whatever the thread count); parallelism = that / wall-clock time
// (how many vCPUs the comparison actually had).
void BM_compare(benchmark::State& state) {
    const unsigned threads = static_cast<unsigned>(state.range(0));
    const double c0 = process_cpu_ms(), w0 = wall_ms();
    for (auto _ : state) {
        sim::CompareResult r = run_compare(threads);
        benchmark::DoNotOptimize(r.combinations.data());
    }
    const double c1 = process_cpu_ms(), w1 = wall_ms();
    if (state.iterations() == 0) return;
    state.counters["runs"] = 32;
    state.counters["process_cpu_ms"] = (c1 - c0) / static_cast<double>(state.iterations());
    state.counters["parallelism"] = (c1 - c0) / (w1 - w0);
}

// One run of the model alone, for the per-run cost.
void BM_single_run(benchmark::State& state) {
    for (auto _ : state) {
        sim::Results r = chongqing().model.run();
        benchmark::DoNotOptimize(r.values.data());
    }
}

long allocations_for(double stop) {
    sim::RunOptions o;
    o.stop = stop;
    const long before = allocations.load();
    sim::Results r = chongqing().model.run(o);
    const long n = allocations.load() - before;
    benchmark::DoNotOptimize(r.values.data());
    return n;
}

int check() {
    const auto& m = chongqing().model;
    const double start = m.specs().start, stop = m.specs().stop;
    const double half = start + (stop - start) / 2;
    allocations_for(stop);  // warm-up (function-local statics)
    const long a1 = allocations_for(half), a2 = allocations_for(stop);
    std::printf("allocations per run: %ld over %g years, %ld over %g years\n", a1, half - start, a2, stop - start);
    if (a1 != a2) {
        std::fprintf(stderr, "bench_compare: a run allocates per step (%ld vs %ld allocations)\n", a1, a2);
        return 1;
    }
    sim::CompareResult r1 = run_compare(1), r2 = run_compare(2);
    if (r1.combinations.size() != 32) {
        std::fprintf(stderr, "bench_compare: %zu combinations, expected 32\n", r1.combinations.size());
        return 1;
    }
    for (std::size_t c = 0; c < r1.combinations.size(); ++c)
        if (r1.combinations[c].series != r2.combinations[c].series ||
            r1.combinations[c].cost_series != r2.combinations[c].cost_series) {
            std::fprintf(stderr, "bench_compare: combination %zu differs between 1 and 2 threads\n", c);
            return 1;
        }
    return 0;
}

}  // namespace

BENCHMARK(BM_single_run)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_compare)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) { return bench::run_checked(argc, argv, "bench_compare", check); }
