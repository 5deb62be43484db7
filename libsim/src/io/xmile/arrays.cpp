// XMILE reader: arrayed variables. A variable's <dimensions>, its
// per-element <element subscript="a,b"> definitions (with their own <eqn>
// and <gf>), and two forms Vensim exports (xmutil) write: several bare
// <eqn> under one variable (one per element, in element order) and a
// list of numbers as the equation (`1, 2, 3`). The compiler checks that
// subscripts name elements and that each element is defined exactly once.
#include <algorithm>
#include <cctype>

#include "io/xmile/loader.hpp"
#include "util/text.hpp"

namespace sim::xmile {

namespace {

// "1, 2, 3" or "1, 2; 3, 4" (signs allowed): a list of numbers, or nullopt.
std::optional<std::vector<double>> number_list(std::string_view t) {
    std::vector<double> out;
    std::size_t pos = 0, commas = 0;
    while (pos <= t.size()) {
        std::size_t end = t.find_first_of(",;", pos);
        if (end == std::string_view::npos) end = t.size();
        std::string_view item = text::trim(t.substr(pos, end - pos));
        if (!item.empty()) {
            auto p = text::parse_number(item);
            if (!p) {
                // "- 2" with a space after the sign
                if (item.size() > 1 && item[0] == '-') {
                    auto q = text::parse_number(text::trim(item.substr(1)));
                    if (!q) return std::nullopt;
                    out.push_back(-q.value);
                } else {
                    return std::nullopt;
                }
            } else {
                out.push_back(p.value);
            }
        } else if (end < t.size() && t[end] == ',') {
            return std::nullopt;  // an empty item between commas
        }
        if (end < t.size() && t[end] == ',') ++commas;
        pos = end + 1;
    }
    if (out.size() < 2 || commas == 0) return std::nullopt;
    return out;
}

std::vector<std::string> split_subscripts(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t comma = s.find(',', pos);
        out.emplace_back(text::trim(s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::string>> Loader::read_var_dims(pugi::xml_node dims, const std::string& var) {
    // Vensim exports nest a second <dimensions> and list every <dim> twice.
    if (!child(dims, "dim"))
        if (auto inner = child(dims, "dimensions")) {
            warning(sim::Code::W_XMILE_RECOVERED, inner, var,
                    "<dimensions> nested in <dimensions> (a Vensim export): reading the inner list");
            dims = inner;
        }
    std::vector<std::string> names;
    std::vector<pugi::xml_node> nodes;
    for (auto d : dims.children()) {
        if (d.type() != pugi::node_element || tag(d) != "dim") continue;
        names.push_back(unescape_name(d.attribute("name").as_string()));
        nodes.push_back(d);
        if (trimmed(names.back()).empty()) {
            error(sim::Code::E_XMILE_ARRAY, d, var, "<dim> has no name attribute: name a dimension of <dimensions>");
            return std::nullopt;
        }
        if (!dims_.count(canonical_name(names.back()))) {
            error(sim::Code::E_XMILE_ARRAY, d, var,
                  "unknown dimension '" + names.back() + "': declare it in the top-level <dimensions>");
            return std::nullopt;
        }
    }
    if (names.empty()) {
        error(sim::Code::E_XMILE_ARRAY, dims, var, "<dimensions> lists no <dim>");
        return std::nullopt;
    }
    auto same = [](const std::string& a, const std::string& b) { return canonical_name(a) == canonical_name(b); };
    bool doubled = names.size() % 2 == 0;
    for (std::size_t i = 0; doubled && i < names.size(); i += 2) doubled = same(names[i], names[i + 1]);
    if (doubled) {
        warning(sim::Code::W_XMILE_RECOVERED, nodes[1], var,
                "every <dim> is listed twice in a row (a Vensim export): reading each once");
        std::vector<std::string> once;
        for (std::size_t i = 0; i < names.size(); i += 2) once.push_back(names[i]);
        names = std::move(once);
    }
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (same(names[i], names[j])) {
                error(sim::Code::E_XMILE_ARRAY, dims, var,
                      "dimension '" + names[i] + "' is listed twice: a variable is over each dimension once");
                return std::nullopt;
            }
    return names;
}

bool Loader::read_elements(pugi::xml_node v, Variable& var, const Scope& scope) {
    const std::string& display = var.name;
    std::vector<const Dim*> dims;
    std::size_t count = 1;
    for (const auto& d : var.dimensions) {
        dims.push_back(&dims_.at(canonical_name(d)));
        count *= dims.back()->elems.size();  // each <= 100,000 and at most a few: no overflow in practice
        if (count > max_variable_elements) {
            error(sim::Code::E_ARRAY_SIZE, v, display,
                  "'" + display + "' has more than " + std::to_string(max_variable_elements) + " elements (the limit)");
            return false;
        }
    }
    std::vector<pugi::xml_node> eqns, elements;
    for (auto c : v.children()) {
        if (c.type() != pugi::node_element) continue;
        if (tag(c) == "eqn") eqns.push_back(c);
        if (tag(c) == "element") elements.push_back(c);
    }
    bool all_numbers = true;
    auto set_equation = [&](ArrayDefinition& d, pugi::xml_node eqn) {
        d.equation = scoped_eqn(eqn, scope, display, true);
        if (!number(d.equation.text)) all_numbers = false;
    };
    for (auto e : elements) {
        ArrayDefinition d;
        d.loc = loc(e);
        d.subscripts = split_subscripts(unescape_name(e.attribute("subscript").as_string()));
        if (d.subscripts.size() != dims.size()) {
            error(sim::Code::E_XMILE_ARRAY, e, display,
                  "element subscript '" + std::string(e.attribute("subscript").as_string()) + "' has " +
                      std::to_string(d.subscripts.size()) + " parts, but '" + display + "' has " +
                      std::to_string(dims.size()) + " dimensions");
            return false;
        }
        const pugi::xml_node eqn = child(e, "eqn");
        const pugi::xml_node gf = child(e, "gf");
        if (!eqn && !gf && !var.gf) {
            error(sim::Code::E_XMILE_EQN, e, display, "<element subscript=\"" + std::string(e.attribute("subscript").as_string()) +
                                                           "\"> has no <eqn>: give its equation");
            return false;
        }
        if (eqn) set_equation(d, eqn);
        if (gf) {
            if (var.kind == VarKind::stock) error(sim::Code::E_XMILE_GF, gf, display, "a stock cannot have a graphical function");
            else d.gf = read_gf(gf, display);
        }
        var.definitions.push_back(std::move(d));
    }
    if (eqns.size() > 1) {
        // Vensim exports: one bare <eqn> per element, the last dimension varying fastest.
        if (!elements.empty() || eqns.size() != count) {
            error(sim::Code::E_XMILE_ARRAY, eqns[1], display,
                  "'" + display + "' has " + std::to_string(eqns.size()) + " <eqn> elements" +
                      (elements.empty() ? " for its " + std::to_string(count) + " elements"
                                        : std::string(" besides <element> definitions")) +
                      ": give one apply-to-all <eqn>, or one <element subscript=\"...\"> per element");
            return false;
        }
        std::vector<std::size_t> idx(dims.size(), 0);
        for (pugi::xml_node eqn : eqns) {
            ArrayDefinition d;
            d.loc = loc(eqn);
            for (std::size_t k = 0; k < dims.size(); ++k) d.subscripts.push_back(dims[k]->elems[idx[k]]);
            set_equation(d, eqn);
            var.definitions.push_back(std::move(d));
            for (std::size_t k = dims.size(); k-- > 0;) {
                if (++idx[k] < dims[k]->elems.size()) break;
                idx[k] = 0;
            }
        }
    } else if (eqns.size() == 1) {
        ArrayDefinition rest;
        rest.loc = loc(eqns[0]);
        rest.subscripts = var.dimensions;
        for (const auto& d : var.definitions) rest.except.push_back(d.subscripts);
        const std::string raw = text_of(eqns[0]);
        if (auto values = number_list(raw); values && var.definitions.empty()) {
            // A Vensim constant list (`1, 2, 3`), as xmutil writes it.
            rest.values = std::move(*values);
            var.definitions.push_back(std::move(rest));
        } else if (var.definitions.empty()) {
            var.equation = scoped_eqn(eqns[0], scope, display, true);  // apply-to-all
            if (!number(var.equation.text)) all_numbers = false;
        } else {
            set_equation(rest, eqns[0]);  // the elements no <element> defines
            var.definitions.push_back(std::move(rest));
        }
    } else if (elements.empty() && !var.gf) {
        error(sim::Code::E_XMILE_EQN, v, display, "variable '" + display + "' has no <eqn>: give its equation");
        return false;
    }
    if (var.kind == VarKind::aux && !var.gf && all_numbers &&
        std::none_of(var.definitions.begin(), var.definitions.end(), [](const auto& d) { return d.gf.has_value(); }))
        var.kind = VarKind::constant;
    return true;
}

}  // namespace sim::xmile
