// `sdsim sensitivity`: global sensitivity analysis of a model or scenario
// over the uncertainties it declares (Sobol' indices by Saltelli's scheme,
// or Morris elementary effects); prints a summary and writes the CSVs,
// charts and report (docs/uncertainty.md).
#include <iostream>

#include "common.hpp"
#include "job.hpp"
#include "sim/report.hpp"
#include "sim/sensitivity.hpp"
#include "util/text.hpp"

namespace sdsim {

namespace {

constexpr const char* sensitivity_help =
    "Usage: sdsim sensitivity FILE --samples N --out DIR [options]\n"
    "\n"
    "Global sensitivity analysis of FILE, a model or a scenario, over the\n"
    "uncertain parameters it declares under 'uncertainties:'. Runs the model\n"
    "over a design of parameter samples in parallel; prints, for each\n"
    "indicator at the last report time, its percentiles and the parameters\n"
    "ranked by influence; writes samples.csv, indicators.csv,\n"
    "percentiles.csv, indices.csv, trajectories.csv, charts/ (a fan chart\n"
    "and a tornado chart per indicator) and report.md into DIR.\n"
    "\n"
    "Options:\n"
    "  --samples N            base samples of the Sobol' design (N (k + 2) runs\n"
    "                         for k parameters), or Morris trajectories\n"
    "                         (N (k + 1) runs); required\n"
    "  --method sobol|morris  Sobol' first-order and total indices with\n"
    "                         bootstrap intervals, SRRC and PRCC (default), or\n"
    "                         Morris elementary effects (mu*, mu, sigma: a\n"
    "                         cheap screen)\n"
    "  --seed S               seed of the design and the bootstrap (default 1);\n"
    "                         the same seed gives the same files\n"
    "  --bootstrap B          bootstrap resamples of the Sobol' intervals\n"
    "                         (default 1000)\n"
    "  --at T1,T2,...         report times (default: the scenario's report_at,\n"
    "                         else the stop time)\n"
    "  --indicators a,b,...   variables to analyse (default: the scenario's\n"
    "                         indicators, else every saved stock)\n"
    "  --threads N            worker threads (default: all cores); the results\n"
    "                         are identical whatever N\n"
    "  --set NAME=X           override a constant in every run (repeatable)\n"
    "  --out DIR, -o DIR      write the outputs into DIR, replaced as a whole\n"
    "                         (a DIR holding other files is refused); required\n"
    "  --engine E             interpreter (default) or generated: the model's\n"
    "                         C++ compiled by the system compiler, cached by\n"
    "                         program (as 'sdsim run --engine generated'), for\n"
    "                         every run; the same results bit for bit\n"
    "  --no-charts            do not run gnuplot\n"
    "  --charts svg|png       format of the gnuplot charts: svg (default) or\n"
    "                         png (gnuplot's pngcairo terminal)\n"
    "  --lang en|zh           language of report.html and report.md\n"
    "                         (default: en)\n"
    "  -h, --help             show this help\n"
    "\n"
    SDSIM_LIMITS_HELP
    "\n"
    "Progress goes to standard error when it is a terminal. For a scenario,\n"
    "standard error and report.md also name the scenario and list its input\n"
    "files with their SHA-256.\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

// The percentile bands of the fan charts.
const std::vector<double> bands = {0.05, 0.25, 0.5, 0.75, 0.95};

class Sensitivity : public Command {
public:
    explicit Sensitivity(CLI::App& parent) : Command(parent, "sensitivity", sensitivity_help) {
        auto last = CLI::MultiOptionPolicy::TakeLast;
        for (auto* o : {app->add_option("--samples", samples_), app->add_option("--method", method_),
                        app->add_option("--seed", seed_), app->add_option("--bootstrap", bootstrap_),
                        app->add_option("--at", at_), app->add_option("--indicators", indicators_),
                        app->add_option("--threads", threads_), app->add_option("--out,-o", out_),
                        app->add_option("--lang", lang_), app->add_option("--engine", engine_),
                        app->add_option("--charts", charts_)})
            o->multi_option_policy(last)->allow_extra_args(false);
        app->add_option("--set", set_)
            ->expected(1)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false);
        app->add_flag("--no-charts", no_charts_);
    }

