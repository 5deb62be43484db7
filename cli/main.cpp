// sdsim: the command-line front end of libsim (docs/cli.md).
//
//   sdsim run FILE [--method M] [--dt X] [--stop T] [--vars a,b] [--out PATH] [--format csv|json]
//   sdsim check FILE
//   sdsim compare FILE ...   (compare_cmd.cpp)
//
// Exit status: 0 success, 1 model or run error (diagnostics, sim::Error, I/O),
// 2 usage error. stdout carries only the product of the command (results for
// `run`, the diagnostic report for `check`); everything else goes to stderr.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "compare_cmd.hpp"
#include "sim/diagnostic.hpp"
#include "sim/write.hpp"
#include "sim/load.hpp"
#include "sim/spec.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/model.hpp"

#ifndef SDSIM_VERSION
#define SDSIM_VERSION "unknown"
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_model = 1;
constexpr int exit_usage = 2;

// A bad command line. `command` names the subcommand whose --help to suggest.
struct UsageError : std::runtime_error {
    UsageError(std::string cmd, const std::string& msg) : std::runtime_error(msg), command(std::move(cmd)) {}
    std::string command;
};

constexpr const char* main_help =
    "Usage: sdsim <command> [options] FILE\n"
    "       sdsim --help | --version\n"
    "\n"
    "Simulates system-dynamics (stock-flow) models written in YAML or XMILE.\n"
    "\n"
    "Commands:\n"
    "  run     simulate a model or scenario; write the results as CSV or JSON\n"
    "  check   load and compile a model or scenario; report every diagnostic\n"
    "  compare run every combination of a model's levers; rank and report them\n"
    "\n"
    "FILE is a model (.yaml, .yml, .xmile, .stmx, .xml) or a scenario (a YAML\n"
    "file with a top-level `model:` key).\n"
    "\n"
    "Run 'sdsim <command> --help' for the options of a command.\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

constexpr const char* run_help =
    "Usage: sdsim run FILE [options]\n"
    "\n"
    "Simulates FILE (a model or a scenario) and writes one row per saved time.\n"
    "Options given here override the model's sim specs and the scenario's run\n"
    "options.\n"
    "\n"
    "Options:\n"
    "  --method M       integration method: euler, rk2, rk4 or rk45\n"
    "  --start T        start time\n"
    "  --stop T         stop time\n"
    "  --dt X           time step (the initial step for rk45)\n"
    "  --save-step X    interval between saved rows (a multiple of dt)\n"
    "  --vars a,b,...   save only these variables (default: every variable)\n"
    "  --set NAME=X     override the constant NAME (repeatable)\n"
    "  --out PATH, -o PATH\n"
    "                   write to PATH instead of standard output; PATH is\n"
    "                   replaced whole or, on any error, left untouched\n"
    "  --format F       csv (default) or json\n"
    "  --on-nonfinite error|warn|ignore\n"
    "                   a value that turns NaN or infinite stops the run with\n"
    "                   the variable, time and equation (error, the default),\n"
    "                   is reported once as a warning (warn) or not checked\n"
    "  --max-steps N    stop (exit 1, no output) if the run needs more than N steps\n"
    "  --max-seconds S  stop (exit 1, no output) after S seconds of wall-clock time\n"
    "  -h, --help       show this help\n"
    "\n"
    "Diagnostics go to standard error as file:line:col: severity: message.\n"
    "When FILE is a scenario, standard error gets 'scenario: NAME' and one line\n"
    "per input file with its SHA-256 ('scenario file: PATH sha256:HEX',\n"
    "'extends: ...', 'model: ...'); JSON output carries the same as \"scenario\"\n"
    "and \"sources\" members; CSV stays plain, and with --out the sources go to\n"
    "PATH.meta.json beside it.\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

constexpr const char* check_help =
    "Usage: sdsim check FILE\n"
    "\n"
    "Loads and compiles FILE (a model or a scenario) without running it. Every\n"
    "diagnostic is printed to standard output, one per line, as\n"
    "file:line:col: severity: message [CODE], followed by a summary line\n"
    "'FILE: N errors, M warnings'.\n"
    "\n"
    "Options:\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error.\n";

// --- argument parsing -------------------------------------------------------

enum class Format { csv, json };

struct RunArgs {
    std::string file;
    sim::RunOptions opts;  // only what the command line sets
    std::optional<std::string> out;
    Format format = Format::csv;
};

