// The check every reader makes after expanding a model: the number of
// variables against Limits::variables (private to libsim).
#pragma once

#include <string>

#include "sim/diagnostic.hpp"
#include "sim/limits.hpp"
#include "sim/spec.hpp"

namespace sim {

// E-LIMIT at the file if `m` has more variables than limits.variables; true if within.
inline bool check_model_size(const ModelSpec& m, const Limits& limits, Diagnostics& diags) {
    if (m.variables.size() <= limits.variables) return true;
    diags.error(sim::Code::E_LIMIT, {m.file, 0, 0}, "",
                "the model has " + std::to_string(m.variables.size()) + " variables after expansion" + limit_hint(limits.variables, "--max-variables"));
    return false;
}

}  // namespace sim
