// Batches and generated code on the Chongqing model (models/chongqing/
// model.yaml): N Euler runs over its `uncertainties:` (Latin hypercube)
// through sim::Batch, with the interpreter and with the generated code
// (sim::compile_native: compiled once, its time printed apart and never
// in a timing), beside one Model::run of each engine, and the same runs as
// an ensemble of generated code (sim::run_ensemble, as sdsim sensitivity
// and compare --samples run them from the start) one at a time and in SIMD
// lanes. Runs per second per core = runs / CPU seconds (items_per_second in
// Google Benchmark's output). Every batch run saves the model's default
// columns at its save step; the ensemble keeps the main job's six
// indicators at three report times.
//
//   bench_batch [--runs=N] [benchmark flags]     (default N = 256)
//
// Before timing, main() checks that the generated batch, the interpreted
// batch and Model::run give the same bits for every run (and the ensemble in
// lanes the same as one at a time), and exits 1 if not
// (so the bench_smoke ctest fails); it exits 77 (skipped) with no C++
// compiler. Speed is reported, never asserted.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "sim/batch.hpp"
#include "sim/ensemble.hpp"
#include "sim/generated.hpp"
#include "sim/native.hpp"
#include "sim/sampling.hpp"
#include "sim/sim.hpp"

namespace {

const std::string model_path = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";
std::size_t n_runs = 256;

struct Setup {
    sim::Model model;
    std::optional<sim::Model> generated;
    sim::SampleMatrix sets;
    // The same code compiled with -mno-fma: its lanes call std::pow once
    // per lane instead of the lanes' vector pow (sim::lanes::pow).
    std::optional<sim::Model> scalar_pow;
};

Setup* setup_ptr = nullptr;
const Setup& setup() { return *setup_ptr; }

sim::BatchOptions options(sim::RunEngine engine, bool lanes = false) {
    sim::BatchOptions o;
    o.lanes = lanes;
    o.base.method = sim::Method::euler;
    o.base.engine = engine;
    o.parameters = setup().sets.names;
    o.threads = 1;
    return o;
}

void BM_one_run(benchmark::State& state, sim::RunEngine engine) {
    const sim::Model& m = engine == sim::RunEngine::generated ? *setup().generated : setup().model;
    sim::RunOptions o;
    o.method = sim::Method::euler;
    o.engine = engine;
    for (auto _ : state) benchmark::DoNotOptimize(m.run(o));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_batch(benchmark::State& state, sim::RunEngine engine, bool lanes = false, bool scalar_pow = false) {
    const sim::Model& m = scalar_pow                            ? *setup().scalar_pow
                          : engine == sim::RunEngine::generated ? *setup().generated
                                                                : setup().model;
    const sim::Batch batch(m, options(engine, lanes));
    const auto& sets = setup().sets;
    std::vector<double> out(sets.rows * batch.rows() * batch.cols());
    for (auto _ : state) {
        batch.run(sets.values, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * sets.rows));
}

// The same runs as an ensemble (sim::run_ensemble: sdsim sensitivity's and
// compare --samples' runs from the start), the main job's indicators at
// three report times, one thread, one at a time or four at a time in SIMD
// lanes (EnsembleOptions::lanes).
sim::EnsembleOptions ensemble_options(bool lanes) {
    sim::EnsembleOptions o;
    o.indicators = {"rural_income", "urban_income", "income_ratio", "total_household_consumption",
                    "urbanization_rate", "non_citizenized_migrants"};
    o.at = {2030, 2035, 2050};
    o.base.engine = sim::RunEngine::generated;
    o.threads = 1;
    o.lanes = lanes;
    return o;
}

void BM_ensemble_generated(benchmark::State& state, bool lanes) {
    for (auto _ : state) {
        auto e = sim::run_ensemble(*setup().generated, setup().sets, ensemble_options(lanes));
        benchmark::DoNotOptimize(e.values.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * setup().sets.rows));
}

void BM_one_run_interpreter(benchmark::State& s) { BM_one_run(s, sim::RunEngine::interpreter); }
void BM_one_run_generated(benchmark::State& s) { BM_one_run(s, sim::RunEngine::generated); }
void BM_batch_interpreter(benchmark::State& s) { BM_batch(s, sim::RunEngine::interpreter); }
void BM_batch_generated(benchmark::State& s) { BM_batch(s, sim::RunEngine::generated); }
void BM_batch_generated_lanes(benchmark::State& s) { BM_batch(s, sim::RunEngine::generated, true); }
void BM_batch_generated_lanes_scalar_pow(benchmark::State& s) {
    if (!setup().scalar_pow) {
        s.SkipWithError("no -mno-fma build of the generated code");
        return;
    }
    BM_batch(s, sim::RunEngine::generated, true, true);
}

void BM_ensemble_generated_one(benchmark::State& s) { BM_ensemble_generated(s, false); }
void BM_ensemble_generated_lanes(benchmark::State& s) { BM_ensemble_generated(s, true); }

BENCHMARK(BM_one_run_interpreter)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_one_run_generated)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_batch_interpreter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_batch_generated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_batch_generated_lanes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_batch_generated_lanes_scalar_pow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ensemble_generated_one)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ensemble_generated_lanes)->Unit(benchmark::kMillisecond);

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--runs=", 7) == 0)
            n_runs = static_cast<std::size_t>(std::strtoul(argv[i] + 7, nullptr, 10));
        else
            args.push_back(argv[i]);
    }
    if (n_runs == 0) n_runs = 1;
    if (std::system("c++ --version >/dev/null 2>&1") != 0) {
        std::fprintf(stderr, "bench_batch: skipped: no C++ compiler (c++) on the PATH\n");
        return 77;
    }
    const sim::ModelSpec spec = sim::load_model(model_path);
    Setup s{sim::Model::compile(spec), std::nullopt, {}, std::nullopt};
    s.sets = sim::sample(spec.uncertainties, {}, n_runs, sim::SampleMethod::latin_hypercube, 2024);
    sim::Diagnostics d;
    sim::NativeInfo info;
    sim::NativeOptions no;
    no.cache_dir = std::string(SIM_BINARY_DIR) + "/bench-native-cache";
    const auto t0 = std::chrono::steady_clock::now();
    s.generated = sim::compile_native(s.model, d, no, &info);
    const double made = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.generated) {
        std::fprintf(stderr, "bench_batch: no generated code:\n%s", d.str().c_str());
        return 1;
    }
    std::fprintf(stderr,
                 "bench_batch: Chongqing, %zu runs per batch over %zu parameters; generated code: "
                 "%.3f s to write, %.3f s to compile%s, %.3f s in all (excluded from the timings)\n",
                 s.sets.rows, s.sets.cols(), info.generate_seconds, info.compile_seconds,
                 info.from_cache ? " (from the cache)" : "", made);
    setup_ptr = &s;

    // Correctness first: every engine and path gives the same bits.
    const sim::BatchResult bi = sim::Batch(s.model, options(sim::RunEngine::interpreter)).run(s.sets.values);
    const sim::BatchResult bg = sim::Batch(*s.generated, options(sim::RunEngine::generated)).run(s.sets.values);
    if (!same_bytes(bi.values, bg.values) || bi.times != bg.times) {
        std::fprintf(stderr, "bench_batch: the generated batch differs from the interpreted one\n");
        return 1;
    }
    // In SIMD lanes (when this machine and build have them: say so).
    const sim::BatchResult bl =
        sim::Batch(*s.generated, options(sim::RunEngine::generated, true)).run(s.sets.values);
    if (!same_bytes(bi.values, bl.values) || bi.times != bl.times) {
        std::fprintf(stderr, "bench_batch: the generated batch in lanes differs from the interpreted one\n");
        return 1;
    }
    std::fprintf(stderr, "bench_batch: generated code %s SIMD lanes (Kernel::euler_lanes)\n",
                 sim::kernel_has_lanes(*s.generated) ? "with" : "WITHOUT: BM_batch_generated_lanes runs one at a time, without");
    // The same lanes with std::pow per lane (compiled with -mno-fma): the
    // same bytes again.
    {
        sim::NativeOptions ns = no;
        ns.flags += " -mno-fma";
        sim::Diagnostics ds;
        s.scalar_pow = sim::compile_native(s.model, ds, ns);
        if (!s.scalar_pow) {
            std::fprintf(stderr, "bench_batch: no -mno-fma build of the generated code:\n%s", ds.str().c_str());
            return 1;
        }
        const sim::BatchResult bs =
            sim::Batch(*s.scalar_pow, options(sim::RunEngine::generated, true)).run(s.sets.values);
        if (!same_bytes(bi.values, bs.values)) {
            std::fprintf(stderr, "bench_batch: the lanes with std::pow per lane differ from the interpreter\n");
            return 1;
        }
    }
    // The ensemble in lanes and one at a time: the same bytes.
    const sim::EnsembleResult el = sim::run_ensemble(*s.generated, s.sets, ensemble_options(true));
    const sim::EnsembleResult eo = sim::run_ensemble(*s.generated, s.sets, ensemble_options(false));
    if (!same_bytes(el.values, eo.values)) {
        std::fprintf(stderr, "bench_batch: the ensemble in lanes differs from one at a time\n");
        return 1;
    }
    std::fprintf(stderr, "bench_batch: ensemble: %zu of %zu runs in lanes\n", el.in_lanes, s.sets.rows);
    for (std::size_t r : {std::size_t{0}, s.sets.rows - 1}) {
        sim::RunOptions o = options(sim::RunEngine::interpreter).base;
        for (std::size_t c = 0; c < s.sets.cols(); ++c) o.set.emplace_back(s.sets.names[c], s.sets.at(r, c));
        const sim::Results one = s.model.run(o);
        const auto got = bi.run_values(r);
        if (one.values.size() != got.size() ||
            std::memcmp(one.values.data(), got.data(), got.size() * sizeof(double)) != 0) {
            std::fprintf(stderr, "bench_batch: batch run %zu differs from Model::run\n", r);
            return 1;
        }
    }

    int n = static_cast<int>(args.size());
    benchmark::Initialize(&n, args.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
