// Lever comparison: runs the 2^k lever combinations of one compiled model on
// the shared worker pool (util/parallel.hpp). Determinism: each run writes
// only its own slot, and every reduction across runs happens afterwards,
// sequentially in mask order, so the results are the same bit for bit
// whatever the thread count.
#include <algorithm>
#include <bit>
#include <cmath>
#include <thread>

#include "sim/compare.hpp"
#include "sim/limits.hpp"
#include "experiment/distributed.hpp"
#include "run/prepare.hpp"
#include "util/interpolate.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

[[noreturn]] void fail(sim::Code code, const std::string& what, const std::string& msg) {
    throw Error(code, what, msg);
}

bool same_name(std::string_view a, std::string_view b) { return canonical_name(a) == canonical_name(b); }

// One run's output before the cross-run reductions.
struct Slot {
    std::vector<double> times;  // run 0 only
    std::size_t rows = 0;       // every run: its saved times, summarised
    double first = 0, last = 0;
    bool ok = false;            // every report time was within the saved rows
    Combination c;
};

// What the comparison will keep, estimated before any run: the kept series
// (runs x series x rows) and, per worker thread, one run's results.
template <class Kept>
void check_compare_memory(const Model& model, const RunOptions& base, const CompareOptions& opts, std::size_t total,
                          std::size_t k, std::size_t series, std::size_t saved, Kept kept) {
    const SimSpecs s = effective_specs(model.specs(), base);
    const double step = s.save_step.value_or(s.dt);
    if (!(step > 0) || !(s.stop >= s.start)) return;  // the first run reports the bad specs
    const double rows = std::floor((s.stop - s.start) / step + 1e-9) + 1;
    std::size_t runs_kept = 0;
    for (std::size_t m = 0; m < total; ++m) runs_kept += kept(m) ? 1 : 0;
    const double threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
    const double bytes = 8.0 * rows *
                         (static_cast<double>(runs_kept) * static_cast<double>(series) +
                          std::min(threads, static_cast<double>(total)) * (2.0 * static_cast<double>(saved) + 1));
    if (detail::fits_memory(bytes, base.max_memory)) return;
    const std::uint64_t budget = base.max_memory ? *base.max_memory : default_memory_budget();
    throw Error(sim::Code::E_MEMORY, "",
                "the comparison of " + std::to_string(k) + " levers would keep " + std::to_string(runs_kept) +
                    " runs x " + std::to_string(series) + " series x " + text::number(rows) + " rows (and one run per thread), about " +
                    (bytes < 1.8e19 ? format_bytes(static_cast<std::uint64_t>(bytes)) : text::number(bytes) + " bytes") +
                    ", more than the memory budget of " + format_bytes(budget) +
                    " (raise it with --max-memory); keep fewer series (CompareOptions::keep_series), compare fewer "
                    "levers or indicators, or save less often. Nothing was run");
}

// The cost rate's units integrated over time: "yuan/year" with time units
// "year" gives "yuan"; "" when the levers disagree or it cannot be told.
std::string integrated_units(const std::vector<const Lever*>& levers, const std::string& time_units) {
    std::string units;
    for (const Lever* l : levers) {
        if (l->cost.empty()) continue;
        if (!units.empty() && l->cost_units != units) return "";
        units = l->cost_units;
    }
    const std::string per = "/" + time_units;
    if (time_units.empty() || units.size() <= per.size() ||
        units.compare(units.size() - per.size(), per.size(), per) != 0)
        return "";
    return units.substr(0, units.size() - per.size());
}

}  // namespace

CompareResult compare(const ModelSpec& spec, const CompareOptions& opts) {
    return compare(Model::compile(spec), opts);
}

Expected<CompareResult> try_compare(const Model& model, const CompareOptions& opts) {
    try {
        return compare(model, opts);
    } catch (const Error& e) {
        return e.diagnostics();
    }
}

