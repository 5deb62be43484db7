// Shared pieces of the sdsim commands (common.hpp).
#include "common.hpp"

#include "sim/overrides.hpp"

#include <ostream>

#include "sim/load.hpp"
#include "util/text.hpp"

namespace sdsim {

Command::Command(CLI::App& parent, const char* name, const char* text) : help_text(text) {
    app = parent.add_subcommand(name);
    app->set_help_flag();  // our own help text, not CLI11's
    app->allow_extras();   // unknown options become our usage errors
    app->add_flag("-h,--help", help);
    app->add_option("FILE", file)->expected(1)->allow_extra_args(false);
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

void print_diagnostics(const sim::Diagnostics& diags, std::ostream& os) {
    for (const auto& d : diags.items()) os << sim::format(d) << '\n';
}

Loaded load(const std::string& file, sim::Diagnostics& diags,
            const std::vector<std::pair<std::string, double>>& set) {
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
    if (!set.empty() && !diags.has_errors()) {
        std::vector<sim::Override> o;
        for (const auto& [name, value] : set) o.push_back(sim::command_line_override(name, value));
        sim::apply_overrides(l.spec, o, diags);
    }
    return l;
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
    base.engine = cli.engine;
    if (!cli.save.empty()) base.save = cli.save;
    return base;
}

}  // namespace sdsim
