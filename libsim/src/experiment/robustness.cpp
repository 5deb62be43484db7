// Robust lever choice over an ensemble of lever combinations x samples (see
// sim/robustness.hpp). Every reduction runs sequentially in sample order.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <stdexcept>

#include "sim/robustness.hpp"
#include "sim/sensitivity.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

EffectSummary summarize(std::vector<double> v) {
    EffectSummary s;
    if (v.empty()) return s;
    const double n = static_cast<double>(v.size());
    for (double x : v) {
        s.mean += x;
        s.share_positive += x > 0;
        s.share_negative += x < 0;
    }
    s.mean /= n;
    s.share_positive /= n;
    s.share_negative /= n;
    std::sort(v.begin(), v.end());
    s.p5 = quantile_sorted(v, 0.05);
    s.p50 = quantile_sorted(v, 0.50);
    s.p95 = quantile_sorted(v, 0.95);
    return s;
}

std::string at_text(const RobustnessResult& r, std::size_t i, std::size_t a) {
    return r.indicators[i].name + " at " + text::number(r.at[a]);
}

}  // namespace

std::string RobustnessResult::label(unsigned mask) const {
    if (mask == 0) return "baseline";
    std::string s;
    for (std::size_t i = 0; i < levers.size(); ++i)
        if (mask >> i & 1u) {
            if (!s.empty()) s += '+';
            s += levers[i];
        }
    return s;
}

std::vector<Overrides> lever_variants(const std::vector<std::string>& levers) {
    if (levers.size() > 16) throw std::invalid_argument("more than 16 levers (2^16 combinations)");
    const std::size_t total = std::size_t{1} << levers.size();
    std::vector<Overrides> v(total);
    for (std::size_t m = 0; m < total; ++m)
        for (std::size_t i = 0; i < levers.size(); ++i) v[m].emplace_back(levers[i] + "_on", (m >> i & 1) ? 1.0 : 0.0);
    return v;
}

