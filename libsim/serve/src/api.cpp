// The dashboard's JSON API (docs/serve.md): what /api/model, /api/run,
// /api/compare and /api/bands answer, independent of HTTP.
//
// A request's lever settings and `set` values become sim::Override values
// positioned in the body and go through sim::apply_overrides, the path of a
// scenario's `set:` and of `--set`, so they are accepted and refused with
// the same codes and messages. The run itself then takes one of two routes,
// with the same results bit for bit (tests/serve/test_api.cpp):
//   - every override is a number for a lever setting or for a variable
//     whose equation is a number: the base model, compiled once, runs with
//     those values in RunOptions::set (what sim::compare does for L_on), so a
//     slider move costs one run and no compilation;
//   - otherwise (an expression, a constant computed from others): the
//     overridden spec is compiled for this request.
#include "sim/serve.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "json.hpp"
#include "sim/compare.hpp"
#include "sim/ensemble.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/overrides.hpp"
#include "sim/results.hpp"
#include "sim/sampling.hpp"
#include "sim/scenario.hpp"
#include "util/text.hpp"

namespace sim::serve {

using json::Kind;
using json::Value;

namespace {

constexpr const char* body_name = "request body";
constexpr double band_quantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};
constexpr const char* band_names[] = {"p5", "p25", "p50", "p75", "p95"};

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

struct Dashboard::State {
    Options opt;
    std::string file;
    ModelSpec spec;  // the base: the model with the scenario applied
    ModelSpec skeleton;  // what apply_overrides reads of `spec`, for checking requests cheaply
    std::optional<Scenario> scenario;  // (its `model` moved into `spec`)
    RunOptions run;  // the scenario's `save:`, and the budgets
    std::optional<Model> model;
    std::vector<Indicator> indicators;
    std::vector<double> report_at;
    std::string cost;
    std::set<std::string> settable;  // canonical names RunOptions::set accepts on `model`
    std::vector<std::string> names;   // the model's variables (display names), for "did you mean"
    std::unordered_map<std::string, const Variable*> by_name;  // canonical name -> the compiled spec's variable
    std::size_t rows = 0;             // saved rows of every run
    std::size_t all_columns = 0;      // variables a run saves by default
    std::string model_json;           // the answer of /api/model, made once
};

namespace {

using State = Dashboard::State;

// ------------------------------------------------------------------ replies

void put_diagnostic(json::Writer& w, const Diagnostic& d) {
    w.begin_object()
        .key("severity")
        .string(d.severity == Severity::error ? "error" : d.severity == Severity::warning ? "warning" : "note")
        .key("code")
        .string(name(d.code))
        .key("file")
        .string(d.loc.file)
        .key("line")
        .number(d.loc.line)
        .key("col")
        .number(d.loc.col)
        .key("variable")
        .string(d.variable)
        .key("message")
        .string(d.message)
        .key("text")
        .string(format(d))
        .end_object();
}

// {"error": {code, message, text}, "diagnostics": [...]}: the first error
// (or the first diagnostic) in brief, then every diagnostic.
Reply error_reply(int status, const Diagnostics& diags) {
    const Diagnostic* first = nullptr;
    for (const auto& d : diags.items())
        if (d.severity == Severity::error) {
            first = &d;
            break;
        }
    if (!first && !diags.empty()) first = &diags.items().front();
    json::Writer w;
    w.begin_object().key("error").begin_object();
    if (first)
        w.key("code").string(name(first->code)).key("message").string(first->message).key("text").string(format(*first));
    w.end_object().key("diagnostics").begin_array();
    for (const auto& d : diags.items()) put_diagnostic(w, d);
    w.end_array().end_object();
    return Reply{status, "application/json", w.take() + "\n"};
}

Reply json_reply(std::string body) { return Reply{200, "application/json", std::move(body) + "\n"}; }

// ------------------------------------------------------------------ requests

// A request body read into lever settings and overrides, with positions.
struct Request {
    json::Source src;
    Value root;
    std::vector<Override> overrides;
    // Levers whose start the request gives or that it switches on, by
    // index: checked against the run as a scenario's are, at the given start
    // if there is one, else where the lever was switched on.
    struct Start {
        SourceLoc at;
        bool given = false;
    };
    std::map<std::size_t, Start> starts;
    void note_start(std::size_t lever, const SourceLoc& at, bool given) {
        Start& s = starts[lever];
        if (given || !s.given) s.at = at;
        s.given = s.given || given;
    }
    std::vector<std::string> vars;
    bool has_vars = false;
};

class Reader {
public:
    Reader(const State& s, Request& r, Diagnostics& d) : s_(s), r_(r), d_(d) {}

