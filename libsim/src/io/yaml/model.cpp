// YAML model reader (format: docs/model-format.md): the sections, variables,
// lookups and levers of a model file -> ModelSpec, every equation parsed as
// it is read.
//
// Every problem is reported with file:line:col and loading goes on, so one
// pass shows the user every error. Positions: Variable::loc is its key,
// Equation::loc the first character of the equation text in the file.
#include <yaml-cpp/yaml.h>

#include <map>

#include "io/model_size.hpp"
#include "io/yaml/display.hpp"
#include "io/yaml/experiment.hpp"
#include "io/yaml/model_reader.hpp"
#include "lang/graphical.hpp"
#include "lang/names.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "util/text.hpp"

namespace sim {
namespace yaml_detail {

void ModelReader::read(const YAML::Node& root) {
    r_.check_keys(root,
                  {"name", "doc", "sim", "dimensions", "stocks", "flows", "aux", "auxiliaries", "constants", "lookups",
                   "levers", "uncertainties", "correlations", "checks", "deflator"},
                  "", "the top level of the model");
    text_field(root, "name", "", m_.name);
    text_field(root, "doc", "", m_.doc);

    // Sim specs first: levers default their start to the run's start.
    if (YAML::Node s = get(root, "sim"); s.IsDefined()) {
        m_.specs.loc = r_.loc(get_key(root, "sim"));
        SpecLocs locs;
        read_sim_specs(r_, s, m_.specs, locs);
        check_specs(r_, m_.specs, locs);
    }

    if (YAML::Node d = get(root, "dimensions"); d.IsDefined() && !d.IsNull())
        read_dimensions(d, get_key(root, "dimensions"));

    struct Section {
        const char* key;
        VarKind kind;
        const char* what;
    };
    static constexpr Section sections[] = {
        {"stocks", VarKind::stock, "stock"},        {"flows", VarKind::flow, "flow"},
        {"aux", VarKind::aux, "auxiliary"},         {"auxiliaries", VarKind::aux, "auxiliary"},
        {"constants", VarKind::constant, "constant"}, {"lookups", VarKind::lookup, "lookup"},
    };
    for (const auto& sec : sections) {
        YAML::Node node = get(root, sec.key);
        if (!node.IsDefined() || node.IsNull()) continue;
        if (node.IsSequence() && node.size() == 0) continue;  // `flows: []`
        if (!node.IsMap()) {
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(get_key(root, sec.key)), "",
                     std::string("'") + sec.key + "' must be a mapping of " + sec.what + " names to definitions, found " +
                         type_name(node));
            continue;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            Variable* v = declare(it->first, sec.kind, sec.what);
            if (!v) continue;
            switch (sec.kind) {
                case VarKind::stock: read_stock(*v, it->first, it->second); break;
                case VarKind::flow: read_flow_or_aux(*v, it->first, it->second, true); break;
                case VarKind::aux: read_flow_or_aux(*v, it->first, it->second, false); break;
                case VarKind::constant: read_constant(*v, it->first, it->second); break;
                case VarKind::lookup: read_lookup(*v, it->first, it->second); break;
            }
        }
    }

    if (YAML::Node lv = get(root, "levers"); lv.IsDefined() && !lv.IsNull()) {
        if (!lv.IsMap()) {
            if (!(lv.IsSequence() && lv.size() == 0))
                r_.error(sim::Code::E_YAML_TYPE, r_.loc(get_key(root, "levers")), "",
                         std::string("'levers' must be a mapping of lever names to definitions, found ") + type_name(lv));
        } else {
            for (auto it = lv.begin(); it != lv.end(); ++it) read_lever(it->first, it->second);
        }
    }

