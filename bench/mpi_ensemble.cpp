// The Chongqing ensemble split across MPI ranks: 32 lever combinations x N
// Latin-hypercube samples of the model's uncertainties (as bench_ensemble),
// through sim::run_ensemble with a communicator, then sim::robustness. Run
// alone or under `mpirun -np P`; rank 0 writes the outputs (every value of
// every run, and the robustness tables), so the bytes of 1 and P ranks can
// be compared (tests/cmake/mpi.cmake), and prints the timing on stderr
// (bench/mpi_scaling.sh: strong scaling, docs/scaling.md).
//
//   mpi_ensemble [--samples N] [--threads T] [--out DIR] [--poison K]
//
// --poison V makes lever combination V (0-31) set a constant that no sample
// sets to NaN, so that V's runs fail, on the rank that owns them (the error
// test: variants are the outer index, so V = 31 lies on the last rank). The
// constant is initial_rural_residents (its NaN reaches every stock), or the
// first unsampled constant of a model without it (a NaN that only meets
// MAX(0, ...) of a non-negative flow would not fail the run).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "sim/distributed.hpp"
#include "sim/mpi.hpp"
#include "sim/robustness.hpp"
#include "sim/scenario.hpp"
#include "sim/sim.hpp"
#include "util/text.hpp"

namespace {

double wall_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double cpu_s() {  // this process, every thread
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

int usage() {
    std::fprintf(stderr, "usage: mpi_ensemble [--samples N] [--threads T] [--out DIR] [--poison K]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::unique_ptr<sim::MpiWorld> world;
    if (sim::launched_by_mpirun()) world = std::make_unique<sim::MpiWorld>(argc, argv);
    const int rank = world ? world->rank() : 0, ranks = world ? world->size() : 1;
    std::size_t n = 1000;
    unsigned threads = 0;
    long poison = -1;
    std::string out;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) return usage();
        const std::string v = argv[++i];
        if (a == "--samples") n = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--threads") threads = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
        else if (a == "--out") out = v;
        else if (a == "--poison") poison = std::strtol(v.c_str(), nullptr, 10);
        else return usage();
    }
    try {
        const double t0 = wall_s();
        const std::string src = SIM_SOURCE_DIR;
        sim::Diagnostics d;
        sim::Scenario sc = sim::load_scenario(src + "/models/chongqing/scenarios/compare.yaml", d);
        if (d.has_errors()) throw sim::Error(std::move(d));
        const sim::Model model = sim::Model::compile(sc.model);
        std::vector<std::string> levers;
        for (const auto& l : sc.model.levers) levers.push_back(l.name);
        sim::SampleMatrix samples = sim::sample(sc.model.uncertainties,
                                                n > sc.model.uncertainties.size() ? sc.model.correlations
                                                                                  : std::vector<sim::RankCorrelation>{},
                                                n, sim::SampleMethod::latin_hypercube, 2024);
        sim::EnsembleOptions o;
        for (const auto& i : sc.indicators) o.indicators.push_back(i.name);
        o.at = sc.report_at;
        o.base = sc.run;
        o.threads = threads;
        o.variants = sim::lever_variants(levers);
        if (poison >= 0 && static_cast<std::size_t>(poison) < o.variants.size()) {
            std::string target;
            for (const auto& v : sc.model.variables) {
                if (v.kind != sim::VarKind::constant ||
                    std::find(samples.names.begin(), samples.names.end(), v.name) != samples.names.end())
                    continue;
                if (target.empty() || v.name == "initial_rural_residents") target = v.name;
            }
            if (!target.empty())
                o.variants[static_cast<std::size_t>(poison)].emplace_back(target, std::numeric_limits<double>::quiet_NaN());
        }
        o.comm = world && ranks > 1 ? world.get() : nullptr;
        const double t1 = wall_s(), c1 = cpu_s();
        const sim::EnsembleResult e = sim::run_ensemble(model, samples, o);
        const double t2 = wall_s();
        // CPU seconds of the ensemble, summed over the ranks.
        double cpu = cpu_s() - c1;
        if (o.comm) {
            const std::vector<double> all = o.comm->allgather(std::span<const double>(&cpu, 1));
            cpu = 0;
            for (double x : all) cpu += x;
        }
        const sim::RobustnessResult r = sim::robustness(e, levers, sc.indicators);
        const double t3 = wall_s();
        if (rank == 0 && !out.empty()) {
            std::filesystem::create_directories(out);
            std::ofstream v(out + "/values.csv");
            v << "variant,sample,indicator,time,value\n";
            for (std::size_t var = 0; var < e.variants; ++var)
                for (std::size_t s = 0; s < e.samples; ++s)
                    for (std::size_t i = 0; i < e.indicators.size(); ++i)
                        for (std::size_t a = 0; a < e.at.size(); ++a)
                            v << var << ',' << s << ',' << e.indicators[i] << ',' << sim::text::number(e.at[a]) << ','
                              << sim::text::number(e.value(var, s, i, a)) << '\n';
            std::ofstream rb(out + "/robustness.csv");
            sim::write_robustness_csv(r, rb);
            std::ofstream ef(out + "/effect_intervals.csv");
            sim::write_effect_intervals_csv(r, ef);
            std::ofstream cc(out + "/conclusions.csv");
            sim::write_conclusions_csv(r, cc);
        }
        if (rank == 0) {
            const double runs = static_cast<double>(e.variants * e.samples);
            // Per run, each rank sends its summaries: the values and a length.
            const double bytes_per_run = static_cast<double>(e.indicators.size() * e.at.size() + 1) * sizeof(double);
            std::fprintf(stderr,
                         "ranks %d threads %u runs %.0f setup_s %.3f ensemble_s %.3f analysis_s %.3f "
                         "runs_per_s %.1f cpu_s %.3f runs_per_cpu_s %.1f bytes_per_run %.0f\n",
                         ranks, threads, runs, t1 - t0, t2 - t1, t3 - t2, runs / (t2 - t1), cpu, runs / cpu,
                         bytes_per_run);
        }
    } catch (const sim::RankError& e) {
        if (rank == 0) std::fprintf(stderr, "%s", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mpi_ensemble: rank %d: %s\n", rank, e.what());
        return 1;
    }
    return 0;
}
