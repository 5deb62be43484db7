// Vensim import: the largest of the wild models (Sterman's beer game, 13
// games x 4 levels, 2-D arrays, macros instantiated per element: about
// 2,000 saved columns over 36 steps) timed beside SIR (the SDXorg sample,
// 3,200 Euler steps), both read from their .mdl files: load (read + expand),
// compile, and run with every variable saved, by the interpreter and by the
// generated code (sim::compile_native, compiled once before timing, its
// time printed apart). Before timing, main() checks that both models load,
// compile and run and that the generated code saves the interpreter's
// values bit for bit (exit 1 otherwise, so the bench_smoke ctest fails).
// --interpreter-only (the smoke test's: compiling the beer game's
// generated code takes most of a minute) leaves the generated code out.
// Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "sim/native.hpp"
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

// The generated models, made before timing (key: the model's path).
std::map<std::string, sim::Model>& generated() {
    static std::map<std::string, sim::Model> g;
    return g;
}

void BM_run_generated(benchmark::State& state, const std::string& path) {
    const sim::Model& m = generated().at(path);
    sim::RunOptions o;
    o.engine = sim::RunEngine::generated;
    std::size_t cells = 0;
    for (auto _ : state) {
        sim::Results r = m.run(o);
        cells = r.rows() * r.names.size();
        benchmark::DoNotOptimize(r.values.data());
    }
    state.counters["saved_cells"] = static_cast<double>(cells);
}

bool with_generated = true;

int check() {
    for (const auto* p : {&sir_path, &beer_path}) {
        sim::Model m = sim::Model::compile(sim::load_model(*p));
        sim::Results r = m.run();
        if (r.rows() == 0) {
            std::fprintf(stderr, "bench_vensim: %s saved no rows\n", p->c_str());
            return 1;
        }
        if (!with_generated) continue;
        sim::Diagnostics d;
        sim::NativeInfo info;
        sim::NativeOptions no;
        no.cache_dir = std::string(SIM_BINARY_DIR) + "/bench-native-cache";
        std::optional<sim::Model> g = sim::compile_native(m, d, no, &info);
        if (!g) {
            std::fprintf(stderr, "bench_vensim: no generated code for %s:\n%s", p->c_str(), d.str().c_str());
            return 1;
        }
        std::fprintf(stderr, "bench_vensim: %s: generated code %.3f s to write, %.3f s to compile%s (not timed)\n",
                     p->c_str(), info.generate_seconds, info.compile_seconds, info.from_cache ? " (from the cache)" : "");
        sim::RunOptions o;
        o.engine = sim::RunEngine::generated;
        const sim::Results rg = g->run(o);
        // Bit for bit: NaN cells (Vensim :NA:) compare equal by their bytes.
        if (rg.names != r.names || rg.values.size() != r.values.size() ||
            std::memcmp(rg.values.data(), r.values.data(), r.values.size() * sizeof(double)) != 0) {
            std::fprintf(stderr, "bench_vensim: %s: the generated code's results differ from the interpreter's\n",
                         p->c_str());
            return 1;
        }
        generated().emplace(*p, std::move(*g));
    }
    if (with_generated) {
        benchmark::RegisterBenchmark("BM_run_generated/sir", BM_run_generated, sir_path)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark("BM_run_generated/beer_game", BM_run_generated, beer_path)
            ->Unit(benchmark::kMicrosecond);
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

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--interpreter-only") == 0)
            with_generated = false;
        else
            args.push_back(argv[i]);
    }
    if (with_generated && std::system("c++ --version >/dev/null 2>&1") != 0) {
        std::fprintf(stderr, "bench_vensim: no C++ compiler (c++) on the PATH: interpreter only\n");
        with_generated = false;
    }
    int n = static_cast<int>(args.size());
    return bench::run_checked(n, args.data(), "bench_vensim", check);
}