    // After every variable and lever, which they name.
    yaml_display::read_deflator(r_, root, m_);
    read_experiment(r_, root, m_, true);
    finish_experiment(m_, r_.diags());
}

Variable* ModelReader::declare(const YAML::Node& key, VarKind kind, const char* section) {
    const SourceLoc kl = r_.loc(key);
    if (!key.IsScalar() || canonical_name(key.Scalar()).empty()) {
        r_.error(sim::Code::E_BAD_NAME, kl, "",
                 std::string("a ") + section + " needs a name: write 'name: definition'");
        return nullptr;
    }
    const std::string& name = key.Scalar();
    auto [pos, fresh] = declared_.emplace(canonical_name(name), kl);
    if (!fresh) {
        const Variable* first = m_.find(name);
        r_.error(sim::Code::E_DUPLICATE, kl, name,
                 "'" + name + "' is already defined" +
                     (first ? std::string(" as a ") + to_string(first->kind) : std::string()) + " at line " +
                     std::to_string(pos->second.line) +
                     " (names ignore case, spaces and underscores" +
                     (has_non_ascii(name) || (first && has_non_ascii(first->name))
                          ? std::string("; Unicode names are compared after NFC normalisation")
                          : std::string()) +
                     "); rename or remove one of them");
        return nullptr;
    }
    Variable v;
    v.kind = kind;
    v.name = name;
    v.loc = kl;
    m_.variables.push_back(std::move(v));
    return &m_.variables.back();
}

std::optional<Equation> ModelReader::equation(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                              std::string_view what) {
    if (!val.IsScalar()) {
        if (!val.IsNull())
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), var,
                     std::string(what) + " must be an equation (text), found " + type_name(val));
        return std::nullopt;
    }
    (void)key;
    const std::string& text = val.Scalar();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
    return Equation::parse(text, r_.text_loc(val));
}

std::vector<std::string> ModelReader::names(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                            std::string_view what) {
    std::vector<std::string> out;
    if (val.IsNull()) return out;
    if (val.IsScalar()) {  // `inflows: births` for a single flow
        out.push_back(val.Scalar());
        return out;
    }
    if (!val.IsSequence()) {
        r_.error(sim::Code::E_YAML_TYPE, r_.loc(key), var, std::string(what) + " must be a list of flow names, found " + type_name(val));
        return out;
    }
    for (const auto& item : val) {
        if (item.IsScalar() && !canonical_name(item.Scalar()).empty())
            out.push_back(item.Scalar());
        else
            r_.error(sim::Code::E_YAML_TYPE, item.IsNull() ? r_.loc(key) : r_.loc(item), var,
                     std::string(what) + " must list flow names, found " + type_name(item));
    }
    return out;
}

void ModelReader::text_field(const YAML::Node& map, const char* key, const std::string& var, std::string& dst) {
    YAML::Node v = get(map, key);
    if (!v.IsDefined() || v.IsNull()) return;
    if (auto s = r_.scalar(v, r_.loc(get_key(map, key)), var, std::string("'") + key + "'")) dst = *s;
}

void ModelReader::bool_field(const YAML::Node& map, const char* key, const std::string& var, bool& dst) {
    YAML::Node v = get(map, key);
    if (!v.IsDefined()) return;
    if (auto b = r_.boolean(v, r_.loc(get_key(map, key)), var, std::string("'") + key + "'")) dst = *b;
}

void ModelReader::read_stock(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (val.IsScalar()) {  // short form: `name: initial value`
        if (auto e = equation(v.name, key, val, "the initial value")) v.equation = std::move(*e);
        return;
    }
    if (!val.IsMap()) {
        if (val.IsNull())
            r_.error(sim::Code::E_MISSING_INITIAL, kl, v.name,
                     "stock '" + v.name + "' has no definition; give at least 'initial: <value>'");
        else
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), v.name,
                     std::string("a stock must be a mapping (initial, inflows, outflows, ...), found ") + type_name(val));
        return;
    }
    r_.check_keys(val,
                  {"initial", "init", "rate", "inflows", "outflows", "non_negative", "units", "doc", "dimensions",
                   "definitions", SIM_YAML_DISPLAY_KEYS},
                  v.name, "the stock '" + v.name + "'");
    const bool defined = read_array(v, val);
    YAML::Node init = get(val, "initial");
    YAML::Node init_key = get_key(val, "initial");
    if (YAML::Node alt = get(val, "init"); alt.IsDefined()) {
        if (init.IsDefined())
            r_.error(sim::Code::E_DUPLICATE, r_.loc(get_key(val, "init")), v.name,
                     "both 'initial' and 'init' are given; keep one");
        else {
            init = alt;
            init_key = get_key(val, "init");
        }
    }
    if (init.IsDefined()) {
        if (auto e = equation(v.name, init_key, init, "the initial value")) v.equation = std::move(*e);
        else if (init.IsNull() || init.IsScalar())
            r_.error(sim::Code::E_MISSING_INITIAL, r_.loc(init_key), v.name,
                     "stock '" + v.name + "' has an empty initial value; write e.g. 'initial: 0'");
    } else if (!defined) {
        r_.error(sim::Code::E_MISSING_INITIAL, kl, v.name,
                 "stock '" + v.name + "' has no initial value; add 'initial: <value or equation>'");
    }
    if (YAML::Node rate = get(val, "rate"); rate.IsDefined()) {
        if (auto e = equation(v.name, get_key(val, "rate"), rate, "the net rate")) v.net_rate = std::move(*e);
    }
    if (YAML::Node f = get(val, "inflows"); f.IsDefined()) v.inflows = names(v.name, get_key(val, "inflows"), f, "inflows");
    if (YAML::Node f = get(val, "outflows"); f.IsDefined())
        v.outflows = names(v.name, get_key(val, "outflows"), f, "outflows");
    bool_field(val, "non_negative", v.name, v.non_negative);
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
    yaml_display::read_variable(r_, val, v);
}

