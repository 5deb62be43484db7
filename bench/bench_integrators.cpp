// Integrators: for the Chongqing model (models/chongqing/model.yaml, all
// levers off, 2013-2050), the cost of Euler, RK4 and rk45 at the coarsest dt
// (or loosest tolerance) that gives 1e-4 relative accuracy on the main
// indicators. Reference: RK4 at dt = 1/4096 and 1/2048 year, extrapolated
// to dt -> 0 (Richardson, first order). Error of a run = the
// largest, over the indicators and the yearly saved rows, of
// |x - ref| / max over the rows of |ref| (each indicator against its own size).
//
// The model's equations do not contain DT (growth is continuous compounding,
// stock * LN(1 + g)), but its history is driven by annual, piecewise-constant
// graphical functions of the year being formed (INT(TIME) + 1: published growth
// rates, external migration, the history/projection switch). Their jumps fall
// on the grid at every year end, where the last Runge-Kutta stage of the step
// ending at year Y already sees year Y + 1's value; so fixed-step RK4 converges
// at first order in dt, as Euler does (with continuous forcings it reaches
// 1e-7 at dt = 1/2: the order is lost to the jumps, not to the equations).
// rk45 with dt = 1 (its output grid) controls its own steps and converges
// with the tolerance. main() therefore searches dt = 1, 1/2, 1/4, ... for
// Euler and RK4 and the tolerance 1e-3, 1e-4, ... for rk45 at dt = 1, prints
// the errors, and registers one benchmark per method at the setting it found.
// `--smoke` (the ctest) only checks the first-order convergence of Euler and
// RK4 (the error halves with dt) and times the coarse settings.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sim/sim.hpp"

namespace {

const std::string model_path = std::string(SIM_SOURCE_DIR) + "/models/chongqing/model.yaml";
const std::vector<std::string> indicators = {"rural_income", "urban_income", "total_household_consumption",
                                             "urbanization_rate", "non_citizenized_migrants"};
constexpr double target = 1e-4;

const sim::Model& model() {
    static const sim::Model m = sim::Model::compile(sim::load_model(model_path));
    return m;
}

struct Setting {
    sim::Method method;
    double dt = 1;   // Euler, RK4; rk45: the output grid (1 year)
    double tol = 0;  // rk45
};

sim::RunOptions options(const Setting& s) {
    sim::RunOptions o;
    o.method = s.method;
    o.save = indicators;
    o.save_step = 1.0;
    o.dt = s.dt;
    if (s.method == sim::Method::rk45) {
        o.rtol = s.tol;
        o.atol = s.tol;
    }
    return o;
}

double error_vs(const sim::Results& r, const sim::Results& ref) {
    double worst = 0;
    for (std::size_t c = 0; c < ref.cols(); ++c) {
        double scale = 0;
        for (std::size_t row = 0; row < ref.rows(); ++row) scale = std::max(scale, std::fabs(ref.at(row, c)));
        if (scale == 0) scale = 1;
        for (std::size_t row = 0; row < ref.rows(); ++row)
            worst = std::max(worst, std::fabs(r.at(row, c) - ref.at(row, c)) / scale);
    }
    return worst;
}

const char* name(sim::Method m) { return sim::to_string(m); }

std::vector<Setting> chosen;

void BM_integrator(benchmark::State& state) {
    const Setting s = chosen[static_cast<std::size_t>(state.range(0))];
    const sim::RunOptions o = options(s);
    for (auto _ : state) {
        sim::Results r = model().run(o);
        benchmark::DoNotOptimize(r.values.data());
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool smoke = false;
    std::vector<char*> rest = {argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0)
            smoke = true;
        else
            rest.push_back(argv[i]);
    }
    int rc = static_cast<int>(rest.size());
    benchmark::Initialize(&rc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rc, rest.data())) return 2;
    try {
        // The reference: RK4 at dt h and 2h extrapolated to dt -> 0 (Richardson,
        // first order: the annual forcings jump on the grid, see above).
        const double h = 1.0 / (smoke ? 1024 : 4096);
        sim::Results ref = model().run(options({sim::Method::rk4, h}));
        const sim::Results coarse = model().run(options({sim::Method::rk4, 2 * h}));
        const double half_step_change = error_vs(coarse, ref);
        for (std::size_t i = 0; i < ref.values.size(); ++i) ref.values[i] = 2 * ref.values[i] - coarse.values[i];
        if (smoke) {
            auto err = [&](sim::Method m, double dt) { return error_vs(model().run(options({m, dt})), ref); };
            const double e1 = err(sim::Method::euler, 1.0 / 16), e2 = err(sim::Method::euler, 1.0 / 32);
            const double r1 = err(sim::Method::rk4, 1.0 / 16), r2 = err(sim::Method::rk4, 1.0 / 32);
            std::printf("euler dt 1/16: %.3g, 1/32: %.3g; rk4 dt 1/16: %.3g, 1/32: %.3g\n", e1, e2, r1, r2);
            if (!(e2 < 0.7 * e1 && e2 > 0.3 * e1) || !(r2 < 0.7 * r1 && r2 > 0.3 * r1)) {
                std::fprintf(stderr, "bench_integrators: the errors do not halve with dt\n");
                return 1;
            }
            chosen = {{sim::Method::euler, 0.125}, {sim::Method::rk4, 0.125}, {sim::Method::rk45, 1.0, 1e-6}};
        } else {
            std::printf("reference: rk4 dt 1/2048 vs 1/4096 differ by %.3g; extrapolated to dt -> 0\n",
                        half_step_change);
            auto search_dt = [&](sim::Method m, int max_k) {
                for (int k = 0; k <= max_k; ++k) {
                    Setting s{m, std::ldexp(1.0, -k)};
                    double e = error_vs(model().run(options(s)), ref);
                    std::printf("%-5s dt 1/%-6.0f error %.3g\n", name(m), 1 / s.dt, e);
                    if (e <= target) return s;
                }
                return Setting{m, std::ldexp(1.0, -max_k)};
            };
            chosen.push_back(search_dt(sim::Method::euler, 18));
            chosen.push_back(search_dt(sim::Method::rk4, 10));
            // rk45 on the yearly output grid: the loosest tolerance 10^-k that reaches the target.
            Setting found{sim::Method::rk45, 1.0, 1e-12};
            for (int k = 3; k <= 12; ++k) {
                Setting s{sim::Method::rk45, 1.0, std::pow(10.0, -k)};
                double e = error_vs(model().run(options(s)), ref);
                std::printf("rk45  dt 1      tol %.0e error %.3g\n", s.tol, e);
                if (e <= target) {
                    found = s;
                    break;
                }
            }
            chosen.push_back(found);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_integrators: %s\n", e.what());
        return 1;
    }
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const Setting& s = chosen[i];
        char label[96];
        if (s.method == sim::Method::rk45)
            std::snprintf(label, sizeof label, "BM_integrator/%s/dt:1/%.0f/tol:%.0e", name(s.method), 1 / s.dt, s.tol);
        else
            std::snprintf(label, sizeof label, "BM_integrator/%s/dt:1/%.0f", name(s.method), 1 / s.dt);
        benchmark::RegisterBenchmark(label, BM_integrator)->Arg(static_cast<long>(i))->Unit(benchmark::kMillisecond);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
