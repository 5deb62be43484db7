// Overrides: new values for a model's constants and lever settings, given by
// a scenario's `set:` or by the command line's `--set`, applied to the
// ModelSpec before it is compiled. Both go through apply_overrides, which
// replaces a constant's equation tree by the override's value (positioned
// where the override was given) or changes the lever's setting.
//
//   sim::ModelSpec spec = sim::load_model("models/classic/sir.yaml", diags);
//   std::vector<sim::Override> o{sim::command_line_override("duration", 2)};
//   if (sim::apply_overrides(spec, o, diags)) auto model = sim::Model::compile(spec, diags);
//
// (A run can also set literal constants without recompiling: RunOptions::set.)
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sim/diagnostic.hpp"
#include "sim/spec.hpp"

namespace sim {

struct Override {
    // A constant, an auxiliary or flow whose equation is a number, or a
    // lever setting L_on, L_intensity, L_start or L_phase_in of a lever L.
    std::string name;
    SourceLoc name_loc;  // where the name was given (unknown names are reported there)
    Equation value;      // a number, or (constants only) an expression; value.loc: where it was given
};

// The source of an override given on the command line: diagnostics about it
// read "option --set: error: ...".
inline constexpr const char* command_line_source = "option --set";

// `--set NAME=VALUE`: a number node sourced "option --set" (no file position).
Override command_line_override(std::string name, double value);

// The lever setting a name stands for (`land_on` -> lever "land", on).
struct LeverSetting {
    enum Field { on, intensity, start, phase_in } field;
    std::size_t lever;  // index in ModelSpec::levers
};
std::optional<LeverSetting> find_lever_setting(const ModelSpec& spec, std::string_view name);

// Applies the overrides in order (a later one wins). A constant's equation
// (or that of an auxiliary or flow that is just a number) becomes the value;
// a lever setting must be a number: L_on 0 or 1, L_intensity within [0, 1],
// L_phase_in >= 0. A bad override is reported at its source (E-UNKNOWN-PARAM,
// E-NOT-CONSTANT, E-BAD-NUMBER, E-LEVER-INTENSITY) and skipped. Returns true
// if every override was applied.
bool apply_overrides(ModelSpec& spec, std::span<const Override> overrides, Diagnostics& diags);

}  // namespace sim
