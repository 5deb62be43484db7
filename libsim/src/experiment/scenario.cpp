// Scenario loader (format: docs/scenario-format.md): a model plus lever
// settings, constant overrides, simulation specs, saved variables and the
// indicators to report; `extends:` builds a scenario on another.
//
// Overrides are applied to the loaded ModelSpec itself through
// sim::apply_overrides (a `set` replaces the constant's equation tree, with
// its position in the scenario file), so the scenario's model compiles and
// runs like any model and errors point into the scenario. The model file is
// read once: its provenance hash is that of the bytes parsed. An `extends`
// chain is applied layer by layer, from the root to the file given, each
// with its own positions; checks that depend on the final run (lever starts,
// report times) are made once, after the last layer.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "io/yaml/experiment.hpp"
#include "io/yaml/support.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/overrides.hpp"
#include "sim/scenario.hpp"
#include "util/text.hpp"

namespace sim {
namespace {

using namespace yaml_detail;
namespace fs = std::filesystem;

std::string fmt(double x) { return text::number(x); }

// One file of an `extends` chain. Not movable: `r` views `text`.
struct Layer {
    Layer(std::string p, std::string t, std::string h, Diagnostics& d)
        : path(std::move(p)), text(std::move(t)), sha256(std::move(h)), r(path, text, d) {}
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;
    std::string path;
    std::string text;    // decoded (UTF-8)
    std::string sha256;  // of the bytes read
    Reader r;
    YAML::Node root;
};

// Checks that depend on the final run, made after the last layer.
struct Pending {
    // Where each lever's start was last set (`given`) or the lever switched
    // on. A given start is checked even if the lever ends up off; a start
    // taken from the model only if it ends up on. A later switch does not
    // replace a given start's position.
    struct Start {
        SourceLoc at;
        bool given = false;
    };
    std::map<std::string, Start> starts;  // by canonical lever name
    std::vector<SourceLoc> report_at;     // position of each Scenario::report_at value
};

class ScenarioReader {
public:
    ScenarioReader(const Reader& r, Scenario& sc, Pending& p, bool have_model)
        : r_(r), sc_(sc), pending_(p), have_model_(have_model) {}

    void read_sim(const YAML::Node& root);
    void read_levers(const YAML::Node& node, const SourceLoc& key_loc);
    void read_set(const YAML::Node& node, const SourceLoc& key_loc);
    void read_save(const YAML::Node& node, const SourceLoc& key_loc);
    void read_indicators(const YAML::Node& node, const SourceLoc& key_loc);
    void read_cost(const YAML::Node& node, const SourceLoc& key_loc);
    void read_report_at(const YAML::Node& node, const SourceLoc& key_loc);

private:
    void read_lever(Lever& l, const YAML::Node& key, const YAML::Node& val);
    void note_start(const Lever& l, const SourceLoc& at, bool given);
    void check_intensity(double x, const Lever& l, const SourceLoc& at, const std::string& text);
    // One `set:` entry as an Override; nullopt (reported) if its value is not
    // one the YAML format allows.
    std::optional<Override> set_entry(const std::string& name, const SourceLoc& key_loc, const YAML::Node& val,
                                      const std::optional<LeverSetting>& setting);
    std::vector<std::string> lever_names() const;
    // Names that can be saved or reported: model variables and lever variables.
    std::vector<std::string> known_names() const;
    bool is_known(const std::string& name, const std::vector<std::string>& known) const;
    // A scalar or a sequence as a list of items; E-YAML-TYPE otherwise.
    bool items(const YAML::Node& node, const SourceLoc& key_loc, const std::string& what,
               std::vector<YAML::Node>& out) const;

