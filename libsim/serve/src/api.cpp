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
//
// This file holds the handlers and their replies; api_request.cpp reads
// and checks a request and plans its run, api_model.cpp loads the model
// and describes it; api_detail.hpp declares what they share.
#include "sim/serve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "api_detail.hpp"
#include "json.hpp"
#include "sim/compare.hpp"
#include "sim/ensemble.hpp"
#include "sim/model.hpp"
#include "sim/results.hpp"
#include "sim/sampling.hpp"

namespace sim::serve {

using json::Kind;
using json::Value;

using namespace detail;

namespace {

constexpr double band_quantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};
constexpr const char* band_names[] = {"p5", "p25", "p50", "p75", "p95"};

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

}  // namespace

// ------------------------------------------------------------------ Dashboard

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
