// `sdsim compare`: runs every combination of the chosen levers on top of a
// model or scenario, prints a ranked table and writes the CSVs, charts and
// report (docs/compare.md).
#include <unistd.h>

#include <iostream>

#include "common.hpp"
#include "sim/compare.hpp"
#include "sim/report.hpp"
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
    "charts/ and report.md into DIR.\n"
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
    "  --threads N            worker threads (default: all cores); the results\n"
    "                         are identical whatever N\n"
    "  --set NAME=X           override a constant in every run (repeatable)\n"
    "  --out DIR, -o DIR      write the outputs into DIR (created)\n"
    "  --no-charts            do not run gnuplot\n"
    "  -h, --help             show this help\n"
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
                        app->add_option("--threads", threads_), app->add_option("--out,-o", out_)})
            o->multi_option_policy(last)->allow_extra_args(false);
        app->add_option("--set", set_)
            ->expected(1)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false);
        app->add_flag("--no-charts", no_charts_);
    }

    int execute() override {
        sim::CompareOptions o;
        if (app->count("--levers") && sim::text::trim(levers_) != "all") o.levers = split_list("--levers", levers_);
        if (app->count("--at"))
            for (const auto& t : split_list("--at", at_)) o.at.push_back(number("--at", t));
        if (app->count("--indicators")) o.indicators = indicators();
        if (app->count("--threads")) {
            auto p = sim::text::parse_number(threads_);
            if (!p || p.value < 0 || p.value > 1024 || p.value != static_cast<unsigned>(p.value) ||
                threads_.find_first_not_of("0123456789") != std::string::npos)
                throw UsageError("invalid thread count '" + threads_ + "' (expected 0 to 1024; 0 = all cores)");
            o.threads = static_cast<unsigned>(p.value);
        }
        std::vector<std::pair<std::string, double>> set;
        for (const auto& v : set_) set.push_back(parse_set(v));
        if (app->count("--out") && out_.empty()) throw UsageError("--out expects a directory");
        const std::string file = finish_parse();
        const std::string rank_by(sim::text::trim(rank_by_));

        sim::Diagnostics diags;
        Loaded l = load(file, diags, set);
        std::string title;
        std::vector<std::string> inputs;
        if (l.scenario) {
            const auto& s = *l.scenario;
            title = "scenario " + s.name + " (model " + (l.spec.name.empty() ? s.model_path : l.spec.name) + ")";
            inputs = sim::source_lines(s);
            if (!diags.has_errors()) {
                std::cerr << "scenario: " << s.name << '\n';
                for (const auto& line : inputs) std::cerr << line << '\n';
            }
        } else {
            title = l.spec.name.empty() ? file : l.spec.name;
        }
        if (diags.has_errors()) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        auto model = sim::Model::compile(l.spec, diags);
        print_diagnostics(diags, std::cerr);  // warnings, or the errors
        if (!model) return exit_model;

        o.base = l.run;
        o.base.on_nonfinite = l.run.on_nonfinite;
        // The command line wins over the scenario's `report_at:` and `indicators:`.
        if (o.at.empty() && l.scenario) o.at = l.scenario->report_at;
        if (o.indicators.empty() && l.scenario) o.indicators = l.scenario->indicators;
        if (l.scenario) o.cost_variable = l.scenario->cost;
        if (o.indicators.empty()) o.indicators = sim::default_indicators(*model, o.base);
        std::size_t rank_index = 0;
        if (app->count("--rank-by")) {
            while (rank_index < o.indicators.size() &&
                   sim::canonical_name(o.indicators[rank_index].name) != sim::canonical_name(rank_by))
                ++rank_index;
            if (rank_index == o.indicators.size())
                throw UsageError("--rank-by '" + rank_by + "' is not one of the indicators");
        }
        if (::isatty(STDERR_FILENO) == 1)
            o.progress = [](std::size_t done, std::size_t total) {
                std::cerr << "\rcompare: " << done << '/' << total << " runs" << (done == total ? "\n" : "")
                          << std::flush;
            };

        sim::CompareResult r = sim::compare(*model, o);
        r.model_name = title;
        r.inputs = inputs;
        // compare() may drop an indicator that is the cost variable: find rank_by again.
        std::size_t rank = 0;
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            if (sim::canonical_name(r.indicators[i].name) == sim::canonical_name(o.indicators[rank_index].name))
                rank = i;
        sim::print_ranked_table(r, std::cout, rank);
        std::cout.flush();

        if (app->count("--out")) {
            sim::CompareOutputOptions w;
            w.charts = !no_charts_;
            w.warnings = &std::cerr;
            sim::write_compare_outputs(r, out_, w);
            std::cerr << "wrote " << out_ << "/report.md\n";
        }
        if (!std::cout) {
            std::cerr << "sdsim: error: cannot write to standard output\n";
            return exit_model;
        }
        return exit_ok;
    }

private:
    std::vector<sim::Indicator> indicators() const {
        std::vector<sim::Indicator> out;
        for (auto item : split_list("--indicators", indicators_)) {
            sim::Indicator ind;
            auto colon = item.rfind(':');
            if (colon != std::string::npos) {
                const std::string dir(sim::text::trim(std::string_view(item).substr(colon + 1)));
                if (dir != "min" && dir != "max")
                    throw UsageError("indicator '" + item + "': expected NAME, NAME:min or NAME:max");
                ind.lower_is_better = dir == "min";
                item = std::string(sim::text::trim(std::string_view(item).substr(0, colon)));
            }
            if (item.empty()) throw UsageError("empty indicator name in --indicators");
            ind.name = item;
            out.push_back(ind);
        }
        return out;
    }

    std::string levers_, at_, indicators_, rank_by_, threads_, out_;
    std::vector<std::string> set_;
    bool no_charts_ = false;
};

}  // namespace

std::unique_ptr<Command> make_compare(CLI::App& app) { return std::make_unique<Compare>(app); }

}  // namespace sdsim
