// Display metadata of a YAML model (issue 18): per variable `title`,
// `title_zh`, `better`, `money`, `display: {scale, units, units_zh}`; per
// lever `title_zh`, `name_zh`; the model's `deflator:`. Format:
// docs/model-format.md ("Display").
#pragma once

#include <yaml-cpp/yaml.h>

#include "io/yaml/support.hpp"
#include "sim/spec.hpp"

namespace sim::yaml_display {

// The keys read_variable reads (the caller's check_keys must allow them).
#define SIM_YAML_DISPLAY_KEYS "title", "title_zh", "better", "money", "display"

// Reads the display keys of a variable's mapping into v.display.
void read_variable(const yaml_detail::Reader& r, const YAML::Node& map, Variable& v);
// Reads `deflator:` from the model's top level; checks that the variable
// exists (call after every variable is declared).
void read_deflator(const yaml_detail::Reader& r, const YAML::Node& root, ModelSpec& m);

}  // namespace sim::yaml_display
