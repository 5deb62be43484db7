// Sampling uncertain parameters: random, Latin hypercube and Sobol points in
// the unit hypercube, inverse-CDF transforms to each parameter's
// distribution, and rank correlations by the Iman-Conover method. Seeded:
// the same seed gives the same samples, bit for bit (Boost.Random engines
// and distributions, which are the same on every platform).
// Equations and references: docs/uncertainty.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "sim/experiment_spec.hpp"

namespace sim {

enum class SampleMethod {
    random,           // independent uniform points
    latin_hypercube,  // one point per 1/n stratum of each parameter, strata paired at random
    sobol,            // Sobol' low-discrepancy sequence with a seeded random digital shift
};
const char* to_string(SampleMethod m);

// n samples of k named parameters, row-major.
struct SampleMatrix {
    std::vector<std::string> names;  // one per column
    std::size_t rows = 0;
    std::vector<double> values;      // rows x names.size()

    std::size_t cols() const { return names.size(); }
    double at(std::size_t r, std::size_t c) const { return values[r * names.size() + c]; }
    std::span<const double> row(std::size_t r) const { return {values.data() + r * names.size(), names.size()}; }
    std::vector<double> column(std::size_t c) const;
};

// n points in the open unit cube (0, 1)^k, row-major. Throws
// std::invalid_argument for a Sobol' dimension above 3667 (Boost's table).
std::vector<double> unit_sample(std::size_t n, std::size_t k, SampleMethod method, std::uint64_t seed);

// Applies each parameter's inverse CDF to the matching column of `unit`
// (n x params.size(), values in [0, 1]).
SampleMatrix to_parameters(const std::vector<Uncertainty>& params, std::span<const double> unit, std::size_t n);

// n samples of `params` with the target rank correlations imposed by
// Iman-Conover (skipped when `correlations` is empty). Throws
// std::invalid_argument for an invalid distribution, a correlation naming a
// parameter not in `params`, a correlation matrix that is not positive
// definite, or too few samples to correlate (n not above k). With SampleMethod::sobol and correlations, the reordering keeps
// each column's values but not the sequence's joint low discrepancy.
SampleMatrix sample(const std::vector<Uncertainty>& params, const std::vector<RankCorrelation>& correlations,
                    std::size_t n, SampleMethod method, std::uint64_t seed);

// The k x k target matrix (row-major): 1 on the diagonal, each declared
// rho at (a, b) and (b, a), 0 elsewhere. Throws std::invalid_argument for an
// unknown name, a pair given twice or a parameter paired with itself.
std::vector<double> correlation_matrix(const std::vector<Uncertainty>& params,
                                       const std::vector<RankCorrelation>& correlations);

// True if the symmetric k x k matrix is positive definite (Cholesky succeeds).
bool positive_definite(std::span<const double> c, std::size_t k);

// Iman & Conover (1982): reorders the values within each column of `x`
// (n x k, row-major) so that the columns' rank correlation approaches
// `target` (k x k, positive definite). Each column keeps its values (so its
// marginal distribution and any Latin-hypercube stratification); only the
// pairing of rows changes. Deterministic: no random numbers are drawn (the
// van der Waerden scores are arranged by the ranks the columns already have).
void iman_conover(std::vector<double>& x, std::size_t n, std::size_t k, std::span<const double> target);

// Ranks 1..n of `v`, ties given their average rank.
std::vector<double> ranks(std::span<const double> v);

// Spearman rank correlation matrix (k x k) of the columns of x (n x k).
std::vector<double> rank_correlation(std::span<const double> x, std::size_t n, std::size_t k);

// samples.csv: `sample,<param>...`, one row per sample (numbered from 0).
void write_samples_csv(const SampleMatrix& s, std::ostream& out);

}  // namespace sim