    SourceLoc at(const Value& v) const { return r_.src.at(v.offset); }
    SourceLoc at(const json::Member& m) const { return r_.src.at(m.key_offset); }

    bool type(const Value& v, Kind k, const std::string& what, const std::string& variable = {}) {
        if (v.is(k)) return true;
        d_.error(sim::Code::E_JSON_TYPE, at(v), variable,
                 what + " must be " + json::to_string(k) + ", found " + json::to_string(v.kind));
        return false;
    }

    void keys(const Value& obj, std::initializer_list<std::string_view> allowed, const std::string& where,
              const std::string& variable = {}) {
        std::vector<std::string> cands(allowed.begin(), allowed.end());
        for (const auto& m : obj.members) {
            if (std::find(allowed.begin(), allowed.end(), std::string_view(m.key)) != allowed.end()) continue;
            std::string hint = did_you_mean(m.key, cands);
            if (hint.empty()) hint = " (allowed: " + join(allowed) + ")";
            d_.error(sim::Code::E_UNKNOWN_KEY, at(m), variable, "unknown key '" + m.key + "' in " + where + hint);
        }
    }

    // The request's `levers` and `set`, as overrides in the order written.
    void settings() {
        if (const Value* v = r_.root.find("levers")) levers(*v);
        if (const Value* v = r_.root.find("set")) set(*v);
    }

    // A list longer than any valid one is refused whole, before each item
    // costs a lookup and a "did you mean".
    bool at_most(const Value& v, std::size_t n, const std::string& what, const std::string& of) {
        const std::size_t have = v.is(Kind::object) ? v.members.size() : v.items.size();
        if (have <= n) return true;
        d_.error(sim::Code::E_BAD_VALUE, at(v), "",
                 what + " lists " + std::to_string(have) + " entries; " + of + " has only " + std::to_string(n));
        return false;
    }

