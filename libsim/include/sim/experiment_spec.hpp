// What model and scenario files declare for experiments: uncertain
// parameters (`uncertainties:`), rank correlations between them
// (`correlations:`) and behaviour checks (`checks:`). Plain value types, each
// with its source position; ModelSpec holds them. Formats: docs/uncertainty.md
// and docs/checks.md.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim {

enum class DistKind { uniform, triangular, normal, lognormal, beta, discrete };
const char* to_string(DistKind k);
std::optional<DistKind> parse_dist_kind(std::string_view s);  // case-insensitive

// A probability distribution of one parameter.
//   uniform     min, max
//   triangular  min, mode, max
//   normal      mean, sd; truncated to [min, max] when either is finite
//   lognormal   mu, sigma (of ln x); truncated to [min, max] when given
//   beta        alpha, beta on [0, 1], scaled to [min, max] (default [0, 1])
//   discrete    values, weights (relative, default equal)
struct Distribution {
    static constexpr double inf = std::numeric_limits<double>::infinity();

    DistKind kind = DistKind::uniform;
    double min = -inf, max = inf;
    double mode = 0;             // triangular
    double mean = 0, sd = 1;     // normal
    double mu = 0, sigma = 1;    // lognormal
    double alpha = 1, beta = 1;  // beta
    std::vector<double> values, weights;  // discrete

    static Distribution uniform(double lo, double hi);
    static Distribution triangular(double lo, double mode, double hi);
    static Distribution normal(double mean, double sd, double lo = -inf, double hi = inf);
    static Distribution lognormal(double mu, double sigma, double lo = 0, double hi = inf);
    static Distribution beta_dist(double alpha, double beta, double lo = 0, double hi = 1);
    static Distribution discrete(std::vector<double> values, std::vector<double> weights = {});
};

// What is wrong with a distribution's parameters: the field at fault
// ("min", "max", "mode", "sd", "sigma", "alpha", "beta", "values",
// "weights", "mean", "mu") and a message such as "min (3) must be below max
// (2)", "sd must be positive (found 0)", "the bounds [5, 6] hold no
// probability of normal(mean 0, sd 0.1)".
struct DistError {
    std::string field;
    std::string message;
};
std::optional<DistError> validate(const Distribution& d);
// validate()'s message, or "" if the distribution is valid.
std::string check(const Distribution& d);

// The u-quantile (inverse CDF) for u in (0, 1); u = 0 and u = 1 give the
// ends of the support (finite or not). `d` must be valid (check() == "").
double quantile(const Distribution& d, double u);

// The smallest and largest values the distribution can take (possibly infinite).
std::pair<double, double> support(const Distribution& d);

// One uncertain model constant (or a lever's L_intensity, L_start,
// L_phase_in): `name: {dist: ..., ...}` under `uncertainties:`.
struct Uncertainty {
    std::string name;
    Distribution dist;
    std::string doc;  // e.g. where the range comes from
    SourceLoc loc;    // the name's key
};

// A target Spearman rank correlation between two uncertain parameters:
// `[a, b, rho]` under `correlations:`; rho in [-1, 1].
struct RankCorrelation {
    std::string a, b;
    double rho = 0;
    SourceLoc loc;  // the entry
};

// A behaviour check (a Vensim "Reality Check", Sterman 2000 ch. 21): a run
// with some overrides, and one condition over time that must hold.
struct BehaviourCheck {
    enum class Kind {
        expect,               // `expect: EXPR`: EXPR (equation language) is non-zero
        baseline,             // `value: EXPR` + `baseline: higher|lower|...`
        stocks_non_negative,  // `stocks_non_negative: true`: every stock >= -tolerance
    };
    // How `value` must compare with the same expression in the baseline run
    // (the model or scenario as it is, without this check's overrides):
    // higher v > b, lower v < b, not_lower v >= b, not_higher v <= b.
    enum class Baseline { higher, lower, not_lower, not_higher };

    std::string name;
    std::string doc;
    SourceLoc loc;  // the check's key
    // Overrides by variable name: constants, and the lever settings L_on,
    // L_intensity, L_start, L_phase_in (`levers:` is stored here as such).
    std::vector<std::pair<std::string, double>> set;
    std::vector<SourceLoc> set_loc;  // one per entry of `set`

    Kind kind = Kind::expect;
    std::string expression;  // the condition (expect) or the value (baseline)
    SourceLoc expression_loc;
    Baseline baseline = Baseline::higher;
    // When the condition must hold: at each of `at` (saved times), or, if
    // `at` is empty, at every saved time within [from, to] (default: the run).
    std::vector<double> at;
    std::vector<SourceLoc> at_loc;
    std::optional<double> from, to;
    // stocks_non_negative only: a stock fails below -tolerance.
    double tolerance = 0;
};

}  // namespace sim
