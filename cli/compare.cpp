// `sdsim compare`: runs every combination of the chosen levers on top of a
// model or scenario, prints a ranked table and writes the CSVs, charts and
// report (docs/compare.md); with --samples, also over samples of the
// declared uncertainties (docs/uncertainty.md).
#include <iostream>
#include <optional>

#include "common.hpp"
#include "job.hpp"
#include "sim/compare.hpp"
#include "sim/report.hpp"
#include "sim/robustness.hpp"
#include "util/text.hpp"

namespace sdsim {

namespace {

constexpr const char* compare_help =
    "Usage: sdsim compare FILE [options]\n"
    "\n"
    "Runs every combination of the chosen levers (2^k runs) on top of FILE, a\n"
    "model or a scenario, in parallel; prints the combinations ranked at the\n"
    "last report time; with --out, writes combinations.csv, effects.csv (main\n"
    "effects, two-lever interactions, Shapley shares), trajectories.csv,\n"
    "charts/, report.md and report.html (one self-contained page: summary\n"
    "sentences, units, charts) into DIR.\n"
    "\n"
    "Options:\n"
    "  --levers a,b,...|all   levers to combine (default: all of the model's)\n"
    "  --at T1,T2,...         report times (default: the scenario's report_at,\n"
    "                         else the stop time); values between saved rows\n"
    "                         are interpolated linearly\n"
    "  --indicators a,b:min,...\n"
    "                         variables to compare; ':min' marks lower as\n"
    "                         better (default: the scenario's indicators, else\n"
    "                         every saved stock)\n"
    "  --rank-by NAME         indicator that orders the table (default: first)\n"
    "  --samples N            also run every combination over the same N\n"
    "                         samples of the uncertainties FILE declares\n"
    "                         (Latin hypercube, rank correlations honoured):\n"
    "                         the table gains p_best and regret; --out adds\n"
    "                         robustness.csv, conclusions.csv, samples.csv and\n"
    "                         percentile intervals in effects.csv\n"
    "  --seed S               seed of the samples (default 1; needs --samples)\n"
    "  --threads N            worker threads (default: all cores); the results\n"
    "                         are identical whatever N\n"
    "  --set NAME=X           override a constant in every run (repeatable)\n"
    "  --out DIR, -o DIR      write the outputs into DIR, replaced as a whole:\n"
    "                         readers see the old set or the new one, never a\n"
    "                         mix; a DIR holding other files is refused\n"
    "  --engine E             interpreter (default) or generated: the model's\n"
    "                         C++ compiled by the system compiler, cached by\n"
    "                         program (as 'sdsim run --engine generated'), for\n"
    "                         every run; the same results bit for bit\n"
    "  --no-charts            do not run gnuplot\n"
    "  --charts svg|png       format of the gnuplot charts: svg (default) or\n"
    "                         png (gnuplot's pngcairo terminal)\n"
    "  --lang en|zh           language of report.html, report.md and the\n"
    "                         charts (default: en)\n"
    "  -h, --help             show this help\n"
    "\n"
    SDSIM_LIMITS_HELP
    "\n"
    "Progress goes to standard error when it is a terminal. For a scenario,\n"
    "standard error and report.md also name the scenario and list its input\n"
    "files with their SHA-256 (as 'sdsim run' does).\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

class Compare : public Command {
public:
    explicit Compare(CLI::App& parent) : Command(parent, "compare", compare_help) {
        auto last = CLI::MultiOptionPolicy::TakeLast;
        for (auto* o : {app->add_option("--levers", levers_), app->add_option("--at", at_),
                        app->add_option("--indicators", indicators_), app->add_option("--rank-by", rank_by_),
                        app->add_option("--threads", threads_), app->add_option("--out,-o", out_),
                        app->add_option("--samples", samples_), app->add_option("--seed", seed_),
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
        if (app->count("--lang")) {
            lang_value_ = lang_option(lang_);
        }
        if (app->count("--levers") && sim::text::trim(levers_) != "all") o_.levers = split_list("--levers", levers_);
        if (app->count("--at"))
            for (const auto& t : split_list("--at", at_)) o_.at.push_back(number("--at", t));
        if (app->count("--indicators")) o_.indicators = parse_indicators(indicators_);
        if (app->count("--threads")) o_.threads = thread_count(threads_);
        if (app->count("--engine")) engine_value_ = parse_engine_option(engine_);
        if (app->count("--charts")) chart_format_ = chart_format_option(charts_);
        sampled_ = app->count("--samples") > 0;
        if (sampled_) so_.samples = whole_number("--samples", samples_, 1, max_samples);
        if (app->count("--seed")) {
            if (!sampled_) throw UsageError("--seed needs --samples (the seed of the samples)");
            so_.seed = whole_number("--seed", seed_, 0, UINT64_MAX);
        }
        for (const auto& v : set_) set_values_.push_back(parse_set(v));
        if (app->count("--out") && out_.empty()) throw UsageError("--out expects a directory");
        limits = limit_options.limits();
        max_memory_ = limit_options.max_memory();
        file_ = finish_parse();
    }

    int execute() override {
        sim::CompareOptions o = o_;
        sim::SampleOptions so = so_;
        const bool sampled = sampled_;
        const sim::Lang lang = lang_value_;
        const std::string& file = file_;
        const std::string rank_by(sim::text::trim(rank_by_));

        auto x = load_experiment(file, limits, set_values_);
        if (!x) return exit_model;
        const Loaded& l = x->loaded;
        if (!use_engine(engine_value_, x->model)) return exit_model;  // every run of the comparison
        // Before the runs: a directory that cannot take the output costs nothing.
        if (app->count("--out")) sim::check_output_dir(out_, sim::compare_output_set(l.inputs));
        sim::RunOptions cli;
        cli.max_memory = max_memory_;
        o.base = merge(l.run, cli);  // the command line wins over the scenario; --set is applied by load_experiment
        o.base.on_nonfinite = l.run.on_nonfinite;
        // The command line wins over the scenario's `report_at:` and `indicators:`.
        if (o.at.empty() && l.scenario) o.at = l.scenario->report_at;
        if (o.indicators.empty() && l.scenario) o.indicators = l.scenario->indicators;
        if (l.scenario) o.cost_variable = l.scenario->cost;
        if (o.indicators.empty()) o.indicators = sim::default_indicators(x->model, o.base);
        std::size_t rank_index = 0;
        if (app->count("--rank-by")) {
            while (rank_index < o.indicators.size() &&
                   sim::canonical_name(o.indicators[rank_index].name) != sim::canonical_name(rank_by))
                ++rank_index;
            if (rank_index == o.indicators.size())
                throw UsageError("--rank-by '" + rank_by + "' is not one of the indicators");
        }
        o.progress = progress("compare", "runs");

        if (sampled && l.spec.uncertainties.empty())
            return file_error(file, sim::Code::E_NO_UNCERTAINTIES,
                              "--samples: no uncertain parameters to sample; declare them under 'uncertainties:' "
                              "in the model or the scenario (docs/uncertainty.md)");
        // Only the runs the outputs show keep their whole series.
        o.keep_series = sim::CompareOptions::Keep::shown;
        // With --out, the output set is made before the runs are done and
        // its charts are drawn (gnuplot, another process) while the samples
        // run; every rank has the result, rank 0 writes it.
        const bool writing = app->count("--out") && sdsim::rank() == 0;
        sim::CompareOutputOptions w;
        w.charts = !no_charts_;
        w.chart_format = chart_format_;
        w.lang = lang;
        w.warnings = &std::cerr;
        w.input_files = l.inputs;
        std::optional<sim::CompareOutputs> outputs;
        auto named = [&](sim::CompareResult& r) {
            r.model_name = x->title;
            r.inputs = x->inputs;
        };
        sim::UncertainComparison u;
        if (sampled) {
            so.uncertainties = l.spec.uncertainties;
            so.correlations = l.spec.correlations;
            // Iman-Conover ranks need more rows than columns.
            if (!so.correlations.empty() && so.samples <= so.uncertainties.size())
                throw UsageError("--samples " + samples_ + ": the declared rank correlations need more samples than "
                                 "the " + std::to_string(so.uncertainties.size()) +
                                 " uncertain parameters; use --samples " +
                                 std::to_string(so.uncertainties.size() + 1) + " or more");
            if (writing)
                o.on_nominal = [&](const sim::CompareResult& nominal) {
                    sim::CompareResult r = nominal;
                    named(r);
                    outputs.emplace(out_, w);
                    outputs->start_charts(r);
                };
            try {
                o.comm = communicator();  // under mpirun: the runs split across the ranks
                u = sim::compare(x->model, o, so);
            } catch (const sim::Error& e) {
                const auto& items = e.diagnostics().items();
                if (!items.empty() && items.front().code == sim::Code::E_ENSEMBLE_SIZE)
                    throw UsageError("--samples " + samples_ + ": " + items.front().message);
                throw;
            }
        } else {
            o.comm = communicator();  // under mpirun: the runs split across the ranks
            u.nominal = sim::compare(x->model, o);
        }
        sim::CompareResult& r = u.nominal;
        named(r);
        // compare() may drop an indicator that is the cost variable: find rank_by again.
        std::size_t rank = 0;
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            if (sim::canonical_name(r.indicators[i].name) == sim::canonical_name(o.indicators[rank_index].name))
                rank = i;
        if (sampled) sim::print_ranked_table(u, std::cout, rank);
        else sim::print_ranked_table(r, std::cout, rank);
        std::cout.flush();

        if (writing) {
            if (!outputs) outputs.emplace(out_, w);
            if (sampled) outputs->finish(u);
            else outputs->finish(r);
            std::cerr << "wrote " << out_ << "/report.md and " << out_ << "/report.html\n";
        }
        return stdout_status();
    }

private:
    std::string levers_, at_, indicators_, rank_by_, threads_, out_, samples_, seed_, lang_, engine_;
    sim::RunEngine engine_value_ = sim::RunEngine::interpreter;
    std::vector<std::string> set_;
    bool no_charts_ = false;
    std::string charts_;
    sim::ChartFormat chart_format_ = sim::ChartFormat::svg;
    // What check_options made of them.
    sim::CompareOptions o_;
    sim::SampleOptions so_;
    bool sampled_ = false;
    sim::Lang lang_value_ = sim::Lang::en;
    std::vector<std::pair<std::string, double>> set_values_;
    std::optional<std::uint64_t> max_memory_;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_compare(CLI::App& app) { return std::make_unique<Compare>(app); }

}  // namespace sdsim