    void vars() {
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
    std::optional<std::vector<std::pair<std::string, const Value*>>> names(const char* key) {
        const Value* v = r_.root.find(key);
        if (!v) return std::nullopt;
        if (!type(*v, Kind::array, std::string("'") + key + "'")) return std::nullopt;
        std::vector<std::pair<std::string, const Value*>> out;
        for (const auto& item : v->items)
            if (type(item, Kind::string, std::string("an item of '") + key + "'")) out.emplace_back(item.text, &item);
        return out;
    }

    std::optional<double> number(const char* key, const std::string& what) {
        const Value* v = r_.root.find(key);
        if (!v) return std::nullopt;
        if (!v->is(Kind::number)) {
            d_.error(sim::Code::E_BAD_NUMBER, at(*v), "", what + " must be a number, found " + json::to_string(v->kind));
            return std::nullopt;
        }
        return v->number;
    }

private:
    const Lever* find_lever(const std::string& name, std::size_t& index) const {
        const std::string c = canonical_name(name);
        for (std::size_t i = 0; i < s_.spec.levers.size(); ++i)
            if (canonical_name(s_.spec.levers[i].name) == c) {
                index = i;
                return &s_.spec.levers[i];
            }
        return nullptr;
    }

    // An override of setting `suffix` of lever `l` with the value written at `v`.
    void setting(const Lever& l, std::string_view suffix, const json::Member& key, const Value& v, double x) {
        Override o;
        o.name = l.name + std::string(suffix);
        o.name_loc = at(key);
        o.value = Equation::number(x, at(v));
        o.value.text = v.is(Kind::number) ? v.text : (v.boolean ? "true" : "false");
        r_.overrides.push_back(std::move(o));
    }

    void levers(const Value& v) {
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

    void set(const Value& v) {
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

    const State& s_;
    Request& r_;
    Diagnostics& d_;
};

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

// ------------------------------------------------------------------ running

// What a request runs: the base model with RunOptions::set, or a model
// compiled from the overridden spec.
struct Plan {
    std::optional<Model> compiled;
    RunOptions run;
    const Model& model(const State& s) const { return compiled ? *compiled : *s.model; }
};

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

// Runs `f`, turning sim::Error into 400 (500 for E-INTERNAL) and bad
// options thrown by a library as 400 with `code`.
template <class F>
Reply guarded(Code code, F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        return error_reply(e.code() == sim::Code::E_INTERNAL ? 500 : 400, e.diagnostics());
    } catch (const std::invalid_argument& e) {
        Diagnostics d;
        d.error(code, {}, "", e.what());
        return error_reply(400, d);
    } catch (const std::out_of_range& e) {
        Diagnostics d;
        d.error(code, {}, "", e.what());
        return error_reply(400, d);
    }
}

bool too_many_cells(const State& s, std::size_t columns, Diagnostics& diags) {
    if (s.rows == 0 || columns <= s.opt.max_cells / s.rows) return false;
    diags.error(sim::Code::E_BUDGET, {}, "",
                "the answer would hold " + std::to_string(s.rows) + " rows x " + std::to_string(columns) +
                    " variables, more than the server's limit of " + std::to_string(s.opt.max_cells) +
                    " values; ask for fewer variables with \"vars\"");
    return true;
}

// What apply_overrides reads of a spec, and nothing more: names, kinds,
// positions, the equations that are numbers, whether there is a graphical
// function, the levers and the sim specs. Overrides are accepted or refused
// on it exactly as on the whole spec.
ModelSpec skeleton_of(const ModelSpec& spec) {
    ModelSpec k;
    k.name = spec.name;
    k.file = spec.file;
    k.specs = spec.specs;
    k.levers = spec.levers;
    for (const auto& v : spec.variables) {
        Variable c;
        c.kind = v.kind;
        c.name = v.name;
        c.loc = v.loc;
        if (auto x = v.equation.number_value()) c.equation = Equation::number(*x, v.equation.loc);
        if (v.gf) c.gf = GraphicalFunction{};
        k.variables.push_back(std::move(c));
    }
    return k;
}

// ------------------------------------------------------------------ /api/model

const Variable* find_var(const State& s, std::string_view name) {
    const auto it = s.by_name.find(canonical_name(name));
    return it == s.by_name.end() ? nullptr : it->second;
}

void put_variable_info(json::Writer& w, const State& s, const std::string& name) {
    const Variable* v = find_var(s, name);
    const bool element = !v;
    // An array element (`area_rural_residents[core]`) is described by its array.
    if (!v && name.find('[') != std::string::npos) v = find_var(s, std::string_view(name).substr(0, name.find('[')));
    w.key("name").string(v && !element ? v->name : name);
    w.key("kind").string(v ? to_string(v->kind) : "");
    w.key("units").string(v ? v->units : "");
    w.key("doc").string(v ? v->doc : "");
    // Display metadata (docs/model-format.md, "Display"): the page shows
    // title, display_units and value * display_scale when given.
    if (v && !v->display.title.empty()) w.key("title").string(v->display.title);
    if (v && !v->display.title_zh.empty()) w.key("title_zh").string(v->display.title_zh);
    if (v && !v->display.units.empty()) w.key("display_units").string(v->display.units);
    if (v && v->display.scale != 1) w.key("display_scale").number(v->display.scale);
    if (v && v->display.money) w.key("money").boolean(true);
}

std::string model_json(const State& s, const Results& constants) {
    const ModelSpec& spec = s.spec;
    const SimSpecs& sp = spec.specs;
    json::Writer w;
    w.begin_object();
    w.key("name").string(spec.name);
    w.key("doc").string(spec.doc);
    w.key("file").string(spec.file);
    w.key("scenario");
    if (s.scenario) {
        const Scenario& sc = *s.scenario;
        w.begin_object().key("name").string(sc.name).key("file").string(sc.file).key("sources").begin_array();
        for (std::size_t i = 0; i < sc.chain.size(); ++i)
            w.begin_object()
                .key("role")
                .string(i == 0 ? "scenario" : "extends")
                .key("path")
                .string(sc.chain[i].path)
                .key("sha256")
                .string(sc.chain[i].sha256)
                .end_object();
        w.begin_object()
            .key("role")
            .string("model")
            .key("path")
            .string(sc.model_file.path)
            .key("sha256")
            .string(sc.model_file.sha256)
            .end_object();
        w.end_array().end_object();
    } else {
        w.null();
    }
    w.key("time").begin_object();
    w.key("start").number(sp.start).key("stop").number(sp.stop).key("dt").number(sp.dt);
    w.key("save_step").number(sp.save_step.value_or(sp.dt));
    w.key("method").string(to_string(sp.method)).key("units").string(sp.time_units);
    w.key("rows").number(static_cast<double>(s.rows));
    w.end_object();

    std::map<std::string, const Uncertainty*> uncertain;
    for (const auto& u : spec.uncertainties) uncertain[canonical_name(u.name)] = &u;
    auto put_uncertainty = [&](const std::string& name) {
        auto it = uncertain.find(canonical_name(name));
        if (it == uncertain.end()) {
            w.key("range").null().key("uncertainty").null();
            return;
        }
        const Distribution& d = it->second->dist;
        auto [lo, hi] = support(d);
        // A slider needs finite ends: an unbounded side takes the 0.1 % quantile.
        if (!std::isfinite(lo)) lo = quantile(d, 0.001);
        if (!std::isfinite(hi)) hi = quantile(d, 0.999);
        w.key("range").begin_array().number(lo).number(hi).end_array();
        w.key("uncertainty").begin_object().key("dist").string(to_string(d.kind)).key("doc").string(it->second->doc);
        w.end_object();
    };

    w.key("levers").begin_array();
    for (const auto& l : spec.levers) {
        w.begin_object();
        w.key("name").string(l.name).key("title").string(l.title).key("section").string(l.section);
        w.key("description").string(l.description);
        w.key("on").boolean(l.on).key("intensity").number(l.intensity).key("start").number(l.start);
        w.key("phase_in").number(l.phase_in);
        w.key("cost_units").string(l.cost_units);
        w.key("uncertain").begin_array();
        for (std::string_view suf : Lever::setting_suffixes)
            if (uncertain.count(canonical_name(l.name + std::string(suf)))) w.string(l.name + std::string(suf));
        w.end_array();
        w.end_object();
    }
    w.end_array();

    w.key("indicators").begin_array();
    for (const auto& ind : s.indicators) {
        w.begin_object();
        put_variable_info(w, s, ind.name);
        w.key("lower_is_better").boolean(ind.lower_is_better);
        w.end_object();
    }
    w.end_array();
    w.key("report_at").begin_array();
    for (double t : s.report_at) w.number(t);
    w.end_array();
    w.key("cost").string(s.cost);

    w.key("constants").begin_array();
    for (const auto& v : spec.variables) {
        if (v.kind != VarKind::constant) continue;
        w.begin_object();
        w.key("name").string(v.name).key("units").string(v.units).key("doc").string(v.doc);
        const auto col = constants.column(v.name);
        w.key("value").number(col && constants.rows() ? constants.at(0, *col) : std::nan(""));
        w.key("settable").boolean(s.settable.count(canonical_name(v.name)) > 0);
        put_uncertainty(v.name);
        w.end_object();
    }
    w.end_array();

    w.key("uncertainties").begin_array();
    for (const auto& u : spec.uncertainties) {
        w.begin_object().key("name").string(u.name);
        put_uncertainty(u.name);
        w.end_object();
    }
    w.end_array();

    w.key("variables").begin_array();
    for (const auto& name : s.names) {
        w.begin_object();
        put_variable_info(w, s, name);
        w.end_object();
    }
    w.end_array();

    w.key("limits").begin_object();
    w.key("max_body_bytes").number(static_cast<double>(s.opt.max_body_bytes));
    w.key("max_steps").number(static_cast<double>(s.opt.max_steps));
    w.key("max_seconds").number(s.opt.max_seconds);
    w.key("max_cells").number(static_cast<double>(s.opt.max_cells));
    w.key("max_compare_levers").number(static_cast<double>(s.opt.max_compare_levers));
    w.key("max_samples").number(static_cast<double>(s.opt.max_samples));
    w.end_object();
    w.end_object();
    return w.take();
}

}  // namespace

// ------------------------------------------------------------------ Dashboard

Dashboard::Dashboard(const std::string& file, Options options) : s_(std::make_unique<State>()) {
    State& s = *s_;
    s.opt = std::move(options);
    if (s.opt.max_concurrent == 0) s.opt.max_concurrent = std::max(1u, std::thread::hardware_concurrency());
    s.file = file;
    Diagnostics diags;
    // Read once (a FIFO or pipe too), bounded by the limits; the bytes read
    // are the bytes parsed.
    const std::optional<Input> in = read_input(file, diags, s.opt.limits);
    if (!in) throw Error(diags);
    if (is_scenario_text(in->bytes, file)) {
        Scenario sc = load_scenario(*in, diags, s.opt.limits);
        if (diags.has_errors()) throw Error(diags);
        s.spec = std::move(sc.model);
        sc.model = {};
        s.run = sc.run;
        s.indicators = sc.indicators;
        s.report_at = sc.report_at;
        s.cost = sc.cost;
        s.scenario = std::move(sc);
    } else {
        s.spec = parse_model(in->bytes, file, diags, s.opt.limits);
        if (diags.has_errors()) throw Error(diags);
    }
    s.model = Model::compile(s.spec, diags);
    if (!s.model) throw Error(diags);
    s.skeleton = skeleton_of(s.spec);
    s.names = s.model->variable_names();
    for (const auto& v : s.model->spec().variables) s.by_name.emplace(canonical_name(v.name), &v);
    s.run.max_steps = s.opt.max_steps;
    s.run.max_wall_seconds = s.opt.max_seconds;
    if (s.opt.max_memory) s.run.max_memory = s.opt.max_memory;
    if (s.indicators.empty()) s.indicators = default_indicators(*s.model, s.run);
    if (s.report_at.empty()) s.report_at = {s.spec.specs.stop};

    // What RunOptions::set accepts on the compiled model: lever settings,
    // and variables whose equation is a number (not a graphical function).
    for (const auto& l : s.spec.levers)
        for (std::string_view suf : Lever::setting_suffixes) s.settable.insert(canonical_name(l.name + std::string(suf)));
    for (const auto& v : s.spec.variables) {
        const bool number = v.equation.number_value().has_value();
        if ((v.kind == VarKind::constant && number) ||
            ((v.kind == VarKind::aux || v.kind == VarKind::flow) && !v.gf && number))
            s.settable.insert(canonical_name(v.name));
    }

    // One run at start: the rows every run saves, the constants' values,
    // and any run error (a model that cannot run is refused now, not at the
    // first request).
    RunOptions probe = s.run;
    probe.save.clear();
    for (const auto& v : s.spec.variables)
        if (v.kind == VarKind::constant) probe.save.push_back(v.name);
    if (probe.save.empty() && !s.indicators.empty()) probe.save.push_back(s.indicators.front().name);
    const Results r = s.model->run(probe);
    s.rows = r.rows();
    s.all_columns = s.run.save.empty() ? s.names.size() : s.run.save.size();
    s.model_json = model_json(s, r);
}

Dashboard::~Dashboard() = default;

const Options& Dashboard::options() const { return s_->opt; }

std::string Dashboard::title() const {
    const State& s = *s_;
    const std::string model = s.spec.name.empty() ? s.file : s.spec.name;
    return s.scenario ? "scenario " + s.scenario->name + " (model " + model + ")" : "model " + model;
}

Reply Dashboard::model() const { return json_reply(s_->model_json); }

Reply Dashboard::run(std::string_view body) const {
    const State& s = *s_;
    Diagnostics diags;
    auto req = parse_request(body, s, diags);
    if (!req) return error_reply(400, diags);
    Reader rd(s, *req, diags);
    rd.keys(req->root, {"levers", "set", "vars", "format"}, "the request");
    rd.settings();
    rd.vars();
    bool csv = false;
    if (const Value* f = req->root.find("format")) {
        if (rd.type(*f, Kind::string, "'format'")) {
            if (f->text == "csv") csv = true;
            else if (f->text != "json")
                diags.error(sim::Code::E_BAD_VALUE, rd.at(*f), "", "unknown format '" + f->text + "' (expected json or csv)");
        }
    }
    auto p = plan(s, *req, diags);
    if (!p) return error_reply(400, diags);
    if (req->has_vars) p->run.save = req->vars;
    if (too_many_cells(s, p->run.save.empty() ? s.all_columns : p->run.save.size(), diags))
        return error_reply(400, diags);
    return guarded(sim::Code::E_BAD_VALUE, [&] {
        const Results r = p->model(s).run(p->run);
        std::ostringstream os;
        if (csv) {
            write_csv(r, os);
            return Reply{200, "text/csv; charset=utf-8", os.str()};
        }
        // write_json's object, as `sdsim run --format json` writes it, with
        // the run's warnings added as its last member.
        write_json(r, os);
        std::string out = os.str();
        while (!out.empty() && (out.back() == '\n' || out.back() == '}')) {
            const bool brace = out.back() == '}';
            out.pop_back();
            if (brace) break;
        }
        json::Writer w;
        w.begin_array();
        for (const auto& d : r.warnings) put_diagnostic(w, d);
        w.end_array();
        out += ",\"warnings\":" + w.str() + "}\n";
        return Reply{200, "application/json", std::move(out)};
    });
}

Reply Dashboard::compare(std::string_view body) const {
    const State& s = *s_;
    Diagnostics diags;
    auto req = parse_request(body, s, diags);
    if (!req) return error_reply(400, diags);
    Reader rd(s, *req, diags);
    rd.keys(req->root, {"levers", "set", "compare", "at", "indicators"}, "the request");
    rd.settings();
    CompareOptions o;
    o.threads = 1;  // one request, one core: the server bounds requests, not threads
    o.cost_variable = s.cost;
    if (auto list = rd.names("compare")) {
        for (auto& [n, v] : *list) o.levers.push_back(n);
        if (o.levers.empty())
            diags.error(sim::Code::E_COMPARE_NO_LEVERS, rd.at(*req->root.find("compare")), "",
                        "'compare' lists no lever; omit it to compare every lever");
    }
    const std::size_t k = o.levers.empty() ? s.spec.levers.size() : o.levers.size();
    if (k > s.opt.max_compare_levers)
        diags.error(sim::Code::E_COMPARE_TOO_MANY, {}, "",
                    std::to_string(k) + " levers make " + (k < 63 ? std::to_string(std::uint64_t{1} << k) : "too many") +
                        " runs; this server compares at most " + std::to_string(s.opt.max_compare_levers) +
                        " levers at once: list fewer in 'compare'");
    if (const Value* at = req->root.find("at")) {
        if (rd.type(*at, Kind::array, "'at'"))
            for (const auto& t : at->items)
                if (rd.type(t, Kind::number, "an item of 'at'")) o.at.push_back(t.number);
    } else {
        o.at = s.report_at;
    }
    if (const Value* ind = req->root.find("indicators")) {
        if (rd.type(*ind, Kind::array, "'indicators'"))
            for (const auto& item : ind->items) {
                if (item.is(Kind::string)) {
                    o.indicators.push_back({item.text, false});
                } else if (item.is(Kind::object)) {
                    rd.keys(item, {"name", "better"}, "an indicator");
                    const Value* n = item.find("name");
                    const Value* b = item.find("better");
                    if (!n || !n->is(Kind::string)) {
                        diags.error(sim::Code::E_JSON_TYPE, rd.at(n ? *n : item), "", "an indicator needs a \"name\" (a string)");
                        continue;
                    }
                    bool lower = false;
                    if (b) {
                        if (!b->is(Kind::string) || (b->text != "higher" && b->text != "lower")) {
                            diags.error(sim::Code::E_BAD_VALUE, rd.at(*b), n->text, "\"better\" must be \"higher\" or \"lower\"");
                            continue;
                        }
                        lower = b->text == "lower";
                    }
                    o.indicators.push_back({n->text, lower});
                } else {
                    rd.type(item, Kind::string, "an indicator (a name or {\"name\":, \"better\":})");
                }
            }
    } else {
        o.indicators = s.indicators;
    }
    // What the comparison keeps: per combination, each indicator's series
    // and its values at the report times.
    if (k <= s.opt.max_compare_levers && (std::uint64_t{1} << k) * o.indicators.size() * (s.rows + o.at.size()) > s.opt.max_cells)
        diags.error(sim::Code::E_BUDGET, {}, "",
                    "comparing " + std::to_string(std::uint64_t{1} << k) + " combinations of " +
                        std::to_string(o.indicators.size()) + " indicators at " + std::to_string(o.at.size()) +
                        " times would keep more than the server's limit of " + std::to_string(s.opt.max_cells) +
                        " values; compare fewer levers, indicators or times");
    auto p = plan(s, *req, diags);
    if (!p) return error_reply(400, diags);
    o.base = p->run;
    o.base.save.clear();
    return guarded(sim::Code::E_COMPARE_RUN, [&] {
        const CompareResult r = sim::compare(p->model(s), o);
        json::Writer w;
        w.begin_object();
        w.key("levers").begin_array();
        for (const auto& l : r.levers) w.string(l);
        w.end_array().key("lever_titles").begin_array();
        for (const auto& t : r.lever_titles) w.string(t);
        w.end_array();
        w.key("indicators").begin_array();
        for (const auto& ind : r.indicators) {
            w.begin_object();
            put_variable_info(w, s, ind.name);
            w.key("lower_is_better").boolean(ind.lower_is_better);
            w.end_object();
        }
        w.end_array();
        w.key("at").begin_array();
        for (double t : r.at) w.number(t);
        w.end_array();
        w.key("cost");
        if (r.has_cost)
            w.begin_object().key("name").string(r.cost_name).key("units").string(r.cost_units).end_object();
        else
            w.null();
        w.key("combinations").begin_array();
        for (const auto& c : r.combinations) {
            w.begin_object().key("label").string(r.label(c.mask)).key("mask").number(c.mask);
            w.key("on").begin_array();
            for (std::size_t i = 0; i < r.levers.size(); ++i) w.boolean((c.mask >> i) & 1u);
            w.end_array();
            // values[indicator][time]
            w.key("values").begin_array();
            for (std::size_t i = 0; i < r.indicators.size(); ++i) {
                w.begin_array();
                for (std::size_t a = 0; a < r.at.size(); ++a) w.number(r.value(c.mask, i, a));
                w.end_array();
            }
            w.end_array();
            w.key("cost").begin_array();
            for (double x : c.cost) w.number(x);
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.key("effects").begin_array();
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            for (std::size_t a = 0; a < r.at.size(); ++a) {
                const FactorialEffects& e = r.effect(i, a);
                w.begin_object().key("indicator").string(r.indicators[i].name).key("at").number(r.at[a]);
                w.key("baseline").number(e.baseline).key("all_levers_effect").number(e.all);
                w.key("main").begin_array();
                for (double x : e.main) w.number(x);
                w.end_array().key("shapley").begin_array();
                for (double x : e.shapley) w.number(x);
                w.end_array().key("interaction").begin_array();
                for (std::size_t x = 0; x < e.main.size(); ++x) {
                    w.begin_array();
                    for (std::size_t y = 0; y < e.main.size(); ++y) w.number(e.interaction_at(x, y));
                    w.end_array();
                }
                w.end_array().end_object();
            }
        w.end_array();
        w.end_object();
        return json_reply(w.take());
    });
}

Reply Dashboard::bands(std::string_view body) const {
    const State& s = *s_;
    Diagnostics diags;
    auto req = parse_request(body, s, diags);
    if (!req) return error_reply(400, diags);
    Reader rd(s, *req, diags);
    rd.keys(req->root, {"levers", "set", "vars", "samples", "seed"}, "the request");
    rd.settings();
    rd.vars();
    std::size_t n = std::min<std::size_t>(100, s.opt.max_samples);
    if (auto x = rd.number("samples", "'samples'")) {
        if (!(*x >= 2 && *x <= static_cast<double>(s.opt.max_samples) && *x == std::floor(*x)))
            diags.error(sim::Code::E_BAD_NUMBER, rd.at(*req->root.find("samples")), "",
                        "'samples' must be a whole number from 2 to " + std::to_string(s.opt.max_samples) + ", found " +
                            req->root.find("samples")->text);
        else
            n = static_cast<std::size_t>(*x);
    }
    std::uint64_t seed = 1;
    if (auto x = rd.number("seed", "'seed'")) {
        if (!(*x >= 0 && *x <= 9007199254740992.0 && *x == std::floor(*x)))
            diags.error(sim::Code::E_BAD_NUMBER, rd.at(*req->root.find("seed")), "",
                        "'seed' must be a whole number from 0 to 2^53, found " + req->root.find("seed")->text);
        else
            seed = static_cast<std::uint64_t>(*x);
    }
    if (s.spec.uncertainties.empty())
        diags.error(sim::Code::E_ENSEMBLE, {}, "",
                    "the model declares no uncertain parameters: add an `uncertainties:` section to the model or "
                    "scenario (docs/uncertainty.md) to get uncertainty bands");
    auto p = plan(s, *req, diags);
    if (!p) return error_reply(400, diags);
    EnsembleOptions o;
    if (req->has_vars) {
        o.indicators = req->vars;
    } else {
        for (const auto& i : s.indicators) o.indicators.push_back(i.name);
    }
    if (too_many_cells(s, o.indicators.size() * std::size(band_quantiles), diags)) return error_reply(400, diags);
    o.base = p->run;
    o.base.save.clear();
    o.threads = 1;
    o.trajectory_quantiles.assign(std::begin(band_quantiles), std::end(band_quantiles));
    return guarded(sim::Code::E_ENSEMBLE, [&] {
        const SampleMatrix m = sample(s.spec.uncertainties, s.spec.correlations, n, SampleMethod::latin_hypercube, seed);
        const EnsembleResult e = run_ensemble(p->model(s), m, o);
        json::Writer w;
        w.begin_object();
        w.key("samples").number(static_cast<double>(e.samples)).key("seed").number(static_cast<double>(seed));
        w.key("method").string(to_string(SampleMethod::latin_hypercube));
        w.key("parameters").begin_array();
        for (const auto& name : e.parameters) w.string(name);
        w.end_array();
        w.key("quantiles").begin_array();
        for (double q : band_quantiles) w.number(q);
        w.end_array();
        w.key("time").begin_array();
        for (double t : e.times) w.number(t);
        w.end_array();
        w.key("bands").begin_object();
        for (std::size_t i = 0; i < e.indicators.size(); ++i) {
            w.key(e.indicators[i]).begin_object();
            for (std::size_t q = 0; q < std::size(band_quantiles); ++q) {
                w.key(band_names[q]).begin_array();
                for (std::size_t row = 0; row < e.times.size(); ++row) w.number(e.trajectory(0, i, row, q));
                w.end_array();
            }
            w.end_object();
        }
        w.end_object();
        w.end_object();
        return json_reply(w.take());
    });
}

}  // namespace sim::serve
