// What the commands of sdsim share: exit codes, usage errors, argument value
// parsing (on util/text.hpp), loading a model or scenario, diagnostics output.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/model.hpp"
#include "sim/native.hpp"
#include "sim/scenario.hpp"
#include "sim/spec.hpp"

namespace sdsim {

constexpr int exit_ok = 0;
constexpr int exit_model = 1;  // model, scenario or run error, or I/O
constexpr int exit_usage = 2;  // bad command line

// The most samples --samples accepts (what they would keep in memory is
// bounded separately, by sim::max_ensemble_values).
constexpr std::uint64_t max_samples = 1'000'000'000;

// A bad command line; main() prints it with "Try 'sdsim CMD --help'." and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One subcommand: its CLI11 definition, its help text and what it does.
// Every command has -h/--help (its own text, printed verbatim), exactly
// one positional FILE, and gets the arguments CLI11 did not recognise in
// `extras` (turned into usage errors by finish_parse).
struct Command {
    CLI::App* app = nullptr;
    const char* help_text = "";
    bool help = false;
    std::vector<std::string> file;  // the positional FILE (CLI11 fills it)

    // Adds the subcommand `name` with -h/--help and FILE.
    Command(CLI::App& parent, const char* name, const char* help_text);
    virtual ~Command() = default;
    // Checks what CLI11 left over; returns FILE. Throws UsageError.
    std::string finish_parse() const;
    // Runs the command after a successful parse (help already handled).
    virtual int execute() = 0;
};

// The whole of `s` as a finite number, else UsageError "invalid number 's' for OPT".
double number(const std::string& opt, const std::string& s);
// Comma-separated, each item trimmed; an empty item is UsageError "empty item in OPT 'S'"
// (`empty_message` replaces that text if given).
std::vector<std::string> split_list(const std::string& opt, const std::string& s,
                                    const std::string& empty_message = {});
// NAME=VALUE of --set.
std::pair<std::string, double> parse_set(const std::string& v);
// --threads: 0 to 1024 (0 = all cores).
unsigned thread_count(const std::string& v);
// A whole number of `opt` in [min, max], written in digits only.
std::uint64_t whole_number(const std::string& opt, const std::string& v, std::uint64_t min, std::uint64_t max);
// --indicators a,b:min,...: ':min' marks lower as better (`directions`
// false: plain names only).
std::vector<sim::Indicator> parse_indicators(const std::string& v, bool directions = true);

// Progress on standard error ("\rWHAT: done/total UNIT", at most about 200
// updates and the last) when it is a terminal; an empty function otherwise.
std::function<void(std::size_t done, std::size_t total)> progress(const std::string& what, const std::string& unit);

void print_diagnostics(const sim::Diagnostics& diags, std::ostream& os);

// What FILE turned into: a model, plus, if FILE was a scenario, the
// scenario itself (its name, run options and input files with their hashes).
struct Loaded {
    sim::ModelSpec spec;
    std::optional<sim::Scenario> scenario;
    sim::RunOptions run;
};
// Loads FILE, then applies the command line's `--set NAME=X` values to the
// spec through sim::apply_overrides (the one override path, as a scenario's
// `set:`; applied last, so the command line wins). Diagnostics about them
// read "option --set: ...".
Loaded load(const std::string& file, sim::Diagnostics& diags,
            const std::vector<std::pair<std::string, double>>& set = {});

// FILE loaded and compiled for an experiment (compare, sensitivity,
// calibrate): for a scenario, its name and input files with their hashes
// are printed to standard error first (as `sdsim run` does); every
// diagnostic goes to standard error; `--set` values are applied as by
// load(). nullopt if there were errors.
struct Experiment {
    Loaded loaded;
    sim::Model model;
    std::string title;                // "scenario NAME (model M)", or the model's name or FILE
    std::vector<std::string> inputs;  // sim::source_lines, for a scenario
};
std::optional<Experiment> load_experiment(const std::string& file,
                                         const std::vector<std::pair<std::string, double>>& set = {});

// Prints "FILE: error: ... [code]" to standard error; returns exit_model.
int file_error(const std::string& file, sim::Code code, const std::string& message);

// The command line wins over the scenario, option by option; `save`
// replaces the scenario's list. (`--set` is applied by load().)
sim::RunOptions merge(sim::RunOptions base, const sim::RunOptions& cli);

// --engine's value: interpreter or generated (UsageError otherwise).
sim::RunEngine parse_engine_option(const std::string& value);
// `model` with its generated code compiled (sim/native.hpp, the default
// cache); nullopt after printing the diagnostics to standard error.
std::optional<sim::Model> generated(const sim::Model& model, sim::NativeInfo* info = nullptr);

// The commands (run.cpp, check.cpp, compare.cpp, sensitivity.cpp, calibrate.cpp, generate.cpp, bench.cpp, graph.cpp, serve.cpp).
std::unique_ptr<Command> make_run(CLI::App& app);
std::unique_ptr<Command> make_check(CLI::App& app);
std::unique_ptr<Command> make_compare(CLI::App& app);
std::unique_ptr<Command> make_sensitivity(CLI::App& app);
std::unique_ptr<Command> make_calibrate(CLI::App& app);
std::unique_ptr<Command> make_graph(CLI::App& app);
std::unique_ptr<Command> make_generate(CLI::App& app);
std::unique_ptr<Command> make_bench(CLI::App& app);
std::unique_ptr<Command> make_serve(CLI::App& app);

}  // namespace sdsim
