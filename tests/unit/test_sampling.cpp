// Sampling: inverse CDFs against closed forms, the stratification of Latin
// hypercube and Sobol' designs, reproducibility by seed, and rank
// correlations imposed by Iman-Conover.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "sim/sampling.hpp"

namespace {

sim::Uncertainty U(std::string name, sim::Distribution d) { return {std::move(name), std::move(d), "", {}}; }

}  // namespace

TEST_CASE("distributions: quantiles against closed forms") {
    using D = sim::Distribution;
    CHECK(sim::quantile(D::uniform(1, 3), 0.25) == doctest::Approx(1.5));
    CHECK(sim::quantile(D::normal(0, 1), 0.975) == doctest::Approx(1.959963985).epsilon(1e-9));
    CHECK(sim::quantile(D::normal(10, 2), 0.025) == doctest::Approx(10 - 2 * 1.959963985).epsilon(1e-9));
    // Truncated to [0, inf): the median is the unbounded 0.75 quantile.
    CHECK(sim::quantile(D::normal(0, 1, 0), 0.5) == doctest::Approx(0.6744897502).epsilon(1e-9));
    CHECK(sim::quantile(D::lognormal(0, 1), 0.5) == doctest::Approx(1.0));
    CHECK(sim::quantile(D::lognormal(std::log(5.0), 0.3), 0.5) == doctest::Approx(5.0));
    // Triangular(0, 1, 2): F(x) = x^2 / 2 below the mode.
    CHECK(sim::quantile(D::triangular(0, 1, 2), 0.5) == doctest::Approx(1.0));
    CHECK(sim::quantile(D::triangular(0, 1, 2), 0.125) == doctest::Approx(0.5));
    // Beta(2, 2) is symmetric; scaled to [10, 20].
    CHECK(sim::quantile(D::beta_dist(2, 2, 10, 20), 0.5) == doctest::Approx(15.0));
    // Beta(1, 1) is uniform.
    CHECK(sim::quantile(D::beta_dist(1, 1, 0, 4), 0.3) == doctest::Approx(1.2));
    const auto disc = D::discrete({3, 1, 2}, {2, 1, 1});  // sorted: 1 (1/4), 2 (1/4), 3 (1/2)
    CHECK(sim::quantile(disc, 0.2) == 1);
    CHECK(sim::quantile(disc, 0.3) == 2);
    CHECK(sim::quantile(disc, 0.6) == 3);
    CHECK(sim::quantile(disc, 1.0) == 3);
    // Far-tail truncation keeps its precision and its bounds.
    const auto tail = D::normal(0, 1, 8, 9);
    double prev = 8;
    for (double u : {0.001, 0.1, 0.5, 0.9, 0.999}) {
        const double x = sim::quantile(tail, u);
        CHECK(x >= prev);
        CHECK(x <= 9);
        prev = x;
    }
    CHECK(sim::quantile(tail, 0.5) == doctest::Approx(8.0 + std::log(2.0) / 8.0).epsilon(0.01));
    // The ends of the support.
    CHECK(sim::quantile(D::uniform(1, 3), 0.0) == 1);
    CHECK(std::isinf(sim::quantile(D::normal(0, 1), 1.0)));
}

TEST_CASE("distributions: validate names the field at fault") {
    using D = sim::Distribution;
    CHECK(!sim::validate(D::uniform(0, 1)));
    CHECK(sim::validate(D::uniform(1, 0))->field == "max");
    CHECK(sim::validate(D::normal(0, 0))->field == "sd");
    CHECK(sim::validate(D::triangular(0, 3, 2))->field == "mode");
    CHECK(sim::validate(D::lognormal(0, 1, -1))->field == "min");
    CHECK(sim::validate(D::beta_dist(1, -1))->field == "beta");
    CHECK(sim::validate(D::discrete({}))->field == "values");
    CHECK(sim::validate(D::discrete({1, 2}, {1, -1}))->field == "weights");
    CHECK(sim::check(D::uniform(1, 0)) == "min (1) must be below max (0)");
}

TEST_CASE("sampling: a Latin hypercube puts one point in each stratum of every parameter") {
    const std::size_t n = 50, k = 4;
    const auto u = sim::unit_sample(n, k, sim::SampleMethod::latin_hypercube, 7);
    for (std::size_t c = 0; c < k; ++c) {
        std::vector<int> hits(n, 0);
        for (std::size_t r = 0; r < n; ++r) {
            const double x = u[r * k + c];
            REQUIRE(x > 0);
            REQUIRE(x < 1);
            ++hits[static_cast<std::size_t>(x * n)];
        }
        CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
    }
}

TEST_CASE("sampling: 16 Sobol' points form a net: one point in each cell of a 4 x 4 grid, for any seed") {
    for (std::uint64_t seed : {0ull, 1ull, 12345ull}) {
        const auto u = sim::unit_sample(16, 2, sim::SampleMethod::sobol, seed);
        std::vector<int> cell(16, 0);
        for (std::size_t r = 0; r < 16; ++r) {
            REQUIRE(u[r * 2] > 0);
            REQUIRE(u[r * 2] < 1);
            ++cell[static_cast<std::size_t>(u[r * 2] * 4) * 4 + static_cast<std::size_t>(u[r * 2 + 1] * 4)];
        }
        CHECK(std::all_of(cell.begin(), cell.end(), [](int h) { return h == 1; }));
    }
    CHECK_THROWS_AS(sim::unit_sample(2, 4000, sim::SampleMethod::sobol, 1), std::invalid_argument);
}

