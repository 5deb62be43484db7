// Scaling with model size: generated models of 10 to 100,000 variables, as
// YAML text, in two shapes built from the same unit of five variables
//   s_i (stock), f_i = s_i / k_i * e_i (flow), e_i = effect(x_i) (aux calling
//   the lookup `effect`), x_i = SMTH1(..., k_i) (aux), k_i (constant)
// plus the one lookup:
//   chain:  f_i drains s_i into s_{i+1}; x_i = SMTH1(1, k_i) so e_i = 1 and
//           the Euler solution is known exactly: with h = dt/k,
//           s_i(n) = s0 * C(n, i) h^i (1-h)^(n-i) for every stage (the last
//           drains out of the model);
//   random: f_i drains s_i into a random other stock;
//           x_i = SMTH1((s_a + 1) / (s_b + 1), k_i) for random a, b; the flows
//           only move material, so the sum of the stocks is conserved.
//
// Benchmarks (arguments: variables, shape 0 = chain / 1 = random):
//   BM_run      one run, every user variable saved every 10 steps; counter
//               ns_per_step_var = CPU time / steps / variables;
//   BM_compile  parse_yaml (load) + Model::compile of the text; counters
//               us_per_var and load_share (the loader's part).
// Before timing, main() runs each generated model once and checks the chain's
// analytic values and the random graph's conservation; a mismatch exits 1.
//
// Options (before the benchmark ones):
//   --sizes=10,100,...   sizes to register (default 10,100,1000,10000,100000)
//   --memory=N [--shape=chain|random]
//                        instead of benchmarking: load, compile and run the
//                        N-variable model once and print peak RSS (VmHWM), the
//                        state vector and saved results sizes, on one line.
//                        Run it in a fresh process per size (bench/scaling.sh).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_support.hpp"
#include "compile/program.hpp"  // slot count, for the state-vector size
#include "sim/sim.hpp"

