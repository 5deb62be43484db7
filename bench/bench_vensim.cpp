// Vensim import: the largest of the wild models (Sterman's beer game, 13
// games x 4 levels, 2-D arrays, macros instantiated per element: about
// 2,000 saved columns over 36 steps) timed beside SIR (the SDXorg sample,
// 3,200 Euler steps), both read from their .mdl files: load (read + expand),
// compile, and run with every variable saved. Before timing, main() checks
// that both models load, compile and run (exit 1 otherwise, so the
// bench_smoke ctest fails). Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "bench_support.hpp"
#include "sim/sim.hpp"

namespace {

const std::string sir_path = std::string(SIM_CONFORMANCE_DIR) + "/test-models/samples/SIR/SIR.mdl";
const std::string beer_path = std::string(SIM_WILD_MODELS_DIR) + "/beer-game/RealBeer4-Sterman13.mdl";

void BM_load(benchmark::State& state, const std::string& path) {
    for (auto _ : state) {
        sim::ModelSpec spec = sim::load_model(path);
        benchmark::DoNotOptimize(spec.variables.size());
    }
}

void BM_compile(benchmark::State& state, const std::string& path) {
    const sim::ModelSpec spec = sim::load_model(path);
    for (auto _ : state) {
        sim::Model m = sim::Model::compile(spec);
        benchmark::DoNotOptimize(&m);
    }
}

void BM_run(benchmark::State& state, const std::string& path) {
    const sim::Model m = sim::Model::compile(sim::load_model(path));
    std::size_t cells = 0;
    for (auto _ : state) {
        sim::Results r = m.run();
        cells = r.rows() * r.names.size();
        benchmark::DoNotOptimize(r.values.data());
    }
    state.counters["saved_cells"] = static_cast<double>(cells);
}

int check() {
    for (const auto* p : {&sir_path, &beer_path}) {
        sim::Model m = sim::Model::compile(sim::load_model(*p));
        sim::Results r = m.run();
        if (r.rows() == 0) {
            std::fprintf(stderr, "bench_vensim: %s saved no rows\n", p->c_str());
            return 1;
        }
    }
    return 0;
}

}  // namespace

BENCHMARK_CAPTURE(BM_load, sir, sir_path)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_load, beer_game, beer_path)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_compile, sir, sir_path)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_compile, beer_game, beer_path)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_run, sir, sir_path)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_run, beer_game, beer_path)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) { return bench::run_checked(argc, argv, "bench_vensim", check); }
