// Scenario loader (format: docs/scenario-format.md): a model plus lever
// settings, constant overrides, simulation specs, saved variables and the
// indicators to report; `extends:` builds a scenario on another.
//
// Overrides are applied to the loaded ModelSpec itself (a `set` replaces the
// constant's equation, with its position in the scenario file), so the
// scenario's model compiles and runs like any model and errors point into
// the scenario. An `extends` chain is applied layer by layer, from the root
// to the file given, each with its own positions; checks that depend on the
// final run (lever starts, report times) are made once, after the last layer.
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "sim/load.hpp"
#include "sim/scenario.hpp"
#include "yaml_support.hpp"

namespace sim {
namespace {

using namespace yaml_detail;
namespace fs = std::filesystem;

// Suffixes of the constants a lever L generates (see sim::Lever).
constexpr const char* lever_suffixes[] = {"_on", "_intensity", "_start", "_phase_in"};

std::string fmt(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

class ScenarioReader {
public:
    ScenarioReader(const Reader& r, Scenario& sc, bool have_model) : r_(r), sc_(sc), have_model_(have_model) {}

    void read_sim(const YAML::Node& root);
    void read_levers(const YAML::Node& node, const SourceLoc& key_loc);
    void read_set(const YAML::Node& node, const SourceLoc& key_loc);
    void read_save(const YAML::Node& node, const SourceLoc& key_loc);

private:
    void read_lever(Lever& l, const YAML::Node& key, const YAML::Node& val);
    void check_start(const Lever& l, const SourceLoc& at);
    void check_intensity(double x, const Lever& l, const SourceLoc& at, const std::string& text);
    // `L_on`, `L_intensity`, ... : set the lever's field; true if `name` was one.
    bool set_lever_field(const std::string& name, const YAML::Node& val, const SourceLoc& key_loc);
    std::vector<std::string> lever_names() const;

    const Reader& r_;
    Scenario& sc_;
    bool have_model_;
};

void ScenarioReader::read_sim(const YAML::Node& root) {
    YAML::Node s = get(root, "sim");
    if (!s.IsDefined()) return;
    SpecLocs locs;
    SimSpecs& specs = sc_.model.specs;
    specs.loc = r_.loc(get_key(root, "sim"));
    read_sim_specs(r_, s, specs, locs);
    check_specs(r_, specs, locs);
}

std::vector<std::string> ScenarioReader::lever_names() const {
    std::vector<std::string> out;
    for (const auto& l : sc_.model.levers) out.push_back(l.name);
    return out;
}

void ScenarioReader::check_start(const Lever& l, const SourceLoc& at) {
    const SimSpecs& s = sc_.model.specs;
    if (l.start < s.start || l.start > s.stop)
        r_.error("E-LEVER-START", at, l.name,
                 "lever '" + l.name + "' starts at " + fmt(l.start) + ", outside the run (" + fmt(s.start) + " to " +
                     fmt(s.stop) + "); choose a start within the run");
}

void ScenarioReader::check_intensity(double x, const Lever& l, const SourceLoc& at, const std::string& text) {
    if (x < 0 || x > 1)
        r_.error("E-LEVER-INTENSITY", at, l.name, "lever intensity must be between 0 and 1, found " + text);
}

void ScenarioReader::read_levers(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error("E-YAML-TYPE", key_loc, "",
                 "'levers' must be a mapping of lever names to on/off or {on:, intensity:, start:, phase_in:}");
        return;
    }
    r_.check_keys(node, {}, "", "'levers'");  // duplicates; unknown levers are checked below
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;  // reported by check_keys
        const std::string name = it->first.Scalar();
        if (!have_model_) continue;
        Lever* l = sc_.model.find_lever(name);
        if (!l) {
            std::string hint = did_you_mean(name, lever_names());
            if (hint.empty())
                hint = sc_.model.levers.empty() ? " (the model declares no levers)" : " (see the model's 'levers:')";
            r_.error("E-UNKNOWN-LEVER", r_.loc(it->first), name, "the model has no lever '" + name + "'" + hint);
            continue;
        }
        read_lever(*l, it->first, it->second);
    }
}

void ScenarioReader::read_lever(Lever& l, const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (val.IsScalar()) {  // `land: on`
        if (auto b = r_.boolean(val, kl, l.name, "a lever setting")) l.on = *b;
        if (l.on) check_start(l, kl);
        return;
    }
    if (!val.IsMap()) {
        r_.error("E-YAML-TYPE", val.IsNull() ? kl : r_.loc(val), l.name,
                 "a lever setting is on, off or {on: true, intensity: 0.5, start: ..., phase_in: ...}");
        return;
    }
    r_.check_keys(val, {"on", "intensity", "start", "phase_in"}, l.name, "the lever setting '" + l.name + "'");
    // A mapping without `on:` turns the lever on: giving its settings means using it.
    l.on = true;
    if (YAML::Node n = get(val, "on"); n.IsDefined())
        if (auto b = r_.boolean(n, r_.loc(get_key(val, "on")), l.name, "'on'")) l.on = *b;
    if (YAML::Node n = get(val, "intensity"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "intensity")), l.name, "lever intensity")) {
            check_intensity(*x, l, r_.text_loc(n), n.Scalar());
            if (*x >= 0 && *x <= 1) l.intensity = *x;
        }
    }
    if (YAML::Node n = get(val, "phase_in"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "phase_in")), l.name, "lever phase_in")) {
            if (*x < 0)
                r_.error("E-BAD-NUMBER", r_.text_loc(n), l.name, "lever phase_in must be 0 (a step) or a positive duration");
            else
                l.phase_in = *x;
        }
    }
    if (YAML::Node n = get(val, "start"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "start")), l.name, "lever start")) {
            l.start = *x;
            check_start(l, r_.text_loc(n));
        }
    } else if (l.on) {
        check_start(l, kl);
    }
}

