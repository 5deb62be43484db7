// Sensitivity statistics (see sim/sensitivity.hpp): percentiles, Saltelli's
// design and Sobol' indices with bootstrap intervals, SRRC, PRCC, and the
// Morris design and elementary effects. Pure functions; every random number
// comes from a boost::random::mt19937_64 seeded by the caller.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "sim/sensitivity.hpp"

namespace sim {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
using Engine = boost::random::mt19937_64;

// One column as standardized ranks (mean 0, standard deviation 1; all 0 and
// `constant` if it has no spread).
Eigen::VectorXd standardized_rank(const std::vector<double>& col, bool& constant) {
    const std::size_t n = col.size();
    Eigen::VectorXd z(static_cast<Eigen::Index>(n));
    const auto r = ranks(col);
    double mean = 0;
    for (double v : r) mean += v;
    mean /= static_cast<double>(n);
    double ss = 0;
    for (double v : r) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n));
    constant = !(sd > 0);
    for (std::size_t i = 0; i < n; ++i) z(static_cast<Eigen::Index>(i)) = constant ? 0.0 : (r[i] - mean) / sd;
    return z;
}

// Columns of x (n x k) as standardized ranks in one n x k matrix.
Eigen::MatrixXd standardized_ranks(std::span<const double> x, std::size_t n, std::size_t k,
                                   std::vector<bool>& constant) {
    Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    constant.assign(k, false);
    std::vector<double> col(n);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + c];
        bool flat = false;
        z.col(static_cast<Eigen::Index>(c)) = standardized_rank(col, flat);
        constant[c] = flat;
    }
    return z;
}

// Each y as standardized ranks (nullopt where y is constant); lengths checked by the caller.
std::vector<std::optional<Eigen::VectorXd>> standardized_outputs(const std::vector<std::vector<double>>& ys) {
    std::vector<std::optional<Eigen::VectorXd>> out;
    for (const auto& y : ys) {
        bool flat = false;
        Eigen::VectorXd z = standardized_rank(y, flat);
        out.push_back(flat ? std::nullopt : std::optional<Eigen::VectorXd>(std::move(z)));
    }
    return out;
}

void check_xy(std::span<const double> x, std::size_t n, std::size_t k, std::size_t y_size) {
    if (x.size() != n * k || y_size != n) throw std::invalid_argument("x must be n x k and y of length n");
}
void check_xy(std::span<const double> x, std::size_t n, std::size_t k, std::span<const double> y) {
    check_xy(x, n, k, y.size());
}

}  // namespace