RobustnessResult robustness(const EnsembleResult& e, const std::vector<std::string>& levers,
                            const std::vector<Indicator>& indicators, double threshold) {
    RobustnessResult r;
    r.levers = levers;
    r.indicators = indicators;
    r.at = e.at;
    r.samples = e.samples;
    r.threshold = threshold;
    const std::size_t k = levers.size(), nc = std::size_t{1} << k;
    if (levers.empty() || k > 16) throw std::invalid_argument("robustness: between 1 and 16 levers");
    if (e.variants != nc) throw std::invalid_argument("robustness: the ensemble does not have 2^k variants");
    if (indicators.size() != e.indicators.size())
        throw std::invalid_argument("robustness: indicators do not match the ensemble's");
    for (std::size_t i = 0; i < indicators.size(); ++i)
        if (canonical_name(indicators[i].name) != canonical_name(e.indicators[i]))
            throw std::invalid_argument("robustness: indicator '" + indicators[i].name + "' is not the ensemble's");
    const std::size_t ni = indicators.size(), na = e.at.size(), ns = e.samples;
    r.stats.resize(nc * ni * na);
    r.main.resize(ni * na * k);
    r.shapley.resize(ni * na * k);
    r.baseline.resize(ni * na);
    r.all.resize(ni * na);
    r.interaction.resize(ni * na * k * k);

    std::vector<double> y(nc);
    for (std::size_t i = 0; i < ni; ++i) {
        const bool lower = indicators[i].lower_is_better;
        auto better = [&](double a, double b) { return lower ? a < b : a > b; };
        for (std::size_t a = 0; a < na; ++a) {
            std::vector<double> credit(nc, 0.0), best_count(nc, 0.0);
            std::vector<std::vector<double>> regret(nc), value(nc), mains(k), shaps(k), inters(k * k);
            std::vector<double> bases, alls;
            for (std::size_t s = 0; s < ns; ++s) {
                for (std::size_t m = 0; m < nc; ++m) y[m] = e.value(m, s, i, a);
                double best = y[0];
                for (std::size_t m = 1; m < nc; ++m)
                    if (better(y[m], best)) best = y[m];
                std::size_t ties = 0;
                for (std::size_t m = 0; m < nc; ++m) ties += y[m] == best;
                for (std::size_t m = 0; m < nc; ++m) {
                    if (y[m] == best) {
                        credit[m] += 1.0 / static_cast<double>(ties);
                        best_count[m] += 1;
                    }
                    regret[m].push_back(std::fabs(best - y[m]));
                    value[m].push_back(y[m]);
                }
                const FactorialEffects fe = factorial_effects(y);
                for (std::size_t l = 0; l < k; ++l) {
                    mains[l].push_back(fe.main[l]);
                    shaps[l].push_back(fe.shapley[l]);
                    for (std::size_t l2 = l + 1; l2 < k; ++l2) inters[l * k + l2].push_back(fe.interaction_at(l, l2));
                }
                bases.push_back(fe.baseline);
                alls.push_back(fe.all);
            }
            const double n = static_cast<double>(ns);
            for (std::size_t m = 0; m < nc; ++m) {
                CombinationStats& c = r.stats[(m * ni + i) * na + a];
                c.p_best = ns ? credit[m] / n : 0;
                double sum = 0;
                for (double x : regret[m]) sum += x;
                c.regret_mean = ns ? sum / n : 0;
                std::sort(regret[m].begin(), regret[m].end());
                c.regret_p95 = quantile_sorted(regret[m], 0.95);
                std::sort(value[m].begin(), value[m].end());
                c.p5 = quantile_sorted(value[m], 0.05);
                c.p50 = quantile_sorted(value[m], 0.50);
                c.p95 = quantile_sorted(value[m], 0.95);
            }
            for (std::size_t l = 0; l < k; ++l) {
                r.main[(i * na + a) * k + l] = summarize(mains[l]);
                r.shapley[(i * na + a) * k + l] = summarize(shaps[l]);
                for (std::size_t l2 = l + 1; l2 < k; ++l2) {
                    const EffectSummary x = summarize(std::move(inters[l * k + l2]));
                    r.interaction[((i * na + a) * k + l) * k + l2] = x;
                    r.interaction[((i * na + a) * k + l2) * k + l] = x;
                }
            }
            r.baseline[i * na + a] = summarize(std::move(bases));
            r.all[i * na + a] = summarize(std::move(alls));
            if (ns == 0) continue;

            // Conclusions. The best: the combination with the largest p_best.
            unsigned top = 0;
            for (unsigned m = 1; m < nc; ++m)
                if (credit[m] > credit[top]) top = m;
            Conclusion c;
            c.indicator = i;
            c.a = a;
            c.kind = Conclusion::Kind::best;
            c.mask = top;
            c.share = best_count[top] / n;
            c.text = at_text(r, i, a) + ": " + r.label(top) + " is the best combination";
            c.holds = c.share >= threshold;
            r.conclusions.push_back(c);
            // Each lever's main effect has the sign of its median.
            for (std::size_t l = 0; l < k; ++l) {
                const EffectSummary& m = r.main[(i * na + a) * k + l];
                const bool positive = m.p50 >= 0;
                Conclusion d;
                d.indicator = i;
                d.a = a;
                d.kind = Conclusion::Kind::main_effect;
                d.lever = l;
                d.share = positive ? m.share_positive : m.share_negative;
                d.text = at_text(r, i, a) + ": " + levers[l] + " has a " + (positive ? "positive" : "negative") +
                         " main effect";
                d.holds = d.share >= threshold;
                r.conclusions.push_back(d);
            }
            // Neighbours in the ranking by median value, best first.
            std::vector<unsigned> order(nc);
            std::iota(order.begin(), order.end(), 0u);
            std::stable_sort(order.begin(), order.end(), [&](unsigned x, unsigned z) {
                return better(r.stats[(x * ni + i) * na + a].p50, r.stats[(z * ni + i) * na + a].p50);
            });
            for (std::size_t q = 0; q + 1 < nc; ++q) {
                const unsigned A = order[q], B = order[q + 1];
                std::size_t wins = 0;
                for (std::size_t s = 0; s < ns; ++s) wins += better(e.value(A, s, i, a), e.value(B, s, i, a));
                Conclusion b;
                b.indicator = i;
                b.a = a;
                b.kind = Conclusion::Kind::beats;
                b.mask = A;
                b.other = B;
                b.share = static_cast<double>(wins) / n;
                b.text = at_text(r, i, a) + ": " + r.label(A) + " beats " + r.label(B);
                b.holds = b.share >= threshold;
                r.conclusions.push_back(b);
            }
        }
    }
    return r;
}

RobustnessResult robust_compare(const Model& model, const std::vector<std::string>& levers,
                                const std::vector<Indicator>& indicators, const SampleMatrix& samples,
                                EnsembleOptions opts, double threshold) {
    for (const auto& l : levers)
        if (!model.is_constant(l + "_on")) {
            Diagnostics d;
            d.error(sim::Code::E_COMPARE_LEVER, {}, l, "the model has no lever '" + l + "' (no constant '" + l + "_on')");
            throw Error(std::move(d));
        }
    opts.indicators.clear();
    for (const auto& ind : indicators) opts.indicators.push_back(ind.name);
    opts.variants = lever_variants(levers);
    const EnsembleResult e = run_ensemble(model, samples, opts);
    return robustness(e, levers, indicators, threshold);
}

