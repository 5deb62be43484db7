// XMILE reader: <sim_specs>, <dimensions> and <behavior>. See loader.hpp.
#include "io/xmile/loader.hpp"
#include "sim/model.hpp"
#include "util/text.hpp"

namespace sim::xmile {

std::optional<double> Loader::spec_number(pugi::xml_node n, const char* what) {
    auto v = number(text_of(n));
    if (!v) error(sim::Code::E_XMILE_SPECS, n, "", std::string("<") + what + "> must be a number, got '" + trimmed(text_of(n)) + "'");
    return v;
}

void Loader::read_specs(pugi::xml_node s) {
    SimSpecs& sp = spec_.specs;
    sp.loc = loc(s);
    sp.time_units = s.attribute("time_units").as_string();
    if (auto n = child(s, "start")) {
        if (auto v = spec_number(n, "start")) sp.start = *v;
    } else {
        error(sim::Code::E_XMILE_SPECS, s, "", "<sim_specs> has no <start>: add <start>0</start>");
    }
    if (auto n = child(s, "stop")) {
        if (auto v = spec_number(n, "stop")) sp.stop = *v;
    } else {
        error(sim::Code::E_XMILE_SPECS, s, "", "<sim_specs> has no <stop>: add the final time, e.g. <stop>100</stop>");
    }
    if (auto n = child(s, "dt")) {
        if (auto v = spec_number(n, "dt")) {
            if (n.attribute("reciprocal").as_bool()) {
                if (*v == 0)
                    error(sim::Code::E_XMILE_SPECS, n, "", "<dt reciprocal=\"true\"> must not be 0 (dt = 1/value)");
                else
                    sp.dt = 1.0 / *v;
            } else {
                sp.dt = *v;
            }
        }
    }  // XMILE default dt is 1, as SimSpecs'
    for (const char* a : {"isee:save_interval", "save_step", "save_interval"}) {
        if (auto at = s.attribute(a)) {
            if (auto v = number(at.value()))
                sp.save_step = *v;
            else
                error(sim::Code::E_XMILE_SPECS, s, "", std::string("attribute ") + a + " must be a number, got '" + at.value() + "'");
        }
    }
    if (auto n = child(s, "save_step")) {
        if (auto v = spec_number(n, "save_step")) sp.save_step = *v;
    }
    if (auto m = s.attribute("method")) {
        std::string name = text::lower(trimmed(m.value()));
        if (name == "gear") {
            sp.method = Method::rk45;
            warning(sim::Code::W_XMILE_METHOD, s, "",
                    "integration method 'Gear' is not available; using the adaptive RK45 method instead");
        } else if (auto pm = parse_method(name)) {
            sp.method = *pm;
        } else {
            error(sim::Code::E_XMILE_SPECS, s, "",
                  "unknown integration method '" + std::string(m.value()) + "': use Euler, RK2, RK4 or RK45");
        }
    }
}

void Loader::read_dimensions(pugi::xml_node dims) {
    for (auto d : dims.children()) {
        if (d.type() != pugi::node_element || tag(d).empty()) continue;
        if (tag(d) != "dim") {
            warning(sim::Code::W_XMILE_IGNORED, d, "", "<" + std::string(d.name()) + "> inside <dimensions> is ignored");
            continue;
        }
        Dim dim;
        dim.name = unescape_name(d.attribute("name").as_string());
        for (auto e : d.children())
            if (e.type() == pugi::node_element && tag(e) == "elem")
                dim.elems.push_back(unescape_name(e.attribute("name").as_string()));
        if (dim.elems.empty()) {
            const int size = d.attribute("size").as_int(0);
            if (size > static_cast<int>(max_dimension_elements)) {
                error(sim::Code::E_ARRAY_SIZE, d, "",
                      "dimension '" + dim.name + "' has size " + std::to_string(size) + ", more than the limit of " +
                          std::to_string(max_dimension_elements) + " elements");
                continue;
            }
            for (int i = 1; i <= size; ++i) dim.elems.push_back(std::to_string(i));
        }
        if (dim.name.empty() || dim.elems.empty()) {
            error(sim::Code::E_XMILE_ARRAY, d, "",
                  "a <dim> needs a name and either <elem name=...> children or a size attribute");
            continue;
        }
        if (!dims_.emplace(canonical_name(dim.name), dim).second) {
            error(sim::Code::E_XMILE_ARRAY, d, "", "dimension '" + dim.name + "' is declared twice");
            continue;
        }
        Dimension spec;
        spec.name = dim.name;
        spec.elements = dim.elems;
        spec.loc = loc(d);
        spec_.dimensions.push_back(std::move(spec));
    }
}

std::optional<bool> Loader::read_bool(pugi::xml_node n, const std::string& var) {
    std::string t = text::lower(trimmed(text_of(n)));
    if (t.empty() || t == "true" || t == "1") return true;
    if (t == "false" || t == "0") return false;
    error(sim::Code::E_XMILE_VALUE, n, var, "<" + std::string(n.name()) + "> must be empty, true or false, got '" + t + "'");
    return std::nullopt;
}

// <behavior><non_negative/></behavior> applies to stocks and flows;
// <behavior><stock><non_negative/></stock></behavior> to one kind.
Behavior Loader::read_behavior(pugi::xml_node b, Behavior base) {
    for (auto c : b.children()) {
        if (c.type() != pugi::node_element || tag(c).empty()) continue;
        std::string_view t = tag(c);
        if (t == "non_negative") {
            if (auto v = read_bool(c, "")) base.stock_non_negative = base.flow_non_negative = *v;
        } else if (t == "stock" || t == "flow") {
            for (auto g : c.children()) {
                if (g.type() != pugi::node_element || tag(g).empty()) continue;
                if (tag(g) == "non_negative") {
                    if (auto v = read_bool(g, ""))
                        (t == "stock" ? base.stock_non_negative : base.flow_non_negative) = *v;
                } else {
                    warning(sim::Code::W_XMILE_IGNORED, g, "", "<" + std::string(g.name()) + "> in <behavior> is ignored");
                }
            }
        } else {
            warning(sim::Code::W_XMILE_IGNORED, c, "", "<" + std::string(c.name()) + "> in <behavior> is ignored");
        }
    }
    return base;
}

}  // namespace sim::xmile
