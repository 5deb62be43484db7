// Sensitivity statistics against known answers: Sobol' indices of the
// Ishigami function and of a linear model, SRRC and PRCC on monotone
// models, Morris elementary effects of a linear model, percentiles, the
// streaming quantile; and sim::sensitivity on a model built in code.
#include <Eigen/Dense>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

#include "sim/sampling.hpp"
#include "sim/sensitivity.hpp"
#include "support.hpp"

namespace {

constexpr double pi = std::numbers::pi;

sim::Uncertainty U(std::string name, sim::Distribution d) { return {std::move(name), std::move(d), "", {}}; }

// Evaluates f on every row of a sample matrix.
template <class F>
std::vector<double> outputs(const sim::SampleMatrix& s, F f) {
    std::vector<double> y(s.rows);
    for (std::size_t r = 0; r < s.rows; ++r) y[r] = f(s.row(r));
    return y;
}

}  // namespace

TEST_CASE("sobol: Ishigami indices lie within their bootstrap intervals at N = 4096") {
    // f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi); a = 7, b = 0.1.
    const double a = 7, b = 0.1;
    const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2);
    const double v2 = a * a / 8;
    const double v13 = 8 * b * b * std::pow(pi, 8) / 225;
    const double v = v1 + v2 + v13;
    const double s1[3] = {v1 / v, v2 / v, 0};
    const double st[3] = {(v1 + v13) / v, v2 / v, v13 / v};
    CHECK(s1[0] == doctest::Approx(0.3139).epsilon(1e-3));  // the published values
    CHECK(st[2] == doctest::Approx(0.2437).epsilon(1e-3));

    std::vector<sim::Uncertainty> params;
    for (const char* n : {"x1", "x2", "x3"}) params.push_back(U(n, sim::Distribution::uniform(-pi, pi)));
    const std::size_t n = 4096;
    const auto s = sim::saltelli_sample(params, n, 2024);
    REQUIRE(s.rows == n * 5);
    const auto y = outputs(s, [&](std::span<const double> x) {
        return std::sin(x[0]) + a * std::pow(std::sin(x[1]), 2) + b * std::pow(x[2], 4) * std::sin(x[0]);
    });
    const auto r = sim::sobol_indices(y, n, 3, 1000, 99);
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(r.S1_low[i] <= s1[i]);
        CHECK(s1[i] <= r.S1_high[i]);
        CHECK(r.ST_low[i] <= st[i]);
        CHECK(st[i] <= r.ST_high[i]);
        CHECK(r.S1_high[i] - r.S1_low[i] < 0.1);  // and the intervals are informative
        CHECK(r.ST_high[i] - r.ST_low[i] < 0.1);
    }
    CHECK(r.variance == doctest::Approx(v).epsilon(0.05));
}

TEST_CASE("sobol: a linear model's indices are its shares of the variance") {
    // y = 2 x1 + 1 x2 - 3 x3 with var x1 = 1/12 (U(0,1)), var x2 = 4 (N(0,2)),
    // var x3 = (a^2+b^2+c^2-ab-ac-bc)/18 = 7/18 for triangular(0, 1, 3).
    const double c[3] = {2, 1, -3};
    const double var[3] = {1.0 / 12, 4.0, 7.0 / 18};
    double total = 0;
    for (int i = 0; i < 3; ++i) total += c[i] * c[i] * var[i];
    const std::vector<sim::Uncertainty> params = {U("x1", sim::Distribution::uniform(0, 1)),
                                                  U("x2", sim::Distribution::normal(0, 2)),
                                                  U("x3", sim::Distribution::triangular(0, 1, 3))};
    const std::size_t n = 4096;
    const auto s = sim::saltelli_sample(params, n, 5);
    const auto y = outputs(s, [&](std::span<const double> x) { return c[0] * x[0] + c[1] * x[1] + c[2] * x[2]; });
    const auto r = sim::sobol_indices(y, n, 3, 500, 1);
    double sum = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        const double exact = c[i] * c[i] * var[i] / total;
        CHECK(r.S1[i] == doctest::Approx(exact).epsilon(0.02).scale(1));
        CHECK(r.ST[i] == doctest::Approx(exact).epsilon(0.02).scale(1));
        CHECK(r.S1_low[i] <= exact);
        CHECK(exact <= r.S1_high[i]);
        sum += r.S1[i];
    }
    CHECK(sum == doctest::Approx(1).epsilon(0.03));
    // A constant output has no variance to share.
    const auto flat = sim::sobol_indices(std::vector<double>(n * 5, 1.0), n, 3, 10, 1);
    CHECK(std::isnan(flat.S1[0]));
}

