// Lever comparison: runs the 2^k lever combinations of one compiled model on
// the shared worker pool (util/parallel.hpp). Determinism: each run writes
// only its own slot, and every reduction across runs happens afterwards,
// sequentially in mask order, so the results are the same bit for bit
// whatever the thread count.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "sim/compare.hpp"
#include "util/parallel.hpp"

namespace sim {

namespace {

[[noreturn]] void fail(const std::string& code, const std::string& what, const std::string& msg) {
    Diagnostics d;
    d.error(code, SourceLoc{}, what, msg);
    throw Error(std::move(d));
}

std::string num(double v) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

bool same_name(std::string_view a, std::string_view b) { return canonical_name(a) == canonical_name(b); }

// One run's output before the cross-run reductions.
struct Slot {
    std::vector<double> times;
    Combination c;
};

}  // namespace

CompareResult compare(const ModelSpec& spec, const CompareOptions& opts) {
    return compare(Model::compile(spec), spec, opts);
}

CompareResult compare(const Model& model, const ModelSpec& spec, const CompareOptions& opts) {
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
                fail("E-COMPARE-LEVER", name,
                     "unknown lever '" + name + "'; the model's levers are: " +
                         (known.empty() ? "(none)" : known));
            }
            if (std::find(chosen.begin(), chosen.end(), &*it) != chosen.end())
                fail("E-COMPARE-LEVER", name, "lever '" + name + "' is listed twice");
            chosen.push_back(&*it);
        }
    }
    if (chosen.empty())
        fail("E-COMPARE-NO-LEVERS", "", "the model declares no levers: there is nothing to compare");
    if (chosen.size() > 16)
        fail("E-COMPARE-TOO-MANY", "",
             std::to_string(chosen.size()) + " levers would need 2^" + std::to_string(chosen.size()) +
                 " runs; choose at most 16 with --levers");
    std::vector<std::string> on_names;
    for (const Lever* l : chosen) {
        r.levers.push_back(l->name);
        r.lever_titles.push_back(l->title);
        on_names.push_back(l->name + "_on");
        if (!model.has_variable(on_names.back()))
            fail("E-COMPARE-LEVER", l->name,
                 "the compiled model has no constant '" + on_names.back() +
                     "'; was it compiled from this model?");
    }

    // Report times.
    const double start = opts.base.start.value_or(model.specs().start);
    const double stop = opts.base.stop.value_or(model.specs().stop);
    if (opts.at.empty()) {
        for (double t : {2030.0, 2035.0, 2050.0})
            if (t >= start && t <= stop) r.at.push_back(t);
        if (r.at.empty()) r.at.push_back(stop);
    } else {
        for (double t : opts.at) {
            if (!(t >= start && t <= stop))
                fail("E-COMPARE-AT", "",
                     "report time " + num(t) + " is outside the run [" + num(start) + ", " + num(stop) + "]");
            r.at.push_back(t);
        }
    }

    // Cost source.
    std::vector<std::string> cost_vars;
    bool cost_is_stock = false;
    if (!opts.cost_variable.empty() && model.has_variable(opts.cost_variable)) {
        cost_vars.push_back(opts.cost_variable);
        cost_is_stock = true;
        r.cost_source = "the model's `" + opts.cost_variable + "`";
    } else {
        for (const auto& l : spec.levers)
            if (!l.cost.empty() && model.has_variable(l.name + "_cost")) cost_vars.push_back(l.name + "_cost");
        if (!cost_vars.empty()) {
            r.cost_source = "sum of the levers' cost rates (";
            for (std::size_t i = 0; i < cost_vars.size(); ++i) r.cost_source += (i ? ", " : "") + cost_vars[i];
            r.cost_source += ") integrated over time (trapezoid rule over the saved rows)";
        }
    }
    r.has_cost = !cost_vars.empty();

    // Indicators: checked, without duplicates, the cost variable reported apart.
    auto wanted = opts.indicators.empty() ? default_indicators(spec, opts.base) : opts.indicators;
    for (const auto& ind : wanted) {
        if (!model.has_variable(ind.name))
            fail("E-COMPARE-INDICATOR", ind.name, "the model has no variable '" + ind.name + "'");
        if (cost_is_stock && same_name(ind.name, cost_vars[0])) continue;
        if (std::none_of(r.indicators.begin(), r.indicators.end(),
                         [&](const Indicator& x) { return same_name(x.name, ind.name); }))
            r.indicators.push_back(ind);
    }
    if (r.indicators.empty())
        fail("E-COMPARE-INDICATOR", "", "no indicators to compare; name them (--indicators a,b,...)");

    // Options shared by every run; each run adds its L_on values.
    RunOptions base = opts.base;
    base.save.clear();
    for (const auto& ind : r.indicators) base.save.push_back(ind.name);
    for (const auto& c : cost_vars) base.save.push_back(c);
    std::erase_if(base.set, [&](const auto& kv) {
        return std::any_of(on_names.begin(), on_names.end(), [&](const auto& n) { return same_name(n, kv.first); });
    });

    const std::size_t k = chosen.size();
    const std::size_t total = std::size_t{1} << k;
    std::vector<Slot> slots(total);

    auto run_one = [&](std::size_t m) {
        RunOptions o = base;
        for (std::size_t i = 0; i < k; ++i) o.set.emplace_back(on_names[i], (m >> i & 1) ? 1.0 : 0.0);
        Results res = model.run(o);
        Slot& s = slots[m];
        s.c.mask = static_cast<unsigned>(m);
        s.times = res.times;
        for (const auto& ind : r.indicators) s.c.series.push_back(res.series(ind.name));
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
    };

    detail::parallel_for(total, opts.threads, run_one, opts.progress);

    // Sequential reductions, in mask order.
    r.times = slots[0].times;
    if (r.times.empty()) fail("E-COMPARE-RUN", "", "the runs saved no rows");
    for (std::size_t m = 1; m < total; ++m)
        if (slots[m].times != r.times)
            fail("E-COMPARE-RUN", "", "combination " + std::to_string(m) + " saved different times");
    for (double t : r.at) {
        std::size_t best = 0;  // nearest saved row, first on ties (as Results::value_at)
        for (std::size_t row = 1; row < r.times.size(); ++row)
            if (std::fabs(r.times[row] - t) < std::fabs(r.times[best] - t)) best = row;
        r.at_row.push_back(best);
    }
    const std::size_t na = r.at.size();
    r.combinations.reserve(total);
    for (auto& s : slots) {
        Combination& c = s.c;
        c.values.assign(r.indicators.size() * na, 0.0);
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            for (std::size_t a = 0; a < na; ++a) c.values[i * na + a] = c.series[i][r.at_row[a]];
        if (r.has_cost)
            for (std::size_t a = 0; a < na; ++a) c.cost.push_back(c.cost_series[r.at_row[a]]);
        r.combinations.push_back(std::move(c));
    }
    analyse(r);
    return r;
}

}  // namespace sim