void ModelReader::read_flow_or_aux(Variable& v, const YAML::Node& key, const YAML::Node& val, bool flow) {
    const char* what = flow ? "flow" : "auxiliary";
    sim::Code code = sim::Code::E_MISSING_EQUATION;
    if (val.IsScalar()) {  // short form: `name: equation`
        if (auto e = equation(v.name, key, val, "the equation")) v.equation = std::move(*e);
        else r_.error(code, r_.loc(key), v.name, std::string(what) + " '" + v.name + "' has an empty equation");
        return;
    }
    if (!val.IsMap()) {
        if (val.IsNull())
            r_.error(code, r_.loc(key), v.name,
                     std::string(what) + " '" + v.name + "' has no equation; write 'name: <equation>'");
        else
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), v.name,
                     std::string("a ") + what + " must be an equation or a mapping (equation, units, ...), found " +
                         type_name(val));
        return;
    }
    if (flow)
        r_.check_keys(val, {"equation", "non_negative", "units", "doc", "lookup", "dimensions", "definitions", SIM_YAML_DISPLAY_KEYS}, v.name,
                      "the flow '" + v.name + "'");
    else
        r_.check_keys(val, {"equation", "units", "doc", "lookup", "dimensions", "definitions", SIM_YAML_DISPLAY_KEYS}, v.name,
                      "the auxiliary '" + v.name + "'");
    const bool defined = read_array(v, val);
    YAML::Node eq = get(val, "equation");
    if (eq.IsDefined()) {
        if (auto e = equation(v.name, get_key(val, "equation"), eq, "the equation")) v.equation = std::move(*e);
        else if (eq.IsNull() || eq.IsScalar())
            r_.error(code, r_.loc(get_key(val, "equation")), v.name,
                     std::string(what) + " '" + v.name + "' has an empty equation");
    } else if (!defined) {
        r_.error(code, r_.loc(key), v.name,
                 std::string(what) + " '" + v.name + "' has no equation; add 'equation: <expression>'");
    }
    if (YAML::Node g = get(val, "lookup"); g.IsDefined()) v.gf = read_gf(v.name, get_key(val, "lookup"), g, GfKeys::embedded);
    if (flow) bool_field(val, "non_negative", v.name, v.non_negative);
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
    yaml_display::read_variable(r_, val, v);
}