    const Reader& r_;
    Scenario& sc_;
    Pending& pending_;
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

std::vector<std::string> ScenarioReader::known_names() const {
    std::vector<std::string> known;
    for (const auto& v : sc_.model.variables)
        if (v.kind != VarKind::lookup) known.push_back(v.name);
    for (const auto& l : sc_.model.levers) {
        for (std::string_view suf : Lever::setting_suffixes) known.push_back(l.name + std::string(suf));
        known.push_back(l.name + "_lever");
        if (!l.cost.empty()) known.push_back(l.name + "_cost");
    }
    return known;
}

bool ScenarioReader::is_known(const std::string& name, const std::vector<std::string>& known) const {
    const std::string c = canonical_name(name);
    for (const auto& k : known)
        if (canonical_name(k) == c) return true;
    return false;
}

bool ScenarioReader::items(const YAML::Node& node, const SourceLoc& key_loc, const std::string& what,
                           std::vector<YAML::Node>& out) const {
    if (node.IsScalar()) out.push_back(node);
    else if (node.IsSequence())
        for (const auto& n : node) out.push_back(n);
    else {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "", what);
        return false;
    }
    return true;
}

void ScenarioReader::note_start(const Lever& l, const SourceLoc& at, bool given) {
    auto& s = pending_.starts[canonical_name(l.name)];
    if (given || !s.given) s = {at, given};
}

void ScenarioReader::check_intensity(double x, const Lever& l, const SourceLoc& at, const std::string& text) {
    if (x < 0 || x > 1)
        r_.error(sim::Code::E_LEVER_INTENSITY, at, l.name, "lever intensity must be between 0 and 1, found " + text);
}

void ScenarioReader::read_levers(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "",
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
            r_.error(sim::Code::E_UNKNOWN_LEVER, r_.loc(it->first), name, "the model has no lever '" + name + "'" + hint);
            continue;
        }
        read_lever(*l, it->first, it->second);
    }
}

void ScenarioReader::read_lever(Lever& l, const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (val.IsScalar()) {  // `land: on`
        if (auto b = r_.boolean(val, kl, l.name, "a lever setting")) l.on = *b;
        note_start(l, kl, false);
        return;
    }
    if (!val.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, val.IsNull() ? kl : r_.loc(val), l.name,
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
                r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), l.name, "lever phase_in must be 0 (a step) or a positive duration");
            else
                l.phase_in = *x;
        }
    }
    if (YAML::Node n = get(val, "start"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "start")), l.name, "lever start")) {
            l.start = *x;
            note_start(l, r_.text_loc(n), true);
        }
    } else {
        note_start(l, kl, false);
    }
}

std::optional<Override> ScenarioReader::set_entry(const std::string& name, const SourceLoc& key_loc,
                                                  const YAML::Node& val, const std::optional<LeverSetting>& setting) {
    Override o;
    o.name = name;
    o.name_loc = key_loc;
    const std::string what = "'" + name + "'";
    if (setting && setting->field == LeverSetting::on) {
        // true/false/on/off as well as 0/1.
        if (val.IsScalar() && (val.Scalar() == "0" || val.Scalar() == "1")) {
            o.value = Equation::parse(val.Scalar(), r_.text_loc(val));
        } else if (auto b = r_.boolean(val, key_loc, name, what)) {
            o.value = Equation::number(*b ? 1 : 0, r_.text_loc(val));
            o.value.text = val.Scalar();
        } else {
            return std::nullopt;
        }
    } else if (setting) {
        if (!r_.number(val, key_loc, name, what)) return std::nullopt;  // reports E-BAD-NUMBER
        o.value = Equation::parse(val.Scalar(), r_.text_loc(val));
    } else if (val.IsScalar() && (!is_plain(val) || text::parse_number(val.Scalar()))) {
        // Same rule as the model's constants: a number, or a quoted expression.
        o.value = Equation::parse(val.Scalar(), r_.text_loc(val));
    } else {
        r_.number(val, key_loc, name, "the new value of '" + name + "'");  // reports E-BAD-NUMBER
        return std::nullopt;
    }
    return o;
}

