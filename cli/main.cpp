// sdsim: the command-line front end of libsim (docs/cli.md). Arguments are
// parsed by CLI11 (dispatch.cpp); each command is in its own file (run.cpp,
// check.cpp, compare.cpp, sensitivity.cpp, calibrate.cpp, graph.cpp,
// serve.cpp); job.cpp is the MPI job (docs/scaling.md).
//
// Exit status: 0 success, 1 model or run error (diagnostics, sim::Error, I/O),
// 2 usage error. stdout carries only the product of the command (results for
// `run`, the diagnostic report for `check`, the ranked table for `compare`,
// the summary of `sensitivity`, the estimates of `calibrate`); everything
// else goes to stderr.
#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <string>

#include "common.hpp"
#include "job.hpp"

int main(int argc, char** argv) {
    using namespace sdsim;
    std::ios::sync_with_stdio(false);
    std::unique_ptr<Job> job;
    try {
        job = std::make_unique<Job>(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_usage;
    }
    try {
        CommandLine cl;
        Parsed p = cl.parse(argc, argv);
        if (p.action != Parsed::run_command) {
            if (rank() == 0) std::cout << p.text;
            return exit_ok;
        }
        // Under mpirun, a command that does not split its runs runs on rank 0 alone.
        if (!distributed(p.command->app->get_name()) && rank() != 0) return exit_ok;
        try {
            return p.command->execute();
        } catch (const UsageError& e) {  // an option checked only once the model is known
            throw Usage{p.command->app->get_name(), e.what()};
        }
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
        else if (e.os_error() && items.size() == 1 && items.front().loc.file.empty())
            std::cerr << "sdsim: error: " << items.front().message << '\n';
        else print_diagnostics(e.diagnostics(), std::cerr);
        return exit_model;
    } catch (const std::bad_alloc&) {
        std::cerr << "sdsim: error: out of memory: the process could not allocate more memory; lower the limits "
                     "(--max-memory, --max-input, ...) to have such inputs refused up front\n";
        return exit_model;
    } catch (const std::exception& e) {
        if (rank() != 0) job->restore_stderr();
        std::cerr << "sdsim: error: " << e.what() << '\n';
        return exit_model;
    }
}
