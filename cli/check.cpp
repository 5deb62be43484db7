// `sdsim check`: loads and compiles a model or scenario without running it;
// prints every diagnostic and a summary line to standard output. With
// --behaviour, then runs the behaviour checks it declares (docs/checks.md).
#include <iostream>

#include "common.hpp"
#include "sim/checks.hpp"
#include "sim/dump.hpp"

namespace sdsim {

namespace {

constexpr const char* check_help =
    "Usage: sdsim check FILE [--program | --behaviour]\n"
    "\n"
    "Loads and compiles FILE (a model or a scenario) without running it. Every\n"
    "diagnostic is printed to standard output, one per line, as\n"
    "file:line:col: severity: message [CODE], followed by a summary line\n"
    "'FILE: N errors, M warnings'.\n"
    "\n"
    "Options:\n"
    "  --program        after a clean check, print the compiled program: slot\n"
    "                   layout, initial and flow tapes, stock derivatives,\n"
    "                   tables, delays (a debugging aid; the format may change)\n"
    "  --behaviour      after a clean check, run the behaviour checks FILE\n"
    "                   declares under 'checks:' and print each as PASS or\n"
    "                   FAIL, a failure with the first time it fails and the\n"
    "                   values there, then a summary line\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed) and, with --behaviour, every\n"
    "check passed; 1 errors or a failed check; 2 usage error.\n";

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + ' ' + word + (n == 1 ? "" : "s");
}

class Check : public Command {
public:
    explicit Check(CLI::App& parent) : Command(parent, "check", check_help) {
        app->add_flag("--program", program_);
        app->add_flag("--behaviour", behaviour_);
    }

    int execute() override {
        const std::string file = finish_parse();
        if (program_ && behaviour_) throw UsageError("--program and --behaviour cannot be combined");
        sim::Diagnostics diags;
        Loaded l = load(file, diags);
        // The scenario loader checks its own `save` names and applies `sim:`
        // and `set:` to the model, so compiling covers everything a run would
        // check except command-line options.
        std::optional<sim::Model> model;
        if (!diags.has_errors()) model = sim::Model::compile(l.spec, diags);
        print_diagnostics(diags, std::cout);
        const std::size_t errors = diags.error_count();
        std::cout << file << ": " << plural(errors, "error") << ", " << plural(diags.warning_count(), "warning")
                  << '\n';
        if (program_ && model && errors == 0) sim::dump_program(*model, std::cout);
        if (behaviour_ && model && errors == 0) return behaviour(file, l);
        std::cout.flush();
        return errors == 0 ? exit_ok : exit_model;
    }

private:
    // Runs the checks: PASS/FAIL lines and a summary on standard output.
    static int behaviour(const std::string& file, const Loaded& l) {
        if (l.spec.checks.empty()) {
            sim::Diagnostics d;
            d.error(sim::Code::E_NO_CHECKS, sim::SourceLoc{file, 0, 0}, "",
                    "--behaviour: no behaviour checks to run; declare them under 'checks:' in the model or the "
                    "scenario (docs/checks.md)");
            print_diagnostics(d, std::cout);
            std::cout.flush();
            return exit_model;
        }
        sim::Diagnostics diags;
        const auto report = sim::run_checks(l.spec, l.run, diags);
        print_diagnostics(diags, std::cout);
        if (report) sim::print_check_report(*report, std::cout);
        std::cout.flush();
        return report && report->passed() ? exit_ok : exit_model;
    }

    bool program_ = false, behaviour_ = false;
};

}  // namespace

std::unique_ptr<Command> make_check(CLI::App& app) { return std::make_unique<Check>(app); }

}  // namespace sdsim
