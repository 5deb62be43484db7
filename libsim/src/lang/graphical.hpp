// The one validator of graphical-function points, used by the YAML and
// XMILE readers and by the compiler (for specs built in code). Each caller
// words the finding in its own vocabulary and places it where the points
// were written; the rule lives here only.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace sim {

struct GfProblem {
    enum Kind {
        size_mismatch,   // x.size() != y.size()
        empty,           // no points
        not_increasing,  // x[index] <= x[index - 1]
    } kind;
    std::size_t index = 0;  // not_increasing: the first offending point (0-based, >= 1)
};

// Valid points: as many x as y, at least one, x strictly increasing (NaN
// never is). Checked in that order; the first problem found.
std::optional<GfProblem> check_points(std::span<const double> x, std::span<const double> y);

}  // namespace sim