bool ScenarioReader::set_lever_field(const std::string& name, const YAML::Node& val, const SourceLoc& key_loc) {
    const std::string c = canonical_name(name);
    for (auto& l : sc_.model.levers) {
        const std::string lc = canonical_name(l.name);
        for (const char* suf : lever_suffixes) {
            if (c != lc + suf) continue;
            const std::string what = "'" + name + "'";
            if (std::string_view(suf) == "_on") {
                // Accept 0/1 as well as true/false.
                if (val.IsScalar() && (val.Scalar() == "0" || val.Scalar() == "1")) l.on = val.Scalar() == "1";
                else if (auto b = r_.boolean(val, key_loc, name, what)) l.on = *b;
            } else if (auto x = r_.number(val, key_loc, name, what)) {
                const SourceLoc at = r_.text_loc(val);
                if (std::string_view(suf) == "_intensity") {
                    check_intensity(*x, l, at, val.Scalar());
                    if (*x >= 0 && *x <= 1) l.intensity = *x;
                } else if (std::string_view(suf) == "_start") {
                    l.start = *x;
                    check_start(l, at);
                } else {
                    l.phase_in = *x;
                }
            }
            return true;
        }
    }
    return false;
}

void ScenarioReader::read_set(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error("E-YAML-TYPE", key_loc, "", "'set' must be a mapping of constant names to numbers");
        return;
    }
    r_.check_keys(node, {}, "", "'set'");
    std::vector<std::string> constants;
    for (const auto& v : sc_.model.variables)
        if (v.kind == VarKind::constant) constants.push_back(v.name);
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        const SourceLoc kl = r_.loc(it->first);
        const YAML::Node& val = it->second;
        if (!have_model_) continue;
        if (set_lever_field(name, val, kl)) continue;
        Variable* v = sc_.model.find(name);
        if (!v) {
            std::string hint = did_you_mean(name, constants);
            r_.error("E-UNKNOWN-PARAM", kl, name, "the model has no constant '" + name + "'" + hint);
            continue;
        }
        if (v->kind != VarKind::constant) {
            r_.error("E-NOT-CONSTANT", kl, name,
                     "'" + name + "' is a" + (v->kind == VarKind::aux ? "n " : " ") + to_string(v->kind) +
                         ", not a constant; only constants can be set");
            continue;
        }
        // Same rule as the model's constants: a number, or a quoted expression.
        if (val.IsScalar() && (!is_plain(val) || parse_number(val.Scalar()))) {
            Equation e;
            e.text = val.Scalar();
            e.loc = r_.text_loc(val);
            if (e.empty())
                r_.error("E-BAD-NUMBER", e.loc, name, "the new value of '" + name + "' is empty");
            else
                v->equation = std::move(e);
        } else {
            r_.number(val, kl, name, "the new value of '" + name + "'");  // reports E-BAD-NUMBER
        }
    }
}

