// Display metadata of a YAML model: see display.hpp.
#include "io/yaml/display.hpp"

#include "util/text.hpp"

#include <cmath>

namespace sim::yaml_display {

using namespace sim::yaml_detail;

namespace {

void text(const Reader& r, const YAML::Node& map, const char* key, const std::string& var, std::string& dst) {
    YAML::Node n = get(map, key);
    if (!n.IsDefined() || n.IsNull()) return;
    if (auto s = r.scalar(n, r.loc(get_key(map, key)), var, std::string("'") + key + "'")) dst = *s;
}

}  // namespace

void read_variable(const Reader& r, const YAML::Node& map, Variable& v) {
    Display& d = v.display;
    text(r, map, "title", v.name, d.title);
    text(r, map, "title_zh", v.name, d.title_zh);
    if (YAML::Node b = get(map, "better"); b.IsDefined()) {
        if (auto s = r.scalar(b, r.loc(get_key(map, "better")), v.name, "'better'")) {
            if (*s == "higher") d.lower_is_better = false;
            else if (*s == "lower") d.lower_is_better = true;
            else
                r.error(sim::Code::E_BAD_VALUE, r.text_loc(b), v.name,
                        "'better' must be 'higher' or 'lower', found '" + *s + "'");
        }
    }
    if (YAML::Node b = get(map, "money"); b.IsDefined()) {
        if (auto x = r.boolean(b, r.loc(get_key(map, "money")), v.name, "'money'")) d.money = *x;
    }
    YAML::Node disp = get(map, "display");
    if (!disp.IsDefined() || disp.IsNull()) return;
    if (!r.check_keys(disp, {"scale", "units", "units_zh"}, v.name, "the display of '" + v.name + "'")) return;
    text(r, disp, "units", v.name, d.units);
    text(r, disp, "units_zh", v.name, d.units_zh);
    if (YAML::Node s = get(disp, "scale"); s.IsDefined()) {
        if (auto x = r.number(s, r.loc(get_key(disp, "scale")), v.name, "display scale")) {
            if (!(*x > 0))
                r.error(sim::Code::E_BAD_VALUE, r.text_loc(s), v.name,
                        "the display scale must be a positive number (displayed value = value * scale), found " +
                            s.Scalar());
            else
                d.scale = *x;
        }
    }
}

void read_deflator(const Reader& r, const YAML::Node& root, ModelSpec& m) {
    YAML::Node n = get(root, "deflator");
    if (!n.IsDefined() || n.IsNull()) return;
    const SourceLoc kl = r.loc(get_key(root, "deflator"));
    SourceLoc year_loc = kl;
    // yaml-cpp's Node::operator= writes through to the node referred to:
    // rebind with reset(), never assign.
    YAML::Node var, var_key;
    var.reset(n);
    var_key.reset(get_key(root, "deflator"));
    if (n.IsMap()) {
        if (!r.check_keys(n, {"variable", "year"}, "", "the deflator")) return;
        var.reset(get(n, "variable"));
        var_key.reset(get_key(n, "variable"));
        if (!var.IsDefined()) {
            r.error(sim::Code::E_YAML_TYPE, kl, "", "the deflator needs 'variable: <price index variable>'");
            return;
        }
        if (YAML::Node y = get(n, "year"); y.IsDefined()) {
            year_loc = r.text_loc(y);
            if (auto x = r.number(y, r.loc(get_key(n, "year")), "", "deflator year")) m.deflator.year = *x;
        }
    }
    auto name = r.scalar(var, r.loc(var_key), "", "the deflator's variable");
    if (!name) return;
    m.deflator.loc = r.text_loc(var);
    const Variable* v = m.find(*name);
    if (!v) {
        std::vector<std::string> names;
        for (const auto& x : m.variables) names.push_back(x.name);
        r.error(sim::Code::E_UNKNOWN_NAME, m.deflator.loc, *name,
                "the deflator names '" + *name + "', which the model does not have" + did_you_mean(*name, names));
        return;
    }
    m.deflator.variable = v->name;
    if (m.deflator.year && !(*m.deflator.year >= m.specs.start && *m.deflator.year <= m.specs.stop))
        r.error(sim::Code::E_BAD_VALUE, year_loc, m.deflator.variable,
                "the deflator's year " + text::number(*m.deflator.year) + " is outside the run [" +
                    text::number(m.specs.start) + ", " + text::number(m.specs.stop) + "]");
}

}  // namespace sim::yaml_display
