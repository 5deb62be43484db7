// Model loaders: YAML (docs/model-format.md) and XMILE.
#pragma once

#include <string>
#include <string_view>

#include "sim/diagnostic.hpp"
#include "sim/expected.hpp"
#include "sim/spec.hpp"

namespace sim {

// Each appends diagnostics (with file:line:col) and returns what it could read.
ModelSpec load_yaml(const std::string& path, Diagnostics& diags);
ModelSpec parse_yaml(std::string_view text, const std::string& filename, Diagnostics& diags);

ModelSpec load_xmile(const std::string& path, Diagnostics& diags);  // .xmile, .stmx, .xml
ModelSpec parse_xmile(std::string_view text, const std::string& filename, Diagnostics& diags);

ModelSpec load_vensim(const std::string& path, Diagnostics& diags);  // .mdl (docs/vensim.md)
ModelSpec parse_vensim(std::string_view text, const std::string& filename, Diagnostics& diags);

// Chooses the loader by extension (.yaml/.yml -> YAML; .xmile/.stmx/.xml -> XMILE;
// .mdl -> Vensim); otherwise by content: XMILE if the first non-blank
// character is '<', Vensim if the file starts like a .mdl ({UTF-8} or a
// record ending in '|'), else YAML.
ModelSpec load_model(const std::string& path, Diagnostics& diags);
// The same choice for a file already read: `path` names it in diagnostics.
ModelSpec parse_model(std::string_view text, const std::string& path, Diagnostics& diags);
// Throws sim::Error if there is any error.
ModelSpec load_model(const std::string& path);
// Without throwing: the model (with any warnings), or the diagnostics.
Expected<ModelSpec> try_load_model(const std::string& path);

}  // namespace sim