// Parses a whole argument as a finite double; anything else is a usage error.
double parse_number(const std::string& cmd, const std::string& opt, const std::string& s) {
    double v = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (b != e && *b == '+') ++b;  // from_chars rejects a leading '+'
    auto [p, ec] = std::from_chars(b, e, v);
    if (s.empty() || ec != std::errc() || p != e || !std::isfinite(v))
        throw UsageError(cmd, "invalid number '" + s + "' for " + opt);
    return v;
}

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_names(const std::string& cmd, const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        auto comma = s.find(',', pos);
        auto item = trim(std::string_view(s).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (item.empty()) throw UsageError(cmd, "empty variable name in --vars '" + s + "'");
        out.push_back(std::move(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

// Walks argv for one subcommand: options as `--name value` or `--name=value`,
// `--` ends the options, exactly one positional FILE.
class ArgReader {
public:
    ArgReader(std::string cmd, int argc, char** argv, int first) : cmd_(std::move(cmd)) {
        for (int i = first; i < argc; ++i) args_.emplace_back(argv[i]);
    }

    bool next() {
        if (i_ >= args_.size()) return false;
        std::string a = args_[i_++];
        inline_value_.reset();
        if (!options_done_ && a == "--") {
            options_done_ = true;
            return next();
        }
        if (!options_done_ && a.size() > 1 && a[0] == '-') {
            auto eq = a.find('=');
            if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
                inline_value_ = a.substr(eq + 1);
                a.resize(eq);
            }
            opt_ = a;
            positional_ = false;
        } else {
            opt_ = a;
            positional_ = true;
        }
        return true;
    }

    bool positional() const { return positional_; }
    const std::string& current() const { return opt_; }
    bool is(std::string_view name) const { return !positional_ && opt_ == name; }

    std::string value() {
        if (inline_value_) return *inline_value_;
        if (i_ >= args_.size()) throw UsageError(cmd_, "option " + opt_ + " requires a value");
        return args_[i_++];
    }
    // For flags: `--help=x` is as wrong as an unknown option.
    void no_value() const {
        if (inline_value_) throw UsageError(cmd_, "option " + opt_ + " takes no value");
    }

private:
    std::string cmd_;
    std::vector<std::string> args_;
    std::size_t i_ = 0;
    std::string opt_;
    std::optional<std::string> inline_value_;
    bool positional_ = false;
    bool options_done_ = false;
};

void set_file(const std::string& cmd, std::string& file, const std::string& arg) {
    if (!file.empty()) throw UsageError(cmd, "unexpected argument '" + arg + "' (FILE is already '" + file + "')");
    if (arg.empty()) throw UsageError(cmd, "FILE is an empty string");
    file = arg;
}

// Returns nullopt when --help was given (and printed).
std::optional<RunArgs> parse_run(int argc, char** argv) {
    const std::string cmd = "run";
    RunArgs a;
    ArgReader r(cmd, argc, argv, 2);
    while (r.next()) {
        if (r.positional()) {
            set_file(cmd, a.file, r.current());
        } else if (r.is("-h") || r.is("--help")) {
            r.no_value();
            std::cout << run_help;
            return std::nullopt;
        } else if (r.is("--method")) {
            auto v = r.value();
            auto m = sim::parse_method(v);
            if (!m) throw UsageError(cmd, "unknown method '" + v + "' (expected euler, rk2, rk4 or rk45)");
            a.opts.method = *m;
        } else if (r.is("--start")) {
            a.opts.start = parse_number(cmd, "--start", r.value());
        } else if (r.is("--stop")) {
            a.opts.stop = parse_number(cmd, "--stop", r.value());
        } else if (r.is("--dt")) {
            a.opts.dt = parse_number(cmd, "--dt", r.value());
        } else if (r.is("--save-step")) {
            a.opts.save_step = parse_number(cmd, "--save-step", r.value());
        } else if (r.is("--vars")) {
            for (auto& n : split_names(cmd, r.value())) a.opts.save.push_back(std::move(n));
        } else if (r.is("--set")) {
            auto v = r.value();
            auto eq = v.find('=');
            if (eq == std::string::npos || trim(v.substr(0, eq)).empty())
                throw UsageError(cmd, "--set expects NAME=VALUE, got '" + v + "'");
            a.opts.set.emplace_back(trim(v.substr(0, eq)), parse_number(cmd, "--set " + v.substr(0, eq), trim(v.substr(eq + 1))));
        } else if (r.is("--out") || r.is("-o")) {
            auto v = r.value();
            if (v.empty()) throw UsageError(cmd, "--out expects a path");
            a.out = v;
        } else if (r.is("--format")) {
            auto v = r.value();
            if (v == "csv") a.format = Format::csv;
            else if (v == "json") a.format = Format::json;
            else throw UsageError(cmd, "unknown format '" + v + "' (expected csv or json)");
        } else if (r.is("--on-nonfinite")) {
            auto v = r.value();
            if (v == "error") a.opts.on_nonfinite = sim::NonFinite::error;
            else if (v == "warn") a.opts.on_nonfinite = sim::NonFinite::warn;
            else if (v == "ignore") a.opts.on_nonfinite = sim::NonFinite::ignore;
            else throw UsageError(cmd, "unknown --on-nonfinite '" + v + "' (expected error, warn or ignore)");
        } else if (r.is("--max-steps")) {
            auto v = r.value();
            double n = parse_number(cmd, "--max-steps", v);
            if (n < 1 || n != std::floor(n) || n > 9.0e18)
                throw UsageError(cmd, "--max-steps expects a positive whole number, got '" + v + "'");
            a.opts.max_steps = static_cast<std::uint64_t>(n);
        } else if (r.is("--max-seconds")) {
            auto v = r.value();
            double t = parse_number(cmd, "--max-seconds", v);
            if (!(t > 0)) throw UsageError(cmd, "--max-seconds expects a positive number, got '" + v + "'");
            a.opts.max_wall_seconds = t;
        } else {
            throw UsageError(cmd, "unknown option '" + r.current() + "'");
        }
    }
    if (a.file.empty()) throw UsageError(cmd, "missing FILE");
    return a;
}

// Returns the file, or nullopt when --help was given (and printed).
std::optional<std::string> parse_check(int argc, char** argv) {
    const std::string cmd = "check";
    std::string file;
    ArgReader r(cmd, argc, argv, 2);
    while (r.next()) {
        if (r.positional()) {
            set_file(cmd, file, r.current());
        } else if (r.is("-h") || r.is("--help")) {
            r.no_value();
            std::cout << check_help;
            return std::nullopt;
        } else {
            throw UsageError(cmd, "unknown option '" + r.current() + "'");
        }
    }
    if (file.empty()) throw UsageError(cmd, "missing FILE");
    return file;
}

// --- loading ------------------------------------------------------------------

// What FILE turned into: a model, plus, if FILE was a scenario, the
// scenario itself (its name, run options and input files with their hashes).
struct Loaded {
    sim::ModelSpec spec;
    std::optional<sim::Scenario> scenario;
    sim::RunOptions run;
};

Loaded load(const std::string& file, sim::Diagnostics& diags) {
    Loaded l;
    if (sim::is_scenario_file(file)) {
        auto s = sim::load_scenario(file, diags);
        l.spec = std::move(s.model);
        l.run = std::move(s.run);
        s.model = {};
        l.scenario = std::move(s);
    } else {
        l.spec = sim::load_model(file, diags);
    }
    return l;
}

// The command line wins over the scenario, option by option; `--vars`
// replaces the scenario's list; `--set` replaces a same-named override.
sim::RunOptions merge(sim::RunOptions base, const sim::RunOptions& cli) {
    if (cli.method) base.method = cli.method;
    if (cli.start) base.start = cli.start;
    if (cli.stop) base.stop = cli.stop;
    if (cli.dt) base.dt = cli.dt;
    if (cli.save_step) base.save_step = cli.save_step;
    if (cli.atol) base.atol = cli.atol;
    if (cli.rtol) base.rtol = cli.rtol;
    base.on_nonfinite = cli.on_nonfinite;  // only the command line sets these
    if (cli.max_steps) base.max_steps = cli.max_steps;
    if (cli.max_wall_seconds) base.max_wall_seconds = cli.max_wall_seconds;
    if (!cli.save.empty()) base.save = cli.save;
    for (const auto& [name, value] : cli.set) {
        bool replaced = false;
        for (auto& [n, v] : base.set)
            if (sim::canonical_name(n) == sim::canonical_name(name)) {
                v = value;
                replaced = true;
            }
        if (!replaced) base.set.emplace_back(name, value);
    }
    return base;
}

void print_diagnostics(const sim::Diagnostics& diags, std::ostream& os) {
    for (const auto& d : diags.items()) os << sim::format(d) << '\n';
}

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + ' ' + word + (n == 1 ? "" : "s");
}

// --- output -------------------------------------------------------------------

void put_json_string(std::ostream& os, std::string_view s) { sim::write_json_string(os, s); }

// {"path":"...","sha256":"..."}
void put_source(std::ostream& os, const sim::SourceFile& f) {
    os << "{\"path\":";
    put_json_string(os, f.path);
    os << ",\"sha256\":";
    put_json_string(os, f.sha256);
    os << '}';
}

// "scenario":"NAME","sources":{"scenario":[{...},...],"model":{...}}
// (members of an object, without the braces).
void put_scenario_members(std::ostream& os, const sim::Scenario& sc) {
    os << "\"scenario\":";
    put_json_string(os, sc.name);
    os << ",\"sources\":{\"scenario\":[";
    for (std::size_t i = 0; i < sc.chain.size(); ++i) {
        if (i) os << ',';
        put_source(os, sc.chain[i]);
    }
    os << "],\"model\":";
    put_source(os, sc.model_file);
    os << '}';
}

void write_results(const sim::Results& r, Format f, const sim::Scenario* scenario, std::ostream& os) {
    if (f == Format::csv) {
        sim::write_csv(r, os);
        return;
    }
    if (!scenario) {
        sim::write_json(r, os);
        return;
    }
    // write_json emits one object {"time":...,"variables":...}; the scenario
    // members come first so that the shape stays the same.
    std::ostringstream body;
    sim::write_json(r, body);
    const std::string s = body.str();
    auto brace = s.find('{');
    if (brace == std::string::npos) throw std::logic_error("write_json produced no object");
    os << s.substr(0, brace + 1);
    put_scenario_members(os, *scenario);
    os << ',' << std::string_view(s).substr(brace + 1);
}

// The sidecar of a CSV written with --out: PATH.meta.json.
void write_meta(const sim::Scenario& sc, const std::string& output, std::ostream& os) {
    os << '{';
    put_scenario_members(os, sc);
    os << ",\"output\":";
    put_json_string(os, output);
    os << "}\n";
}

// --- commands -----------------------------------------------------------------

int cmd_run(const RunArgs& a) {
    sim::Diagnostics diags;
    Loaded l = load(a.file, diags);
    if (diags.has_errors()) {
        print_diagnostics(diags, std::cerr);
        return exit_model;
    }
    auto model = sim::Model::compile(l.spec, diags);
    print_diagnostics(diags, std::cerr);  // warnings, or the errors
    if (!model) return exit_model;

    const sim::Scenario* sc = l.scenario ? &*l.scenario : nullptr;
    if (sc) {
        std::cerr << "scenario: " << sc->name << '\n';
        for (const auto& line : sim::source_lines(*sc)) std::cerr << line << '\n';
    }
    // Run before opening any output: a failed run must not touch --out.
    sim::Results r = model->run(merge(l.run, a.opts));
    for (const auto& w : r.warnings) std::cerr << sim::format(w) << '\n';

    auto writer = [&](std::ostream& os) { write_results(r, a.format, sc, os); };
    if (a.out) {
        sim::write_file_atomic(*a.out, writer);
        if (sc && a.format == Format::csv)
            sim::write_file_atomic(*a.out + ".meta.json", [&](std::ostream& os) { write_meta(*sc, *a.out, os); });
    } else {
        writer(std::cout);
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "sdsim: error: cannot write to standard output\n";
            return exit_model;
        }
    }
    return exit_ok;
}

int cmd_check(const std::string& file) {
    sim::Diagnostics diags;
    Loaded l = load(file, diags);
    // The scenario loader checks its own `save` names and applies `sim:` and
    // `set:` to the model, so compiling covers everything a run would check
    // except command-line options.
    if (!diags.has_errors()) sim::Model::compile(l.spec, diags);
    print_diagnostics(diags, std::cout);
    std::size_t errors = diags.error_count();
    std::size_t warnings = 0;
    for (const auto& d : diags.items())
        if (d.severity == sim::Severity::warning) ++warnings;
    std::cout << file << ": " << plural(errors, "error") << ", " << plural(warnings, "warning") << '\n';
    std::cout.flush();
    return errors == 0 ? exit_ok : exit_model;
}

int dispatch(int argc, char** argv) {
    if (argc < 2) throw UsageError("", "missing command");
    const std::string c = argv[1];
    if (c == "-h" || c == "--help" || c == "help") {
        std::cout << main_help;
        return exit_ok;
    }
    if (c == "--version") {
        std::cout << "sdsim " SDSIM_VERSION "\n";
        return exit_ok;
    }
    if (c == "run") {
        auto a = parse_run(argc, argv);
        return a ? cmd_run(*a) : exit_ok;
    }
    if (c == "check") {
        auto f = parse_check(argc, argv);
        return f ? cmd_check(*f) : exit_ok;
    }
    if (c == "compare") return sdsim_compare(argc - 1, argv + 1);  // handles its own errors
    if (!c.empty() && c[0] == '-') throw UsageError("", "unknown option '" + c + "'");
    throw UsageError("", "unknown command '" + c + "'");
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    try {
        return dispatch(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "sdsim: error: " << e.what() << '\n'
                  << "Try 'sdsim " << (e.command.empty() ? "" : e.command + " ") << "--help'.\n";
        return exit_usage;
    } catch (const sim::Error& e) {
        if (e.diagnostics().empty()) std::cerr << "sdsim: error: " << e.what() << '\n';
        else print_diagnostics(e.diagnostics(), std::cerr);
        return exit_model;
    } catch (const std::exception& e) {
        // I/O failures (std::system_error from write_file_atomic) and the like.
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_model;
    }
}