    void check_options() override {
        sim::SensitivityOptions& o = o_;
        if (!app->count("--samples")) throw UsageError("missing --samples N (the number of base samples)");
        o.samples = whole_number("--samples", samples_, 1, max_samples);
        if (app->count("--method")) {
            const std::string m(sim::text::trim(method_));
            if (m == "sobol") o.method = sim::SensitivityMethod::sobol;
            else if (m == "morris") o.method = sim::SensitivityMethod::morris;
            else throw UsageError("unknown --method '" + method_ + "' (expected sobol or morris)");
        }
        if (app->count("--seed")) o.seed = whole_number("--seed", seed_, 0, UINT64_MAX);
        if (app->count("--bootstrap")) {
            if (o.method != sim::SensitivityMethod::sobol) throw UsageError("--bootstrap applies to --method sobol only");
            o.bootstrap = whole_number("--bootstrap", bootstrap_, 0, 100'000);
        }
        if (app->count("--at"))
            for (const auto& t : split_list("--at", at_)) o.at.push_back(number("--at", t));
        if (app->count("--indicators")) indicators_value_ = parse_indicators(indicators_, false);
        if (app->count("--threads")) o.threads = thread_count(threads_);
        if (app->count("--engine")) engine_value_ = parse_engine_option(engine_);
        if (app->count("--charts")) chart_format_ = chart_format_option(charts_);
        for (const auto& v : set_) set_values_.push_back(parse_set(v));
        if (!app->count("--out")) throw UsageError("missing --out DIR (where the outputs go)");
        if (out_.empty()) throw UsageError("--out expects a directory");
        if (app->count("--lang")) {
            lang_value_ = lang_option(lang_);
        }
        limits = limit_options.limits();
        max_memory_ = limit_options.max_memory();
        file_ = finish_parse();
    }

    int execute() override {
        sim::SensitivityOptions o = o_;
        std::vector<sim::Indicator> indicators = indicators_value_;
        const std::string& file = file_;

        auto x = load_experiment(file, limits, set_values_);
        if (!x) return exit_model;
        const Loaded& l = x->loaded;
        if (!use_engine(engine_value_, x->model)) return exit_model;  // every run of the design
        if (l.spec.uncertainties.empty())
            return file_error(file, sim::Code::E_NO_UNCERTAINTIES,
                              "no uncertain parameters to analyse; declare them under 'uncertainties:' in the "
                              "model or the scenario (docs/uncertainty.md)");
        // Before the runs: a directory that cannot take the output costs nothing.
        sim::check_output_dir(out_, sim::sensitivity_output_set(l.inputs));
        sim::RunOptions cli;
        cli.max_memory = max_memory_;
        o.base = merge(l.run, cli);  // the command line wins over the scenario; --set is applied by load_experiment
        o.base.on_nonfinite = l.run.on_nonfinite;
        if (o.at.empty() && l.scenario) o.at = l.scenario->report_at;
        if (indicators.empty() && l.scenario) indicators = l.scenario->indicators;
        if (indicators.empty()) indicators = sim::default_indicators(x->model, o.base);
        for (const auto& i : indicators) o.indicators.push_back(i.name);
        o.trajectory_quantiles = bands;
        o.progress = progress("sensitivity", "runs");
        o.comm = communicator();  // under mpirun: the runs split across the ranks

        sim::SensitivityResult r;
        try {
            r = sim::sensitivity(x->model, l.spec.uncertainties, l.spec.correlations, o);
        } catch (const sim::Error& e) {
            const auto& items = e.diagnostics().items();
            if (!items.empty() && items.front().code == sim::Code::E_ENSEMBLE_SIZE)
                throw UsageError("--samples " + samples_ + ": " + items.front().message);
            throw;
        }
        for (const auto& d : r.notes.items()) {
            sim::Diagnostic w = d;
            if (w.loc.file.empty()) w.loc.file = file;
            std::cerr << sim::format(w) << '\n';
        }
        sim::print_sensitivity_summary(r, std::cout);
        std::cout.flush();

        sim::ReportOptions w = report_options(*x, l.inputs, !no_charts_, chart_format_, lang_value_);
        w.spec = &l.spec;
        if (sdsim::rank() == 0) {  // every rank has the result; rank 0 writes it
            sim::write_sensitivity_outputs(r, out_, w);
            std::cerr << "wrote " << out_ << "/report.md and " << out_ << "/report.html\n";
        }
        return stdout_status();
    }

private:
    std::string samples_, method_, seed_, bootstrap_, at_, indicators_, threads_, out_, lang_, engine_;
    sim::RunEngine engine_value_ = sim::RunEngine::interpreter;
    std::vector<std::string> set_;
    bool no_charts_ = false;
    std::string charts_;
    sim::ChartFormat chart_format_ = sim::ChartFormat::svg;
    // What check_options made of them.
    sim::SensitivityOptions o_;
    std::vector<sim::Indicator> indicators_value_;
    std::vector<std::pair<std::string, double>> set_values_;
    std::optional<std::uint64_t> max_memory_;
    sim::Lang lang_value_ = sim::Lang::en;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_sensitivity(CLI::App& app) { return std::make_unique<Sensitivity>(app); }

}  // namespace sdsim