void ScenarioReader::read_set(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "", "'set' must be a mapping of constant names to numbers");
        return;
    }
    r_.check_keys(node, {}, "", "'set'");
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        const SourceLoc kl = r_.loc(it->first);
        const YAML::Node val = it->second;  // a copy: `it->` returns a temporary proxy
        if (!have_model_) continue;
        const auto setting = find_lever_setting(sc_.model, name);
        auto o = set_entry(name, kl, val, setting);
        if (!o) {
            if (setting && setting->field == LeverSetting::on) note_start(sc_.model.levers[setting->lever], kl, false);
            continue;
        }
        const bool applied = apply_overrides(sc_.model, std::span<const Override>(&*o, 1), r_.diags());
        if (setting && setting->field == LeverSetting::on) note_start(sc_.model.levers[setting->lever], kl, false);
        if (setting && setting->field == LeverSetting::start && applied)
            note_start(sc_.model.levers[setting->lever], o->value.loc, true);
    }
}

void ScenarioReader::read_save(const YAML::Node& node, const SourceLoc& key_loc) {
    sc_.run.save.clear();  // a list replaces the inherited one
    std::vector<YAML::Node> list;
    if (node.IsNull() || !items(node, key_loc, "'save' must be a list of variable names", list)) return;
    const auto known = known_names();
    for (const auto& n : list) {
        auto s = r_.scalar(n, key_loc, "", "a saved variable");
        if (!s) continue;
        if (have_model_ && !is_known(*s, known)) {
            r_.error(sim::Code::E_UNKNOWN_NAME, r_.text_loc(n), *s,
                     "cannot save '" + *s + "': the model has no such variable" + did_you_mean(*s, known));
            continue;
        }
        sc_.run.save.push_back(*s);
    }
}

void ScenarioReader::read_cost(const YAML::Node& node, const SourceLoc& key_loc) {
    auto name = r_.scalar(node, key_loc, "", "'cost' (the model variable holding the cumulative cost)");
    if (!name) return;
    const auto known = known_names();
    if (have_model_ && !is_known(*name, known)) {
        r_.error(sim::Code::E_UNKNOWN_NAME, r_.text_loc(node), *name,
                 "cannot take the cost from '" + *name + "': the model has no such variable" +
                     did_you_mean(*name, known));
        return;
    }
    sc_.cost = *name;
}

void ScenarioReader::read_indicators(const YAML::Node& node, const SourceLoc& key_loc) {
    sc_.indicators.clear();  // a list replaces the inherited one
    std::vector<YAML::Node> list;
    if (node.IsNull() ||
        !items(node, key_loc, "'indicators' must be a list of variable names or {name: ..., better: higher|lower}",
               list))
        return;
    const auto known = known_names();
    for (const auto& n : list) {
        Indicator ind;
        std::optional<std::string> name;
        SourceLoc at;
        if (n.IsMap()) {
            r_.check_keys(n, {"name", "better"}, "", "an indicator");
            YAML::Node nm = get(n, "name");
            if (!nm.IsDefined()) {
                r_.error(sim::Code::E_YAML_TYPE, r_.loc(n), "", "an indicator given as a mapping needs 'name:'");
                continue;
            }
            name = r_.scalar(nm, r_.loc(get_key(n, "name")), "", "an indicator name");
            at = r_.text_loc(nm);
            if (YAML::Node b = get(n, "better"); b.IsDefined()) {
                if (auto s = r_.scalar(b, r_.loc(get_key(n, "better")), name.value_or(""), "'better'")) {
                    if (*s == "lower") ind.lower_is_better = true;
                    else if (*s != "higher")
                        r_.error(sim::Code::E_BAD_VALUE, r_.text_loc(b), name.value_or(""),
                                 "'better' must be 'higher' or 'lower', found '" + *s + "'");
                }
            }
        } else {
            name = r_.scalar(n, key_loc, "", "an indicator (a variable name or {name: ..., better: lower})");
            at = r_.text_loc(n);
        }
        if (!name) continue;
        if (have_model_ && !is_known(*name, known)) {
            r_.error(sim::Code::E_UNKNOWN_NAME, at, *name,
                     "cannot report '" + *name + "': the model has no such variable" + did_you_mean(*name, known));
            continue;
        }
        const std::string c = canonical_name(*name);
        if (std::any_of(sc_.indicators.begin(), sc_.indicators.end(),
                        [&](const Indicator& x) { return canonical_name(x.name) == c; })) {
            r_.error(sim::Code::E_DUPLICATE, at, *name, "indicator '" + *name + "' is listed twice; remove one");
            continue;
        }
        ind.name = *name;
        sc_.indicators.push_back(ind);
    }
}

