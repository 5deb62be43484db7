// Scenarios: a model plus lever settings, parameter overrides and run options.
// Format: docs/scenario-format.md.
#pragma once

#include <string>

#include "sim/diagnostic.hpp"
#include "sim/model.hpp"
#include "sim/simulate.hpp"

namespace sim {

struct Scenario {
    std::string name;        // from `name:` or the file stem
    std::string file;        // the scenario file
    std::string model_path;  // the model file, resolved relative to the scenario file
    ModelSpec model;         // loaded, with lever settings and overrides applied
    RunOptions run;          // simulation specs and saved variables from the scenario
};

// True if `path` is a YAML file whose top level is a mapping with a `model:` key
// (a scenario) rather than a model file.
bool is_scenario_file(const std::string& path);

// Loads the scenario and its model; diagnostics carry file:line:col in the
// scenario (or the model) file.
Scenario load_scenario(const std::string& path, Diagnostics& diags);

}  // namespace sim