void ScenarioReader::read_save(const YAML::Node& node, const SourceLoc& key_loc) {
    std::vector<YAML::Node> items;
    if (node.IsNull()) return;
    if (node.IsScalar()) items.push_back(node);
    else if (node.IsSequence())
        for (const auto& n : node) items.push_back(n);
    else {
        r_.error("E-YAML-TYPE", key_loc, "", "'save' must be a list of variable names");
        return;
    }
    std::vector<std::string> known;
    for (const auto& v : sc_.model.variables)
        if (v.kind != VarKind::lookup) known.push_back(v.name);
    for (const auto& l : sc_.model.levers) {
        for (const char* suf : lever_suffixes) known.push_back(l.name + suf);
        known.push_back(l.name + "_lever");
        if (!l.cost.empty()) known.push_back(l.name + "_cost");
    }
    for (const auto& n : items) {
        auto s = r_.scalar(n, key_loc, "", "a saved variable");
        if (!s) continue;
        if (have_model_) {
            const std::string c = canonical_name(*s);
            bool found = false;
            for (const auto& k : known) found = found || canonical_name(k) == c;
            if (!found) {
                r_.error("E-UNKNOWN-NAME", r_.text_loc(n), *s,
                         "cannot save '" + *s + "': the model has no such variable" + did_you_mean(*s, known));
                continue;
            }
        }
        sc_.run.save.push_back(*s);
    }
}

}  // namespace

bool is_scenario_file(const std::string& path) {
    std::string text, err;
    if (!read_file(path, text, err)) return false;
    Diagnostics scratch;
    auto root = parse_document(text, path, scratch, "scenario");
    return root && get(*root, "model").IsDefined();
}

Scenario load_scenario(const std::string& path, Diagnostics& diags) {
    Scenario sc;
    sc.file = path;
    sc.name = fs::path(path).stem().string();
    std::string text, err;
    if (!read_file(path, text, err)) {
        diags.error("E-IO", {path, 0, 0}, "", err + "; check the path");
        return sc;
    }
    auto root = parse_document(text, path, diags, "scenario");
    if (!root) return sc;
    Reader r(path, text, diags);
    try {
        r.check_keys(*root, {"name", "doc", "model", "levers", "set", "sim", "save"}, "", "the top level of the scenario");
        if (YAML::Node n = get(*root, "name"); n.IsDefined() && !n.IsNull())
            if (auto s = r.scalar(n, r.loc(get_key(*root, "name")), "", "'name'")) sc.name = *s;

        bool have_model = false;
        YAML::Node m = get(*root, "model");
        if (!m.IsDefined()) {
            r.error("E-MISSING-MODEL", {path, 1, 1}, "", "the scenario names no model; add 'model: <path to model file>'");
        } else if (auto s = r.scalar(m, r.loc(get_key(*root, "model")), "", "'model'")) {
            fs::path p(*s);
            if (p.is_relative()) p = fs::path(path).parent_path() / p;
            sc.model_path = p.lexically_normal().string();
            std::error_code ec;
            if (!fs::is_regular_file(sc.model_path, ec)) {
                r.error("E-MODEL-NOT-FOUND", r.text_loc(m), "",
                        "model file '" + sc.model_path + "' not found; 'model:' is relative to the scenario file");
            } else {
                sc.model = load_model(sc.model_path, diags);
                // Model errors are already reported (in the model file); still
                // check the scenario against what could be read.
                have_model = true;
            }
        }

        ScenarioReader sr(r, sc, have_model);
        sr.read_sim(*root);  // before levers: lever starts are checked against the run
        if (YAML::Node n = get(*root, "levers"); n.IsDefined()) sr.read_levers(n, r.loc(get_key(*root, "levers")));
        if (YAML::Node n = get(*root, "set"); n.IsDefined()) sr.read_set(n, r.loc(get_key(*root, "set")));
        if (YAML::Node n = get(*root, "save"); n.IsDefined()) sr.read_save(n, r.loc(get_key(*root, "save")));
    } catch (const YAML::Exception& e) {  // defensive: accesses above are type-checked
        diags.error("E-YAML-SYNTAX", {path, e.mark.line + 1, e.mark.column + 1}, "", std::string("YAML error: ") + e.what());
    }
    return sc;
}

}  // namespace sim