void ModelReader::read_constant(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    // A constant is a number, or (quoted, or under `equation:`) a constant
    // expression; an unquoted non-number is a typo far more often than an
    // intended expression, so it is an error with a hint.
    auto value = [&](const YAML::Node& n, const YAML::Node& k) {
        if (n.IsScalar() && (!is_plain(n) || text::parse_number(n.Scalar()))) {
            if (auto e = equation(v.name, k, n, "the value")) v.equation = std::move(*e);
            else r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), v.name, "constant '" + v.name + "' has an empty value");
            return;
        }
        if (n.IsScalar() && text::parse_number(n.Scalar()).status == text::NumberStatus::out_of_range)
            r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), v.name,
                     "constant '" + v.name + "' has value '" + n.Scalar() + "', which " +
                         text::describe(text::NumberStatus::out_of_range) + " for a double");
        else if (n.IsScalar())
            r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), v.name,
                     "constant '" + v.name + "' has value '" + n.Scalar() +
                         "', which is not a number; write a number, or quote it (\"...\") for a constant expression");
        else
            r_.error(sim::Code::E_BAD_NUMBER, n.IsNull() ? r_.loc(k) : r_.loc(n), v.name,
                     "constant '" + v.name + "' must be a number, found " + type_name(n));
    };
    if (!val.IsMap()) {
        value(val, key);
        return;
    }
    r_.check_keys(val, {"value", "equation", "units", "doc", "dimensions", "definitions", SIM_YAML_DISPLAY_KEYS}, v.name,
                  "the constant '" + v.name + "'");
    const bool defined = read_array(v, val);
    YAML::Node n = get(val, "value");
    YAML::Node eq = get(val, "equation");
    if (n.IsDefined() && n.IsSequence() && !v.dimensions.empty()) {  // every element's value, as a list or table
        if (auto values = read_values(v.name, n)) {
            ArrayDefinition d;
            d.subscripts = v.dimensions;
            d.values = std::move(*values);
            d.loc = r_.loc(get_key(val, "value"));
            v.definitions.insert(v.definitions.begin(), std::move(d));
        }
    } else if (n.IsDefined() && eq.IsDefined()) {
        r_.error(sim::Code::E_DUPLICATE, r_.loc(get_key(val, "equation")), v.name, "give either 'value' or 'equation', not both");
    } else if (n.IsDefined()) {
        value(n, get_key(val, "value"));
    } else if (eq.IsDefined()) {
        if (auto e = equation(v.name, get_key(val, "equation"), eq, "the equation")) v.equation = std::move(*e);
        else if (eq.IsNull() || eq.IsScalar())
            r_.error(sim::Code::E_BAD_NUMBER, r_.loc(get_key(val, "equation")), v.name, "constant '" + v.name + "' has an empty equation");
    } else if (!defined) {
        r_.error(sim::Code::E_BAD_NUMBER, r_.loc(key), v.name, "constant '" + v.name + "' has no value; add 'value: <number>'");
    }
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
    yaml_display::read_variable(r_, val, v);
}

