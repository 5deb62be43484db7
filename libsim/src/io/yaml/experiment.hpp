// Readers of the experiment sections of model and scenario files:
// `uncertainties:`, `correlations:` and `checks:` (docs/uncertainty.md,
// docs/checks.md). Private to libsim.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "io/yaml/support.hpp"
#include "sim/spec.hpp"

namespace sim::yaml_detail {

// Reads the three sections of one file (a model, or one layer of a
// scenario chain) into `m`. An entry replaces an earlier one of the same
// name (the same pair, for correlations), so a scenario extends and
// overrides its model's. With `have_model`, names are checked against `m`'s
// variables and levers (E-UNKNOWN-PARAM, E-NOT-CONSTANT, E-UNKNOWN-LEVER).
void read_experiment(const Reader& r, const YAML::Node& root, ModelSpec& m, bool have_model);

// After the last file: every correlation names declared uncertainties and
// the correlation matrix is positive definite (E-CORRELATION,
// E-CORRELATION-MATRIX). Entries located in `skip_file` (a scenario's
// model, already checked when it loaded) are not reported again; the matrix
// is checked only if some uncertainty or correlation comes from another file.
void finish_experiment(const ModelSpec& m, Diagnostics& diags, const std::string& skip_file = "");

}  // namespace sim::yaml_detail
