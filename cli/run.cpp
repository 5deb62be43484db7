// `sdsim run`: simulates a model or scenario and writes the results as CSV
// or JSON (docs/cli.md).
#include <cmath>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string_view>

#include "common.hpp"
#include "sim/results.hpp"
#include "sim/write.hpp"

namespace sdsim {

namespace {

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
    "                   replaced whole or, on any error, left untouched; an\n"
    "                   input file or a read-only PATH is refused\n"
    "  --format F       csv (default) or json\n"
    "  --on-nonfinite error|warn|ignore\n"
    "                   a value that turns NaN or infinite stops the run with\n"
    "                   the variable, time and equation (error, the default),\n"
    "                   is reported once as a warning (warn) or not checked\n"
    "  --max-steps N    stop (exit 1, no output) if the run needs more than N steps\n"
    "  --max-seconds S  stop (exit 1, no output) after S seconds of wall-clock time\n"
    "  -h, --help       show this help\n"
    "\n"
    SDSIM_LIMITS_HELP
    "\n"
    "Diagnostics go to standard error as file:line:col: severity: message.\n"
    "When FILE is a scenario, standard error gets 'scenario: NAME' and one line\n"
    "per input file with its SHA-256 ('scenario file: PATH sha256:HEX',\n"
    "'extends: ...', 'model: ...'); JSON output carries the same as \"scenario\"\n"
    "and \"sources\" members; CSV stays plain, and with --out the sources go to\n"
    "PATH.meta.json beside it.\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

enum class Format { csv, json };

// {"path":"...","sha256":"..."}
void put_source(std::ostream& os, const sim::SourceFile& f) {
    os << "{\"path\":";
    sim::write_json_string(os, f.path);
    os << ",\"sha256\":";
    sim::write_json_string(os, f.sha256);
    os << '}';
}

// "scenario":"NAME","sources":{"scenario":[{...},...],"model":{...}}
// (members of an object, without the braces).
void put_scenario_members(std::ostream& os, const sim::Scenario& sc) {
    os << "\"scenario\":";
    sim::write_json_string(os, sc.name);
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
    const auto brace = s.find('{');  // write_json always starts with '{'
    os << s.substr(0, brace + 1);
    put_scenario_members(os, *scenario);
    os << ',' << std::string_view(s).substr(brace + 1);
}

// The sidecar of a CSV written with --out: PATH.meta.json.
void write_meta(const sim::Scenario& sc, const std::string& output, std::ostream& os) {
    os << '{';
    put_scenario_members(os, sc);
    os << ",\"output\":";
    sim::write_json_string(os, output);
    os << "}\n";
}

class Run : public Command {
public:
    explicit Run(CLI::App& parent) : Command(parent, "run", run_help) {
        auto last = CLI::MultiOptionPolicy::TakeLast;
        auto all = CLI::MultiOptionPolicy::TakeAll;
        for (auto* o : {app->add_option("--method", method_), app->add_option("--start", start_),
                        app->add_option("--stop", stop_), app->add_option("--dt", dt_),
                        app->add_option("--save-step", save_step_), app->add_option("--out,-o", out_),
                        app->add_option("--format", format_), app->add_option("--on-nonfinite", nonfinite_),
                        app->add_option("--max-steps", max_steps_), app->add_option("--max-seconds", max_seconds_),
                        app->add_option("--engine", engine_)})
            o->multi_option_policy(last)->allow_extra_args(false);
        app->add_option("--vars", vars_)->expected(1)->multi_option_policy(all)->allow_extra_args(false);
        app->add_option("--set", set_)->expected(1)->multi_option_policy(all)->allow_extra_args(false);
    }

    void check_options() override {
        // Option values first, then what CLI11 did not recognise, then FILE.
        opts_ = options();
        limits = limit_options.limits();
        opts_.max_memory = limit_options.max_memory();
        for (const auto& v : set_) set_values_.push_back(parse_set(v));
        if (!format_.empty()) {
            if (format_ == "csv") format = Format::csv;
            else if (format_ == "json") format = Format::json;
            else throw UsageError("unknown format '" + format_ + "' (expected csv or json)");
        }
        if (app->count("--out")) {
            if (out_.empty()) throw UsageError("--out expects a path");
            out = out_;
        }
        file_ = finish_parse();
    }

