// Arrays against scalars (issue 12: "an n-element apply-to-all variable
// costs about n scalar ones"): the same model written twice, n stocks
// draining at a rate with an auxiliary each, once as n scalar variables and
// once as one apply-to-all array over a dimension of n elements. Both run
// Euler, 400 steps, saving only the first and last rows, so the time is the
// equations'. Before timing, main() checks that the two give the same final
// values bit for bit (exit 1 otherwise, so the bench_smoke ctest fails).
// --sizes=a,b,... (default 10,100,1000,10000). Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "sim/sim.hpp"

namespace {

const char* sim_block = "sim: {start: 0, stop: 100, dt: 0.25, save_step: 100}\n";

std::string scalar_model(int n) {
    std::string s = sim_block, stocks = "stocks:\n", flows = "flows:\n", aux = "aux:\n";
    for (int i = 0; i < n; ++i) {
        const std::string k = std::to_string(i);
        stocks += "  s" + k + ": {initial: " + std::to_string(1 + i % 7) + ", outflows: [f" + k + "]}\n";
        flows += "  f" + k + ": {equation: \"s" + k + " * k * a" + k + "\"}\n";
        aux += "  a" + k + ": {equation: \"1 + s" + k + " / 10\"}\n";
    }
    return s + "constants:\n  k: 0.01\n" + stocks + flows + aux;
}

std::string array_model(int n) {
    std::string init = "[";
    for (int i = 0; i < n; ++i) init += (i ? ", " : "") + std::to_string(1 + i % 7);
    init += "]";
    return std::string(sim_block) + "dimensions:\n  i: {size: " + std::to_string(n) + "}\n" +
           "constants:\n  k: 0.01\n  init_i: {dimensions: [i], value: " + init + "}\n" +
           "stocks:\n  s: {dimensions: [i], initial: \"init_i\", outflows: [f]}\n"
           "flows:\n  f: {dimensions: [i], equation: \"s * k * a\"}\n"
           "aux:\n  a: {dimensions: [i], equation: \"1 + s / 10\"}\n";
}

sim::Model compile(const std::string& text, const char* name) {
    sim::Diagnostics d;
    sim::ModelSpec spec = sim::parse_yaml(text, name, d);
    auto m = d.has_errors() ? std::nullopt : sim::Model::compile(spec, d);
    if (!m) {
        std::fprintf(stderr, "bench_arrays: %s does not compile:\n%s", name, d.str().c_str());
        std::exit(1);
    }
    return std::move(*m);
}

std::map<std::pair<int, bool>, sim::Model>& models() {
    static std::map<std::pair<int, bool>, sim::Model> m;
    return m;
}

void BM_run(benchmark::State& state, int n, bool arrayed) {
    const sim::Model& m = models().at({n, arrayed});
    for (auto _ : state) {
        sim::Results r = m.run();
        benchmark::DoNotOptimize(r.values.data());
    }
    state.counters["variables"] = 3.0 * n;
}

std::vector<int> sizes{10, 100, 1000, 10000};

int check() {
    for (int n : sizes) {
        sim::Model scalar = compile(scalar_model(n), "scalar.yaml");
        sim::Model arrayed = compile(array_model(n), "arrayed.yaml");
        const sim::Results rs = scalar.run(), ra = arrayed.run();
        for (int i = 0; i < n; ++i) {
            const auto cs = rs.column("s" + std::to_string(i));
            const auto ca = ra.column("s[" + std::to_string(i + 1) + "]");
            const double vs = cs ? rs.at(rs.rows() - 1, *cs) : 0, va = ca ? ra.at(ra.rows() - 1, *ca) : 1;
            if (!cs || !ca || rs.rows() != ra.rows() || std::memcmp(&vs, &va, sizeof(double)) != 0) {
                std::fprintf(stderr, "bench_arrays: n = %d: element %d differs from its scalar twin\n", n, i);
                return 1;
            }
        }
        models().emplace(std::make_pair(n, false), std::move(scalar));
        models().emplace(std::make_pair(n, true), std::move(arrayed));
        benchmark::RegisterBenchmark(("BM_run/scalar/" + std::to_string(n)).c_str(), BM_run, n, false)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("BM_run/array/" + std::to_string(n)).c_str(), BM_run, n, true)
            ->Unit(benchmark::kMicrosecond);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--sizes=", 8) == 0) {
            sizes.clear();
            for (const char* p = argv[i] + 8; *p;) {
                char* end = nullptr;
                const long v = std::strtol(p, &end, 10);
                if (end == p || v < 1 || v > 100000) {
                    std::fprintf(stderr, "bench_arrays: --sizes expects numbers from 1 to 100000, got '%s'\n", argv[i] + 8);
                    return 2;
                }
                sizes.push_back(static_cast<int>(v));
                p = *end == ',' ? end + 1 : end;
            }
        } else {
            args.push_back(argv[i]);
        }
    }
    int n = static_cast<int>(args.size());
    return bench::run_checked(n, args.data(), "bench_arrays", check);
}
