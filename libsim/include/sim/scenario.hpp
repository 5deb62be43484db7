// Scenarios: a model plus lever settings, parameter overrides, run options
// and the indicators to report; a scenario may extend another.
// Format: docs/scenario-format.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/input.hpp"
#include "sim/limits.hpp"
#include "sim/spec.hpp"
#include "sim/model.hpp"

namespace sim {

// A file that went into a scenario, with the SHA-256 of its bytes (64
// lowercase hex digits), so that a result can be traced to exact inputs.
struct SourceFile {
    std::string path;
    std::string sha256;
};

struct Scenario {
    std::string name;        // from `name:` or the file stem (not inherited)
    std::string file;        // the scenario file
    std::string model_path;  // the model file, resolved relative to the file naming it
    ModelSpec model;         // loaded, with lever settings and overrides applied
    RunOptions run;          // the saved variables (`save:`)
    // `indicators:` and `report_at:` (empty if not given); `sdsim compare`
    // uses them when the command line gives none.
    std::vector<Indicator> indicators;
    std::vector<double> report_at;
    // `cost:`: the model variable holding the cumulative cost of the levers
    // ("" if not given: `sdsim compare` then integrates the levers' L_cost).
    std::string cost;
    // The scenario file first, then the file it extends, and so on.
    std::vector<SourceFile> chain;
    SourceFile model_file;  // path == model_path
};

// True if `path` is a YAML file whose top level is a mapping with a `model:`
// or `extends:` key (a scenario) rather than a model file. It reads the
// file: for a stream (a pipe), read it once with read_input and ask
// is_scenario_text.
bool is_scenario_file(const std::string& path);
// The same for bytes already read (`path` only names them). The parsed
// document is kept (on this thread) for the next parse, which reuses it if
// it is of the same text: asking, then loading with load_scenario or
// parse_model, parses the file once.
bool is_scenario_text(std::string_view bytes, const std::string& path);

// Loads the scenario, the scenarios it extends and its model; diagnostics
// carry file:line:col in the scenario file concerned (or the model file).
//
//   sim::Diagnostics d;
//   sim::Scenario sc = sim::load_scenario("scenarios/land.yaml", d);
//   if (auto m = sim::Model::compile(sc.model, d)) sim::Results r = m->run(sc.run);
// Every file is read once (sim::read_input); files named by `extends:` and
// `model:` must be regular files. `limits` bound each file and the model.
Scenario load_scenario(const std::string& path, Diagnostics& diags, const Limits& limits = {});
// The same for the scenario file already read (e.g. from a pipe).
Scenario load_scenario(const Input& scenario_file, Diagnostics& diags, const Limits& limits = {});
// Without throwing: the scenario (with any warnings), or the diagnostics.
Expected<Scenario> try_load_scenario(const std::string& path);

// One line per input file, for logs and reports:
//   scenario file: PATH sha256:HEX
//   extends: PATH sha256:HEX        (one per file of the chain after the first)
//   model: PATH sha256:HEX
std::vector<std::string> source_lines(const Scenario& sc);

// SHA-256 of `bytes` as 64 lowercase hex digits (FIPS 180-4).
std::string sha256_hex(std::string_view bytes);

}  // namespace sim
