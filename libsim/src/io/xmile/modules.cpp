// XMILE reader: one model instance (the root model or a module): its
// names, its variables and the modules it contains. See loader.hpp.
#include <algorithm>

#include "io/xmile/loader.hpp"
#include "util/text.hpp"

namespace sim::xmile {

// The names of one model instance: its variables, its modules, and the
// names stocks list as flows.
Scope Loader::collect_scope(pugi::xml_node vars, const std::string& prefix, const std::string& display_prefix) {
    Scope scope;
    scope.prefix = prefix;
    scope.display_prefix = display_prefix;
    for (auto v : vars.children()) {
        if (v.type() != pugi::node_element) continue;
        std::string_view t = tag(v);
        std::string c = canonical_name(unescape_name(v.attribute("name").as_string()));
        if (t == "stock")
            for (auto f : v.children())
                if (f.type() == pugi::node_element && (tag(f) == "inflow" || tag(f) == "outflow"))
                    scope.stock_flows.insert(canonical_name(ref_name(text_of(f))));
        if (t == "stock" || t == "flow" || t == "aux" || t == "gf") {
            scope.locals.insert(c);
        } else if (t == "module") {
            scope.modules.insert(c);
        }
    }
    return scope;
}

// Emits the variables of one model instance, then those of the modules it
// contains (depth first), with their names prefixed by the instance path.
void Loader::load_instance(pugi::xml_node model, const std::string& prefix, const std::string& display_prefix,
                           Behavior beh, const Inputs& inputs) {
    if (auto b = child(model, "behavior")) beh = read_behavior(b, beh);
    // Pre-1.0 Stella files (version 10) put the variables directly in <model>.
    auto vars = child(model, "variables");
    if (!vars) vars = model;
    const Scope scope = collect_scope(vars, prefix, display_prefix);
    load_variables(vars, scope, beh, inputs, {});
}

void Loader::load_variables(pugi::xml_node vars, const Scope& scope, Behavior beh, const Inputs& inputs,
                            const std::set<std::string>& skip) {
    const std::string& prefix = scope.prefix;
    const std::string& display_prefix = scope.display_prefix;
    for (auto v : vars.children()) {
        if (v.type() != pugi::node_element || tag(v).empty()) continue;  // vendor elements (isee:dependencies, ...)
        std::string_view t = tag(v);
        if (!skip.empty() && skip.count(canonical_name(unescape_name(v.attribute("name").as_string())))) continue;
        if (t == "stock" || t == "flow" || t == "aux") {
            read_variable(v, scope, beh, inputs);
        } else if (t == "gf") {
            std::string name = unescape_name(v.attribute("name").as_string());
            if (trimmed(name).empty()) {
                error(sim::Code::E_XMILE_NAME, v, "", "<gf> directly in <variables> needs a name attribute to be callable");
                continue;
            }
            Variable var;
            var.kind = VarKind::lookup;
            var.name = display_prefix + name;
            var.loc = loc(v);
            var.units = trimmed(text_of(child(v, "units")));
            var.doc = trimmed(text_of(child(v, "doc")));
            if (auto dims = child(v, "dimensions")) {
                // An arrayed graphical function: one per <element>, or one shared.
                auto names = read_var_dims(dims, var.name);
                if (!names) continue;
                var.dimensions = std::move(*names);
                if (child(v, "ypts")) var.gf = read_gf(v, var.name);
                if (!read_elements(v, var, scope)) continue;
                add_variable(std::move(var), v);
                continue;
            }
            var.gf = read_gf(v, var.name);
            if (var.gf) add_variable(std::move(var), v);
        } else if (t == "module") {
            instantiate_module(v, prefix, display_prefix, beh);
        } else if (t == "group" || t == "display" || t == "views" || t == "variables" || t == "behavior" ||
                   t == "sim_specs" || t == "name" || t == "interface") {
            continue;  // diagram and grouping (or, for a legacy <model>, read elsewhere)
        } else {
            error(sim::Code::E_XMILE_UNSUPPORTED, v, v.attribute("name").as_string(),
                  "<" + std::string(v.name()) + "> in <" + vars.name() + "> is not supported");
        }
    }
}

// A <module>: its <connect>ed inputs checked, then its model loaded as an
// instance named by the module (recursion bounded by Limits::depth, --max-depth).
void Loader::instantiate_module(pugi::xml_node v, const std::string& prefix, const std::string& display_prefix,
                                Behavior beh) {
    std::string name = unescape_name(v.attribute("name").as_string());
    std::string c = canonical_name(name);
    if (v.attribute("resource")) {
        error(sim::Code::E_XMILE_UNSUPPORTED, v, name, "modules from another file (resource=...) are not supported");
        return;
    }
    auto m = models_.find(c);
    if (m == models_.end()) {
        error(sim::Code::E_XMILE_MODULE, v, display_prefix + name,
              "module '" + name + "' has no <model name=\"" + name + "\"> in this file");
        return;
    }
    if (over_limit_) return;
    if (auto self = std::find(module_stack_.begin(), module_stack_.end(), c); self != module_stack_.end()) {
        std::string chain;
        for (auto it = self; it != module_stack_.end(); ++it) chain += *it + " -> ";
        error(sim::Code::E_XMILE_MODULE, v, display_prefix + name,
              "module '" + name + "' contains itself (" + chain + c + "): a model cannot be its own module");
        return;
    }
    if (module_stack_.size() >= limits_.depth) {
        error(sim::Code::E_LIMIT, v, display_prefix + name,
              "modules are nested more than " + std::to_string(limits_.depth) + " deep here" +
                  limit_hint(limits_.depth, "--max-depth"));
        over_limit_ = true;
        return;
    }
    if (++module_instances_ + macro_instances_ > limits_.module_instances) {
        error(sim::Code::E_LIMIT, v, display_prefix + name,
              "the model has more than " + std::to_string(limits_.module_instances) +
                  " module instances (each <module> is instantiated once per instance of the model holding it)" +
                  limit_hint(limits_.module_instances, "--max-modules"));
        over_limit_ = true;
        return;
    }
    Inputs sub_inputs;
    for (auto cn : v.children()) {
        if (cn.type() != pugi::node_element || tag(cn).empty()) continue;
        if (tag(cn) == "display") continue;  // diagram position (legacy files)
        if (tag(cn) != "connect") {
            warning(sim::Code::W_XMILE_IGNORED, cn, display_prefix + name, "<" + std::string(cn.name()) + "> in <module> is ignored");
            continue;
        }
        std::string to = ref_name(cn.attribute("to").as_string());
        std::string from = ref_name(cn.attribute("from").as_string());
        // `to` names a variable of the module (optionally as module.var);
        // `from` a variable of this model (".var" or "var") or of a sibling module ("other.var").
        std::string toc = canonical_name(to);
        if (toc.rfind(c + ".", 0) == 0) toc = toc.substr(c.size() + 1);
        if (!from.empty() && from[0] == '.') from = from.substr(1);
        if (toc.empty() || from.empty()) {
            error(sim::Code::E_XMILE_MODULE, cn, display_prefix + name, "<connect> needs both to=\"...\" and from=\"...\"");
            continue;
        }
        sub_inputs[toc] = {prefix + canonical_name(from), cn};
    }
    // Every connected input must exist in the module's model.
    std::set<std::string> names;
    auto mv = child(m->second, "variables");
    if (!mv) mv = m->second;  // legacy: variables directly in <model>
    for (auto x : mv.children())
        if (x.type() == pugi::node_element) names.insert(canonical_name(unescape_name(x.attribute("name").as_string())));
    for (auto& [to, src] : sub_inputs)
        if (!names.count(to))
            error(sim::Code::E_XMILE_MODULE, src.second, display_prefix + name,
                  "<connect to=\"" + std::string(src.second.attribute("to").as_string()) + "\">: model '" + name +
                      "' has no such variable");
    module_stack_.push_back(c);
    load_instance(m->second, prefix + c + ".", display_prefix + name + ".", beh, sub_inputs);
    module_stack_.pop_back();
}

}  // namespace sim::xmile