void ScenarioReader::read_report_at(const YAML::Node& node, const SourceLoc& key_loc) {
    sc_.report_at.clear();  // a list replaces the inherited one
    pending_.report_at.clear();
    std::vector<YAML::Node> list;
    if (node.IsNull() || !items(node, key_loc, "'report_at' must be a list of times, e.g. [2030, 2050]", list)) return;
    for (const auto& n : list) {
        auto x = r_.number(n, key_loc, "", "a report time");
        if (!x) continue;
        if (std::find(sc_.report_at.begin(), sc_.report_at.end(), *x) != sc_.report_at.end()) {
            r_.error(sim::Code::E_DUPLICATE, r_.text_loc(n), "", "report time " + n.Scalar() + " is listed twice; remove one");
            continue;
        }
        sc_.report_at.push_back(*x);
        pending_.report_at.push_back(r_.text_loc(n));
    }
}

// The checks against the final run: lever starts and report times.
void check_against_run(const Scenario& sc, const Pending& p, Diagnostics& diags) {
    const SimSpecs& s = sc.model.specs;
    const std::string run = "the run (" + fmt(s.start) + " to " + fmt(s.stop) + ")";
    for (const auto& [key, st] : p.starts) {
        const Lever* l = nullptr;
        for (const auto& x : sc.model.levers)
            if (canonical_name(x.name) == key) l = &x;
        if (!l || !(st.given || l->on)) continue;
        if (l->start < s.start || l->start > s.stop)
            diags.error(sim::Code::E_LEVER_START, st.at, l->name,
                        "lever '" + l->name + "' starts at " + fmt(l->start) + ", outside " + run +
                            "; choose a start within the run");
    }
    for (std::size_t i = 0; i < sc.report_at.size(); ++i) {
        const double t = sc.report_at[i];
        if (t < s.start || t > s.stop)
            diags.error(sim::Code::E_REPORT_AT, p.report_at[i], "",
                        "report time " + fmt(t) + " is outside " + run + "; choose report times within the run");
    }
}

