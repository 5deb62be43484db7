// `sdsim calibrate`: estimates constants of a model or scenario from data
// (weighted least squares, Levenberg-Marquardt, multi-start inside bounds);
// prints the estimates and writes the fit, correlations, fitted series,
// charts and report (docs/calibration.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "sim/calibrate.hpp"
#include "sim/input.hpp"
#include "sim/report.hpp"
#include "sim/scenario.hpp"
#include "util/text.hpp"

namespace sdsim {

namespace {

constexpr const char* calibrate_help =
    "Usage: sdsim calibrate FILE --data DATA.csv --fit a,b,... --out DIR [options]\n"
    "\n"
    "Estimates constants of FILE, a model or a scenario, from observed data:\n"
    "weighted least squares between the model and the data, solved by\n"
    "Levenberg-Marquardt from several starts inside the parameters' bounds.\n"
    "Prints the estimates with their standard errors and the payoff; writes\n"
    "fit.csv, correlation.csv (of the estimates), fitted.csv (data against\n"
    "model), starts.csv, charts/ and report.md into DIR.\n"
    "\n"
    "DATA.csv holds a time column and one column per model variable (a row\n"
    "starting 'weight' gives the columns' weights), or one observation per\n"
    "row as 'indicator,time,value[,weight]' (docs/calibration.md).\n"
    "\n"
    "Options:\n"
    "  --data FILE            the observations; required\n"
    "  --fit a,b,...          constants to estimate; required\n"
    "  --bounds NAME=LO:HI    bounds of a fitted constant (repeatable, or\n"
    "                         comma-separated); default: the support of its\n"
    "                         entry under 'uncertainties:'\n"
    "  --weights NAME=W,...   weight of a data column (default: the data\n"
    "                         file's, else 1)\n"
    "  --starts N             Latin-hypercube starts besides the model's own\n"
    "                         values (default 8)\n"
    "  --seed S               seed of the starts (default 1)\n"
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
    "  -h, --help             show this help\n"
    "\n"
    SDSIM_LIMITS_HELP
    "\n"
    "Progress goes to standard error when it is a terminal.\n"
    "\n"
    "Exit status: 0 success, 1 model, data or run error, 2 usage error.\n";

// NAME=REST of `opt`; UsageError naming `opt` and `form` otherwise.
std::pair<std::string, std::string> name_value(const std::string& opt, const std::string& item, const char* form) {
    const auto eq = item.find('=');
    const std::string name(sim::text::trim(std::string_view(item).substr(0, eq == std::string::npos ? 0 : eq)));
    if (eq == std::string::npos || name.empty())
        throw UsageError(opt + " expects " + form + ", got '" + item + "'");
    return {name, std::string(sim::text::trim(std::string_view(item).substr(eq + 1)))};
}

class Calibrate : public Command {
public:
    explicit Calibrate(CLI::App& parent) : Command(parent, "calibrate", calibrate_help) {
        auto last = CLI::MultiOptionPolicy::TakeLast;
        for (auto* o : {app->add_option("--data", data_), app->add_option("--fit", fit_),
                        app->add_option("--starts", starts_), app->add_option("--seed", seed_),
                        app->add_option("--threads", threads_), app->add_option("--out,-o", out_),
                        app->add_option("--engine", engine_), app->add_option("--charts", charts_)})
            o->multi_option_policy(last)->allow_extra_args(false);
        for (auto* o : {app->add_option("--bounds", bounds_), app->add_option("--weights", weights_),
                        app->add_option("--set", set_)})
            o->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->allow_extra_args(false);
        app->add_flag("--no-charts", no_charts_);
    }

