// The dashboard's JSON API (api_detail.hpp): the model or scenario loaded
// and compiled once (Dashboard's constructor), and /api/model's answer,
// made then: the time settings, levers, indicators, constants with their
// values and uncertainty, variables and the server's limits.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "api_detail.hpp"
#include "json.hpp"
#include "sim/compare.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/results.hpp"
#include "sim/sampling.hpp"
#include "sim/scenario.hpp"

namespace sim::serve {

using namespace detail;

namespace {

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

}  // namespace

namespace detail {

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
    // Titles as the reports give them (ModelSpec::display_of): an element's
    // is its array's with the element ("... [core]").
    const Display d = v ? display_of(*v, name, element) : Display{};
    if (!d.title.empty()) w.key("title").string(d.title);
    if (!d.title_zh.empty()) w.key("title_zh").string(d.title_zh);
    if (v && !v->display.units.empty()) w.key("display_units").string(v->display.units);
    if (v && v->display.scale != 1) w.key("display_scale").number(v->display.scale);
    if (v && v->display.money) w.key("money").boolean(true);
}

}  // namespace detail

namespace {

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

}  // namespace sim::serve
