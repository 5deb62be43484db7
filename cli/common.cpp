// Shared pieces of the sdsim commands (common.hpp).
#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/overrides.hpp"
#include "util/text.hpp"

namespace sdsim {

Command::Command(CLI::App& parent, const char* name, const char* text) : help_text(text) {
    app = parent.add_subcommand(name);
    app->set_help_flag();  // our own help text, not CLI11's
    app->allow_extras();   // unknown options become our usage errors
    app->add_flag("-h,--help", help);
    app->add_option("FILE", file)->expected(1)->allow_extra_args(false);
    limit_options.add(app);
}

void LimitOptions::add(CLI::App* app) {
    for (auto* o : {app->add_option("--max-input", input), app->add_option("--max-depth", depth),
                    app->add_option("--max-variables", variables), app->add_option("--max-elements", elements),
                    app->add_option("--max-modules", modules), app->add_option("--max-operations", operations),
                    app->add_option("--max-memory", memory)})
        o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->allow_extra_args(false);
}

namespace {

std::uint64_t size_option(const char* opt, const std::string& v) {
    auto n = sim::parse_size(v);
    if (!n) throw UsageError(std::string(opt) + " expects a size in bytes such as 65536, 64M or 2G, got '" + v + "'");
    return *n;
}

std::size_t count_option(const char* opt, const std::string& v) {
    auto p = sim::text::parse_number(v);
    if (!p || p.value < 1 || p.value > 1e15 || p.value != static_cast<double>(static_cast<std::uint64_t>(p.value)) ||
        v.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(std::string(opt) + " expects a positive whole number, got '" + v + "'");
    return static_cast<std::size_t>(p.value);
}

}  // namespace

sim::Limits LimitOptions::limits() const {
    sim::Limits l;
    if (!input.empty()) l.input_bytes = size_option("--max-input", input);
    if (!depth.empty()) l.depth = count_option("--max-depth", depth);
    if (!variables.empty()) l.variables = count_option("--max-variables", variables);
    if (!elements.empty()) l.array_elements = count_option("--max-elements", elements);
    if (!modules.empty()) l.module_instances = count_option("--max-modules", modules);
    if (!operations.empty()) l.operations = count_option("--max-operations", operations);
    max_memory();
    return l;
}

std::optional<std::uint64_t> LimitOptions::max_memory() const {
    if (memory.empty()) return std::nullopt;
    return size_option("--max-memory", memory);
}

std::string Command::finish_parse() const {
    const std::string f = file.empty() ? std::string() : file.front();
    for (const auto& extra : app->remaining()) {
        if (extra == "--") continue;  // CLI11 leaves the end-of-options marker
        if (extra.size() > 1 && extra[0] == '-')
            throw UsageError("unknown option '" + extra.substr(0, extra.find('=')) + "'");
        throw UsageError("unexpected argument '" + extra + "' (FILE is already '" + f + "')");
    }
    if (file.empty()) throw UsageError("missing FILE");
    if (f.empty()) throw UsageError("FILE is an empty string");
    return f;
}

double number(const std::string& opt, const std::string& s) {
    auto p = sim::text::parse_number(s);
    // The command line takes a number exactly as written: no blanks around it.
    if (p.status == sim::text::NumberStatus::out_of_range && sim::text::trim(s).size() == s.size())
        throw UsageError("number '" + s + "' for " + opt + " " + sim::text::describe(p.status));
    if (!p || sim::text::trim(s).size() != s.size()) throw UsageError("invalid number '" + s + "' for " + opt);
    return p.value;
}

std::vector<std::string> split_list(const std::string& opt, const std::string& s, const std::string& empty_message) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        auto comma = s.find(',', pos);
        std::string item(sim::text::trim(
            std::string_view(s).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
        if (item.empty())
            throw UsageError(empty_message.empty() ? "empty item in " + opt + " '" + s + "'" : empty_message);
        out.push_back(std::move(item));
        if (comma == std::string::npos) return out;
        pos = comma + 1;
    }
}

std::pair<std::string, double> parse_set(const std::string& v) {
    auto eq = v.find('=');
    const std::string name(sim::text::trim(std::string_view(v).substr(0, eq == std::string::npos ? 0 : eq)));
    if (eq == std::string::npos || name.empty()) throw UsageError("--set expects NAME=VALUE, got '" + v + "'");
    return {name, number("--set " + v.substr(0, eq), std::string(sim::text::trim(std::string_view(v).substr(eq + 1))))};
}

unsigned thread_count(const std::string& v) {
    auto p = sim::text::parse_number(v);
    if (!p || p.value < 0 || p.value > 1024 || p.value != static_cast<unsigned>(p.value) ||
        v.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("invalid thread count '" + v + "' (expected 0 to 1024; 0 = all cores)");
    return static_cast<unsigned>(p.value);
}

std::uint64_t whole_number(const std::string& opt, const std::string& v, std::uint64_t min, std::uint64_t max) {
    const std::string range = " (expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ")";
    if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("invalid value '" + v + "' for " + opt + range);
    std::uint64_t n = 0;
    for (char c : v) {
        const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (n > (UINT64_MAX - d) / 10) throw UsageError("value '" + v + "' for " + opt + " is too large" + range);
        n = n * 10 + d;
    }
    if (n < min) throw UsageError("value '" + v + "' for " + opt + " is too small" + range);
    if (n > max) throw UsageError("value '" + v + "' for " + opt + " is too large" + range);
    return n;
}

std::vector<sim::Indicator> parse_indicators(const std::string& v, bool directions) {
    std::vector<sim::Indicator> out;
    for (auto item : split_list("--indicators", v)) {
        sim::Indicator ind;
        auto colon = item.rfind(':');
        if (directions && colon != std::string::npos) {
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

std::function<void(std::size_t, std::size_t)> progress(const std::string& what, const std::string& unit) {
    if (::isatty(STDERR_FILENO) != 1) return {};
    return [what, unit](std::size_t done, std::size_t total) {
        const std::size_t step = std::max<std::size_t>(1, total / 200);
        if (done != total && done % step != 0) return;
        std::cerr << '\r' << what << ": " << done << '/' << total << ' ' << unit << (done == total ? "\n" : "")
                  << std::flush;
    };
}

void print_diagnostics(const sim::Diagnostics& diags, std::ostream& os) {
    for (const auto& d : diags.items()) os << sim::format(d) << '\n';
}

Loaded load(const std::string& file, sim::Diagnostics& diags, const sim::Limits& limits,
            const std::vector<std::pair<std::string, double>>& set) {
    Loaded l;
    // Read once: FILE may be a pipe, which can be read only once.
    auto in = sim::read_input(file, diags, limits);
    if (!in) return l;
    l.inputs.push_back(file);
    if (sim::is_scenario_text(in->bytes, file)) {
        auto s = sim::load_scenario(*in, diags, limits);
        l.spec = std::move(s.model);
        l.run = std::move(s.run);
        s.model = {};
        for (std::size_t i = 1; i < s.chain.size(); ++i) l.inputs.push_back(s.chain[i].path);
        if (!s.model_path.empty()) l.inputs.push_back(s.model_path);
        l.scenario = std::move(s);
    } else {
        l.spec = sim::parse_model(in->bytes, file, diags, limits);
    }
    if (!set.empty() && !diags.has_errors()) {
        std::vector<sim::Override> o;
        for (const auto& [name, value] : set) o.push_back(sim::command_line_override(name, value));
        sim::apply_overrides(l.spec, o, diags);
    }
    return l;
}

std::optional<Experiment> load_experiment(const std::string& file, const sim::Limits& limits,
                                         const std::vector<std::pair<std::string, double>>& set) {
    sim::Diagnostics diags;
    Loaded l = load(file, diags, limits, set);
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
        return std::nullopt;
    }
    auto model = sim::Model::compile(l.spec, diags);
    print_diagnostics(diags, std::cerr);  // warnings, or the errors
    if (!model) return std::nullopt;
    return Experiment{std::move(l), std::move(*model), std::move(title), std::move(inputs)};
}

sim::Lang lang_option(const std::string& value) {
    auto l = sim::parse_lang(sim::text::trim(value));
    if (!l) throw UsageError("option --lang: invalid language '" + value + "' (expected en or zh)");
    return *l;
}

sim::ChartFormat chart_format_option(const std::string& value) {
    auto f = sim::parse_chart_format(sim::text::trim(value));
    if (!f) throw UsageError("option --charts: invalid format '" + value + "' (expected svg or png)");
    return *f;
}

sim::ReportOptions report_options(const Experiment& x, std::vector<std::string> input_files, bool charts,
                                  sim::ChartFormat format, sim::Lang lang) {
    sim::ReportOptions w;
    w.charts = charts;
    w.chart_format = format;
    w.lang = lang;
    w.warnings = &std::cerr;
    w.title = x.title;
    w.inputs = x.inputs;
    w.input_files = std::move(input_files);
    return w;
}

int stdout_status() {
    std::cout.flush();
    if (std::cout) return exit_ok;
    std::cerr << "sdsim: error: cannot write to standard output\n";
    return exit_model;
}

int file_error(const std::string& file, sim::Code code, const std::string& message) {
    sim::Diagnostics d;
    d.error(code, sim::SourceLoc{file, 0, 0}, "", message);
    print_diagnostics(d, std::cerr);
    return exit_model;
}

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
    if (cli.max_memory) base.max_memory = cli.max_memory;
    base.engine = cli.engine;
    if (!cli.save.empty()) base.save = cli.save;
    return base;
}

}  // namespace sdsim
