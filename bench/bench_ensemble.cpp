// Ensembles: the Chongqing model (models/chongqing/model.yaml), its five
// levers' 32 combinations x N parameter samples (Latin hypercube over the
// distributions and rank correlations its `uncertainties:` and
// `correlations:` declare), through sim::robust_compare; issue 11's budget is
// 32 x 1,000 = 32,000 runs in under 30 s on 2 cores. Reported side by side
// in one run: one model run alone (same options as an ensemble run) and the
// ensemble on 1 and 2 threads, with runs per second per core (runs / CPU
// seconds of every thread) and the wall-clock time; each with the lever
// combinations sharing their steps before the levers' start (share=1, the
// default: EnsembleOptions::share_steps) and with every run from the start
// (share=0).
//
//   bench_ensemble [--samples=N] [benchmark flags]     (default N = 1000)
//
// Before timing, main() checks that 1 and 2 threads, and shared steps or
// none, give the same bytes, and exits 1 if not (so the bench_smoke ctest fails). The wall time is
// reported (wall_s, to set against the budget), never asserted.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "sim/scenario.hpp"
#include "sim/robustness.hpp"
#include "sim/sim.hpp"

namespace {

const std::string model_path = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";
std::size_t n_samples = 1000;

struct Setup {
    sim::ModelSpec spec;
    sim::Model model;
    std::vector<sim::Uncertainty> params;
    std::vector<sim::RankCorrelation> correlations;
    std::vector<std::string> levers;
    std::vector<sim::Indicator> indicators;
};

const Setup& setup() {
    static const Setup s = [] {
        sim::ModelSpec spec = sim::load_model(model_path);
        sim::Model m = sim::Model::compile(spec);
        Setup x{spec, m, {}, {}, {}, {}};
        x.params = spec.uncertainties;
        x.correlations = spec.correlations;
        for (const auto& l : spec.levers) x.levers.push_back(l.name);
        // The main job's indicators (the comparison scenario declares them).
        sim::Diagnostics d;
        sim::Scenario sc = sim::load_scenario(std::string(SIM_SOURCE_DIR) + "/models/chongqing/scenarios/compare.yaml", d);
        if (d.has_errors()) throw sim::Error(std::move(d));
        x.indicators = sc.indicators;
        return x;
    }();
    return s;
}

sim::SampleMatrix samples(std::size_t n) {
    // Iman-Conover reorders every column, so it needs more samples than
    // parameters; the smoke sizes sample without the correlations.
    const auto& s = setup();
    return sim::sample(s.params, n > s.params.size() ? s.correlations : std::vector<sim::RankCorrelation>{}, n,
                       sim::SampleMethod::latin_hypercube, 2024);
}

sim::EnsembleOptions options(unsigned threads, bool share = true) {
    sim::EnsembleOptions o;
    o.at = {2030, 2035, 2050};
    o.threads = threads;
    o.share_steps = share;
    return o;
}

double process_cpu_s() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}
double wall_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// One run as the ensemble makes it: the indicators saved, one sample's
// values and one combination's lever switches set.
void BM_single_run(benchmark::State& state) {
    const Setup& s = setup();
    const auto sm = samples(1);
    sim::RunOptions o;
    for (const auto& i : s.indicators) o.save.push_back(i.name);
    for (const auto& l : s.levers) o.set.emplace_back(l + "_on", 1.0);
    for (std::size_t c = 0; c < sm.cols(); ++c) o.set.emplace_back(sm.names[c], sm.at(0, c));
    for (auto _ : state) {
        sim::Results r = s.model.run(o);
        benchmark::DoNotOptimize(r.values.data());
    }
}

void BM_ensemble(benchmark::State& state) {
    const Setup& s = setup();
    const unsigned threads = static_cast<unsigned>(state.range(0));
    const bool share = state.range(1) != 0;
    const auto sm = samples(n_samples);
    const double runs = static_cast<double>(n_samples << s.levers.size());
    const double c0 = process_cpu_s(), w0 = wall_s();
    for (auto _ : state) {
        auto r = sim::robust_compare(s.model, s.levers, s.indicators, sm, options(threads, share));
        benchmark::DoNotOptimize(r.stats.data());
    }
    const double cpu = process_cpu_s() - c0, wall = wall_s() - w0;
    const double it = static_cast<double>(state.iterations());
    state.counters["runs"] = runs;
    state.counters["wall_s"] = wall / it;
    state.counters["runs_per_s"] = runs * it / wall;
    state.counters["runs_per_s_per_core"] = runs * it / cpu;  // runs per CPU second of every thread
}

int check() {
    const Setup& s = setup();
    std::printf("Chongqing: %zu levers (%zu combinations), %zu uncertain parameters, %zu indicators\n",
                s.levers.size(), std::size_t{1} << s.levers.size(), s.params.size(), s.indicators.size());
    if (s.params.size() < 5) {
        std::fprintf(stderr, "bench_ensemble: the model has only %zu of the README's uncertain parameters\n",
                     s.params.size());
        return 1;
    }
    const auto sm = samples(8);
    const auto r1 = sim::robust_compare(s.model, s.levers, s.indicators, sm, options(1));
    const auto r2 = sim::robust_compare(s.model, s.levers, s.indicators, sm, options(2));
    const auto r3 = sim::robust_compare(s.model, s.levers, s.indicators, sm, options(2, false));
    auto same = [](const sim::RobustnessResult& a, const sim::RobustnessResult& b) {
        return a.stats.size() == b.stats.size() &&
               std::memcmp(a.stats.data(), b.stats.data(), a.stats.size() * sizeof(a.stats[0])) == 0;
    };
    if (!same(r1, r2)) {
        std::fprintf(stderr, "bench_ensemble: 1 and 2 threads give different results\n");
        return 1;
    }
    if (!same(r2, r3)) {
        std::fprintf(stderr, "bench_ensemble: shared steps and runs from the start give different results\n");
        return 1;
    }
    return 0;
}

}  // namespace

BENCHMARK(BM_single_run)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ensemble)
    ->ArgNames({"threads", "share"})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Args({2, 0})
    ->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

int main(int argc, char** argv) {
    // --samples=N is ours; the rest goes to Google Benchmark.
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--samples=", 10) == 0) {
            char* end = nullptr;
            const unsigned long n = std::strtoul(argv[i] + 10, &end, 10);
            if (!end || *end || n == 0) {
                std::fprintf(stderr, "bench_ensemble: --samples needs a positive integer\n");
                return 2;
            }
            n_samples = n;
        } else {
            argv[out++] = argv[i];
        }
    }
    argc = out;
    return bench::run_checked(argc, argv, "bench_ensemble", check);
}