UncertainComparison compare(const Model& model, const CompareOptions& opts, const SampleOptions& sampling) {
    if (sampling.uncertainties.empty())
        throw Error(sim::Code::E_NO_UNCERTAINTIES, "",
                    "no uncertain parameters to sample: declare them under 'uncertainties:' in the model or scenario");
    if (sampling.samples == 0) throw Error(sim::Code::E_ENSEMBLE, "", "the number of samples must be positive");

    // The ensemble's size, bounded before anything runs (an upper bound:
    // compare may leave the cost variable out of the indicators).
    const std::size_t k = opts.levers.empty() ? model.spec().levers.size() : opts.levers.size();
    if (k >= 1 && k <= 16) {
        EnsembleOptions probe;
        probe.indicators.resize(opts.indicators.empty() ? default_indicators(model, opts.base).size()
                                                        : opts.indicators.size());
        probe.at = opts.at;
        probe.base = opts.base;
        probe.variants.resize(std::size_t{1} << k);
        const EnsembleSize z = ensemble_size(model, sampling.samples, sampling.uncertainties.size(), probe);
        if (z.values > sampling.max_values)
            throw Error(sim::Code::E_ENSEMBLE_SIZE, "",
                        "the comparison would keep " + text::count(z.values) + " values (" +
                            std::to_string(sampling.samples) + " samples x " + std::to_string(probe.variants.size()) +
                            " combinations x " + std::to_string(probe.indicators.size()) + " indicators x " +
                            std::to_string(std::max<std::size_t>(1, probe.at.size())) +
                            " report times), more than the limit of " +
                            text::count(sampling.max_values) +
                            "; use fewer samples, levers, indicators or report times");
    }

    UncertainComparison u;
    u.seed = sampling.seed;
    u.method = sampling.method;
    u.uncertainties = sampling.uncertainties;
    u.correlations = sampling.correlations;
    const std::size_t nominal_runs = std::size_t{1} << std::min<std::size_t>(k, 16);
    // Sampling first: it is cheap and may refuse (too few samples to
    // correlate), before any run.
    try {
        u.samples = sample(sampling.uncertainties, sampling.correlations, sampling.samples, sampling.method,
                           sampling.seed);
    } catch (const std::invalid_argument& e) {
        throw Error(sim::Code::E_ENSEMBLE, "", e.what());
    }
    CompareOptions copts = opts;
    if (opts.progress)
        copts.progress = [&](std::size_t done, std::size_t) {
            opts.progress(done, nominal_runs + nominal_runs * sampling.samples);
        };
    u.nominal = compare(model, copts);
    if (opts.on_nominal) opts.on_nominal(u.nominal);

    EnsembleOptions eo;
    eo.at = u.nominal.at;
    eo.base = opts.base;
    std::erase_if(eo.base.set, [&](const auto& kv) {
        return std::any_of(u.nominal.levers.begin(), u.nominal.levers.end(),
                           [&](const std::string& l) { return canonical_name(l + "_on") == canonical_name(kv.first); });
    });
    eo.threads = opts.threads;
    eo.max_values = sampling.max_values;
    eo.comm = opts.comm;  // under MPI the samples split across the ranks too
    const std::size_t offset = u.nominal.combinations.size();
    if (opts.progress)
        eo.progress = [&](std::size_t done, std::size_t total) { opts.progress(offset + done, offset + total); };
    u.robust = robust_compare(model, u.nominal.levers, u.nominal.indicators, u.samples, eo, sampling.threshold);
    return u;
}

void write_robustness_csv(const RobustnessResult& r, std::ostream& out) {
    out << "combination,indicator,time,p_best,regret_mean,regret_p95,p5,p50,p95\n";
    for (unsigned m = 0; m < r.combinations(); ++m)
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            for (std::size_t a = 0; a < r.at.size(); ++a) {
                const CombinationStats& c = r.stat(m, i, a);
                out << text::csv_field(r.label(m)) << ',' << text::csv_field(r.indicators[i].name) << ','
                    << text::csv_number(r.at[a]) << ',' << text::csv_number(c.p_best) << ',' << text::csv_number(c.regret_mean)
                    << ',' << text::csv_number(c.regret_p95) << ',' << text::csv_number(c.p5) << ',' << text::csv_number(c.p50)
                    << ',' << text::csv_number(c.p95) << '\n';
            }
}

void write_effect_intervals_csv(const RobustnessResult& r, std::ostream& out) {
    out << "indicator,time,lever,measure,mean,p5,p50,p95,share_positive,share_negative\n";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        for (std::size_t a = 0; a < r.at.size(); ++a)
            for (std::size_t l = 0; l < r.levers.size(); ++l)
                for (int which = 0; which < 2; ++which) {
                    const EffectSummary& s = which == 0 ? r.main_effect(i, a, l) : r.shapley_share(i, a, l);
                    out << text::csv_field(r.indicators[i].name) << ',' << text::csv_number(r.at[a]) << ','
                        << text::csv_field(r.levers[l]) << ',' << (which == 0 ? "main" : "shapley") << ','
                        << text::csv_number(s.mean) << ',' << text::csv_number(s.p5) << ',' << text::csv_number(s.p50) << ','
                        << text::csv_number(s.p95) << ',' << text::csv_number(s.share_positive) << ','
                        << text::csv_number(s.share_negative) << '\n';
                }
}

void write_conclusions_csv(const RobustnessResult& r, std::ostream& out) {
    out << "indicator,time,conclusion,share,holds\n";
    for (const auto& c : r.conclusions)
        out << text::csv_field(r.indicators[c.indicator].name) << ',' << text::csv_number(r.at[c.a]) << ','
            << text::csv_field(c.text) << ',' << text::csv_number(c.share) << ',' << (c.holds ? "yes" : "no") << '\n';
}

}  // namespace sim
