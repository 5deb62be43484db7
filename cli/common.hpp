// What the commands of sdsim share: exit codes, usage errors, argument value
// parsing (on util/text.hpp), loading a model or scenario, diagnostics output.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/limits.hpp"
#include "sim/model.hpp"
#include "sim/native.hpp"
#include "sim/report.hpp"
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

// The resource limits of every command (sim::Limits and the memory budget),
// as options: --max-input, --max-depth, --max-variables, --max-elements,
// --max-modules, --max-operations, --max-memory. The same lines appear in each command's help.
struct LimitOptions {
    std::string input, depth, variables, elements, modules, operations, memory;
    // Adds the options to `app`.
    void add(CLI::App* app);
    // The limits given (defaults for the rest). Throws UsageError.
    sim::Limits limits() const;
    // --max-memory in bytes, if given. Throws UsageError.
    std::optional<std::uint64_t> max_memory() const;
};

// The help lines of LimitOptions, for the commands' help texts.
#define SDSIM_LIMITS_HELP                                                                     \
    "Limits (each refused input or run names the limit and its option):\n"                    \
    "  --max-input BYTES    size of one input file (default 64M; suffixes k, M, G)\n"         \
    "  --max-depth N        nesting of XML, YAML, modules, 'extends' (default 200)\n"          \
    "  --max-variables N    variables after modules and arrays (default 1000000)\n"           \
    "  --max-elements N     elements of one dimension (default 1000000)\n"                    \
    "  --max-modules N      module instances (default 10000)\n"                               \
    "  --max-operations N   expression nodes a Vensim model's macros and array\n"              \
    "                       functions expand to (default 5000000)\n"                          \
    "  --max-memory BYTES   memory a run or comparison may keep (default: half of the\n"      \
    "                       memory available)\n"

// One subcommand: its CLI11 definition, its help text and what it does.
// Every command has -h/--help (its own text, printed verbatim), exactly
// one positional FILE, the limit options, and gets the arguments CLI11 did
// not recognise in `extras` (turned into usage errors by finish_parse).
// A command is run in two steps: check_options() turns every option into
// its value (usage errors, exit 2) and execute() does the work; the
// command-line fuzzer (fuzz/fuzz_cli.cpp) runs only the first.
struct Command {
    CLI::App* app = nullptr;
    const char* help_text = "";
    bool help = false;
    std::vector<std::string> file;  // the positional FILE (CLI11 fills it)
    LimitOptions limit_options;
    sim::Limits limits;  // set by check_options

    // Adds the subcommand `name` with -h/--help, FILE and the limits.
    Command(CLI::App& parent, const char* name, const char* help_text);
    virtual ~Command() = default;
    // Checks what CLI11 left over; returns FILE. Throws UsageError.
    std::string finish_parse() const;
    // Every option's value checked (UsageError), FILE included.
    virtual void check_options() = 0;
    // Runs the command after check_options (help already handled).
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
// FILE is read once (a pipe or FIFO works), bounded by the limits.
struct Loaded {
    sim::ModelSpec spec;
    std::optional<sim::Scenario> scenario;
    sim::RunOptions run;
    // Every file read (FILE, the files a scenario extends, its model): an
    // output may not replace any of them.
    std::vector<std::string> inputs;
};
// Loads FILE (read once through sim::read_input, within `limits`), then
// applies the command line's `--set NAME=X` values to the spec through
// sim::apply_overrides (the one override path, as a scenario's `set:`;
// applied last, so the command line wins). Diagnostics about them read
// "option --set: ...".
Loaded load(const std::string& file, sim::Diagnostics& diags, const sim::Limits& limits,
            const std::vector<std::pair<std::string, double>>& set = {});

// FILE loaded and compiled for an experiment (compare, sensitivity,
// calibrate): for a scenario, its name and input files with their hashes
// are printed to standard error first (as `sdsim run` does); every
// diagnostic goes to standard error; `--set` values are applied as by
// load(); FILE is read within `limits`. nullopt if there were errors.
struct Experiment {
    Loaded loaded;
    sim::Model model;
    std::string title;                // "scenario NAME (model M)", or the model's name or FILE
    std::vector<std::string> inputs;  // sim::source_lines, for a scenario
};
std::optional<Experiment> load_experiment(const std::string& file, const sim::Limits& limits,
                                         const std::vector<std::pair<std::string, double>>& set = {});

// --lang's value: en or zh (UsageError otherwise).
sim::Lang lang_option(const std::string& value);
// --charts' value: svg or png (UsageError otherwise).
sim::ChartFormat chart_format_option(const std::string& value);
// The report writers' options for an experiment's outputs: charts unless
// --no-charts, in `format` (--charts), warnings to standard error, the
// experiment's title and input lines, `input_files` (which the output
// directory may not hold).
sim::ReportOptions report_options(const Experiment& x, std::vector<std::string> input_files, bool charts,
                                  sim::ChartFormat format, sim::Lang lang = sim::Lang::en);
// After a command has printed its results: exit_ok, or, if standard output
// failed (a full disk, a closed pipe), the error on standard error and exit_model.
int stdout_status();

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
// --engine generated: replaces `model` by its generated code (generated()
// above); false, with the diagnostics printed, if that could not be made.
bool use_engine(sim::RunEngine engine, sim::Model& model);

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

// The command line, parsed and checked (dispatch.cpp). `command` names the
// command for "Try 'sdsim CMD --help'" (empty at the top level).
struct Usage {
    std::string command;
    std::string message;
};
struct Parsed {
    enum Action { print_help, print_version, run_command } action = print_help;
    std::string text;            // for print_help: what to print
    Command* command = nullptr;  // for run_command: options checked
};
// Owns the CLI11 app and the commands. parse() throws Usage.
class CommandLine {
public:
    CommandLine();
    Parsed parse(int argc, const char* const* argv);

private:
    CLI::App app_{"sdsim"};
    bool help_ = false, version_ = false;
    std::vector<std::unique_ptr<Command>> commands_;
};

}  // namespace sdsim
