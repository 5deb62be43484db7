// The command line of sdsim: CLI11 splits the arguments, each command checks
// its options (common.hpp: Command); main.cpp runs what was parsed. Kept
// apart from main() so that the command-line fuzzer (fuzz/fuzz_cli.cpp)
// can parse any argument vector without running a command.
#include "common.hpp"
#include "sim/version.hpp"

namespace sdsim {

namespace {

constexpr const char* main_help =
    "Usage: sdsim <command> [options] FILE\n"
    "       sdsim --help | --version\n"
    "\n"
    "Simulates system-dynamics (stock-flow) models written in YAML or XMILE.\n"
    "\n"
    "Commands:\n"
    "  run          simulate a model or scenario; write the results as CSV or JSON\n"
    "  check        load and compile a model or scenario; report every diagnostic;\n"
    "               with --behaviour, run its behaviour checks\n"
    "  compare      run every combination of a model's levers; rank and report\n"
    "               them, with --samples over samples of its uncertainties\n"
    "  sensitivity  global sensitivity analysis over the uncertainties a model\n"
    "               or scenario declares (Sobol' indices, Morris screening)\n"
    "  calibrate    estimate a model's constants from data (weighted least\n"
    "               squares, several starts)\n"
    "  graph        write the stock-and-flow structure as a Graphviz DOT graph\n"
    "  serve        explore a model or scenario in the browser: levers, charts,\n"
    "               tables\n"
    "  generate     write a model as C++ compiled ahead of time (docs/generated.md)\n"
    "  bench        time runs of a model: CPU time per run, runs per second\n"
    "\n"
    "FILE is a model (.yaml, .yml, .xmile, .stmx, .xml, Vensim .mdl) or a\n"
    "scenario (a YAML file with a top-level `model:` key).\n"
    "\n"
    "Run 'sdsim <command> --help' for the options of a command.\n"
    "\n"
    "Exit status: 0 success, 1 model or run error, 2 usage error.\n";

// CLI11 reads `--opt=` as an option without a value; here it is an empty
// value (reported as such, e.g. "invalid number '' for --stop").
std::vector<std::string> arguments(int argc, const char* const* argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") {  // the rest are operands, whatever they look like
            for (; i < argc; ++i) args.emplace_back(argv[i]);
            break;
        }
        if (a.size() > 3 && a.rfind("--", 0) == 0 && a.back() == '=' && a.find('=') == a.size() - 1) {
            a.pop_back();
            args.push_back(a);
            args.emplace_back();
            continue;
        }
        args.push_back(std::move(a));
    }
    return args;
}

// CLI11's parse errors in sdsim's words, naming the option.
std::string describe(const CLI::ParseError& e) {
    const std::string what = e.what();
    const auto colon = what.find(':');
    if (e.get_name() == "ArgumentMismatch" && colon != std::string::npos)
        return "option " + what.substr(0, colon) + " requires a value";
    if (e.get_name() == "ConversionError") {
        // "Could not convert: --help = x": a value given to a flag.
        auto b = what.find(": "), eq = what.find(" = ");
        if (b != std::string::npos && eq != std::string::npos && eq > b)
            return "option " + what.substr(b + 2, eq - b - 2) + " takes no value";
    }
    return what;
}

}  // namespace

CommandLine::CommandLine() {
    app_.set_help_flag();
    app_.allow_extras();
    app_.add_flag("-h,--help", help_);
    app_.add_flag("--version", version_);
    commands_.push_back(make_run(app_));
    commands_.push_back(make_check(app_));
    commands_.push_back(make_compare(app_));
    commands_.push_back(make_sensitivity(app_));
    commands_.push_back(make_calibrate(app_));
    commands_.push_back(make_generate(app_));
    commands_.push_back(make_bench(app_));
    commands_.push_back(make_graph(app_));
    commands_.push_back(make_serve(app_));
}

Parsed CommandLine::parse(int argc, const char* const* argv) {
    std::vector<std::string> args = arguments(argc, argv);
    // The command whose --help a usage error suggests: the first argument, if a command.
    std::string command;
    for (const auto& c : commands_)
        if (!args.empty() && c->app->get_name() == args.front()) command = args.front();
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
    try {
        app_.parse(reversed);
    } catch (const CLI::ParseError& e) {
        throw Usage{command, describe(e)};
    }

    Parsed p;
    for (const auto& c : commands_) {
        if (!app_.got_subcommand(c->app)) continue;
        if (c->help) {
            p.text = c->help_text;
            return p;
        }
        try {
            c->check_options();
        } catch (const UsageError& e) {
            throw Usage{command, e.what()};
        }
        p.action = Parsed::run_command;
        p.command = c.get();
        return p;
    }
    if (help_) {
        p.text = main_help;
        return p;
    }
    if (version_) {
        p.action = Parsed::print_version;
        p.text = std::string("sdsim ") + SIM_VERSION_STRING + "\n";
        return p;
    }
    const auto& rest = app_.remaining();
    if (rest.empty()) throw Usage{"", "missing command"};
    const std::string& first = rest.front();
    if (first == "help") {
        p.text = main_help;
        return p;
    }
    if (first.size() > 1 && first[0] == '-') throw Usage{"", "unknown option '" + first.substr(0, first.find('=')) + "'"};
    throw Usage{"", "unknown command '" + first + "'"};
}

}  // namespace sdsim