TEST_CASE("srrc and prcc: monotone responses and an idle parameter") {
    const std::vector<sim::Uncertainty> params = {U("x1", sim::Distribution::uniform(0, 1)),
                                                  U("x2", sim::Distribution::uniform(0, 1)),
                                                  U("x3", sim::Distribution::uniform(0, 1))};
    const std::size_t n = 1000;
    const auto s = sim::sample(params, {}, n, sim::SampleMethod::latin_hypercube, 11);
    // A monotone function of x1 alone: its ranks are x1's ranks, PRCC = 1
    // exactly (a correlation of raw values would be well below 1).
    const auto y1 = outputs(s, [](std::span<const double> x) { return std::exp(8 * x[0]); });
    const auto p1 = sim::prcc(s.values, n, 3, y1);
    CHECK(p1[0] == doctest::Approx(1).epsilon(1e-9));
    // Given x1 nothing of y is left to explain: undefined for the others.
    CHECK(std::isnan(p1[1]));
    CHECK(std::isnan(p1[2]));
    // Monotone and non-linear in two parameters: increasing in x1,
    // decreasing in x2, x3 idle.
    const auto y = outputs(s, [](std::span<const double> x) { return std::exp(3 * x[0]) - 20 * std::pow(x[1], 3); });
    const auto p = sim::prcc(s.values, n, 3, y);
    CHECK(p[0] > 0.8);
    CHECK(p[1] < -0.8);
    CHECK(std::fabs(p[2]) < 0.1);
    const auto r = sim::srrc(s.values, n, 3, y);
    CHECK(r[0] > 0.3);
    CHECK(r[1] < -0.3);
    CHECK(std::fabs(r[2]) < 0.05);
    // y = x1 + x2: equal SRRC; their squares add up to the rank regression's
    // R^2 (below 1: the rank of a sum is not linear in the ranks).
    const auto lin = outputs(s, [](std::span<const double> x) { return x[0] + x[1]; });
    const auto rl = sim::srrc(s.values, n, 3, lin);
    CHECK(rl[0] == doctest::Approx(rl[1]).epsilon(0.05));
    CHECK(rl[0] * rl[0] + rl[1] * rl[1] > 0.9);
    CHECK(rl[0] * rl[0] + rl[1] * rl[1] < 1.0);
    // A constant output: undefined.
    CHECK(std::isnan(sim::prcc(s.values, n, 3, std::vector<double>(n, 2.0))[0]));
}

namespace {

// Standardized ranks of one column, as the library defines them (mean 0,
// standard deviation 1, average ranks for ties).
Eigen::VectorXd std_ranks(const std::vector<double>& v) {
    const auto r = sim::ranks(v);
    const auto n = static_cast<double>(v.size());
    double mean = 0, ss = 0;
    for (double x : r) mean += x;
    mean /= n;
    for (double x : r) ss += (x - mean) * (x - mean);
    const double sd = std::sqrt(ss / n);
    Eigen::VectorXd z(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) z(static_cast<Eigen::Index>(i)) = (r[i] - mean) / sd;
    return z;
}

// PRCC of one output by its definition, every factorization made afresh.
std::vector<double> prcc_reference(const std::vector<double>& x, std::size_t n, std::size_t k,
                                   const std::vector<double>& y) {
    Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    std::vector<double> col(n);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + c];
        z.col(static_cast<Eigen::Index>(c)) = std_ranks(col);
    }
    const Eigen::VectorXd zy = std_ranks(y);
    std::vector<double> out(k, std::numeric_limits<double>::quiet_NaN());
    const auto K = static_cast<Eigen::Index>(k);
    for (Eigen::Index i = 0; i < K; ++i) {
        Eigen::MatrixXd others(static_cast<Eigen::Index>(n), K - 1);
        for (Eigen::Index c = 0, o = 0; c < K; ++c)
            if (c != i) others.col(o++) = z.col(c);
        Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(others);
        Eigen::VectorXd rx = z.col(i), ry = zy;
        rx -= others * qr.solve(rx);
        ry -= others * qr.solve(ry);
        const double d = rx.norm() * ry.norm();
        if (d > 1e-12 * static_cast<double>(n)) out[static_cast<std::size_t>(i)] = rx.dot(ry) / d;
    }
    return out;
}


}  // namespace

