// sdsim: the command-line front end of libsim (docs/cli.md). Arguments are
// parsed by CLI11; each command is in its own file (run.cpp, check.cpp,
// compare.cpp, sensitivity.cpp, calibrate.cpp, graph.cpp, serve.cpp).
//
// Exit status: 0 success, 1 model or run error (diagnostics, sim::Error, I/O),
// 2 usage error. stdout carries only the product of the command (results for
// `run`, the diagnostic report for `check`, the ranked table for `compare`,
// the summary of `sensitivity`, the estimates of `calibrate`); everything
// else goes to stderr.
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "job.hpp"
#include "sim/version.hpp"

namespace {

using namespace sdsim;

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

// A usage error of `command` ("" for the top level).
struct Usage {
    std::string command;
    std::string message;
};

// CLI11 reads `--opt=` as an option without a value; here it is an empty
// value (reported as such, e.g. "invalid number '' for --stop").
std::vector<std::string> arguments(int argc, char** argv) {
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

int dispatch(int argc, char** argv) {
    CLI::App app{"sdsim"};
    app.set_help_flag();
    app.allow_extras();
    bool help = false, version = false;
    app.add_flag("-h,--help", help);
    app.add_flag("--version", version);
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_run(app));
    commands.push_back(make_check(app));
    commands.push_back(make_compare(app));
    commands.push_back(make_sensitivity(app));
    commands.push_back(make_calibrate(app));
    commands.push_back(make_generate(app));
    commands.push_back(make_bench(app));
    commands.push_back(make_graph(app));
    commands.push_back(make_serve(app));

    std::vector<std::string> args = arguments(argc, argv);
    // The command whose --help a usage error suggests: the first argument, if a command.
    std::string command;
    for (const auto& c : commands)
        if (!args.empty() && c->app->get_name() == args.front()) command = args.front();
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        throw Usage{command, describe(e)};
    }

    for (const auto& c : commands) {
        if (!app.got_subcommand(c->app)) continue;
        if (c->help) {
            std::cout << c->help_text;
            return exit_ok;
        }
        // Under mpirun, a command that does not split its runs runs on rank 0 alone.
        if (!distributed(c->app->get_name()) && rank() != 0) return exit_ok;
        try {
            return c->execute();
        } catch (const UsageError& e) {
            throw Usage{command, e.what()};
        }
    }
    if (help) {
        std::cout << main_help;
        return exit_ok;
    }
    if (version) {
        std::cout << "sdsim " << SIM_VERSION_STRING << "\n";
        return exit_ok;
    }
    const auto& rest = app.remaining();
    if (rest.empty()) throw Usage{"", "missing command"};
    const std::string& first = rest.front();
    if (first == "help") {
        std::cout << main_help;
        return exit_ok;
    }
    if (first.size() > 1 && first[0] == '-') throw Usage{"", "unknown option '" + first.substr(0, first.find('=')) + "'"};
    throw Usage{"", "unknown command '" + first + "'"};
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    std::unique_ptr<Job> job;
    try {
        job = std::make_unique<Job>(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_usage;
    }
    try {
        return dispatch(argc, argv);
    } catch (const sim::RankError& e) {
        // Every rank has it; rank 0 prints it.
        print_diagnostics(e.diagnostics(), std::cerr);
        return exit_model;
    } catch (const Usage& u) {
        std::cerr << "sdsim: error: " << u.message << '\n'
                  << "Try 'sdsim " << (u.command.empty() ? "" : u.command + " ") << "--help'.\n";
        return exit_usage;
    } catch (const sim::Error& e) {
        if (rank() != 0) {  // an error this rank alone saw
            job->restore_stderr();
            std::cerr << "sdsim: rank " << rank() << ": ";
        }
        // An operating-system error (a file that cannot be written) is told
        // as one line; model and run errors as their diagnostics.
        const auto& items = e.diagnostics().items();
        if (items.empty()) std::cerr << "sdsim: error: " << e.what() << '\n';
        else if (e.os_error()) std::cerr << "sdsim: error: " << items.front().message << '\n';
        else print_diagnostics(e.diagnostics(), std::cerr);
        return exit_model;
    } catch (const std::exception& e) {
        if (rank() != 0) job->restore_stderr();
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_model;
    }
}
