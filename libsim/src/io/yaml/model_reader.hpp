// The YAML model reader's state (private to io/yaml/): model.cpp reads the
// sections, variables, lookups and levers; arrays.cpp the dimensions and the
// array parts of variables (docs/model-format.md, "Arrays").
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/yaml/support.hpp"
#include "sim/spec.hpp"

namespace sim::yaml_detail {

class ModelReader {
public:
    ModelReader(const Reader& r, ModelSpec& m) : r_(r), m_(m) {}

    void read(const YAML::Node& root);

private:
    // Adds the variable if its name is new (else E-DUPLICATE); returns it or nullptr.
    Variable* declare(const YAML::Node& key, VarKind kind, const char* section);
    void read_stock(Variable& v, const YAML::Node& key, const YAML::Node& val);
    void read_flow_or_aux(Variable& v, const YAML::Node& key, const YAML::Node& val, bool flow);
    void read_constant(Variable& v, const YAML::Node& key, const YAML::Node& val);
    void read_lookup(Variable& v, const YAML::Node& key, const YAML::Node& val);
    // The keys `val` may have besides the points: a lookup's own mapping
    // (units, doc, dimensions, definitions), a flow's or auxiliary's
    // `lookup:` (none), an arrayed lookup's definition (checked by it).
    enum class GfKeys { lookup, embedded, definition };
    std::optional<GraphicalFunction> read_gf(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                             GfKeys keys);
    void read_lever(const YAML::Node& key, const YAML::Node& val);
    // The equation in `val`, parsed, positioned at its first character.
    std::optional<Equation> equation(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                     std::string_view what);
    std::vector<std::string> names(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                   std::string_view what);
    // arrays.cpp
    void read_dimensions(const YAML::Node& node, const YAML::Node& key);
    // A variable's `dimensions:` and `definitions:`; true if it has
    // definitions (which then stand for its equation).
    bool read_array(Variable& v, const YAML::Node& map);
    std::optional<ArrayDefinition> read_definition(Variable& v, const YAML::Node& item);
    // Numbers as a list or a table (a list of lists, rows in order).
    std::optional<std::vector<double>> read_values(const std::string& var, const YAML::Node& n);
    // A list of names, or one string of names separated by commas.
    std::optional<std::vector<std::string>> name_list(const std::string& var, const YAML::Node& n,
                                                      const SourceLoc& at, std::string_view what);

    void text_field(const YAML::Node& map, const char* key, const std::string& var, std::string& dst);
    void bool_field(const YAML::Node& map, const char* key, const std::string& var, bool& dst);

    const Reader& r_;
    ModelSpec& m_;
    std::map<std::string, SourceLoc> declared_;  // canonical name -> first declaration
};

}  // namespace sim::yaml_detail
