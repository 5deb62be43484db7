// Model loaders: YAML (docs/model-format.md) and XMILE.
#pragma once

#include <string>
#include <string_view>

#include "sim/diagnostic.hpp"
#include "sim/expected.hpp"
#include "sim/limits.hpp"
#include "sim/spec.hpp"

namespace sim {

// Each appends diagnostics (with file:line:col) and returns what it could read.
// A load_* function reads the file once with sim::read_input (size bounded by
// limits.input_bytes; a directory, a FIFO, ... handled); a parse_* function
// takes the bytes already read. Either decodes them (sim::decode_text:
// UTF-8, or an encoding the file declares) and bounds what the text can
// inflate by `limits` (nesting depth, variables, array elements, module
// instances: E-LIMIT naming the option that raises the limit).
ModelSpec load_yaml(const std::string& path, Diagnostics& diags, const Limits& limits = {});
ModelSpec parse_yaml(std::string_view text, const std::string& filename, Diagnostics& diags,
                     const Limits& limits = {});

ModelSpec load_xmile(const std::string& path, Diagnostics& diags, const Limits& limits = {});  // .xmile, .stmx, .xml
ModelSpec parse_xmile(std::string_view text, const std::string& filename, Diagnostics& diags,
                      const Limits& limits = {});

// .mdl (docs/vensim.md). The same checks: the text decoded as UTF-8,
// elements of a subscript range or an arrayed variable bounded by
// limits.array_elements before they are made, the variables after
// expansion by limits.variables.
ModelSpec load_vensim(const std::string& path, Diagnostics& diags, const Limits& limits = {});
ModelSpec parse_vensim(std::string_view text, const std::string& filename, Diagnostics& diags,
                       const Limits& limits = {});

// Chooses the loader by extension (.yaml/.yml -> YAML; .xmile/.stmx/.xml -> XMILE;
// .mdl -> Vensim); otherwise by content: XMILE if the first non-blank
// character is '<', Vensim if the file starts like a .mdl ({UTF-8} or a
// record ending in '|'), else YAML.
ModelSpec load_model(const std::string& path, Diagnostics& diags, const Limits& limits = {});
// The same choice for a file already read: `path` names it in diagnostics.
ModelSpec parse_model(std::string_view text, const std::string& path, Diagnostics& diags,
                      const Limits& limits = {});
// Throws sim::Error if there is any error.
ModelSpec load_model(const std::string& path);
// Without throwing: the model (with any warnings), or the diagnostics.
Expected<ModelSpec> try_load_model(const std::string& path);

}  // namespace sim