// Reads the files `first` extends (itself already read), the file given
// first. Reports E-IO, E-EXTENDS-NOT-FOUND, E-EXTENDS-CYCLE, E-LIMIT and YAML
// errors; false if the chain could not be read to its end. A file named by
// `extends:` must be a regular file (a FIFO would block on nobody writing).
bool read_chain(const Input& first, Diagnostics& diags, const Limits& limits,
                std::vector<std::unique_ptr<Layer>>& chain) {
    std::string cur = first.path;
    SourceLoc named_at;  // where `cur` is named by `extends:`
    std::vector<std::string> seen;  // canonical paths of the files in `chain`
    for (;;) {
        std::error_code ec;
        std::string key = fs::weakly_canonical(cur, ec).string();
        if (ec) key = fs::path(cur).lexically_normal().string();
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            std::string names;
            for (const auto& l : chain) names += l->path + " -> ";
            diags.error(sim::Code::E_EXTENDS_CYCLE, named_at, "",
                        "'extends' cycle: " + names + cur + "; remove one of these 'extends:'");
            return false;
        }
        if (chain.size() >= limits.depth) {
            diags.error(sim::Code::E_LIMIT, named_at, "",
                        "'extends' chain longer than " + std::to_string(limits.depth) + " files" +
                            limit_hint(limits.depth, "--max-depth"));
            return false;
        }
        std::optional<Input> in;
        if (chain.empty()) {
            in = first;
        } else {
            Diagnostics why;
            std::error_code e2;
            if (!fs::exists(cur, e2)) {
                diags.error(sim::Code::E_EXTENDS_NOT_FOUND, named_at, "",
                            "scenario file '" + cur + "' not found; 'extends:' is relative to the extending file");
                return false;
            }
            in = read_input(cur, why, limits, InputSource::regular);
            if (!in) {
                // The reader's reason (a directory, a FIFO, too large, ...), at the `extends:`.
                for (Diagnostic d : why.items()) {
                    d.message = "'extends: " + cur + "': " + d.message;
                    d.loc = named_at;
                    diags.add(std::move(d));
                }
                return false;
            }
        }
        auto text = decode_text(in->bytes, cur, TextFormat::yaml, diags);
        if (!text) return false;
        auto root = parse_document(*text, cur, diags, "scenario", limits);
        if (!root) return false;
        seen.push_back(key);
        chain.push_back(std::make_unique<Layer>(cur, std::move(*text), in->sha256, diags));
        Layer& l = *chain.back();
        l.root = *root;
        l.r.check_keys(l.root,
                       {"name", "doc", "model", "extends", "levers", "set", "sim", "save", "indicators", "report_at", "cost",
                        "uncertainties", "correlations", "checks"},
                       "", "the top level of the scenario");
        YAML::Node e = get(l.root, "extends");
        if (!e.IsDefined()) return true;
        auto s = l.r.scalar(e, l.r.loc(get_key(l.root, "extends")), "", "'extends' (a scenario file)");
        if (!s) return false;
        if (s->empty()) {
            l.r.error(sim::Code::E_YAML_TYPE, l.r.loc(get_key(l.root, "extends")), "", "'extends' names no file");
            return false;
        }
        fs::path p(*s);
        if (p.is_relative()) p = fs::path(cur).parent_path() / p;
        cur = p.lexically_normal().string();
        named_at = l.r.text_loc(e);
    }
}

}  // namespace

bool is_scenario_file(const std::string& path) {
    Diagnostics scratch;
    auto in = read_input(path, scratch);
    return in && is_scenario_text(in->bytes, path);
}

bool is_scenario_text(std::string_view bytes, const std::string& path) {
    Diagnostics scratch;
    auto text = decode_text(bytes, path, TextFormat::yaml, scratch);
    if (!text) return false;
    // Kept for the reader that follows (load_scenario or parse_model of
    // these bytes): the file is parsed once.
    auto root = parse_document(*text, path, scratch, "scenario", {}, true);
    return root && (get(*root, "model").IsDefined() || get(*root, "extends").IsDefined());
}

std::vector<std::string> source_lines(const Scenario& sc) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < sc.chain.size(); ++i)
        out.push_back(std::string(i == 0 ? "scenario file: " : "extends: ") + sc.chain[i].path + " sha256:" +
                      sc.chain[i].sha256);
    if (!sc.model_file.path.empty()) out.push_back("model: " + sc.model_file.path + " sha256:" + sc.model_file.sha256);
    return out;
}

Scenario load_scenario(const std::string& path, Diagnostics& diags, const Limits& limits) {
    auto in = read_input(path, diags, limits);
    if (!in) {
        Scenario sc;
        sc.file = path;
        sc.name = fs::path(path).stem().string();
        return sc;
    }
    return load_scenario(*in, diags, limits);
}