namespace {

constexpr double dt = 0.25, tau = 4.0, s0 = 100.0;

struct Generated {
    std::string yaml;
    std::size_t units = 0, variables = 0;
    long steps = 0;
};

// Steps chosen so that every size does about 2e7 variable-steps (at least 200
// steps): the per-run fixed cost is then small against the stepping. Every
// user variable is saved every `save_every` steps: a constant share of the
// steps at every size, and small enough that the cost of fresh result pages
// (first-touch page faults, costly on this virtual machine) does not hide the
// stepping.
constexpr long save_every = 10;
long steps_for(std::size_t vars) {
    long s = static_cast<long>(2e7 / static_cast<double>(vars));
    return std::clamp(s, 200L, 200000L) / save_every * save_every;
}

Generated generate(std::size_t vars, bool random) {
    Generated g;
    g.units = std::max<std::size_t>(1, vars / 5);
    g.variables = 5 * g.units + 1;
    g.steps = steps_for(g.variables);
    const std::size_t u = g.units;
    std::mt19937_64 rng(12345 + vars);
    auto pick = [&](std::size_t not_this) {
        if (u == 1) return not_this;
        std::size_t j = rng() % (u - 1);
        return j >= not_this ? j + 1 : j;
    };
    std::vector<std::size_t> target(u), a(u), b(u);
    std::vector<std::vector<std::size_t>> inflows(u);
    for (std::size_t i = 0; i < u; ++i) {
        if (random) {
            target[i] = pick(i);
            a[i] = rng() % u;
            b[i] = rng() % u;
        } else {
            target[i] = i + 1;  // u = leaves the model
        }
        if (target[i] < u) inflows[target[i]].push_back(i);
    }
    std::string& y = g.yaml;
    y.reserve(u * 160);
    char buf[256];
    std::snprintf(buf, sizeof buf, "name: gen%zu\nsim: {start: 0, stop: %.17g, dt: %.17g, save_step: %.17g}\nstocks:\n",
                  vars, static_cast<double>(g.steps) * dt, dt, static_cast<double>(save_every) * dt);
    y += buf;
    for (std::size_t i = 0; i < u; ++i) {
        std::snprintf(buf, sizeof buf, "  s%zu: {initial: %g, inflows: [", i,
                      random ? s0 + static_cast<double>(i % 7) : (i == 0 ? s0 : 0.0));
        y += buf;
        for (std::size_t k = 0; k < inflows[i].size(); ++k) {
            y += k ? ", f" : "f";
            y += std::to_string(inflows[i][k]);
        }
        std::snprintf(buf, sizeof buf, "], outflows: [f%zu]}\n", i);
        y += buf;
    }
    y += "flows:\n";
    for (std::size_t i = 0; i < u; ++i) {
        std::snprintf(buf, sizeof buf, "  f%zu: s%zu / k%zu * e%zu\n", i, i, i, i);
        y += buf;
    }
    y += "aux:\n";
    for (std::size_t i = 0; i < u; ++i) {
        std::snprintf(buf, sizeof buf, "  e%zu: effect(x%zu)\n", i, i);
        y += buf;
        if (random)
            std::snprintf(buf, sizeof buf, "  x%zu: SMTH1((s%zu + 1) / (s%zu + 1), k%zu)\n", i, a[i], b[i], i);
        else
            std::snprintf(buf, sizeof buf, "  x%zu: SMTH1(1, k%zu)\n", i, i);
        y += buf;
    }
    y += "constants:\n";
    for (std::size_t i = 0; i < u; ++i) {
        std::snprintf(buf, sizeof buf, "  k%zu: %g\n", i, tau);
        y += buf;
    }
    // effect(1) = 1 exactly (a table point), so the chain's flows are s_i / k.
    y += "lookups:\n  effect: {points: [[0, 0], [0.5, 0.6], [1, 1], [1.5, 1.2], [2, 1.3]]}\n";
    return g;
}

sim::Model load_and_compile(const Generated& g) {
    sim::Diagnostics d;
    sim::ModelSpec spec = sim::parse_yaml(g.yaml, "generated.yaml", d);
    if (d.has_errors()) throw sim::Error(std::move(d));
    return sim::Model::compile(spec);
}

// log of C(n, i) h^i (1-h)^(n-i)
double binomial_stage(long n, std::size_t i, double h) {
    const double k = static_cast<double>(i), nn = static_cast<double>(n);
    if (k > nn) return 0.0;
    return s0 * std::exp(std::lgamma(nn + 1) - std::lgamma(k + 1) - std::lgamma(nn - k + 1) + k * std::log(h) +
                         (nn - k) * std::log1p(-h));
}

// Checks one run; prints what is wrong and returns false on a mismatch.
bool verify(const Generated& g, bool random, const sim::Results& r) {
    const std::size_t last = r.rows() - 1;
    const long rows = g.steps / save_every + 1;
    if (r.rows() != static_cast<std::size_t>(rows) || r.cols() != g.variables - 1) {
        std::fprintf(stderr, "bench_scaling: %zu variables: %zu x %zu saved, expected %ld x %zu\n", g.variables,
                     r.rows(), r.cols(), rows, g.variables - 1);
        return false;
    }
    // Results::column scans the names; one map keeps this check linear.
    std::unordered_map<std::string, std::size_t> col_of;
    for (std::size_t c = 0; c < r.cols(); ++c) col_of.emplace(r.names[c], c);
    std::vector<std::size_t> stock_col(g.units);
    for (std::size_t i = 0; i < g.units; ++i) {
        std::string name(1, 's');  // appended: g++ 12 warns (-Wrestrict) on "s" + std::string
        name += std::to_string(i);
        auto c = col_of.find(name);
        if (c == col_of.end()) {
            std::fprintf(stderr, "bench_scaling: s%zu not saved\n", i);
            return false;
        }
        stock_col[i] = c->second;
    }
    if (random) {
        for (std::size_t row : {std::size_t{0}, last / 2, last}) {
            double total = 0, expected = 0;
            for (std::size_t i = 0; i < g.units; ++i) {
                total += r.at(row, stock_col[i]);
                expected += s0 + static_cast<double>(i % 7);
            }
            if (std::fabs(total - expected) > 1e-9 * expected) {
                std::fprintf(stderr, "bench_scaling: %zu-variable random graph: stocks sum to %.17g at t=%g, not %.17g\n",
                             g.variables, total, r.times[row], expected);
                return false;
            }
        }
        return true;
    }
    // Every stage (the last one drains out of the model and follows the
    // formula too), early on and at the end; absolute tolerance 1e-9 * s0.
    const double h = dt / tau;
    for (std::size_t row : {std::min<std::size_t>(last, 4), last}) {
        for (std::size_t i = 0; i < g.units; ++i) {
            double want = binomial_stage(static_cast<long>(row) * save_every, i, h), got = r.at(row, stock_col[i]);
            if (std::fabs(got - want) > 1e-9 * s0) {
                std::fprintf(stderr,
                             "bench_scaling: %zu-variable chain: s%zu = %.17g at t=%g, analytic Euler value %.17g\n",
                             g.variables, i, got, r.times[row], want);
                return false;
            }
        }
    }
    return true;
}

using bench::thread_cpu_ns;

struct Case {
    Generated g;
    std::optional<sim::Model> model;
};

Case& get_case(std::size_t vars, bool random) {
    static std::map<std::pair<std::size_t, bool>, Case> cache;
    auto& c = cache[{vars, random}];
    if (c.g.yaml.empty()) c.g = generate(vars, random);
    return c;
}

const sim::Model& model_of(Case& c) {
    if (!c.model) c.model = load_and_compile(c.g);
    return *c.model;
}

void BM_run(benchmark::State& state) {
    const bool random = state.range(1) != 0;
    Case& c = get_case(static_cast<std::size_t>(state.range(0)), random);
    const sim::Model& m = model_of(c);
    const double t0 = thread_cpu_ns();
    for (auto _ : state) {
        sim::Results r = m.run();
        benchmark::DoNotOptimize(r.values.data());
        benchmark::ClobberMemory();
    }
    const double t1 = thread_cpu_ns();
    if (state.iterations() == 0) return;
    state.counters["variables"] = static_cast<double>(c.g.variables);
    state.counters["steps"] = static_cast<double>(c.g.steps);
    state.counters["ns_per_step_var"] = (t1 - t0) / static_cast<double>(state.iterations()) /
                                        static_cast<double>(c.g.steps) / static_cast<double>(c.g.variables);
}

void BM_compile(benchmark::State& state) {
    const bool random = state.range(1) != 0;
    Case& c = get_case(static_cast<std::size_t>(state.range(0)), random);
    double load_ns = 0, total_ns = 0;
    for (auto _ : state) {
        const double t0 = thread_cpu_ns();
        sim::Diagnostics d;
        sim::ModelSpec spec = sim::parse_yaml(c.g.yaml, "generated.yaml", d);
        const double t1 = thread_cpu_ns();
        sim::Model m = sim::Model::compile(spec);
        const double t2 = thread_cpu_ns();
        benchmark::DoNotOptimize(&m);
        load_ns += t1 - t0;
        total_ns += t2 - t0;
    }
    if (state.iterations() == 0) return;
    const double n = static_cast<double>(c.g.variables), it = static_cast<double>(state.iterations());
    state.counters["variables"] = n;
    state.counters["us_per_var"] = total_ns / it / n / 1e3;
    state.counters["load_share"] = load_ns / total_ns;
}

long vm_hwm_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

// One line: variables shape slots steps rows cols state_bytes results_bytes peak_bytes ratio
int memory_mode(std::size_t vars, bool random) {
    const long before = vm_hwm_kib();
    Generated g = generate(vars, random);
    sim::Results r;
    std::size_t slots = 0;
    {
        sim::Model m = load_and_compile(g);
        slots = sim::detail::program_of(m).slots.size();
        r = m.run();
        if (!verify(g, random, r)) return 1;
    }
    const long peak = vm_hwm_kib();
    const double state_bytes = static_cast<double>(slots) * sizeof(double);
    const double results_bytes = static_cast<double>(r.values.size() + r.times.size()) * sizeof(double);
    std::printf("%zu %s %zu %ld %zu %zu %.0f %.0f %.0f %.0f %.2f\n", g.variables, random ? "random" : "chain", slots,
                g.steps, r.rows(), r.cols(), state_bytes, results_bytes, static_cast<double>(peak) * 1024.0,
                static_cast<double>(before) * 1024.0, static_cast<double>(peak) * 1024.0 / (state_bytes + results_bytes));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<long> sizes = {10, 100, 1000, 10000, 100000};
    long memory = 0;
    bool memory_random = false;
    // Our options first; the rest go to Google Benchmark.
    std::vector<char*> rest = {argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--sizes=", 0) == 0) {
            sizes.clear();
            for (const char* p = a.c_str() + 8; *p;) {
                char* end = nullptr;
                sizes.push_back(std::strtol(p, &end, 10));
                p = *end == ',' ? end + 1 : end;
                if (end == p && *p) break;
            }
        } else if (a.rfind("--memory=", 0) == 0) {
            memory = std::strtol(a.c_str() + 9, nullptr, 10);
        } else if (a == "--shape=random") {
            memory_random = true;
        } else if (a == "--shape=chain") {
            memory_random = false;
        } else {
            rest.push_back(argv[i]);
        }
    }
    try {
        if (memory > 0) return memory_mode(static_cast<std::size_t>(memory), memory_random);
        int rc = static_cast<int>(rest.size());
        benchmark::Initialize(&rc, rest.data());
        if (benchmark::ReportUnrecognizedArguments(rc, rest.data())) return 2;
        for (long n : sizes)
            for (int shape : {0, 1}) {
                Case& c = get_case(static_cast<std::size_t>(n), shape != 0);
                if (!verify(c.g, shape != 0, model_of(c).run())) return 1;
                benchmark::RegisterBenchmark("BM_run", BM_run)->Args({n, shape})->Unit(benchmark::kMillisecond);
            }
        for (long n : sizes)
            for (int shape : {0, 1})
                benchmark::RegisterBenchmark("BM_compile", BM_compile)->Args({n, shape})->Unit(benchmark::kMillisecond);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_scaling: %s\n", e.what());
        return 1;
    }
    return 0;
}
