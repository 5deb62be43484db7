// YAML model reader: dimensions and the array parts of variables
// (docs/model-format.md, "Arrays"). Shapes are checked here only as far as
// the YAML goes (types, keys, numbers); whether subscripts name elements
// and definitions cover each element once is the compiler's check, the
// same for every format.
#include "io/yaml/model_reader.hpp"
#include "util/text.hpp"

namespace sim::yaml_detail {

std::optional<std::vector<std::string>> ModelReader::name_list(const std::string& var, const YAML::Node& n,
                                                               const SourceLoc& at, std::string_view what) {
    std::vector<std::string> out;
    if (n.IsScalar()) {  // "a, b, c"
        std::string_view s = n.Scalar();
        std::size_t pos = 0;
        while (true) {
            const std::size_t comma = s.find(',', pos);
            std::string item(text::trim(s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
            if (item.empty()) {
                r_.error(sim::Code::E_YAML_TYPE, r_.text_loc(n), var,
                         std::string(what) + " has an empty name in '" + n.Scalar() + "'");
                return std::nullopt;
            }
            out.push_back(std::move(item));
            if (comma == std::string_view::npos) break;
            pos = comma + 1;
        }
        return out;
    }
    if (!n.IsSequence() || n.size() == 0) {
        r_.error(sim::Code::E_YAML_TYPE, n.IsNull() ? at : r_.loc(n), var,
                 std::string(what) + std::string(" must be a list of names, found ") + type_name(n));
        return std::nullopt;
    }
    for (const auto& item : n) {
        if (!item.IsScalar() || canonical_name(item.Scalar()).empty()) {
            r_.error(sim::Code::E_YAML_TYPE, item.IsNull() ? r_.loc(n) : r_.loc(item), var,
                     std::string(what) + std::string(" must list names, found ") + type_name(item));
            return std::nullopt;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

// dimensions:
//   region: [north, south]                       elements
//   cohort: {size: 3}                            elements 1, 2, 3
//   place: {equivalent_to: region}               Vensim's <->
//   b: {elements: [b1, b2], maps_to: region}     by position
//   c: {elements: [c1, c2], maps_to: {region: [south, north]}}
void ModelReader::read_dimensions(const YAML::Node& node, const YAML::Node& key) {
    if (!node.IsMap()) {
        if (!(node.IsSequence() && node.size() == 0))
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(key), "",
                     std::string("'dimensions' must be a mapping of dimension names to their elements, found ") +
                         type_name(node));
        return;
    }
    r_.check_keys(node, {}, "", "'dimensions'");
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node k = it->first;
        const YAML::Node val = it->second;
        if (!k.IsScalar() || canonical_name(k.Scalar()).empty()) {
            r_.error(sim::Code::E_BAD_NAME, r_.loc(k), "", "a dimension needs a name: write 'name: [elements]'");
            continue;
        }
        Dimension d;
        d.name = k.Scalar();
        d.loc = r_.loc(k);
        const std::string what = "dimension '" + d.name + "'";
        if (val.IsSequence()) {
            if (auto e = name_list(d.name, val, d.loc, "the elements of " + what)) d.elements = std::move(*e);
            m_.dimensions.push_back(std::move(d));
            continue;
        }
        if (!val.IsMap()) {
            r_.error(sim::Code::E_YAML_TYPE, val.IsNull() ? d.loc : r_.loc(val), d.name,
                     what + std::string(" must be a list of elements or a mapping (elements, size, equivalent_to, maps_to), found ") +
                         type_name(val));
            continue;
        }
        r_.check_keys(val, {"elements", "size", "equivalent_to", "maps_to", "doc"}, d.name, "the " + what);
        if (YAML::Node e = get(val, "elements"); e.IsDefined()) {
            if (auto l = name_list(d.name, e, r_.loc(get_key(val, "elements")), "the elements of " + what))
                d.elements = std::move(*l);
        }
        if (YAML::Node n = get(val, "size"); n.IsDefined()) {
            auto size = r_.number(n, r_.loc(get_key(val, "size")), d.name, "the size of " + what);
            if (size && !(*size >= 1 && *size <= double(max_dimension_elements) && *size == double(std::size_t(*size)))) {
                r_.error(sim::Code::E_ARRAY_SIZE, r_.text_loc(n), d.name,
                         what + " has size " + n.Scalar() + "; give a whole number from 1 to " +
                             std::to_string(max_dimension_elements));
            } else if (size && !d.elements.empty()) {
                r_.error(sim::Code::E_DIMENSION, r_.loc(get_key(val, "size")), d.name,
                         what + " has both 'elements' and 'size'; give one of them");
            } else if (size) {
                for (std::size_t i = 1; i <= std::size_t(*size); ++i) d.elements.push_back(std::to_string(i));
            }
        }
        text_field(val, "equivalent_to", d.name, d.equivalent_to);
        if (YAML::Node m = get(val, "maps_to"); m.IsDefined()) {
            const SourceLoc ml = r_.loc(get_key(val, "maps_to"));
            if (m.IsScalar()) {
                d.mappings.push_back({m.Scalar(), {}, r_.text_loc(m)});
            } else if (m.IsMap()) {
                for (auto t = m.begin(); t != m.end(); ++t) {
                    if (!t->first.IsScalar()) continue;
                    DimensionMapping dm{t->first.Scalar(), {}, r_.loc(t->first)};
                    if (!t->second.IsNull()) {
                        auto l = name_list(d.name, t->second, r_.loc(t->first), "the mapping of " + what);
                        if (!l) continue;
                        dm.elements = std::move(*l);
                    }
                    d.mappings.push_back(std::move(dm));
                }
            } else {
                r_.error(sim::Code::E_YAML_TYPE, ml, d.name,
                         std::string("'maps_to' must name a dimension, or map dimensions to lists of target elements, found ") +
                             type_name(m));
            }
        }
        m_.dimensions.push_back(std::move(d));
    }
}

std::optional<std::vector<double>> ModelReader::read_values(const std::string& var, const YAML::Node& n) {
    std::vector<double> out;
    bool ok = true;
    auto number = [&](const YAML::Node& x) {
        if (auto v = r_.number(x, r_.loc(n), var, "an array value")) out.push_back(*v);
        else ok = false;
    };
    if (!n.IsSequence()) {
        r_.error(sim::Code::E_YAML_TYPE, r_.loc(n), var, std::string("values must be a list of numbers or a list of rows, found ") + type_name(n));
        return std::nullopt;
    }
    for (const auto& row : n) {
        if (row.IsSequence())
            for (const auto& x : row) number(x);
        else
            number(row);
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<ArrayDefinition> ModelReader::read_definition(Variable& v, const YAML::Node& item) {
    ArrayDefinition d;
    d.loc = r_.loc(item);
    if (!item.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, d.loc, v.name,
                 std::string("a definition must be a mapping (subscripts, equation, ...), found ") + type_name(item));
        return std::nullopt;
    }
    switch (v.kind) {
        case VarKind::stock:
            r_.check_keys(item, {"subscripts", "except", "initial", "rate", "values"}, v.name, "a definition of '" + v.name + "'");
            break;
        case VarKind::constant:
            r_.check_keys(item, {"subscripts", "except", "value", "values", "equation"}, v.name, "a definition of '" + v.name + "'");
            break;
        case VarKind::lookup:
            r_.check_keys(item, {"subscripts", "except", "points", "x", "y", "kind"}, v.name, "a definition of '" + v.name + "'");
            break;
        default:
            r_.check_keys(item, {"subscripts", "except", "equation", "values", "lookup"}, v.name, "a definition of '" + v.name + "'");
            break;
    }
    YAML::Node subs = get(item, "subscripts");
    if (!subs.IsDefined()) {
        r_.error(sim::Code::E_YAML_TYPE, d.loc, v.name, "a definition needs 'subscripts': the elements or dimensions it defines");
        return std::nullopt;
    }
    d.loc = r_.loc(get_key(item, "subscripts"));
    auto s = name_list(v.name, subs, d.loc, "'subscripts'");
    if (!s) return std::nullopt;
    d.subscripts = std::move(*s);
    if (YAML::Node ex = get(item, "except"); ex.IsDefined()) {
        if (!ex.IsSequence()) {
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(ex), v.name, std::string("'except' must be a list of subscript lists, found ") + type_name(ex));
            return std::nullopt;
        }
        for (const auto& pat : ex) {
            auto l = name_list(v.name, pat, r_.loc(ex), "an 'except' pattern");
            if (!l) return std::nullopt;
            d.except.push_back(std::move(*l));
        }
    }
    auto eq = [&](const char* k, Equation& dst, const char* what) {
        YAML::Node n = get(item, k);
        if (!n.IsDefined()) return false;
        if (auto e = equation(v.name, get_key(item, k), n, what)) dst = std::move(*e);
        return true;
    };
    bool given = false;
    if (YAML::Node vals = get(item, v.kind == VarKind::constant && get(item, "value").IsSequence() ? "value" : "values");
        vals.IsDefined()) {
        auto x = read_values(v.name, vals);
        if (!x) return std::nullopt;
        d.values = std::move(*x);
        given = true;
    }
    switch (v.kind) {
        case VarKind::stock:
            given = eq("initial", d.equation, "the initial value") || given;
            eq("rate", d.net_rate, "the net rate");
            break;
        case VarKind::lookup:
            d.gf = read_gf(v.name, get_key(item, "subscripts"), item, GfKeys::definition);
            given = true;
            break;
        case VarKind::constant:
            if (YAML::Node n = get(item, "value"); n.IsDefined() && !n.IsSequence())
                given = eq("value", d.equation, "the value") || given;
            given = eq("equation", d.equation, "the equation") || given;
            break;
        default:
            given = eq("equation", d.equation, "the equation") || given;
            if (YAML::Node g = get(item, "lookup"); g.IsDefined()) d.gf = read_gf(v.name, get_key(item, "lookup"), g, GfKeys::embedded);
            break;
    }
    if (!given) {
        r_.error(sim::Code::E_MISSING_EQUATION, d.loc, v.name,
                 std::string("this definition of '") + v.name + "' gives no " +
                     (v.kind == VarKind::stock ? "'initial' or 'values'" : "'equation' or 'values'"));
        return std::nullopt;
    }
    return d;
}

bool ModelReader::read_array(Variable& v, const YAML::Node& map) {
    if (YAML::Node d = get(map, "dimensions"); d.IsDefined()) {
        if (auto l = name_list(v.name, d, r_.loc(get_key(map, "dimensions")), "'dimensions'")) v.dimensions = std::move(*l);
    }
    YAML::Node defs = get(map, "definitions");
    if (!defs.IsDefined()) return false;
    if (!defs.IsSequence()) {
        r_.error(sim::Code::E_YAML_TYPE, r_.loc(get_key(map, "definitions")), v.name,
                 std::string("'definitions' must be a list of definitions ({subscripts: [...], equation: ...}), found ") + type_name(defs));
        return true;
    }
    for (const auto& item : defs)
        if (auto d = read_definition(v, item)) v.definitions.push_back(std::move(*d));
    return true;
}

}  // namespace sim::yaml_detail
