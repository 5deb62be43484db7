// Parameter distributions: validation, support and inverse CDFs (Boost.Math).
// Truncated distributions invert F on [F(lo), F(hi)], working in the upper
// tail's complement when lo lies above the median so that far-tail bounds
// keep their precision.
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/experiment_spec.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

namespace bm = boost::math;

std::string num(double v) { return text::number(v); }

// Inverse CDF of `d` restricted to [lo, hi] (either may be infinite).
template <class D>
double truncated_quantile(const D& d, double lo, double hi, double u) {
    const double flo = std::isfinite(lo) ? bm::cdf(d, lo) : 0.0;
    double x;
    if (flo > 0.5) {  // both bounds in the upper tail: use survival functions
        const double slo = bm::cdf(bm::complement(d, lo));
        const double shi = std::isfinite(hi) ? bm::cdf(bm::complement(d, hi)) : 0.0;
        const double s = slo - u * (slo - shi);
        if (s <= 0) return hi;
        if (s >= 1) return lo;
        x = bm::quantile(bm::complement(d, s));
    } else {
        const double fhi = std::isfinite(hi) ? bm::cdf(d, hi) : 1.0;
        const double p = flo + u * (fhi - flo);
        if (p <= 0) return lo;
        if (p >= 1) return hi;
        // Upper half: the complement form keeps precision near 1.
        x = p > 0.5 ? bm::quantile(bm::complement(d, 1.0 - p)) : bm::quantile(d, p);
    }
    return std::clamp(x, lo, hi);
}

// Probability mass of [lo, hi] under d.
template <class D>
double mass(const D& d, double lo, double hi) {
    const double flo = std::isfinite(lo) ? bm::cdf(d, lo) : 0.0;
    if (flo > 0.5) {
        const double slo = bm::cdf(bm::complement(d, lo));
        const double shi = std::isfinite(hi) ? bm::cdf(bm::complement(d, hi)) : 0.0;
        return slo - shi;
    }
    const double fhi = std::isfinite(hi) ? bm::cdf(d, hi) : 1.0;
    return fhi - flo;
}

bool finite(double x) { return std::isfinite(x); }

std::string range(double lo, double hi) { return "[" + num(lo) + ", " + num(hi) + "]"; }

}  // namespace

const char* to_string(DistKind k) {
    switch (k) {
        case DistKind::uniform: return "uniform";
        case DistKind::triangular: return "triangular";
        case DistKind::normal: return "normal";
        case DistKind::lognormal: return "lognormal";
        case DistKind::beta: return "beta";
        case DistKind::discrete: return "discrete";
    }
    return "?";
}

std::optional<DistKind> parse_dist_kind(std::string_view s) {
    const std::string l = text::lower(text::trim(s));
    for (DistKind k : {DistKind::uniform, DistKind::triangular, DistKind::normal, DistKind::lognormal,
                       DistKind::beta, DistKind::discrete})
        if (l == to_string(k)) return k;
    return std::nullopt;
}