    int execute() override {
        sim::Diagnostics diags;
        Loaded l = load(file_, diags, limits, set_values_);
        if (diags.has_errors()) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        const sim::Scenario* sc = l.scenario ? &*l.scenario : nullptr;
        // Before the run: an output that would replace an input, or a
        // read-only file, is refused while nothing has been spent.
        if (out) {
            sim::check_output_file(*out, l.inputs);
            if (sc && format == Format::csv) sim::check_output_file(*out + ".meta.json", l.inputs);
        }
        auto model = sim::Model::compile(l.spec, diags);
        print_diagnostics(diags, std::cerr);  // warnings, or the errors
        if (!model) return exit_model;
        if (!use_engine(opts_.engine, *model)) return exit_model;

        if (sc) {
            std::cerr << "scenario: " << sc->name << '\n';
            for (const auto& line : sim::source_lines(*sc)) std::cerr << line << '\n';
        }
        // Run before opening any output: a failed run must not touch --out.
        sim::Results r = model->run(merge(l.run, opts_));
        for (const auto& w : r.warnings) std::cerr << sim::format(w) << '\n';

        auto writer = [&](std::ostream& os) { write_results(r, format, sc, os); };
        if (out && sc && format == Format::csv) {
            // The CSV and its sidecar together: both complete before either replaces its old file.
            const sim::FileOutput files[] = {
                {*out, writer},
                {*out + ".meta.json", [&](std::ostream& os) { write_meta(*sc, *out, os); }}};
            sim::write_files_atomic(files);
        } else if (out) {
            sim::write_file_atomic(*out, writer);
        } else {
            writer(std::cout);
            if (const int rc = stdout_status(); rc != exit_ok) return rc;
        }
        return exit_ok;
    }

private:
    // Only what the command line sets.
    sim::RunOptions options() const {
        sim::RunOptions o;
        if (app->count("--method")) {
            auto m = sim::parse_method(method_);
            if (!m) throw UsageError("unknown method '" + method_ + "' (expected euler, rk2, rk4 or rk45)");
            o.method = *m;
        }
        if (app->count("--start")) o.start = number("--start", start_);
        if (app->count("--stop")) o.stop = number("--stop", stop_);
        if (app->count("--dt")) o.dt = number("--dt", dt_);
        if (app->count("--save-step")) o.save_step = number("--save-step", save_step_);
        for (const auto& v : vars_)
            for (auto& n : split_list("--vars", v, "empty variable name in --vars '" + v + "'"))
                o.save.push_back(std::move(n));
        if (app->count("--on-nonfinite")) {
            if (nonfinite_ == "error") o.on_nonfinite = sim::NonFinite::error;
            else if (nonfinite_ == "warn") o.on_nonfinite = sim::NonFinite::warn;
            else if (nonfinite_ == "ignore") o.on_nonfinite = sim::NonFinite::ignore;
            else throw UsageError("unknown --on-nonfinite '" + nonfinite_ + "' (expected error, warn or ignore)");
        }
        if (app->count("--max-steps")) {
            double n = number("--max-steps", max_steps_);
            if (n < 1 || n != std::floor(n) || n > 9.0e18)
                throw UsageError("--max-steps expects a positive whole number, got '" + max_steps_ + "'");
            o.max_steps = static_cast<std::uint64_t>(n);
        }
        if (app->count("--engine")) o.engine = parse_engine_option(engine_);
        if (app->count("--max-seconds")) {
            double t = number("--max-seconds", max_seconds_);
            if (!(t > 0)) throw UsageError("--max-seconds expects a positive number, got '" + max_seconds_ + "'");
            o.max_wall_seconds = t;
        }
        return o;
    }

    std::string method_, start_, stop_, dt_, save_step_, out_, format_, nonfinite_, max_steps_, max_seconds_, engine_;
    std::vector<std::string> vars_, set_;
    // What check_options made of them.
    sim::RunOptions opts_;
    std::vector<std::pair<std::string, double>> set_values_;
    Format format = Format::csv;
    std::optional<std::string> out;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_run(CLI::App& app) { return std::make_unique<Run>(app); }

}  // namespace sdsim