std::optional<GraphicalFunction> ModelReader::read_gf(const std::string& var, const YAML::Node& key,
                                                      const YAML::Node& val, GfKeys keys) {
    GraphicalFunction gf;
    gf.loc = r_.loc(key);
    std::vector<SourceLoc> at;  // position of each point, for order errors
    bool ok = true;
    auto read_points = [&](const YAML::Node& pts, const YAML::Node& pkey) {
        if (!pts.IsSequence()) {
            if (!pts.IsNull())
                r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(pts), var,
                         std::string("'points' must be a list of [x, y] pairs, found ") + type_name(pts));
            ok = pts.IsNull() && ok;
            (void)pkey;
            return;
        }
        for (const auto& p : pts) {
            if (!p.IsSequence() || p.size() != 2) {
                r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(p), var, "each lookup point must be a pair [x, y]");
                ok = false;
                continue;
            }
            auto x = r_.number(p[0], r_.loc(p), var, "a lookup x value");
            auto y = r_.number(p[1], r_.loc(p), var, "a lookup y value");
            if (!x || !y) { ok = false; continue; }
            gf.x.push_back(*x);
            gf.y.push_back(*y);
            at.push_back(r_.loc(p));
        }
    };
    auto read_column = [&](const YAML::Node& col, const char* name, std::vector<double>& dst) {
        if (!col.IsSequence()) {
            r_.error(sim::Code::E_LOOKUP_FORM, col.IsNull() ? r_.loc(key) : r_.loc(col), var,
                     std::string("'") + name + "' must be a list of numbers, found " + type_name(col));
            ok = false;
            return;
        }
        for (const auto& c : col) {
            auto x = r_.number(c, r_.loc(col), var, std::string("a lookup ") + name + " value");
            if (!x) { ok = false; continue; }
            dst.push_back(*x);
            if (name[0] == 'x') at.push_back(r_.loc(c));
        }
    };

    if (val.IsSequence()) {  // short form: the points themselves
        read_points(val, key);
    } else if (val.IsMap()) {
        if (keys == GfKeys::lookup)
            r_.check_keys(val, {"points", "x", "y", "kind", "units", "doc", "dimensions", "definitions", SIM_YAML_DISPLAY_KEYS}, var,
                          "the lookup '" + var + "'");
        else if (keys == GfKeys::embedded)
            r_.check_keys(val, {"points", "x", "y", "kind"}, var, "the graphical function of '" + var + "'");
        YAML::Node pts = get(val, "points"), xs = get(val, "x"), ys = get(val, "y");
        if (pts.IsDefined() && (xs.IsDefined() || ys.IsDefined())) {
            r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(get_key(val, xs.IsDefined() ? "x" : "y")), var,
                     "give the lookup either as 'points' or as 'x' and 'y', not both");
            ok = false;
        } else if (pts.IsDefined()) {
            read_points(pts, get_key(val, "points"));
        } else if (xs.IsDefined() || ys.IsDefined()) {
            if (!xs.IsDefined() || !ys.IsDefined()) {
                r_.error(sim::Code::E_LOOKUP_SIZE, r_.loc(get_key(val, xs.IsDefined() ? "x" : "y")), var,
                         std::string("the lookup has '") + (xs.IsDefined() ? "x" : "y") + "' but no '" +
                             (xs.IsDefined() ? "y" : "x") + "'; give both, of the same length");
                ok = false;
            } else {
                read_column(xs, "x", gf.x);
                read_column(ys, "y", gf.y);
            }
        }
        if (YAML::Node k = get(val, "kind"); k.IsDefined()) {
            if (auto s = r_.scalar(k, r_.loc(get_key(val, "kind")), var, "'kind'")) {
                const std::string l = canonical_name(*s);
                if (l == "continuous" || l == "interpolate") gf.kind = LookupKind::continuous;
                else if (l == "extrapolate") gf.kind = LookupKind::extrapolate;
                else if (l == "discrete") gf.kind = LookupKind::discrete;
                else {
                    r_.error(sim::Code::E_LOOKUP_KIND, r_.text_loc(k), var,
                             "unknown lookup kind '" + *s + "'; use continuous, extrapolate or discrete" +
                                 did_you_mean(*s, {"continuous", "extrapolate", "discrete"}));
                    ok = false;
                }
            }
        }
    } else {
        r_.error(sim::Code::E_LOOKUP_EMPTY, val.IsNull() ? r_.loc(key) : r_.loc(val), var,
                 "lookup '" + var + "' has no points; give 'points: [[x1, y1], [x2, y2], ...]'");
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
    if (auto p = check_points(gf.x, gf.y)) {
        switch (p->kind) {
            case GfProblem::size_mismatch:
                r_.error(sim::Code::E_LOOKUP_SIZE, r_.loc(get_key(val, "y")), var,
                         "the lookup has " + std::to_string(gf.x.size()) + " x values but " +
                             std::to_string(gf.y.size()) + " y values; they must pair up");
                break;
            case GfProblem::empty:
                r_.error(sim::Code::E_LOOKUP_EMPTY, gf.loc, var,
                         "lookup '" + var + "' has no points; give 'points: [[x1, y1], [x2, y2], ...]'");
                break;
            case GfProblem::not_increasing: {
                const std::size_t i = p->index;
                r_.error(sim::Code::E_LOOKUP_ORDER, i < at.size() ? at[i] : gf.loc, var,
                         "lookup x values must be strictly increasing, but point " + std::to_string(i + 1) +
                             " has x = " + text::number(gf.x[i]) + " after x = " + text::number(gf.x[i - 1]) +
                             "; sort the points and remove repeated x");
                break;
            }
        }
        return std::nullopt;
    }
    return gf;
}