Distribution Distribution::uniform(double lo, double hi) {
    Distribution d;
    d.kind = DistKind::uniform;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::triangular(double lo, double mode, double hi) {
    Distribution d;
    d.kind = DistKind::triangular;
    d.min = lo;
    d.mode = mode;
    d.max = hi;
    return d;
}

Distribution Distribution::normal(double mean, double sd, double lo, double hi) {
    Distribution d;
    d.kind = DistKind::normal;
    d.mean = mean;
    d.sd = sd;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::lognormal(double mu, double sigma, double lo, double hi) {
    Distribution d;
    d.kind = DistKind::lognormal;
    d.mu = mu;
    d.sigma = sigma;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::beta_dist(double alpha, double beta, double lo, double hi) {
    Distribution d;
    d.kind = DistKind::beta;
    d.alpha = alpha;
    d.beta = beta;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> weights) {
    Distribution d;
    d.kind = DistKind::discrete;
    d.values = std::move(values);
    d.weights = std::move(weights);
    return d;
}

std::optional<DistError> validate(const Distribution& d) {
    using E = std::optional<DistError>;
    auto err = [](const char* field, std::string msg) { return E(DistError{field, std::move(msg)}); };
    auto bounded = [&]() -> E {
        if (!finite(d.min)) return err("min", "min must be a finite number");
        if (!finite(d.max)) return err("max", "max must be a finite number");
        if (!(d.min < d.max)) return err("max", "min (" + num(d.min) + ") must be below max (" + num(d.max) + ")");
        return std::nullopt;
    };
    auto truncation = [&]() -> E {
        if (std::isnan(d.min)) return err("min", "min must be a number");
        if (std::isnan(d.max)) return err("max", "max must be a number");
        if (!(d.min < d.max)) return err("max", "min (" + num(d.min) + ") must be below max (" + num(d.max) + ")");
        return std::nullopt;
    };
    auto positive = [&](const char* field, double v) -> E {
        if (!(v > 0) || !finite(v)) return err(field, std::string(field) + " must be positive (found " + num(v) + ")");
        return std::nullopt;
    };
    switch (d.kind) {
        case DistKind::uniform: return bounded();
        case DistKind::triangular: {
            if (auto e = bounded()) return e;
            if (!finite(d.mode) || d.mode < d.min || d.mode > d.max)
                return err("mode", "mode (" + num(d.mode) + ") must lie within " + range(d.min, d.max));
            return std::nullopt;
        }
        case DistKind::normal: {
            if (!finite(d.mean)) return err("mean", "mean must be a finite number");
            if (auto e = positive("sd", d.sd)) return e;
            if (auto e = truncation()) return e;
            if (!(mass(bm::normal_distribution<double>(d.mean, d.sd), d.min, d.max) > 0))
                return err(finite(d.min) ? "min" : "max",
                           "the bounds " + range(d.min, d.max) + " hold no probability of normal(mean " + num(d.mean) +
                               ", sd " + num(d.sd) + ")");
            return std::nullopt;
        }
        case DistKind::lognormal: {
            if (!finite(d.mu)) return err("mu", "mu must be a finite number");
            if (auto e = positive("sigma", d.sigma)) return e;
            if (d.min < 0)
                return err("min", "min (" + num(d.min) +
                                      ") is outside the support of a lognormal distribution (values above 0)");
            if (auto e = truncation()) return e;
            if (!(mass(bm::lognormal_distribution<double>(d.mu, d.sigma), std::max(d.min, 0.0), d.max) > 0))
                return err(d.min > 0 ? "min" : "max",
                           "the bounds " + range(d.min, d.max) + " hold no probability of lognormal(mu " + num(d.mu) +
                               ", sigma " + num(d.sigma) + ")");
            return std::nullopt;
        }
        case DistKind::beta: {
            if (auto e = positive("alpha", d.alpha)) return e;
            if (auto e = positive("beta", d.beta)) return e;
            return bounded();
        }
        case DistKind::discrete: {
            if (d.values.empty()) return err("values", "a discrete distribution needs at least one value");
            for (double v : d.values)
                if (!finite(v)) return err("values", "discrete values must be finite numbers");
            if (!d.weights.empty()) {
                if (d.weights.size() != d.values.size())
                    return err("weights", std::to_string(d.values.size()) + " values but " +
                                              std::to_string(d.weights.size()) + " weights; give one weight per value");
                for (double w : d.weights)
                    if (!(w > 0) || !finite(w)) return err("weights", "weights must be positive (found " + num(w) + ")");
            }
            return std::nullopt;
        }
    }
    return err("dist", "unknown distribution");
}

std::string check(const Distribution& d) {
    auto e = validate(d);
    return e ? e->message : std::string();
}

std::pair<double, double> support(const Distribution& d) {
    switch (d.kind) {
        case DistKind::lognormal: return {std::max(d.min, 0.0), d.max};
        case DistKind::discrete: {
            auto [lo, hi] = std::minmax_element(d.values.begin(), d.values.end());
            return {*lo, *hi};
        }
        default: return {d.min, d.max};
    }
}

double quantile(const Distribution& d, double u) {
    if (std::isnan(u)) return u;
    u = std::clamp(u, 0.0, 1.0);
    const auto [lo, hi] = support(d);
    if (d.kind != DistKind::discrete) {
        if (u == 0) return lo;
        if (u == 1) return hi;
    }
    switch (d.kind) {
        case DistKind::uniform: return std::min(d.min + u * (d.max - d.min), d.max);
        case DistKind::triangular:
            return std::clamp(bm::quantile(bm::triangular_distribution<double>(d.min, d.mode, d.max), u), lo, hi);
        case DistKind::normal:
            return truncated_quantile(bm::normal_distribution<double>(d.mean, d.sd), lo, hi, u);
        case DistKind::lognormal:
            return truncated_quantile(bm::lognormal_distribution<double>(d.mu, d.sigma), lo, hi, u);
        case DistKind::beta: {
            const bm::beta_distribution<double> b(d.alpha, d.beta);
            const double x = u > 0.5 ? bm::quantile(bm::complement(b, 1.0 - u)) : bm::quantile(b, u);
            return std::clamp(d.min + x * (d.max - d.min), lo, hi);
        }
        case DistKind::discrete: {
            // Values in increasing order so that the quantile is monotone in u.
            std::vector<std::size_t> order(d.values.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return d.values[a] < d.values[b]; });
            double total = 0;
            for (std::size_t i = 0; i < d.values.size(); ++i) total += d.weights.empty() ? 1.0 : d.weights[i];
            const double target = u * total;
            double cum = 0;
            for (std::size_t i : order) {
                cum += d.weights.empty() ? 1.0 : d.weights[i];
                if (target < cum) return d.values[i];
            }
            return d.values[order.back()];
        }
    }
    return lo;
}

}  // namespace sim
