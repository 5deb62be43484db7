// Sampling: unit-cube designs (Boost.Random), inverse-CDF transforms and the
// Iman-Conover rank-correlation method (Eigen Cholesky).
//
// Every random number comes from one boost::random::mt19937_64 seeded with
// the caller's seed and drawn in a fixed order, and integers are mapped to
// (0, 1) by hand, so the bytes are the same on every platform and thread
// count.
#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Dense>

#include <algorithm>
#include <numeric>
#include <ostream>
#include <stdexcept>

#include "sim/sampling.hpp"
#include "sim/spec.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

// The 53 high bits of x as a double in the open interval (0, 1).
double open_unit(std::uint64_t x) { return (static_cast<double>(x >> 11) + 0.5) * 0x1.0p-53; }

using Engine = boost::random::mt19937_64;

void shuffle(std::vector<std::size_t>& v, Engine& eng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
        std::swap(v[i - 1], v[pick(eng)]);
    }
}

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

const char* to_string(SampleMethod m) {
    switch (m) {
        case SampleMethod::random: return "random";
        case SampleMethod::latin_hypercube: return "latin_hypercube";
        case SampleMethod::sobol: return "sobol";
    }
    return "?";
}

std::vector<double> SampleMatrix::column(std::size_t c) const {
    std::vector<double> out(rows);
    for (std::size_t r = 0; r < rows; ++r) out[r] = at(r, c);
    return out;
}

std::vector<double> unit_sample(std::size_t n, std::size_t k, SampleMethod method, std::uint64_t seed) {
    std::vector<double> u(n * k);
    if (n == 0 || k == 0) return u;
    Engine eng(seed);
    switch (method) {
        case SampleMethod::random:
            for (auto& x : u) x = open_unit(eng());
            break;
        case SampleMethod::latin_hypercube: {
            // Column by column: a random permutation of the n strata, then a
            // uniform position inside each stratum.
            std::vector<std::size_t> perm(n);
            for (std::size_t c = 0; c < k; ++c) {
                std::iota(perm.begin(), perm.end(), std::size_t{0});
                shuffle(perm, eng);
                for (std::size_t r = 0; r < n; ++r)
                    u[r * k + c] = (static_cast<double>(perm[r]) + open_unit(eng())) / static_cast<double>(n);
            }
            break;
        }
        case SampleMethod::sobol: {
            if (k > BOOST_RANDOM_SOBOL_MAX_DIMENSION)
                throw std::invalid_argument("a Sobol' sequence has at most " +
                                            std::to_string(BOOST_RANDOM_SOBOL_MAX_DIMENSION) + " dimensions, " +
                                            std::to_string(k) + " asked");
            // Random digital shift (XOR of each coordinate with a seeded
            // constant): keeps the net structure, makes seeds differ. The
            // sequence starts with its all-zero point (Boost's engine starts
            // after it), so the first 2^m points form a (t, m, k)-net
            // (Owen 2020, "On dropping the first Sobol' point"); shifted, it
            // is a point like any other.
            std::vector<std::uint64_t> shift(k);
            for (auto& s : shift) s = eng();
            boost::random::sobol q(k);
            for (std::size_t r = 0; r < n; ++r)
                for (std::size_t c = 0; c < k; ++c) u[r * k + c] = open_unit((r == 0 ? 0 : q()) ^ shift[c]);
            break;
        }
    }
    return u;
}

SampleMatrix to_parameters(const std::vector<Uncertainty>& params, std::span<const double> unit, std::size_t n) {
    const std::size_t k = params.size();
    if (unit.size() != n * k) throw std::invalid_argument("to_parameters: the unit sample is not n x k");
    SampleMatrix s;
    s.rows = n;
    for (const auto& p : params) {
        if (auto e = check(p.dist); !e.empty())
            throw std::invalid_argument("uncertainty '" + p.name + "': " + e);
        s.names.push_back(p.name);
    }
    s.values.resize(n * k);
    for (std::size_t c = 0; c < k; ++c)
        for (std::size_t r = 0; r < n; ++r) s.values[r * k + c] = quantile(params[c].dist, unit[r * k + c]);
    return s;
}

std::vector<double> correlation_matrix(const std::vector<Uncertainty>& params,
                                       const std::vector<RankCorrelation>& correlations) {
    const std::size_t k = params.size();
    std::vector<double> c(k * k, 0.0);
    for (std::size_t i = 0; i < k; ++i) c[i * k + i] = 1.0;
    std::vector<bool> given(k * k, false);
    auto index = [&](const std::string& name) {
        const std::string cn = canonical_name(name);
        for (std::size_t i = 0; i < k; ++i)
            if (canonical_name(params[i].name) == cn) return i;
        throw std::invalid_argument("correlation names '" + name + "', which is not an uncertain parameter");
    };
    for (const auto& rc : correlations) {
        const std::size_t a = index(rc.a), b = index(rc.b);
        if (a == b) throw std::invalid_argument("correlation pairs '" + rc.a + "' with itself");
        if (!(rc.rho >= -1 && rc.rho <= 1))
            throw std::invalid_argument("correlation of '" + rc.a + "' and '" + rc.b + "' is outside [-1, 1]");
        if (given[a * k + b])
            throw std::invalid_argument("correlation of '" + rc.a + "' and '" + rc.b + "' is given twice");
        given[a * k + b] = given[b * k + a] = true;
        c[a * k + b] = c[b * k + a] = rc.rho;
    }
    return c;
}

