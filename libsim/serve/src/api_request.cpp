// The dashboard's JSON API (api_detail.hpp): a request body read and
// checked. Its `levers` and `set` become sim::Override values positioned in
// the body (so apply_overrides accepts and refuses them with a scenario's
// codes and messages), `vars` a checked list of names; plan() applies the
// overrides and chooses the run's route (see api.cpp).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api_detail.hpp"
#include "json.hpp"
#include "sim/model.hpp"
#include "sim/overrides.hpp"
#include "util/text.hpp"

namespace sim::serve {

using json::Kind;
using json::Value;

namespace {

constexpr const char* body_name = "request body";

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto best = text::closest(word, candidates);
    return best ? " (did you mean '" + *best + "'?)" : std::string();
}

std::string join(std::initializer_list<std::string_view> items) {
    std::string s;
    for (auto i : items) s += (s.empty() ? "" : ", ") + std::string(i);
    return s;
}

}  // namespace

namespace detail {

bool Reader::type(const Value& v, Kind k, const std::string& what, const std::string& variable) {
    if (v.is(k)) return true;
    d_.error(sim::Code::E_JSON_TYPE, at(v), variable,
             what + " must be " + json::to_string(k) + ", found " + json::to_string(v.kind));
    return false;
}

void Reader::keys(const Value& obj, std::initializer_list<std::string_view> allowed, const std::string& where,
                  const std::string& variable) {
    std::vector<std::string> cands(allowed.begin(), allowed.end());
    for (const auto& m : obj.members) {
        if (std::find(allowed.begin(), allowed.end(), std::string_view(m.key)) != allowed.end()) continue;
        std::string hint = did_you_mean(m.key, cands);
        if (hint.empty()) hint = " (allowed: " + join(allowed) + ")";
        d_.error(sim::Code::E_UNKNOWN_KEY, at(m), variable, "unknown key '" + m.key + "' in " + where + hint);
    }
}

// The request's `levers` and `set`, as overrides in the order written.
void Reader::settings() {
    if (const Value* v = r_.root.find("levers")) levers(*v);
    if (const Value* v = r_.root.find("set")) set(*v);
}

// A list longer than any valid one is refused whole, before each item
// costs a lookup and a "did you mean".
bool Reader::at_most(const Value& v, std::size_t n, const std::string& what, const std::string& of) {
    const std::size_t have = v.is(Kind::object) ? v.members.size() : v.items.size();
    if (have <= n) return true;
    d_.error(sim::Code::E_BAD_VALUE, at(v), "",
             what + " lists " + std::to_string(have) + " entries; " + of + " has only " + std::to_string(n));
    return false;
}

void Reader::vars() {
    const Value* v = r_.root.find("vars");
    if (!v) return;
    if (!type(*v, Kind::array, "'vars'")) return;
    r_.has_vars = true;
    std::set<std::string> seen;
    const auto& names = s_.names;
    if (!at_most(*v, names.size(), "'vars'", "the model")) return;
    for (const auto& item : v->items) {
        if (!type(item, Kind::string, "an item of 'vars'")) continue;
        if (!s_.model->has_variable(item.text)) {
            d_.error(sim::Code::E_UNKNOWN_NAME, at(item), item.text,
                     "cannot save '" + item.text + "': the model has no such variable" +
                         did_you_mean(item.text, names));
            continue;
        }
        if (!seen.insert(canonical_name(item.text)).second) {
            d_.error(sim::Code::E_DUPLICATE, at(item), item.text, "'" + item.text + "' is listed twice in 'vars'; remove one");
            continue;
        }
        r_.vars.push_back(item.text);
    }
}

// A list of names (levers to compare, indicators), or nullopt if absent or bad.
std::optional<std::vector<std::pair<std::string, const Value*>>> Reader::names(const char* key) {
    const Value* v = r_.root.find(key);
    if (!v) return std::nullopt;
    if (!type(*v, Kind::array, std::string("'") + key + "'")) return std::nullopt;
    std::vector<std::pair<std::string, const Value*>> out;
    for (const auto& item : v->items)
        if (type(item, Kind::string, std::string("an item of '") + key + "'")) out.emplace_back(item.text, &item);
    return out;
}

std::optional<double> Reader::number(const char* key, const std::string& what) {
    const Value* v = r_.root.find(key);
    if (!v) return std::nullopt;
    if (!v->is(Kind::number)) {
        d_.error(sim::Code::E_BAD_NUMBER, at(*v), "", what + " must be a number, found " + json::to_string(v->kind));
        return std::nullopt;
    }
    return v->number;
}

const Lever* Reader::find_lever(const std::string& name, std::size_t& index) const {
    const std::string c = canonical_name(name);
    for (std::size_t i = 0; i < s_.spec.levers.size(); ++i)
        if (canonical_name(s_.spec.levers[i].name) == c) {
            index = i;
            return &s_.spec.levers[i];
        }
    return nullptr;
}

// An override of setting `suffix` of lever `l` with the value written at `v`.
void Reader::setting(const Lever& l, std::string_view suffix, const json::Member& key, const Value& v, double x) {
    Override o;
    o.name = l.name + std::string(suffix);
    o.name_loc = at(key);
    o.value = Equation::number(x, at(v));
    o.value.text = v.is(Kind::number) ? v.text : (v.boolean ? "true" : "false");
    r_.overrides.push_back(std::move(o));
}

void Reader::levers(const Value& v) {
    if (!type(v, Kind::object,
              "'levers' (lever names to true/false or {\"on\":, \"intensity\":, \"start\":, \"phase_in\":})"))
        return;
    if (!at_most(v, s_.spec.levers.size(), "'levers'", "the model")) return;
    for (const auto& m : v.members) {
        std::size_t index = 0;
        const Lever* l = find_lever(m.key, index);
        if (!l) {
            std::vector<std::string> names;
            for (const auto& x : s_.spec.levers) names.push_back(x.name);
            std::string hint = did_you_mean(m.key, names);
            if (hint.empty())
                hint = s_.spec.levers.empty() ? " (the model declares no levers)" : " (see GET /api/model)";
            d_.error(sim::Code::E_UNKNOWN_LEVER, at(m), m.key, "the model has no lever '" + m.key + "'" + hint);
            continue;
        }
        const Value& val = m.value;
        if (val.is(Kind::boolean)) {
            setting(*l, "_on", m, val, val.boolean ? 1 : 0);
            if (val.boolean) r_.note_start(index, at(val), false);
            continue;
        }
        if (!val.is(Kind::object)) {
            d_.error(sim::Code::E_BAD_BOOL, at(val), l->name,
                     "a lever setting is true, false or {\"on\": true, \"intensity\": 0.5, \"start\": ..., "
                     "\"phase_in\": ...}, found " + std::string(json::to_string(val.kind)));
            continue;
        }
        keys(val, {"on", "intensity", "start", "phase_in"}, "the lever setting '" + l->name + "'", l->name);
        bool on = true;  // a mapping without `on` turns the lever on, as in a scenario
        SourceLoc on_at = at(val);
        for (const auto& f : val.members) {
            if (f.key == "on") {
                if (!f.value.is(Kind::boolean)) {
                    d_.error(sim::Code::E_BAD_BOOL, at(f.value), l->name,
                             "lever 'on' must be true or false, found " + std::string(json::to_string(f.value.kind)));
                    continue;
                }
                on = f.value.boolean;
                on_at = at(f.value);
                setting(*l, "_on", f, f.value, on ? 1 : 0);
                continue;
            }
            const char* suffix = f.key == "intensity" ? "_intensity"
                                 : f.key == "start"   ? "_start"
                                 : f.key == "phase_in" ? "_phase_in"
                                                       : nullptr;
            if (!suffix) continue;  // reported by keys()
            if (!f.value.is(Kind::number)) {
                d_.error(sim::Code::E_BAD_NUMBER, at(f.value), l->name,
                         "lever " + f.key + " must be a number, found " + json::to_string(f.value.kind));
                continue;
            }
            setting(*l, suffix, f, f.value, f.value.number);
            if (f.key == "start") r_.note_start(index, at(f.value), true);
        }
        if (!val.find("on")) {
            Value t;
            t.kind = Kind::boolean;
            t.boolean = true;
            t.offset = val.offset;
            setting(*l, "_on", m, t, 1);
        }
        if (on) r_.note_start(index, on_at, false);
    }
}

void Reader::set(const Value& v) {
    if (!type(v, Kind::object, "'set' (constant names to numbers)")) return;
    if (!at_most(v, s_.spec.variables.size() + 4 * s_.spec.levers.size(), "'set'", "the model")) return;
    for (const auto& m : v.members) {
        const Value& val = m.value;
        Override o;
        o.name = m.key;
        o.name_loc = at(m);
        const auto lever = find_lever_setting(s_.spec, m.key);
        if (val.is(Kind::number)) {
            o.value = Equation::number(val.number, at(val));
            o.value.text = val.text;
        } else if (val.is(Kind::boolean) && lever && lever->field == LeverSetting::on) {
            o.value = Equation::number(val.boolean ? 1 : 0, at(val));
            o.value.text = val.boolean ? "true" : "false";
        } else if (val.is(Kind::string)) {
            // A constant expression, as a quoted value in a scenario's `set:`;
            // positioned at its first character (after the quote).
            o.value = Equation::parse(val.text, r_.src.at(val.offset + 1));
        } else {
            d_.error(sim::Code::E_BAD_NUMBER, at(val), m.key,
                     "the new value of '" + m.key + "' must be a number (or an expression in a string), found " +
                         json::to_string(val.kind));
            continue;
        }
        if (lever && lever->field == LeverSetting::on && o.value.number_value() == 1.0)
            r_.note_start(lever->lever, at(val), false);
        if (lever && lever->field == LeverSetting::start) r_.note_start(lever->lever, at(val), true);
        r_.overrides.push_back(std::move(o));
    }
}

// Parses the body; nullopt (with diagnostics) unless it is a JSON object.
std::optional<Request> parse_request(std::string_view body, const State& s, Diagnostics& diags) {
    Request r;
    r.src = json::Source{body, body_name};
    json::Limits lim;
    lim.max_bytes = s.opt.max_body_bytes;
    auto v = json::parse(r.src, diags, lim);
    if (!v) return std::nullopt;
    r.root = std::move(*v);
    if (!r.root.is(Kind::object)) {
        diags.error(sim::Code::E_JSON_TYPE, r.src.at(r.root.offset), "",
                    std::string("the request body must be a JSON object, found ") + json::to_string(r.root.kind));
        return std::nullopt;
    }
    return r;
}

// Applies the request's overrides to a copy of the base spec (every error
// with its position), checks lever starts, and chooses the route. Called
// also when reading the request found errors, so that one answer lists
// every error; nullopt if there is any.
// The overrides are checked on the spec's skeleton (a copy of the whole
// spec, trees and all, would cost more than the run).
std::optional<Plan> plan(const State& s, const Request& r, Diagnostics& diags) {
    Plan p;
    p.run = s.run;
    if (r.overrides.empty()) {
        if (diags.has_errors()) return std::nullopt;
        return p;
    }
    ModelSpec checked = s.skeleton;
    apply_overrides(checked, r.overrides, diags);
    const SimSpecs& sp = checked.specs;
    for (const auto& [lever, st] : r.starts) {
        const Lever& l = checked.levers[lever];
        if (!(st.given || l.on)) continue;
        if (l.start < sp.start || l.start > sp.stop)
            diags.error(sim::Code::E_LEVER_START, st.at, l.name,
                        "lever '" + l.name + "' starts at " + text::number(l.start) + ", outside the run (" +
                            text::number(sp.start) + " to " + text::number(sp.stop) + "); choose a start within the run");
    }
    if (diags.has_errors()) return std::nullopt;
    bool fast = true;
    std::vector<std::pair<std::string, double>> set;
    for (const auto& o : r.overrides) {
        const auto x = o.value.number_value();
        if (!x || !s.settable.count(canonical_name(o.name))) {
            fast = false;
            break;
        }
        set.emplace_back(o.name, *x);
    }
    if (fast) {
        for (auto& kv : set) p.run.set.push_back(std::move(kv));
        return p;
    }
    // The same overrides on the whole spec (they were accepted above), compiled.
    ModelSpec spec = s.spec;
    Diagnostics again;
    apply_overrides(spec, r.overrides, again);
    p.compiled = Model::compile(spec, diags);
    if (!p.compiled) return std::nullopt;
    return p;
}

}  // namespace detail
}  // namespace sim::serve