TEST_CASE("prcc and srrc of several outputs at once: each output's own values, bit for bit") {
    const std::vector<sim::Uncertainty> params = {U("x1", sim::Distribution::uniform(0, 1)),
                                                  U("x2", sim::Distribution::uniform(0, 1)),
                                                  U("x3", sim::Distribution::uniform(0, 1)),
                                                  U("x4", sim::Distribution::uniform(0, 1))};
    const std::size_t n = 60, k = 4;
    const auto s = sim::sample(params, {}, n, sim::SampleMethod::latin_hypercube, 5);
    const std::vector<std::vector<double>> ys = {
        outputs(s, [](std::span<const double> x) { return std::exp(3 * x[0]) - 20 * std::pow(x[1], 3); }),
        std::vector<double>(n, 2.0),  // constant: NaN
        outputs(s, [](std::span<const double> x) { return x[2] * x[3] + 0.1 * x[0]; }),
        outputs(s, [](std::span<const double> x) { return std::exp(8 * x[0]); }),  // x1 alone
    };
    const auto p = sim::prcc(s.values, n, k, ys);
    const auto r = sim::srrc(s.values, n, k, ys);
    REQUIRE(p.size() == ys.size());
    REQUIRE(r.size() == ys.size());
    for (std::size_t j = 0; j < ys.size(); ++j) {
        CAPTURE(j);
        if (j == 1) {
            for (double v : p[j]) CHECK(std::isnan(v));
            for (double v : r[j]) CHECK(std::isnan(v));
            continue;
        }
        CHECK(simtest::same_bytes(p[j], prcc_reference(s.values, n, k, ys[j])));
        CHECK(simtest::same_bytes(p[j], sim::prcc(s.values, n, k, ys[j])));
        CHECK(simtest::same_bytes(r[j], sim::srrc(s.values, n, k, ys[j])));
        // The output alone, or among others in another order: the same.
        CHECK(simtest::same_bytes(p[j], sim::prcc(s.values, n, k, std::vector<std::vector<double>>{ys[j]}).front()));
    }
    CHECK(p[2][2] > 0.5);  // x3 and x4 drive the third output
    CHECK(p[2][3] > 0.5);
    // An output of the wrong length is refused.
    CHECK_THROWS_AS(sim::prcc(s.values, n, k, std::vector<std::vector<double>>{std::vector<double>(n - 1, 1.0)}),
                    std::invalid_argument);
}

TEST_CASE("morris: a linear model's elementary effects are its slopes") {
    // On U(0, 1) parameters the grid is the parameter itself: EE_i = c_i.
    const std::vector<sim::Uncertainty> params = {U("x1", sim::Distribution::uniform(0, 1)),
                                                  U("x2", sim::Distribution::uniform(0, 1)),
                                                  U("x3", sim::Distribution::uniform(0, 1))};
    const auto d = sim::morris_sample(params, 20, 4, 3);
    REQUIRE(d.samples.rows == 20 * 4);
    const auto y = outputs(d.samples, [](std::span<const double> x) { return 3 * x[0] - 2 * x[1] + 0 * x[2]; });
    const auto m = sim::morris_indices(d, y);
    CHECK(m.mu[0] == doctest::Approx(3));
    CHECK(m.mu_star[0] == doctest::Approx(3));
    CHECK(m.sigma[0] == doctest::Approx(0).scale(1));
    CHECK(m.mu[1] == doctest::Approx(-2));
    CHECK(m.mu_star[1] == doctest::Approx(2));
    CHECK(m.mu_star[2] == doctest::Approx(0).scale(1));
    // An interaction shows in sigma.
    const auto yi = outputs(d.samples, [](std::span<const double> x) { return x[0] * x[1]; });
    const auto mi = sim::morris_indices(d, yi);
    CHECK(mi.sigma[0] > 0.1);
    // Each trajectory moves one parameter at a time, by Delta = 2/3.
    for (std::size_t t = 0; t < 20; ++t)
        for (std::size_t s = 0; s < 3; ++s) {
            int moved = 0;
            for (std::size_t i = 0; i < 3; ++i) {
                const double step = d.grid[(t * 4 + s + 1) * 3 + i] - d.grid[(t * 4 + s) * 3 + i];
                if (step != 0) {
                    ++moved;
                    CHECK(std::fabs(step) == doctest::Approx(2.0 / 3));
                }
            }
            CHECK(moved == 1);
        }
}

TEST_CASE("percentiles and the streaming quantile") {
    std::vector<double> v;
    for (int i = 1; i <= 101; ++i) v.push_back(i);  // 1..101
    const auto p = sim::percentiles(v);
    CHECK(p.p5 == 6);
    CHECK(p.p25 == 26);
    CHECK(p.p50 == 51);
    CHECK(p.p95 == 96);
    CHECK(p.mean == 51);
    CHECK(sim::quantile_sorted(std::vector<double>{0, 10}, 0.25) == 2.5);
    CHECK(std::isnan(sim::percentiles(std::vector<double>{}).p50));

    // P-square: exact while fewer than five values, close afterwards.
    sim::StreamingQuantile q(0.5);
    CHECK(std::isnan(q.value()));
    for (double x : {5.0, 1.0, 3.0}) q.add(x);
    CHECK(q.value() == 3);
    sim::StreamingQuantile q90(0.9), q10(0.1), q50(0.5);
    const auto u = sim::unit_sample(5000, 1, sim::SampleMethod::random, 8);
    for (double x : u) {
        q90.add(x);
        q10.add(x);
        q50.add(x);
    }
    CHECK(q90.value() == doctest::Approx(0.9).epsilon(0.02));
    CHECK(q50.value() == doctest::Approx(0.5).epsilon(0.02));
    CHECK(q10.value() == doctest::Approx(0.1).epsilon(0.1));
}