bool positive_definite(std::span<const double> c, std::size_t k) {
    if (c.size() != k * k) return false;
    Eigen::Map<const RowMatrix> m(c.data(), static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    Eigen::LLT<Eigen::MatrixXd> llt(m);
    return llt.info() == Eigen::Success;
}

std::vector<double> ranks(std::span<const double> v) {
    const std::size_t n = v.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
        const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t t = i; t <= j; ++t) r[order[t]] = avg;
        i = j + 1;
    }
    return r;
}

std::vector<double> rank_correlation(std::span<const double> x, std::size_t n, std::size_t k) {
    RowMatrix r(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    std::vector<double> col(n);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + c];
        auto rk = ranks(col);
        for (std::size_t i = 0; i < n; ++i) r(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = rk[i];
    }
    Eigen::MatrixXd centered = r.rowwise() - r.colwise().mean();
    Eigen::MatrixXd cov = centered.transpose() * centered;
    Eigen::VectorXd sd = cov.diagonal().cwiseSqrt();
    std::vector<double> out(k * k);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            const auto ia = static_cast<Eigen::Index>(a), ib = static_cast<Eigen::Index>(b);
            const double d = sd(ia) * sd(ib);
            out[a * k + b] = a == b ? 1.0 : (d > 0 ? cov(ia, ib) / d : 0.0);
        }
    return out;
}

void iman_conover(std::vector<double>& x, std::size_t n, std::size_t k, std::span<const double> target) {
    if (x.size() != n * k || target.size() != k * k)
        throw std::invalid_argument("iman_conover: matrix sizes do not match");
    if (n < 2 || k < 2) return;
    const auto N = static_cast<Eigen::Index>(n), K = static_cast<Eigen::Index>(k);
    Eigen::Map<const RowMatrix> c(target.data(), K, K);
    Eigen::LLT<Eigen::MatrixXd> target_llt(c);
    if (target_llt.info() != Eigen::Success)
        throw std::invalid_argument("the correlation matrix is not positive definite");

    // Scores: van der Waerden scores Phi^-1(i / (n + 1)), arranged in each
    // column by the ranks the column already has.
    const boost::math::normal_distribution<double> z;
    std::vector<double> score(n);
    for (std::size_t i = 0; i < n; ++i)
        score[i] = boost::math::quantile(z, static_cast<double>(i + 1) / static_cast<double>(n + 1));
    RowMatrix m(N, K);
    std::vector<double> col(n);
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + j];
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return col[a] < col[b]; });
        for (std::size_t r = 0; r < n; ++r) m(static_cast<Eigen::Index>(order[r]), static_cast<Eigen::Index>(j)) = score[r];
    }
    // T = M (F^-1)^T P^T, where E = F F^T is the scores' own correlation
    // (correcting their chance correlation) and C = P P^T the target.
    Eigen::MatrixXd e = (m.transpose() * m) / static_cast<double>(n);  // the scores have mean 0
    Eigen::VectorXd sd = e.diagonal().cwiseSqrt();
    e = sd.cwiseInverse().asDiagonal() * e * sd.cwiseInverse().asDiagonal();
    Eigen::LLT<Eigen::MatrixXd> e_llt(e);
    if (e_llt.info() != Eigen::Success)
        throw std::invalid_argument("iman_conover: too few samples for " + std::to_string(k) + " correlated parameters");
    Eigen::MatrixXd f_inv_t = e_llt.matrixL().solve(Eigen::MatrixXd::Identity(K, K)).transpose();
    Eigen::MatrixXd p_t = target_llt.matrixL().transpose();
    RowMatrix t = m * f_inv_t * p_t;

    // Each column of x takes the order of the matching column of T.
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + j];
        std::sort(col.begin(), col.end());
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        const auto J = static_cast<Eigen::Index>(j);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return t(static_cast<Eigen::Index>(a), J) < t(static_cast<Eigen::Index>(b), J);
        });
        for (std::size_t r = 0; r < n; ++r) x[order[r] * k + j] = col[r];
    }
}

SampleMatrix sample(const std::vector<Uncertainty>& params, const std::vector<RankCorrelation>& correlations,
                    std::size_t n, SampleMethod method, std::uint64_t seed) {
    const std::size_t k = params.size();
    const auto unit = unit_sample(n, k, method, seed);
    SampleMatrix s = to_parameters(params, unit, n);
    if (!correlations.empty()) {
        const auto target = correlation_matrix(params, correlations);
        if (!positive_definite(target, k))
            throw std::invalid_argument(
                "the rank correlations do not form a positive definite matrix; weaken or remove some of them");
        iman_conover(s.values, n, k, target);
    }
    return s;
}

void write_samples_csv(const SampleMatrix& s, std::ostream& out) {
    out << "sample";
    for (const auto& n : s.names) out << ',' << text::csv_field(n);
    out << '\n';
    for (std::size_t r = 0; r < s.rows; ++r) {
        out << r;
        for (std::size_t c = 0; c < s.cols(); ++c) out << ',' << text::csv_number(s.at(r, c));
        out << '\n';
    }
}

}  // namespace sim