TEST_CASE("sampling: the same seed gives the same bytes, another seed other samples") {
    const std::vector<sim::Uncertainty> params = {U("a", sim::Distribution::uniform(0, 1)),
                                                  U("b", sim::Distribution::normal(5, 1)),
                                                  U("c", sim::Distribution::triangular(0, 1, 3))};
    const std::vector<sim::RankCorrelation> corr = {{"a", "b", 0.5, {}}};
    for (auto method : {sim::SampleMethod::random, sim::SampleMethod::latin_hypercube, sim::SampleMethod::sobol}) {
        CAPTURE(sim::to_string(method));
        const auto s1 = sim::sample(params, corr, 64, method, 42);
        const auto s2 = sim::sample(params, corr, 64, method, 42);
        const auto s3 = sim::sample(params, corr, 64, method, 43);
        REQUIRE(s1.values.size() == 64 * 3);
        CHECK(std::memcmp(s1.values.data(), s2.values.data(), s1.values.size() * sizeof(double)) == 0);
        CHECK(s1.values != s3.values);
    }
}

TEST_CASE("sampling: Iman-Conover imposes rank correlations and keeps each column's values") {
    const std::vector<sim::Uncertainty> params = {U("a", sim::Distribution::uniform(0, 1)),
                                                  U("b", sim::Distribution::lognormal(0, 1)),
                                                  U("c", sim::Distribution::triangular(0, 1, 3))};
    const std::vector<sim::RankCorrelation> corr = {{"a", "b", 0.7, {}}, {"c", "a", -0.4, {}}};
    const std::size_t n = 2000;
    const auto plain = sim::sample(params, {}, n, sim::SampleMethod::latin_hypercube, 3);
    const auto s = sim::sample(params, corr, n, sim::SampleMethod::latin_hypercube, 3);
    const auto rc = sim::rank_correlation(s.values, n, 3);
    CHECK(rc[0 * 3 + 1] == doctest::Approx(0.7).epsilon(0.03));
    CHECK(rc[0 * 3 + 2] == doctest::Approx(-0.4).epsilon(0.05));
    CHECK(std::fabs(rc[1 * 3 + 2] - 0.0) < 0.05 + std::fabs(0.7 * -0.4));  // implied, not imposed
    for (std::size_t c = 0; c < 3; ++c) {
        auto x = s.column(c), y = plain.column(c);
        std::sort(x.begin(), x.end());
        std::sort(y.begin(), y.end());
        CHECK(x == y);  // same values, only paired differently
    }
    // Without declared correlations the uncorrelated pairs stay near 0.
    const auto rp = sim::rank_correlation(plain.values, n, 3);
    CHECK(std::fabs(rp[1]) < 0.06);
}

TEST_CASE("sampling: correlation matrix errors") {
    const std::vector<sim::Uncertainty> params = {U("a", sim::Distribution::uniform(0, 1)),
                                                  U("b", sim::Distribution::uniform(0, 1)),
                                                  U("c", sim::Distribution::uniform(0, 1))};
    CHECK_THROWS_AS(sim::correlation_matrix(params, {{"a", "z", 0.1, {}}}), std::invalid_argument);
    CHECK_THROWS_AS(sim::correlation_matrix(params, {{"a", "a", 0.1, {}}}), std::invalid_argument);
    CHECK_THROWS_AS(sim::correlation_matrix(params, {{"a", "b", 0.1, {}}, {"B", "A", 0.2, {}}}), std::invalid_argument);
    const auto bad = sim::correlation_matrix(params, {{"a", "b", 0.9, {}}, {"a", "c", 0.9, {}}, {"b", "c", -0.9, {}}});
    CHECK(!sim::positive_definite(bad, 3));
    CHECK_THROWS_AS(sim::sample(params, {{"a", "b", 0.9, {}}, {"a", "c", 0.9, {}}, {"b", "c", -0.9, {}}}, 10,
                                sim::SampleMethod::latin_hypercube, 1),
                    std::invalid_argument);
    CHECK(sim::positive_definite(sim::correlation_matrix(params, {{"a", "b", 0.9, {}}}), 3));
}

TEST_CASE("sampling: ranks average ties; samples.csv") {
    const std::vector<double> v = {3, 1, 3, 2};
    CHECK(sim::ranks(v) == std::vector<double>{3.5, 1, 3.5, 2});
    sim::SampleMatrix s;
    s.names = {"a", "b,c"};
    s.rows = 2;
    s.values = {0.1, 2, 0.30000000000000004, 1e-20};
    std::ostringstream o;
    sim::write_samples_csv(s, o);
    CHECK(o.str() == "sample,a,\"b,c\"\n0,0.1,2\n1,0.30000000000000004,1e-20\n");
}
