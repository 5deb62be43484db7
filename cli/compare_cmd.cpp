// `sdsim compare`: runs every combination of the chosen levers on top of a
// model or scenario, prints a ranked table and writes the CSVs, charts and
// report (docs/compare.md). Self-contained: parses its own arguments and
// turns every error into an exit status, so main() only dispatches.
#include "compare_cmd.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/load.hpp"
#include "sim/scenario.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_model = 1;
constexpr int exit_usage = 2;

constexpr const char* help =
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
    "                         else 2030,2035,2050 within the run, else the\n"
    "                         stop time)\n"
    "  --indicators a,b:min,...\n"
    "                         variables to compare; ':min' marks lower as\n"
    "                         better (default: the scenario's indicators, else\n"
    "                         the Chongqing indicators the model has, else\n"
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

struct Usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

std::vector<std::string> split(const std::string& opt, const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        auto comma = s.find(',', pos);
        auto item = trim(std::string_view(s).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (item.empty()) throw Usage("empty item in " + opt + " '" + s + "'");
        out.push_back(item);
        if (comma == std::string::npos) return out;
        pos = comma + 1;
    }
}

double number(const std::string& opt, const std::string& s) {
    double v = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (b != e && *b == '+') ++b;
    auto [p, ec] = std::from_chars(b, e, v);
    if (s.empty() || ec != std::errc() || p != e || !std::isfinite(v))
        throw Usage("invalid number '" + s + "' for " + opt);
    return v;
}

struct Args {
    std::string file;
    std::vector<std::string> levers;
    std::vector<double> at;
    std::vector<sim::Indicator> indicators;
    std::optional<std::string> rank_by;
    unsigned threads = 0;
    std::vector<std::pair<std::string, double>> set;
    std::optional<std::string> out;
    bool charts = true;
};

// nullopt: --help was printed.
std::optional<Args> parse(int argc, char** argv) {
    Args a;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            if (!a.file.empty()) throw Usage("unexpected argument '" + arg + "' (FILE is already '" + a.file + "')");
            if (arg.empty()) throw Usage("FILE is an empty string");
            a.file = arg;
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= argc) throw Usage("option " + arg + " requires a value");
            return argv[++i];
        };
        auto flag = [&] {
            if (inline_value) throw Usage("option " + arg + " takes no value");
        };
        if (arg == "-h" || arg == "--help") {
            flag();
            std::cout << help;
            return std::nullopt;
        } else if (arg == "--levers") {
            auto v = value();
            a.levers = trim(v) == "all" ? std::vector<std::string>{} : split(arg, v);
        } else if (arg == "--at") {
            a.at.clear();
            for (const auto& t : split(arg, value())) a.at.push_back(number(arg, t));
        } else if (arg == "--indicators") {
            a.indicators.clear();
            for (auto item : split(arg, value())) {
                sim::Indicator ind;
                auto colon = item.rfind(':');
                if (colon != std::string::npos) {
                    auto dir = trim(item.substr(colon + 1));
                    if (dir != "min" && dir != "max")
                        throw Usage("indicator '" + item + "': expected NAME, NAME:min or NAME:max");
                    ind.lower_is_better = dir == "min";
                    item = trim(item.substr(0, colon));
                }
                if (item.empty()) throw Usage("empty indicator name in --indicators");
                ind.name = item;
                a.indicators.push_back(ind);
            }
        } else if (arg == "--rank-by") {
            a.rank_by = trim(value());
        } else if (arg == "--threads") {
            auto v = value();
            unsigned n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n > 1024)
                throw Usage("invalid thread count '" + v + "' (expected 0 to 1024; 0 = all cores)");
            a.threads = n;
        } else if (arg == "--set") {
            auto v = value();
            auto eq = v.find('=');
            if (eq == std::string::npos || trim(v.substr(0, eq)).empty())
                throw Usage("--set expects NAME=VALUE, got '" + v + "'");
            a.set.emplace_back(trim(v.substr(0, eq)), number("--set " + v.substr(0, eq), trim(v.substr(eq + 1))));
        } else if (arg == "--out" || arg == "-o") {
            auto v = value();
            if (v.empty()) throw Usage("--out expects a directory");
            a.out = v;
        } else if (arg == "--no-charts") {
            flag();
            a.charts = false;
        } else {
            throw Usage("unknown option '" + arg + "'");
        }
    }
    if (a.file.empty()) throw Usage("missing FILE");
    return a;
}