CompareResult compare(const Model& model, const CompareOptions& opts) {
    const ModelSpec& spec = model.spec();
    CompareResult r;
    r.model_name = spec.name;

    // Levers, in the order given (or the model's order): lever i is bit i.
    std::vector<const Lever*> chosen;
    if (opts.levers.empty()) {
        for (const auto& l : spec.levers) chosen.push_back(&l);
    } else {
        for (const auto& name : opts.levers) {
            auto it = std::find_if(spec.levers.begin(), spec.levers.end(),
                                   [&](const Lever& l) { return same_name(l.name, name); });
            if (it == spec.levers.end()) {
                std::string known;
                for (const auto& l : spec.levers) known += (known.empty() ? "" : ", ") + l.name;
                fail(sim::Code::E_COMPARE_LEVER, name,
                     "unknown lever '" + name + "'; the model's levers are: " +
                         (known.empty() ? "(none)" : known));
            }
            if (std::find(chosen.begin(), chosen.end(), &*it) != chosen.end())
                fail(sim::Code::E_COMPARE_LEVER, name, "lever '" + name + "' is listed twice");
            chosen.push_back(&*it);
        }
    }
    if (chosen.empty())
        fail(sim::Code::E_COMPARE_NO_LEVERS, "", "the model declares no levers: there is nothing to compare");
    if (chosen.size() > 16)
        fail(sim::Code::E_COMPARE_TOO_MANY, "",
             std::to_string(chosen.size()) + " levers would need 2^" + std::to_string(chosen.size()) +
                 " runs; choose at most 16 with --levers");
    std::vector<std::string> on_names;
    for (const Lever* l : chosen) {
        r.levers.push_back(l->name);
        r.lever_titles.push_back(l->title);
        r.lever_titles_zh.push_back(l->title_zh);
        r.lever_names_zh.push_back(l->name_zh);
        r.lever_sections.push_back(l->section);
        on_names.push_back(l->name + "_on");
        if (!model.has_variable(on_names.back()))
            fail(sim::Code::E_COMPARE_LEVER, l->name,
                 "the compiled model has no constant '" + on_names.back() +
                     "'; was it compiled from this model?");
    }

    // Report times: the stop time unless given.
    const double start = opts.base.start.value_or(model.specs().start);
    const double stop = opts.base.stop.value_or(model.specs().stop);
    if (opts.at.empty()) {
        r.at.push_back(stop);
    } else {
        for (double t : opts.at) {
            if (!(t >= start && t <= stop))
                fail(sim::Code::E_COMPARE_AT, "",
                     "report time " + text::number(t) + " is outside the run [" + text::number(start) + ", " +
                         text::number(stop) + "]");
            r.at.push_back(t);
        }
    }

    // Cost source.
    std::vector<std::string> cost_vars;
    bool cost_is_stock = false;
    if (!opts.cost_variable.empty() && !model.has_variable(opts.cost_variable))
        fail(sim::Code::E_COMPARE_INDICATOR, opts.cost_variable,
             "the model has no variable '" + opts.cost_variable + "' to take the cost from");
    if (!opts.cost_variable.empty()) {
        const Variable* v = spec.find(opts.cost_variable);
        cost_vars.push_back(opts.cost_variable);
        cost_is_stock = true;
        r.cost_name = v ? v->name : opts.cost_variable;
        r.cost_units = v ? v->units : "";
        r.cost_source = "the model's `" + r.cost_name + "`";
    } else {
        std::vector<const Lever*> costed;
        for (const auto& l : spec.levers)
            if (!l.cost.empty() && model.has_variable(l.name + "_cost")) {
                cost_vars.push_back(l.name + "_cost");
                costed.push_back(&l);
            }
        if (!cost_vars.empty()) {
            r.cost_name = "integrated_lever_cost";
            r.cost_units = integrated_units(costed, model.specs().time_units);
            r.cost_source = "`integrated_lever_cost`, the sum of the levers' cost rates (";
            for (std::size_t i = 0; i < cost_vars.size(); ++i) r.cost_source += (i ? ", " : "") + cost_vars[i];
            r.cost_source += ") integrated over time (trapezoid rule over the saved rows)";
        }
    }
    r.has_cost = !cost_vars.empty();

    // Indicators: checked, without duplicates, the cost variable reported apart.
    auto wanted = opts.indicators.empty() ? default_indicators(model, opts.base) : opts.indicators;
    for (const auto& ind : wanted) {
        if (!model.has_variable(ind.name))
            fail(sim::Code::E_COMPARE_INDICATOR, ind.name, "the model has no variable '" + ind.name + "'");
        if (cost_is_stock && same_name(ind.name, cost_vars[0])) continue;
        if (std::none_of(r.indicators.begin(), r.indicators.end(),
                         [&](const Indicator& x) { return same_name(x.name, ind.name); }))
            r.indicators.push_back(ind);
    }
    if (r.indicators.empty())
        fail(sim::Code::E_COMPARE_INDICATOR, "", "no indicators to compare; name them (--indicators a,b,...)");

    // Options shared by every run; each run adds its L_on values.
    RunOptions base = opts.base;
    base.save.clear();
    for (const auto& ind : r.indicators) base.save.push_back(ind.name);
    for (const auto& c : cost_vars) base.save.push_back(c);
    // Display metadata, and the deflator's series for constant-price views.
    for (const auto& ind : r.indicators) r.indicator_display.push_back(spec.display_of(ind.name));
    if (cost_is_stock) r.cost_display = spec.display_of(cost_vars[0]);
    else if (r.has_cost) r.cost_display.units = r.cost_units, r.cost_display.money = true;
    if (!spec.deflator.variable.empty() && model.has_variable(spec.deflator.variable)) {
        r.deflator = spec.deflator.variable;
        r.deflator_year = spec.deflator.year.value_or(start);
        if (std::none_of(base.save.begin(), base.save.end(), [&](const std::string& n) { return same_name(n, r.deflator); }))
            base.save.push_back(r.deflator);
    }
    std::erase_if(base.set, [&](const auto& kv) {
        return std::any_of(on_names.begin(), on_names.end(), [&](const auto& n) { return same_name(n, kv.first); });
    });

    const std::size_t k = chosen.size();
    const std::size_t total = std::size_t{1} << k;
    const unsigned all = static_cast<unsigned>(total - 1);
    auto kept = [&](std::size_t m) {
        if (opts.keep_series == CompareOptions::Keep::all) return true;
        if (opts.keep_series == CompareOptions::Keep::none) return false;
        return m == 0 || m == all || std::has_single_bit(static_cast<unsigned>(m));  // the runs reports show
    };
    check_compare_memory(model, base, opts, total, k, r.indicators.size() + (cost_vars.empty() ? 0 : 1),
                         base.save.size(), kept);
    std::vector<Slot> slots(total);
    const std::size_t na = r.at.size();

    auto run_one = [&](std::size_t m) {
        RunOptions o = base;
        for (std::size_t i = 0; i < k; ++i) o.set.emplace_back(on_names[i], (m >> i & 1) ? 1.0 : 0.0);
        Results res = model.run(o);
        Slot& s = slots[m];
        s.c.mask = static_cast<unsigned>(m);
        for (const auto& ind : r.indicators) s.c.series.push_back(res.series(ind.name));
        if (!r.deflator.empty()) s.c.deflator_series = res.series(r.deflator);
        if (cost_is_stock) {
            s.c.cost_series = res.series(cost_vars[0]);
        } else if (!cost_vars.empty()) {
            std::vector<std::vector<double>> rates;
            for (const auto& c : cost_vars) rates.push_back(res.series(c));
            s.c.cost_series.assign(res.rows(), 0.0);
            double prev = 0;
            for (std::size_t row = 0; row < res.rows(); ++row) {
                double rate = 0;
                for (const auto& v : rates) rate += v[row];
                if (row > 0)
                    s.c.cost_series[row] =
                        s.c.cost_series[row - 1] + 0.5 * (res.times[row] - res.times[row - 1]) * (prev + rate);
                prev = rate;
            }
        }
        // The values at the report times now, so that only the kept series outlive the run.
        s.rows = res.times.size();
        s.first = s.rows ? res.times.front() : 0;
        s.last = s.rows ? res.times.back() : 0;
        s.c.values.assign(r.indicators.size() * na, 0.0);
        s.ok = true;
        for (std::size_t i = 0; i < r.indicators.size() && s.ok; ++i)
            for (std::size_t a = 0; a < na && s.ok; ++a) {
                auto v = detail::interpolate(res.times, r.at[a], [&](std::size_t j) { return s.c.series[i][j]; });
                if (v) s.c.values[i * na + a] = *v;
                else s.ok = false;
            }
        if (r.has_cost)
            for (std::size_t a = 0; a < na && s.ok; ++a) {
                auto v = detail::interpolate(res.times, r.at[a], [&](std::size_t j) { return s.c.cost_series[j]; });
                if (v) s.c.cost.push_back(*v);
                else s.ok = false;
            }
        if (m == 0) s.times = std::move(res.times);
        if (!kept(m)) {
            s.c.series = {};
            s.c.cost_series = {};
        }
    };

    // A run's summary for the other ranks: its saved times summarised (and
    // run 0's times), whether every report time was within them, the values
    // and costs at the report times, and the kept series (each with its
    // length: a run whose series are not kept sends none).
    auto put = [](std::vector<double>& out, const std::vector<double>& v) {
        out.push_back(static_cast<double>(v.size()));
        out.insert(out.end(), v.begin(), v.end());
    };
    auto pack = [&](std::size_t m, std::vector<double>& out) {
        const Slot& s = slots[m];
        out.push_back(static_cast<double>(s.rows));
        out.push_back(s.first);
        out.push_back(s.last);
        out.push_back(s.ok ? 1.0 : 0.0);
        put(out, s.times);
        put(out, s.c.values);
        put(out, s.c.cost);
        out.push_back(static_cast<double>(s.c.series.size()));
        for (const auto& series : s.c.series) put(out, series);
        put(out, s.c.cost_series);
        put(out, s.c.deflator_series);
    };
    auto unpack = [&](std::size_t m, std::span<const double> d) {
        Slot& s = slots[m];
        s.c.mask = static_cast<unsigned>(m);
        std::size_t pos = 0;
        auto take = [&](std::size_t n) {
            if (n > d.size() - pos) fail(sim::Code::E_INTERNAL, "", "a rank sent a short run summary");
            std::vector<double> v(d.begin() + static_cast<std::ptrdiff_t>(pos),
                                  d.begin() + static_cast<std::ptrdiff_t>(pos + n));
            pos += n;
            return v;
        };
        auto count = [&] { return static_cast<std::size_t>(take(1)[0]); };
        s.rows = count();
        s.first = take(1)[0];
        s.last = take(1)[0];
        s.ok = take(1)[0] != 0;
        s.times = take(count());
        s.c.values = take(count());
        s.c.cost = take(count());
        s.c.series.assign(count(), {});
        for (auto& series : s.c.series) series = take(count());
        s.c.cost_series = take(count());
        s.c.deflator_series = take(count());
    };
    detail::distributed_for(opts.comm, total, opts.threads, run_one, opts.progress, pack, unpack);

    // Sequential checks, in mask order.
    r.times = std::move(slots[0].times);
    if (r.times.empty()) fail(sim::Code::E_COMPARE_RUN, "", "the runs saved no rows");
    for (std::size_t m = 1; m < total; ++m)
        if (slots[m].rows != r.times.size() || slots[m].first != r.times.front() || slots[m].last != r.times.back())
            fail(sim::Code::E_COMPARE_RUN, "", "combination " + std::to_string(m) + " saved different times");
    for (const auto& s : slots)
        if (!s.ok)
            for (double t : r.at)
                if (!(t >= r.times.front() && t <= r.times.back()))
                    fail(sim::Code::E_COMPARE_RUN, "",
                         "report time " + text::number(t) + " is outside the saved rows [" +
                             text::number(r.times.front()) + ", " + text::number(r.times.back()) + "]");
    r.combinations.reserve(total);
    for (auto& s : slots) r.combinations.push_back(std::move(s.c));
    analyse(r);
    return r;
}

}  // namespace sim
