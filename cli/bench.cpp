// `sdsim bench`: times runs of a model or scenario with the interpreter or
// the generated code (docs/cli.md, docs/performance.md). Loading, compiling
// and making the generated code are timed apart from the runs.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <vector>

#include "common.hpp"
#include "sim/native.hpp"
#include "util/text.hpp"

namespace sdsim {

namespace {

constexpr const char* bench_help =
    "Usage: sdsim bench FILE [--runs N] [--engine E] [--method M]\n"
    "\n"
    "Times runs of FILE (a model or a scenario, with its run options). Loading\n"
    "and compiling the model, and making its generated code, are timed apart;\n"
    "then one run warms up and N runs are timed, each saving what 'sdsim run'\n"
    "would save. Prints, to standard output, the CPU time of a run (median and\n"
    "minimum over the N runs) and the runs per second that the median gives.\n"
    "\n"
    "Options:\n"
    "  --runs N         timed runs (default 100)\n"
    "  --engine E       interpreter (default) or generated: the model's C++\n"
    "                   compiled by the system compiler, as 'sdsim run\n"
    "                   --engine generated' does (cached)\n"
    "  --method M       euler, rk2, rk4 or rk45 (default: the model's)\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

double cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "12.3 us", "4.56 ms", "1.23 s"
std::string duration(double s) {
    using sim::text::number_sig;
    if (s < 1e-3) return number_sig(s * 1e6, 3) + " us";
    if (s < 1) return number_sig(s * 1e3, 3) + " ms";
    return number_sig(s, 3) + " s";
}

class Bench : public Command {
public:
    explicit Bench(CLI::App& parent) : Command(parent, "bench", bench_help) {
        for (auto* o : {app->add_option("--runs", runs_), app->add_option("--engine", engine_),
                        app->add_option("--method", method_)})
            o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->allow_extra_args(false);
    }

    void check_options() override {
        long& runs = runs_value_;
        if (app->count("--runs")) {
            const double n = number("--runs", runs_);
            if (n < 1 || n != std::floor(n) || n > 1e9)
                throw UsageError("--runs expects a whole number from 1 to 1000000000, got '" + runs_ + "'");
            runs = static_cast<long>(n);
        }
        if (app->count("--engine")) engine_value_ = parse_engine_option(engine_);
        if (app->count("--method")) {
            auto m = sim::parse_method(method_);
            if (!m) throw UsageError("unknown method '" + method_ + "' (expected euler, rk2, rk4 or rk45)");
            cli_.method = *m;
        }
        limits = limit_options.limits();
        cli_.max_memory = limit_options.max_memory();
        file_ = finish_parse();
    }

    int execute() override {
        const long runs = runs_value_;
        const sim::RunEngine engine = engine_value_;
        const sim::RunOptions& cli = cli_;
        const std::string& file = file_;

        sim::Diagnostics diags;
        const double t0 = wall_seconds();
        Loaded l = load(file, diags, limits);
        const double t1 = wall_seconds();
        if (diags.has_errors()) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        auto model = sim::Model::compile(l.spec, diags);
        const double t2 = wall_seconds();
        print_diagnostics(diags, std::cerr);
        if (!model) return exit_model;
        std::cout << "model: " << model->spec().name << " (" << file << ")\n"
                  << "load " << duration(t1 - t0) << ", compile " << duration(t2 - t1) << " (wall clock)\n";
        if (engine == sim::RunEngine::generated) {
            sim::NativeInfo info;
            auto gen = generated(*model, &info);
            if (!gen) return exit_model;
            model = std::move(*gen);
            std::cout << "generated code: "
                      << (info.from_cache ? "from the cache" : "C++ compiler " + duration(info.compile_seconds))
                      << " (" << info.library << ")\n";
        }
        sim::RunOptions opts = merge(l.run, cli);
        opts.engine = engine;

        sim::Results r = model->run(opts);  // warm-up; also checks the options
        std::vector<double> times;
        times.reserve(static_cast<std::size_t>(runs));
        for (long i = 0; i < runs; ++i) {
            const double c0 = cpu_seconds();
            sim::Results x = model->run(opts);
            times.push_back(cpu_seconds() - c0);
        }
        std::sort(times.begin(), times.end());
        const std::size_t n = times.size();
        const double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
        const sim::SimSpecs s = sim::effective_specs(model->specs(), opts);
        const double steps = std::floor((s.stop - s.start) / s.dt + 1e-9);
        std::cout << "engine " << sim::to_string(engine) << ", method " << sim::to_string(s.method) << ", "
                  << sim::text::number(steps) << " steps of dt " << sim::text::number(s.dt) << ", " << r.rows()
                  << " rows x " << r.cols() << " columns saved\n"
                  << runs << (runs == 1 ? " run" : " runs") << ": CPU time per run median " << duration(median)
                  << ", min " << duration(times.front()) << "; " << sim::text::number_sig(1 / median, 4)
                  << " runs per second\n";
        return exit_ok;
    }

private:
    std::string runs_, engine_, method_;
    // What check_options made of them.
    long runs_value_ = 100;
    sim::RunEngine engine_value_ = sim::RunEngine::interpreter;
    sim::RunOptions cli_;
    std::string file_;
};

}  // namespace

sim::RunEngine parse_engine_option(const std::string& value) {
    auto e = sim::parse_engine(value);
    if (!e || *e == sim::RunEngine::automatic)
        throw UsageError("unknown engine '" + value + "' (expected interpreter or generated)");
    return *e;
}

std::optional<sim::Model> generated(const sim::Model& model, sim::NativeInfo* info) {
    sim::Diagnostics d;
    sim::NativeOptions o;
    sim::NativeInfo local;
    sim::NativeInfo& in = info ? *info : local;
    // The first run of a model compiles its C++ (seconds); a person at a
    // terminal is told why, as progress is (never in a pipe or a log).
    bool compiling = false;
    if (::isatty(STDERR_FILENO) == 1)
        o.on_compile = [&] {
            compiling = true;
            std::cerr << "compiling the model's C++ for --engine generated (once: kept in "
                      << sim::native_cache_dir() << ") ..." << std::flush;
        };
    auto m = sim::compile_native(model, d, o, &in);
    if (compiling) std::cerr << " " << duration(in.compile_seconds) << "\n";
    print_diagnostics(d, std::cerr);
    return m;
}

bool use_engine(sim::RunEngine engine, sim::Model& model) {
    if (engine != sim::RunEngine::generated) return true;
    auto gen = generated(model);
    if (!gen) return false;
    model = std::move(*gen);
    return true;
}

std::unique_ptr<Command> make_bench(CLI::App& app) { return std::make_unique<Bench>(app); }

}  // namespace sdsim