Scenario load_scenario(const Input& input, Diagnostics& diags, const Limits& limits) {
    const std::string& path = input.path;
    Scenario sc;
    sc.file = path;
    sc.name = fs::path(path).stem().string();
    std::vector<std::unique_ptr<Layer>> chain;
    try {
        const bool chain_ok = read_chain(input, diags, limits, chain);
        if (chain.empty()) return sc;
        for (const auto& l : chain) sc.chain.push_back({l->path, l->sha256});

        const Layer& leaf = *chain.front();
        if (YAML::Node n = get(leaf.root, "name"); n.IsDefined() && !n.IsNull())
            if (auto s = leaf.r.scalar(n, leaf.r.loc(get_key(leaf.root, "name")), "", "'name'")) sc.name = *s;

        // The model: named by the nearest file of the chain that names one.
        bool have_model = false;
        const Layer* ml = nullptr;
        for (const auto& l : chain)
            if (get(l->root, "model").IsDefined()) {
                ml = l.get();
                break;
            }
        if (!ml) {
            if (chain_ok)
                diags.error(sim::Code::E_MISSING_MODEL, {path, 1, 1}, "",
                            chain.size() == 1
                                ? "the scenario names no model; add 'model: <path to model file>'"
                                : "neither the scenario nor the scenarios it extends name a model; add 'model: <path to model file>'");
        } else {
            YAML::Node m = get(ml->root, "model");
            if (auto s = ml->r.scalar(m, ml->r.loc(get_key(ml->root, "model")), "", "'model'")) {
                fs::path p(*s);
                if (p.is_relative()) p = fs::path(ml->path).parent_path() / p;
                sc.model_path = p.lexically_normal().string();
                // Read once: the hash names exactly the bytes parsed.
                std::error_code ec;
                std::optional<Input> model_in;
                Diagnostics why;
                if (fs::exists(sc.model_path, ec)) model_in = read_input(sc.model_path, why, limits, InputSource::regular);
                if (!model_in && why.empty()) {
                    ml->r.error(sim::Code::E_MODEL_NOT_FOUND, ml->r.text_loc(m), "",
                                "model file '" + sc.model_path + "' not found; 'model:' is relative to the scenario file naming it");
                } else if (!model_in) {
                    for (Diagnostic d : why.items()) {  // a directory, a FIFO, too large, ...
                        d.message = "'model: " + sc.model_path + "': " + d.message;
                        d.loc = ml->r.text_loc(m);
                        diags.add(std::move(d));
                    }
                } else {
                    sc.model_file = {sc.model_path, model_in->sha256};
                    sc.model = parse_model(model_in->bytes, sc.model_path, diags, limits);
                    // Model errors are already reported (in the model file); still
                    // check the scenario against what could be read.
                    have_model = true;
                }
            }
        }

        // Each layer, from the root of the chain to the file given.
        Pending pending;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            const Layer& l = **it;
            const YAML::Node& root = l.root;
            ScenarioReader sr(l.r, sc, pending, have_model);
            sr.read_sim(root);
            if (YAML::Node n = get(root, "levers"); n.IsDefined()) sr.read_levers(n, l.r.loc(get_key(root, "levers")));
            if (YAML::Node n = get(root, "set"); n.IsDefined()) sr.read_set(n, l.r.loc(get_key(root, "set")));
            if (YAML::Node n = get(root, "save"); n.IsDefined()) sr.read_save(n, l.r.loc(get_key(root, "save")));
            if (YAML::Node n = get(root, "indicators"); n.IsDefined())
                sr.read_indicators(n, l.r.loc(get_key(root, "indicators")));
            if (YAML::Node n = get(root, "report_at"); n.IsDefined())
                sr.read_report_at(n, l.r.loc(get_key(root, "report_at")));
            if (YAML::Node n = get(root, "cost"); n.IsDefined()) sr.read_cost(n, l.r.loc(get_key(root, "cost")));
            read_experiment(l.r, root, sc.model, have_model);
        }
        if (have_model) check_against_run(sc, pending, diags);
        if (have_model) finish_experiment(sc.model, diags, sc.model_path);
    } catch (const YAML::Exception& e) {  // defensive: accesses above are type-checked
        diags.error(sim::Code::E_YAML_SYNTAX, {path, e.mark.line + 1, e.mark.column + 1}, "", std::string("YAML error: ") + e.what());
    }
    return sc;
}

}  // namespace sim
