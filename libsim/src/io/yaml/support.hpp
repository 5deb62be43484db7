// Helpers shared by the YAML model reader (io/yaml/model.cpp) and the
// scenario loader (experiment/scenario.cpp): positions of yaml-cpp nodes in the file, strict key
// checking with "did you mean", number/bool conversion, simulation specs.
// Private to libsim.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/limits.hpp"
#include "sim/spec.hpp"
#include "util/text.hpp"

namespace sim::yaml_detail {

// Where one YAML file's nodes are: yaml-cpp marks are 0-based, ours 1-based.
class Reader {
public:
    Reader(std::string file, std::string_view text, Diagnostics& diags);

    const std::string& file() const { return file_; }
    Diagnostics& diags() const { return *diags_; }

    // Position of the node itself (for a key: its first character).
    SourceLoc loc(const YAML::Node& n) const;
    // A yaml-cpp mark (0-based line, byte column) as a position (1-based
    // line, column in characters, as every reader counts them).
    SourceLoc at(const YAML::Mark& m) const;
    // Position of the first character of a scalar's text: after the opening
    // quote of a quoted scalar; the first content line of a block scalar.
    SourceLoc text_loc(const YAML::Node& n) const;

    void error(sim::Code code, const SourceLoc& at, const std::string& variable,
               const std::string& message) const;
    void warning(sim::Code code, const SourceLoc& at, const std::string& variable,
                 const std::string& message) const;

    // Checks that `map` is a mapping whose keys are scalars, unique and in
    // `allowed`; reports E-YAML-TYPE / E-DUPLICATE / E-UNKNOWN-KEY. `where`
    // names the mapping in messages ("the stock", "the top level", ...).
    // An empty `allowed` checks only types and duplicates (free-form names).
    // Returns false if `map` is not a mapping.
    bool check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                    const std::string& variable, std::string_view where) const;

    // Scalar text of `n`; reports E-YAML-TYPE (expected `what`) if not a scalar.
    std::optional<std::string> scalar(const YAML::Node& n, const SourceLoc& key_loc,
                                      const std::string& variable, std::string_view what) const;
    // A finite number; reports E-BAD-NUMBER.
    std::optional<double> number(const YAML::Node& n, const SourceLoc& key_loc,
                                 const std::string& variable, std::string_view what) const;
    // true/false/on/off/yes/no; reports E-BAD-BOOL.
    std::optional<bool> boolean(const YAML::Node& n, const SourceLoc& key_loc,
                                const std::string& variable, std::string_view what) const;

private:
    std::string file_;
    std::string_view text_;
    std::vector<std::size_t> line_starts_;  // byte offset of each line
    mutable text::Columns columns_;
    Diagnostics* diags_;
    // 1-based line and byte column -> column in characters.
    int char_col(int line, int byte_col) const;
};

// A yaml-cpp mark in `text` as a position with its column in characters
// (for the errors reported before a Reader exists).
SourceLoc mark_loc(std::string_view text, const std::string& file, const YAML::Mark& m);

// Parses the one YAML document of `text` (UTF-8, from decode_text), whose
// top level must be a mapping. Before yaml-cpp (which recurses) sees the
// text, its nesting is bounded by limits.depth (E-LIMIT). Reports
// E-ENCODING (invalid UTF-8), E-YAML-SYNTAX (also: a second document),
// E-EMPTY and E-YAML-TYPE; nullopt on any of them. With `keep`, a document
// parsed without findings is kept (per thread) for the next call, which
// takes it if its text is the same (the checks of the text, such as the
// depth bound, still run) and drops it otherwise: is_scenario_text and the
// reader that follows it parse a file once.
std::optional<YAML::Node> parse_document(std::string_view text, const std::string& file,
                                         Diagnostics& diags, std::string_view what, const Limits& limits = {},
                                         bool keep = false);
// How many texts parse_document gave to yaml-cpp on this thread (tests).
std::size_t documents_parsed();

// Where `text` is nested deeper than `max_depth` (line, column), by a
// conservative scan (an upper bound of yaml-cpp's recursion); nullopt if not.
std::optional<std::pair<int, int>> yaml_too_deep(std::string_view text, std::size_t max_depth);

// The first value with key `key` in a mapping (an invalid node if absent).
// yaml-cpp keeps duplicate keys; check_keys reports them, this takes the first.
YAML::Node get(const YAML::Node& map, std::string_view key);
// The key node for `key` (for its position), invalid if absent.
YAML::Node get_key(const YAML::Node& map, std::string_view key);

// "nothing", "a single value", "a list", "a mapping": for messages.
const char* type_name(const YAML::Node& n);

// A plain (unquoted) YAML scalar, as opposed to a quoted or block one.
bool is_plain(const YAML::Node& n);

// " (did you mean 'x'?)" for the closest candidate (text::closest's
// policy), "" if none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Positions of the specs read, so that range errors point at the value.
struct SpecLocs {
    SourceLoc start, stop, dt, save_step, atol, rtol;
};

// Reads the `sim:` mapping into `specs`, changing only the keys present
// (so a scenario can override some of a model's specs).
void read_sim_specs(const Reader& r, const YAML::Node& map, SimSpecs& specs, SpecLocs& locs);

// sim::validate_specs, with each finding (E-DT, E-STOP, E-SAVE-STEP,
// E-TOLERANCE, E-SPECS) placed at the offending value rather than at `sim:`.
bool check_specs(const Reader& r, const SimSpecs& specs, const SpecLocs& locs);

}  // namespace sim::yaml_detail
