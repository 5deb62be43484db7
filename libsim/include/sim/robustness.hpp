// Robust lever choice (levers x uncertainties, after Lempert et al. 2003):
// every lever combination run over the same parameter samples (common
// random numbers), then per combination the share of samples in which it is
// best, its regret against each sample's best, its spread; per lever the
// factorial main effects and Shapley shares (sim::factorial_effects) with
// percentile intervals; and which conclusions hold in most samples.
// Equations: docs/uncertainty.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/compare.hpp"
#include "sim/ensemble.hpp"
#include "sim/experiment_spec.hpp"
#include "sim/sampling.hpp"

namespace sim {

struct CombinationStats {
    // Share of samples in which the combination is best; a tie among t
    // combinations gives each 1/t, so the shares add up to 1.
    double p_best = 0;
    // Regret: |best value of the sample - this combination's value|.
    double regret_mean = 0, regret_p95 = 0;
    double p5 = 0, p50 = 0, p95 = 0;  // of the indicator over the samples
};

// A lever's effect (main effect or Shapley share) over the samples.
struct EffectSummary {
    double mean = 0, p5 = 0, p50 = 0, p95 = 0;
    double share_positive = 0, share_negative = 0;  // of samples with effect > 0, < 0
};

struct Conclusion {
    enum class Kind {
        best,         // "C is the best combination": C is (one of) the best
        main_effect,  // "lever L has a positive (negative) main effect", sign of its median
        beats,        // "A beats B": A strictly better, for neighbours in the median ranking
    };
    Kind kind = Kind::best;
    std::size_t indicator = 0, a = 0;  // which indicator and report time
    unsigned mask = 0, other = 0;      // combinations (best, beats)
    std::size_t lever = 0;             // main_effect
    std::string text;                  // e.g. "planning+land beats planning"
    double share = 0;                  // of samples in which it holds
    bool holds = false;                // share >= the threshold
};

struct RobustnessResult {
    std::vector<std::string> levers;  // bit order
    std::vector<Indicator> indicators;
    std::vector<double> at;
    std::size_t samples = 0;
    double threshold = 0.9;
    std::vector<CombinationStats> stats;  // [(mask * indicators + i) * at + a]
    std::vector<EffectSummary> main;      // [(i * at + a) * levers + l]
    std::vector<EffectSummary> shapley;   // same layout
    std::vector<EffectSummary> baseline;  // [i * at + a]: the baseline's value
    std::vector<EffectSummary> all;       // [i * at + a]: all levers' effect (all on - baseline)
    // [((i * at + a) * levers + l) * levers + m]: the two-lever interaction
    // (FactorialEffects::interaction), symmetric; zero on the diagonal.
    std::vector<EffectSummary> interaction;
    std::vector<Conclusion> conclusions;  // by indicator, time; best, main effects, beats

    std::size_t combinations() const { return std::size_t{1} << levers.size(); }
    const CombinationStats& stat(unsigned mask, std::size_t i, std::size_t a) const {
        return stats[(mask * indicators.size() + i) * at.size() + a];
    }
    const EffectSummary& main_effect(std::size_t i, std::size_t a, std::size_t l) const {
        return main[(i * at.size() + a) * levers.size() + l];
    }
    const EffectSummary& shapley_share(std::size_t i, std::size_t a, std::size_t l) const {
        return shapley[(i * at.size() + a) * levers.size() + l];
    }
    const EffectSummary& interaction_at(std::size_t i, std::size_t a, std::size_t l, std::size_t m) const {
        return interaction[((i * at.size() + a) * levers.size() + l) * levers.size() + m];
    }
    std::string label(unsigned mask) const;  // "baseline", "planning+land", as CompareResult
};

// The 2^k override sets that switch `levers` on and off, in mask order (bit
// i = lever i on): {L0_on = 0/1, L1_on = 0/1, ...}.
std::vector<Overrides> lever_variants(const std::vector<std::string>& levers);

// Analyses an ensemble whose variants are lever_variants(levers), in that
// order, and whose indicators match `indicators` (their `lower_is_better`
// says which way is best). Throws std::invalid_argument on a mismatch.
RobustnessResult robustness(const EnsembleResult& e, const std::vector<std::string>& levers,
                            const std::vector<Indicator>& indicators, double threshold = 0.9);

// Runs every combination of `levers` over `samples` (ensemble options as
// given, with the indicators and variants filled in) and analyses them.
// Throws sim::Error (E-COMPARE-LEVER) if the model lacks a lever's L_on.
RobustnessResult robust_compare(const Model& model, const std::vector<std::string>& levers,
                                const std::vector<Indicator>& indicators, const SampleMatrix& samples,
                                EnsembleOptions opts, double threshold = 0.9);

// --- sim::compare with samples ----------------------------------------------

// What to sample for a comparison under uncertainty.
struct SampleOptions {
    std::vector<Uncertainty> uncertainties;    // e.g. spec.uncertainties
    std::vector<RankCorrelation> correlations; // honoured by latin_hypercube
    std::size_t samples = 100;                 // N
    std::uint64_t seed = 1;
    SampleMethod method = SampleMethod::latin_hypercube;
    double threshold = 0.9;                    // a conclusion "holds" in at least this share
    std::size_t max_values = max_ensemble_values;  // see EnsembleOptions::max_values
};

struct UncertainComparison {
    CompareResult nominal;     // sim::compare(model, opts): the model's own values
    SampleMatrix samples;      // the N parameter sets every combination sees
    RobustnessResult robust;   // 2^k combinations x N samples
    std::uint64_t seed = 0;    // as sampled
    SampleMethod method = SampleMethod::latin_hypercube;
    std::vector<Uncertainty> uncertainties;  // as sampled
    std::vector<RankCorrelation> correlations;
};

// Levers x uncertainties: the comparison at the model's own values, then
// every combination over the same N samples (common random numbers), with
// the levers, indicators (the cost variable left out, as compare does) and
// report times of the nominal comparison. `opts.progress` counts both
// parts: 2^k + 2^k N runs. Throws sim::Error: E-NO-UNCERTAINTIES without
// uncertainties, E-ENSEMBLE-SIZE (before any run) when the ensemble would
// keep more than `max_values`, E-ENSEMBLE for a bad sampling request
// (no sample, correlations that cannot hold), and compare's errors.
//
//   sim::SampleOptions s;
//   s.uncertainties = spec.uncertainties;
//   s.samples = 200;
//   sim::UncertainComparison u = sim::compare(model, opts, s);
//   double p = u.robust.stat(u.nominal.mask_of("planning+land"), 0, 0).p_best;
UncertainComparison compare(const Model& model, const CompareOptions& opts, const SampleOptions& sampling);

// robustness.csv: `combination,indicator,time,p_best,regret_mean,regret_p95,p5,p50,p95`.
void write_robustness_csv(const RobustnessResult& r, std::ostream& out);
// `indicator,time,lever,measure,mean,p5,p50,p95,share_positive,share_negative`,
// measure = main | shapley.
void write_effect_intervals_csv(const RobustnessResult& r, std::ostream& out);
// `indicator,time,conclusion,share,holds` (holds = yes | no).
void write_conclusions_csv(const RobustnessResult& r, std::ostream& out);

}  // namespace sim
