// Scenarios: a model plus lever settings, parameter overrides, run options
// and the indicators to report; a scenario may extend another.
// Format: docs/scenario-format.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
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
// or `extends:` key (a scenario) rather than a model file.
bool is_scenario_file(const std::string& path);

// Loads the scenario, the scenarios it extends and its model; diagnostics
// carry file:line:col in the scenario file concerned (or the model file).
//
//   sim::Diagnostics d;
//   sim::Scenario sc = sim::load_scenario("scenarios/land.yaml", d);
//   if (auto m = sim::Model::compile(sc.model, d)) sim::Results r = m->run(sc.run);
Scenario load_scenario(const std::string& path, Diagnostics& diags);
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
