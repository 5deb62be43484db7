// Lever comparison, the analysis: factorial effects and Shapley shares, and
// reading a comparison by names. (compare.cpp runs the combinations; the
// writers are in libsim/report.)
#include <bit>
#include <cmath>

#include "sim/compare.hpp"
#include "experiment/stock_columns.hpp"
#include "util/interpolate.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

// Neumaier's compensated sum: the Shapley shares must add up to the
// all-levers effect to ~1 ulp of the terms, whatever k.
struct Sum {
    double s = 0, c = 0;
    void add(double x) {
        double t = s + x;
        c += std::fabs(s) >= std::fabs(x) ? (s - t) + x : (x - t) + s;
        s = t;
    }
    double value() const { return s + c; }
};

}  // namespace

FactorialEffects factorial_effects(std::span<const double> y) {
    const std::size_t n = y.size();
    if (n == 0 || !std::has_single_bit(n))
        throw Error(sim::Code::E_COMPARE_EFFECTS, "", std::to_string(n) + " values is not a power of two");
    const std::size_t k = static_cast<std::size_t>(std::countr_zero(n));
    if (k > 24) throw Error(sim::Code::E_COMPARE_EFFECTS, "", "more than 24 levers");

    FactorialEffects e;
    e.baseline = y[0];
    e.all = y[n - 1] - y[0];
    e.main.assign(k, 0.0);
    e.interaction.assign(k * k, 0.0);
    e.shapley.assign(k, 0.0);
    const double half = static_cast<double>(n) / 2;

    // Contrasts with +-1 coding: main_i = (sum_on - sum_off) / (n/2);
    // interaction_ij = (sum over s_i s_j y) / (n/2).
    for (std::size_t i = 0; i < k; ++i) {
        Sum on, off;
        for (std::size_t m = 0; m < n; ++m) ((m >> i) & 1 ? on : off).add(y[m]);
        e.main[i] = (on.value() - off.value()) / half;
        for (std::size_t j = i + 1; j < k; ++j) {
            Sum same, diff;
            for (std::size_t m = 0; m < n; ++m)
                (((m >> i) ^ (m >> j)) & 1 ? diff : same).add(y[m]);
            double v = (same.value() - diff.value()) / half;
            e.interaction[i * k + j] = e.interaction[j * k + i] = v;
        }
    }

    // Shapley weights |S|!(k-|S|-1)!/k! = 1 / (k * C(k-1, |S|)); binomials up
    // to C(23, 11) are exact in a double.
    std::vector<double> w(k, 0.0);
    for (std::size_t s = 0; s < k; ++s) {
        double c = 1;
        for (std::size_t t = 1; t <= s; ++t) c = c * static_cast<double>(k - t) / static_cast<double>(t);
        w[s] = 1.0 / (static_cast<double>(k) * std::round(c));
    }
    for (std::size_t i = 0; i < k; ++i) {
        Sum phi;
        const std::size_t bit = std::size_t{1} << i;
        for (std::size_t m = 0; m < n; ++m) {
            if (m & bit) continue;
            phi.add(w[static_cast<std::size_t>(std::popcount(m))] * (y[m | bit] - y[m]));
        }
        e.shapley[i] = phi.value();
    }
    return e;
}

void analyse(CompareResult& r) {
    const std::size_t n = r.combinations.size();
    const std::size_t na = r.at.size();
    r.effects.clear();
    r.effects.reserve(r.indicators.size() * na);
    std::vector<double> y(n);
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < na; ++a) {
            for (std::size_t m = 0; m < n; ++m) y[m] = r.combinations[m].values[ind * na + a];
            r.effects.push_back(factorial_effects(y));
        }
}

std::string CompareResult::label(unsigned mask) const {
    if (mask == 0) return "baseline";
    std::string s;
    for (std::size_t i = 0; i < levers.size(); ++i)
        if (mask >> i & 1u) {
            if (!s.empty()) s += '+';
            s += levers[i];
        }
    return s;
}

std::vector<Indicator> default_indicators(const Model& model, const RunOptions& base) {
    const ModelSpec& spec = model.spec();
    std::vector<Indicator> out;
    std::vector<std::string> columns;
    if (!base.save.empty()) {
        for (const auto& s : base.save)
            if (auto* v = spec.find(s); v && v->kind == VarKind::stock) detail::append_stock_columns(model, v->name, columns);
    } else {
        for (const auto& v : spec.variables)
            if (v.kind == VarKind::stock) detail::append_stock_columns(model, v.name, columns);
    }
    for (auto& c : columns) out.push_back({std::move(c), false});
    return out;
}

unsigned CompareResult::mask_of(std::string_view combination) const {
    const std::string label(text::trim(combination));
    if (canonical_name(label) == "baseline") return 0;
    unsigned mask = 0;
    std::size_t pos = 0;
    for (;;) {
        auto plus = label.find('+', pos);
        const std::string part(text::trim(std::string_view(label).substr(pos, plus == std::string::npos ? plus : plus - pos)));
        std::size_t i = 0;
        while (i < levers.size() && canonical_name(levers[i]) != canonical_name(part)) ++i;
        if (i == levers.size()) {
            std::string hint;
            if (auto c = text::closest(part, levers)) hint = "; did you mean '" + *c + "'?";
            throw Error(sim::Code::E_COMPARE_LEVER, part,
                        "'" + part + "' in combination '" + label + "' is not one of the compared levers" + hint);
        }
        mask |= 1u << i;
        if (plus == std::string::npos) return mask;
        pos = plus + 1;
    }
}

double CompareResult::value(std::string_view combination, std::string_view indicator, double t) const {
    const unsigned mask = mask_of(combination);
    std::size_t ind = 0;
    while (ind < indicators.size() && canonical_name(indicators[ind].name) != canonical_name(indicator)) ++ind;
    if (ind == indicators.size()) {
        std::vector<std::string> names;
        for (const auto& x : indicators) names.push_back(x.name);
        std::string hint;
        if (auto c = text::closest(indicator, names)) hint = "; did you mean '" + *c + "'?";
        throw Error(sim::Code::E_UNKNOWN_NAME, std::string(indicator),
                    "'" + std::string(indicator) + "' is not one of the compared indicators" + hint);
    }
    if (mask >= combinations.size()) throw Error(sim::Code::E_COMPARE_RUN, "", "the comparison has no runs");
    // A report time gives the value stored for it (the same number).
    for (std::size_t a = 0; a < at.size(); ++a)
        if (at[a] == t) return value(mask, ind, a);
    if (combinations[mask].series.size() <= ind)
        throw Error(sim::Code::E_COMPARE_RUN, std::string(indicator),
                    "the series of '" + label(mask) + "' were not kept (CompareOptions::keep_series); only the report "
                    "times are available for it");
    const auto& series = combinations[mask].series[ind];
    auto v = detail::interpolate(times, t, [&](std::size_t i) { return series[i]; });
    if (!v)
        throw Error(sim::Code::E_RESULTS_TIME, std::string(indicator),
                    "time " + text::number(t) + " is outside the saved run" +
                        (times.empty() ? std::string()
                                       : " [" + text::number(times.front()) + ", " + text::number(times.back()) + "]"));
    return *v;
}

}  // namespace sim
