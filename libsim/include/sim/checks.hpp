// Behaviour checks (Vensim's Reality Checks; Sterman 2000, ch. 21): runs a
// model's `checks:` (sim::BehaviourCheck, declared in a model or scenario
// file) and reports each as passed or failed, with the first time and the
// values at which it fails. Format: docs/checks.md.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"

namespace sim {

struct CheckOutcome {
    std::string name;
    SourceLoc loc;                // the check's declaration
    bool passed = false;
    std::optional<double> time;   // the first time it fails (none if it passed or the run failed)
    // The values there: for `expect`, the condition and every model variable
    // it names; for a baseline comparison, the value and the baseline's; for
    // `stocks_non_negative`, the first negative stock.
    std::vector<std::pair<std::string, double>> values;
    std::string message;          // one line: what held or failed, and where
};

struct CheckReport {
    std::vector<CheckOutcome> outcomes;  // in declaration order
    std::size_t failed() const;
    bool passed() const { return failed() == 0; }
};

// Runs every check of `spec` (its own overrides applied after `base.set`)
// and, if any compares with the baseline, the baseline run (`base` as is).
// Errors in a check's expressions or `at` times go to `diags` with their
// positions in the file, and nullopt is returned; a run that fails (e.g. a
// value turning NaN) fails its check, with the run's error as the message.
std::optional<CheckReport> run_checks(const ModelSpec& spec, const RunOptions& base, Diagnostics& diags);

// "PASS name" / "FAIL name: message", one line per check, then a summary line.
void print_check_report(const CheckReport& r, std::ostream& out);

// `check,result,time,values,message` (values as "name=value;...").
void write_checks_csv(const CheckReport& r, std::ostream& out);

}  // namespace sim