void print_diagnostics(const sim::Diagnostics& d) {
    for (const auto& x : d.items()) std::cerr << sim::format(x) << '\n';
}

int run(const Args& a) {
    sim::Diagnostics diags;
    sim::ModelSpec spec;
    sim::RunOptions base;
    std::string title;
    std::vector<sim::Indicator> scenario_indicators;
    std::vector<double> scenario_at;
    std::vector<std::string> inputs;
    if (sim::is_scenario_file(a.file)) {
        auto s = sim::load_scenario(a.file, diags);
        spec = std::move(s.model);
        base = std::move(s.run);
        scenario_indicators = std::move(s.indicators);
        scenario_at = std::move(s.report_at);
        title = "scenario " + s.name + " (model " + (spec.name.empty() ? s.model_path : spec.name) + ")";
        inputs = sim::source_lines(s);
        if (!diags.has_errors()) {
            std::cerr << "scenario: " << s.name << '\n';
            for (const auto& line : inputs) std::cerr << line << '\n';
        }
    } else {
        spec = sim::load_model(a.file, diags);
        title = spec.name.empty() ? a.file : spec.name;
    }
    if (diags.has_errors()) {
        print_diagnostics(diags);
        return exit_model;
    }
    auto model = sim::Model::compile(spec, diags);
    print_diagnostics(diags);  // warnings, or the errors
    if (!model) return exit_model;

    for (const auto& nv : a.set) {  // the command line wins over the scenario
        // (not a structured binding: clang 14 cannot capture one in a lambda)
        const std::string key = sim::canonical_name(nv.first);
        std::erase_if(base.set, [&](const auto& kv) { return sim::canonical_name(kv.first) == key; });
        base.set.push_back(nv);
    }

    sim::CompareOptions o;
    o.levers = a.levers;
    // The command line wins over the scenario's `report_at:` and `indicators:`.
    o.at = a.at.empty() ? scenario_at : a.at;
    o.indicators = !a.indicators.empty()       ? a.indicators
                   : !scenario_indicators.empty() ? scenario_indicators
                                                  : sim::default_indicators(spec, base);
    o.threads = a.threads;
    o.base = base;
    std::size_t rank_by = 0;
    if (a.rank_by) {
        std::size_t i = 0;
        while (i < o.indicators.size() &&
               sim::canonical_name(o.indicators[i].name) != sim::canonical_name(*a.rank_by))
            ++i;
        if (i == o.indicators.size()) throw Usage("--rank-by '" + *a.rank_by + "' is not one of the indicators");
        rank_by = i;
    }
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    if (tty)
        o.progress = [](std::size_t done, std::size_t total) {
            std::cerr << "\rcompare: " << done << '/' << total << " runs" << (done == total ? "\n" : "") << std::flush;
        };

    sim::CompareResult r = sim::compare(*model, spec, o);
    r.model_name = title;
    r.inputs = inputs;
    // compare() may drop an indicator that is the cost variable: find rank_by again.
    std::size_t rank = 0;
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        if (sim::canonical_name(r.indicators[i].name) == sim::canonical_name(o.indicators[rank_by].name)) rank = i;
    sim::print_ranked_table(r, std::cout, rank);
    std::cout.flush();

    if (a.out) {
        sim::CompareOutputOptions w;
        w.charts = a.charts;
        w.warnings = &std::cerr;
        sim::write_compare_outputs(r, *a.out, w);
        std::cerr << "wrote " << *a.out << "/report.md\n";
    }
    if (!std::cout) {
        std::cerr << "sdsim: error: cannot write to standard output\n";
        return exit_model;
    }
    return exit_ok;
}

}  // namespace

int sdsim_compare(int argc, char** argv) {
    try {
        auto a = parse(argc, argv);
        return a ? run(*a) : exit_ok;
    } catch (const Usage& e) {
        std::cerr << "sdsim: error: " << e.what() << "\nTry 'sdsim compare --help'.\n";
        return exit_usage;
    } catch (const sim::Error& e) {
        if (e.diagnostics().empty()) std::cerr << "sdsim: error: " << e.what() << '\n';
        else print_diagnostics(e.diagnostics());
        return exit_model;
    } catch (const std::exception& e) {
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_model;
    }
}