double quantile_sorted(std::span<const double> sorted, double p) {
    if (sorted.empty()) return nan;
    const double h = std::clamp(p, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Percentiles percentiles(std::span<const double> v) {
    if (v.empty()) return {nan, nan, nan, nan, nan, nan};
    std::vector<double> s(v.begin(), v.end());
    std::sort(s.begin(), s.end());
    Percentiles p;
    p.p5 = quantile_sorted(s, 0.05);
    p.p25 = quantile_sorted(s, 0.25);
    p.p50 = quantile_sorted(s, 0.50);
    p.p75 = quantile_sorted(s, 0.75);
    p.p95 = quantile_sorted(s, 0.95);
    double sum = 0;
    for (double x : v) sum += x;
    p.mean = sum / static_cast<double>(v.size());
    return p;
}

SampleMatrix saltelli_sample(const std::vector<Uncertainty>& params, std::size_t n, std::uint64_t seed) {
    const std::size_t k = params.size();
    const auto base = unit_sample(n, 2 * k, SampleMethod::sobol, seed);
    const std::size_t rows = n * (k + 2);
    std::vector<double> unit(rows * k);
    for (std::size_t j = 0; j < n; ++j) {
        const double* a = &base[j * 2 * k];
        const double* b = a + k;
        double* blk = &unit[j * (k + 2) * k];
        std::copy(a, a + k, blk);                          // A_j
        for (std::size_t i = 0; i < k; ++i) {              // AB_ij
            double* row = blk + (i + 1) * k;
            std::copy(a, a + k, row);
            row[i] = b[i];
        }
        std::copy(b, b + k, blk + (k + 1) * k);            // B_j
    }
    return to_parameters(params, unit, rows);
}

SobolIndices sobol_indices(std::span<const double> y, std::size_t n, std::size_t k, std::size_t resamples,
                           std::uint64_t seed, double confidence) {
    if (y.size() != n * (k + 2)) throw std::invalid_argument("sobol_indices: y must have n (k + 2) values");
    SobolIndices r;
    const std::size_t w = k + 2;
    auto fa = [&](std::size_t j) { return y[j * w]; };
    auto fb = [&](std::size_t j) { return y[j * w + k + 1]; };
    auto fab = [&](std::size_t j, std::size_t i) { return y[j * w + 1 + i]; };

    // Estimates over a multiset of base points (indices into 0..n-1).
    auto estimate = [&](const std::vector<std::size_t>& pick, std::vector<double>& s1, std::vector<double>& st,
                        double& var) {
        const double m = static_cast<double>(pick.size());
        double mean = 0;
        for (std::size_t j : pick) mean += fa(j) + fb(j);
        mean /= 2 * m;
        double ss = 0;
        for (std::size_t j : pick) ss += (fa(j) - mean) * (fa(j) - mean) + (fb(j) - mean) * (fb(j) - mean);
        var = ss / (2 * m);
        s1.assign(k, nan);
        st.assign(k, nan);
        if (!(var > 0)) return;
        for (std::size_t i = 0; i < k; ++i) {
            double a = 0, b = 0;
            for (std::size_t j : pick) {
                const double d = fab(j, i) - fa(j);
                a += (fb(j) - mean) * d;  // centred: see sobol_indices in sensitivity.hpp
                b += d * d;
            }
            s1[i] = a / m / var;
            st[i] = b / (2 * m) / var;
        }
    };

    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    estimate(all, r.S1, r.ST, r.variance);
    r.S1_low.assign(k, nan);
    r.S1_high.assign(k, nan);
    r.ST_low.assign(k, nan);
    r.ST_high.assign(k, nan);
    if (resamples == 0 || n == 0 || !(r.variance > 0)) return r;

    std::vector<std::vector<double>> bs1(k), bst(k);
    for (auto& v : bs1) v.reserve(resamples);
    for (auto& v : bst) v.reserve(resamples);
    Engine eng(seed);
    boost::random::uniform_int_distribution<std::size_t> pick(0, n - 1);
    std::vector<std::size_t> sample(n);
    std::vector<double> s1, st;
    double var = 0;
    for (std::size_t b = 0; b < resamples; ++b) {
        for (auto& j : sample) j = pick(eng);
        estimate(sample, s1, st, var);
        for (std::size_t i = 0; i < k; ++i) {
            if (std::isfinite(s1[i])) bs1[i].push_back(s1[i]);
            if (std::isfinite(st[i])) bst[i].push_back(st[i]);
        }
    }
    const double lo = (1 - confidence) / 2, hi = 1 - lo;
    for (std::size_t i = 0; i < k; ++i) {
        std::sort(bs1[i].begin(), bs1[i].end());
        std::sort(bst[i].begin(), bst[i].end());
        r.S1_low[i] = quantile_sorted(bs1[i], lo);
        r.S1_high[i] = quantile_sorted(bs1[i], hi);
        r.ST_low[i] = quantile_sorted(bst[i], lo);
        r.ST_high[i] = quantile_sorted(bst[i], hi);
    }
    return r;
}

std::vector<std::vector<double>> srrc(std::span<const double> x, std::size_t n, std::size_t k,
                                      const std::vector<std::vector<double>>& ys) {
    check_xy(x, n, k, n);
    for (const auto& y : ys) check_xy(x, n, k, y.size());
    std::vector<std::vector<double>> out(ys.size(), std::vector<double>(k, nan));
    if (n < 2) return out;
    const auto zy = standardized_outputs(ys);
    std::vector<bool> constant;
    const Eigen::MatrixXd z = standardized_ranks(x, n, k, constant);
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(z);  // once for every y
    for (std::size_t j = 0; j < ys.size(); ++j) {
        if (!zy[j]) continue;
        const Eigen::VectorXd beta = qr.solve(*zy[j]);
        for (std::size_t i = 0; i < k; ++i)
            if (!constant[i]) out[j][i] = beta(static_cast<Eigen::Index>(i));
    }
    return out;
}

std::vector<std::vector<double>> prcc(std::span<const double> x, std::size_t n, std::size_t k,
                                      const std::vector<std::vector<double>>& ys) {
    check_xy(x, n, k, n);
    for (const auto& y : ys) check_xy(x, n, k, y.size());
    std::vector<std::vector<double>> out(ys.size(), std::vector<double>(k, nan));
    if (n < k + 2) return out;
    const auto zy = standardized_outputs(ys);
    std::vector<bool> constant;
    const Eigen::MatrixXd z = standardized_ranks(x, n, k, constant);
    const auto N = static_cast<Eigen::Index>(n), K = static_cast<Eigen::Index>(k);
    // For each i: the residuals of rank(x_i) and rank(y) after least squares
    // on the other ranks (all centred, so no intercept), then their
    // correlation. Residuals rather than the inverse correlation matrix: a y
    // that is a monotone function of x_i alone (PRCC = 1) makes that matrix
    // singular. The factorization on the other ranks and x_i's residual do
    // not depend on y: made once per i for every y (one at a time: memory).
    Eigen::MatrixXd others(N, K - 1);
    for (Eigen::Index i = 0; i < K; ++i) {
        if (constant[static_cast<std::size_t>(i)]) continue;
        for (Eigen::Index c = 0, o = 0; c < K; ++c)
            if (c != i) others.col(o++) = z.col(c);
        Eigen::VectorXd rx = z.col(i);
        std::optional<Eigen::ColPivHouseholderQR<Eigen::MatrixXd>> qr;
        if (K > 1) {
            qr.emplace(others);
            rx -= others * qr->solve(rx);
        }
        const double nx = rx.norm();
        for (std::size_t j = 0; j < ys.size(); ++j) {
            if (!zy[j]) continue;
            Eigen::VectorXd ry = *zy[j];
            if (K > 1) ry -= others * qr->solve(ry);
            const double d = nx * ry.norm();
            // A residual that vanishes (to rounding) leaves nothing to correlate.
            if (d > 1e-12 * static_cast<double>(n)) out[j][static_cast<std::size_t>(i)] = rx.dot(ry) / d;
        }
    }
    return out;
}

std::vector<double> srrc(std::span<const double> x, std::size_t n, std::size_t k, std::span<const double> y) {
    check_xy(x, n, k, y);
    return srrc(x, n, k, std::vector<std::vector<double>>{std::vector<double>(y.begin(), y.end())}).front();
}

std::vector<double> prcc(std::span<const double> x, std::size_t n, std::size_t k, std::span<const double> y) {
    check_xy(x, n, k, y);
    return prcc(x, n, k, std::vector<std::vector<double>>{std::vector<double>(y.begin(), y.end())}).front();
}

MorrisDesign morris_sample(const std::vector<Uncertainty>& params, std::size_t trajectories, std::size_t levels,
                           std::uint64_t seed) {
    if (levels < 2 || levels % 2 != 0) throw std::invalid_argument("Morris levels must be even and at least 2");
    const std::size_t k = params.size();
    MorrisDesign d;
    d.trajectories = trajectories;
    d.levels = levels;
    const double p = static_cast<double>(levels);
    // In level numbers: Delta = p/2 levels; a base level b in [0, p/2 - 1]
    // pairs with b + p/2. Grid values are level / (p - 1), computed from
    // integers so that the two ends of a step are exact.
    const std::size_t jump = levels / 2;
    boost::random::uniform_int_distribution<std::size_t> base_level(0, jump - 1);
    boost::random::uniform_int_distribution<int> coin(0, 1);
    Engine eng(seed);
    const std::size_t rows = trajectories * (k + 1);
    d.grid.resize(rows * k);
    std::vector<std::size_t> order(k), level(k), other(k);
    for (std::size_t t = 0; t < trajectories; ++t) {
        for (std::size_t i = 0; i < k; ++i) {
            const std::size_t b = base_level(eng);
            const bool up = coin(eng) != 0;  // start low and step up, or start high and step down
            level[i] = up ? b : b + jump;
            other[i] = up ? b + jump : b;
        }
        std::iota(order.begin(), order.end(), std::size_t{0});
        for (std::size_t i = k; i > 1; --i) {
            boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
            std::swap(order[i - 1], order[pick(eng)]);
        }
        double* row = &d.grid[t * (k + 1) * k];
        auto put = [&] {
            for (std::size_t i = 0; i < k; ++i) row[i] = static_cast<double>(level[i]) / (p - 1);
        };
        put();
        for (std::size_t s = 0; s < k; ++s) {
            level[order[s]] = other[order[s]];
            row += k;
            put();
        }
    }
    // Grid values to probabilities: the ends of an unbounded side move inward.
    std::vector<double> unit(d.grid);
    for (std::size_t i = 0; i < k; ++i) {
        const auto [lo, hi] = support(params[i].dist);
        const double eps = 0.5 / p;
        for (std::size_t r = 0; r < rows; ++r) {
            double& u = unit[r * k + i];
            if (!std::isfinite(lo) && u < eps) u = eps;
            if (!std::isfinite(hi) && u > 1 - eps) u = 1 - eps;
        }
    }
    d.samples = to_parameters(params, unit, rows);
    return d;
}

MorrisIndices morris_indices(const MorrisDesign& d, std::span<const double> y) {
    const std::size_t k = d.samples.cols();
    if (y.size() != d.trajectories * (k + 1)) throw std::invalid_argument("morris_indices: y must have r (k + 1) values");
    std::vector<std::vector<double>> ee(k);
    for (std::size_t t = 0; t < d.trajectories; ++t)
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t r0 = t * (k + 1) + s, r1 = r0 + 1;
            for (std::size_t i = 0; i < k; ++i) {
                const double step = d.grid[r1 * k + i] - d.grid[r0 * k + i];
                if (step != 0) {
                    ee[i].push_back((y[r1] - y[r0]) / step);
                    break;
                }
            }
        }
    MorrisIndices m;
    m.mu.assign(k, nan);
    m.mu_star.assign(k, nan);
    m.sigma.assign(k, nan);
    for (std::size_t i = 0; i < k; ++i) {
        const auto& e = ee[i];
        if (e.empty()) continue;
        double s = 0, sa = 0;
        for (double v : e) {
            s += v;
            sa += std::fabs(v);
        }
        const double r = static_cast<double>(e.size());
        m.mu[i] = s / r;
        m.mu_star[i] = sa / r;
        if (e.size() > 1) {
            double ss = 0;
            for (double v : e) ss += (v - m.mu[i]) * (v - m.mu[i]);
            m.sigma[i] = std::sqrt(ss / (r - 1));
        }
    }
    return m;
}

}  // namespace sim