void ModelReader::read_lookup(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    // An arrayed lookup: its points per definition (or shared by every element).
    if (val.IsMap() && read_array(v, val)) {
        if (get(val, "points").IsDefined() || get(val, "x").IsDefined())
            v.gf = read_gf(v.name, key, val, GfKeys::lookup);
        else
            r_.check_keys(val, {"points", "x", "y", "kind", "units", "doc", "dimensions", "definitions"}, v.name,
                          "the lookup '" + v.name + "'");
        text_field(val, "units", v.name, v.units);
        text_field(val, "doc", v.name, v.doc);
        return;
    }
    v.gf = read_gf(v.name, key, val, GfKeys::lookup);
    if (val.IsMap()) {
        text_field(val, "units", v.name, v.units);
        text_field(val, "doc", v.name, v.doc);
        yaml_display::read_variable(r_, val, v);
    }
}

void ModelReader::read_lever(const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (!key.IsScalar() || canonical_name(key.Scalar()).empty()) {
        r_.error(sim::Code::E_BAD_NAME, kl, "", "a lever needs a name: write 'name: {title: ..., ...}'");
        return;
    }
    const std::string& name = key.Scalar();
    if (m_.find_lever(name)) {
        r_.error(sim::Code::E_DUPLICATE, kl, name, "lever '" + name + "' is defined twice; rename or remove one of them");
        return;
    }
    Lever l;
    l.name = name;
    l.loc = kl;
    l.start = m_.specs.start;  // default: active from the start of the run
    if (!val.IsMap()) {
        if (!val.IsNull())
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), name,
                     std::string("a lever must be a mapping (title, start, phase_in, ...), found ") + type_name(val));
        m_.levers.push_back(std::move(l));
        return;
    }
    r_.check_keys(val,
                  {"title", "section", "changes", "description", "doc", "start", "phase_in", "intensity", "on", "cost",
                   "cost_units", "title_zh", "name_zh"},
                  name, "the lever '" + name + "'");
    text_field(val, "title", name, l.title);
    text_field(val, "section", name, l.section);
    text_field(val, "title_zh", name, l.title_zh);
    text_field(val, "name_zh", name, l.name_zh);
    text_field(val, "doc", name, l.description);
    text_field(val, "description", name, l.description);
    text_field(val, "changes", name, l.description);
    text_field(val, "cost_units", name, l.cost_units);
    bool_field(val, "on", name, l.on);
    auto num = [&](const char* k, double& dst) {
        YAML::Node n = get(val, k);
        if (!n.IsDefined()) return;
        if (auto x = r_.number(n, r_.loc(get_key(val, k)), name, std::string("lever ") + k)) dst = *x;
    };
    num("start", l.start);
    num("phase_in", l.phase_in);
    if (YAML::Node n = get(val, "intensity"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "intensity")), name, "lever intensity")) {
            if (*x < 0 || *x > 1)
                r_.error(sim::Code::E_LEVER_INTENSITY, r_.text_loc(n), name,
                         "lever intensity must be between 0 and 1, found " + n.Scalar());
            else
                l.intensity = *x;
        }
    }
    if (l.phase_in < 0)
        r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(get(val, "phase_in")), name,
                 "lever phase_in must be 0 (a step) or a positive duration");
    if (YAML::Node c = get(val, "cost"); c.IsDefined() && !c.IsNull()) {
        if (auto e = equation(name, get_key(val, "cost"), c, "the lever cost")) l.cost = std::move(*e);
    }
    m_.levers.push_back(std::move(l));
}

}  // namespace yaml_detail

using yaml_detail::ModelReader;
using yaml_detail::Reader;
using yaml_detail::parse_document;

ModelSpec parse_yaml(std::string_view bytes, const std::string& filename, Diagnostics& diags,
                     const Limits& limits) {
    ModelSpec m;
    m.file = filename;
    const auto text = decode_text(bytes, filename, TextFormat::yaml, diags);
    if (!text) return m;
    auto root = parse_document(*text, filename, diags, "model", limits);
    if (!root) return m;
    Reader r(filename, *text, diags);
    try {
        ModelReader(r, m).read(*root);
    } catch (const YAML::Exception& e) {  // defensive: every access above is type-checked
        diags.error(sim::Code::E_YAML_SYNTAX, r.at(e.mark), "",
                    std::string("YAML error: ") + e.what());
    }
    check_model_size(m, limits, diags);
    return m;
}

}  // namespace sim