    void check_options() override {
        sim::CalibrationOptions& o = o_;
        if (!app->count("--data")) throw UsageError("missing --data FILE (the observations)");
        if (data_.empty()) throw UsageError("--data expects a file");
        if (!app->count("--fit")) throw UsageError("missing --fit a,b,... (the constants to estimate)");
        o.fit = split_list("--fit", fit_);
        for (const auto& b : bounds_)
            for (const auto& item : split_list("--bounds", b)) {
                auto [name, range] = name_value("--bounds", item, "NAME=LO:HI");
                const auto colon = range.find(':');
                if (colon == std::string::npos)
                    throw UsageError("--bounds expects NAME=LO:HI, got '" + item + "'");
                const double lo = number("--bounds " + name, std::string(sim::text::trim(range.substr(0, colon))));
                const double hi = number("--bounds " + name, std::string(sim::text::trim(range.substr(colon + 1))));
                if (!(lo < hi))
                    throw UsageError("--bounds " + name + ": the lower bound " + sim::text::number(lo) +
                                     " is not below the upper bound " + sim::text::number(hi));
                o.bounds.push_back({name, {lo, hi}});
            }
        for (const auto& w : weights_)
            for (const auto& item : split_list("--weights", w)) {
                auto [name, value] = name_value("--weights", item, "NAME=W");
                const double x = number("--weights " + name, value);
                if (!(x >= 0)) throw UsageError("--weights " + name + ": a weight must be 0 or positive");
                o.weights.emplace_back(name, x);
            }
        if (app->count("--starts"))
            o.starts = whole_number("--starts", starts_, 0, sim::max_calibration_starts);
        if (app->count("--seed")) o.seed = whole_number("--seed", seed_, 0, UINT64_MAX);
        if (app->count("--threads")) o.threads = thread_count(threads_);
        if (app->count("--engine")) engine_value_ = parse_engine_option(engine_);
        if (app->count("--charts")) chart_format_ = chart_format_option(charts_);
        for (const auto& v : set_) set_values_.push_back(parse_set(v));
        if (!app->count("--out")) throw UsageError("missing --out DIR (where the outputs go)");
        if (out_.empty()) throw UsageError("--out expects a directory");
        limits = limit_options.limits();
        max_memory_ = limit_options.max_memory();
        file_ = finish_parse();
    }

    int execute() override {
        sim::CalibrationOptions o = o_;
        const std::string& file = file_;

        auto x = load_experiment(file, limits, set_values_);
        if (!x) return exit_model;
        const Loaded& l = x->loaded;
        if (!use_engine(engine_value_, x->model)) return exit_model;  // every run of the fit
        // The data file is read once (sim::read_input, within the limits):
        // parsed and hashed (for the report's inputs).
        sim::Diagnostics diags;
        auto in = sim::read_input(data_, diags, limits);
        if (!in) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        const std::string bytes = std::move(in->bytes);
        const sim::CalibrationData data = sim::parse_calibration_data(bytes, data_, diags);
        print_diagnostics(diags, std::cerr);
        if (diags.has_errors()) return exit_model;
        // Before the fit: a directory that cannot take the output costs nothing.
        std::vector<std::string> input_files = l.inputs;
        input_files.push_back(data_);
        sim::check_output_dir(out_, sim::calibration_output_set(input_files));

        sim::RunOptions cli;
        cli.max_memory = max_memory_;
        o.base = merge(l.run, cli);  // the command line wins over the scenario; --set is applied by load_experiment
        o.base.on_nonfinite = l.run.on_nonfinite;
        o.uncertainties = l.spec.uncertainties;
        o.progress = progress("calibrate", "starts");
        const sim::CalibrationResult r = sim::calibrate(x->model, data, o);
        sim::print_fit_table(r, std::cout);
        std::cout.flush();

        sim::ReportOptions w = report_options(*x, input_files, !no_charts_, chart_format_);
        w.inputs.push_back("data: " + data_ + " sha256:" + sim::sha256_hex(bytes));
        sim::write_calibration_outputs(r, out_, w);
        std::cerr << "wrote " << out_ << "/report.md\n";
        return stdout_status();
    }

private:
    std::string data_, fit_, starts_, seed_, threads_, out_, engine_;
    sim::RunEngine engine_value_ = sim::RunEngine::interpreter;
    std::vector<std::string> bounds_, weights_, set_;
    bool no_charts_ = false;
    std::string charts_;
    sim::ChartFormat chart_format_ = sim::ChartFormat::svg;
    // What check_options made of them.
    sim::CalibrationOptions o_;
    std::vector<std::pair<std::string, double>> set_values_;
    std::optional<std::uint64_t> max_memory_;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_calibrate(CLI::App& app) { return std::make_unique<Calibrate>(app); }

}  // namespace sdsim
