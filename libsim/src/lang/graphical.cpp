// Graphical-function point validation (graphical.hpp).
#include "lang/graphical.hpp"

namespace sim {

std::optional<GfProblem> check_points(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size()) return GfProblem{GfProblem::size_mismatch, 0};
    if (x.empty()) return GfProblem{GfProblem::empty, 0};
    for (std::size_t i = 1; i < x.size(); ++i)
        if (!(x[i] > x[i - 1])) return GfProblem{GfProblem::not_increasing, i};
    return std::nullopt;
}

}  // namespace sim
