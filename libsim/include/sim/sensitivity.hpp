// Global sensitivity analysis: Sobol' first-order and total indices by
// Saltelli's scheme (Saltelli et al. 2010, S1; Jansen 1999, ST) with
// bootstrap intervals, standardized rank regression coefficients (SRRC),
// partial rank correlation coefficients (PRCC), Morris elementary effects
// (Morris 1991), and percentiles. Pure functions on sample matrices and
// outputs, plus sim::sensitivity, which samples, runs and analyses a model.
// Equations: docs/uncertainty.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "sim/ensemble.hpp"
#include "sim/experiment_spec.hpp"
#include "sim/model.hpp"
#include "sim/sampling.hpp"

namespace sim {

// p5, p25, p50, p75, p95 (linear interpolation between order statistics,
// Hyndman & Fan type 7) and the mean. NaN for an empty set.
struct Percentiles {
    double p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, mean = 0;
};
Percentiles percentiles(std::span<const double> v);
// The p-quantile (p in [0, 1]) of `sorted` (ascending), type 7.
double quantile_sorted(std::span<const double> sorted, double p);

// --- Sobol' indices (Saltelli's scheme) -----------------------------------

// The N (k + 2) parameter sets of Saltelli's scheme from a 2k-dimensional
// Sobol' sequence (first k columns A, last k columns B; AB_i is A with
// column i from B), in blocks of k + 2 rows per base point j:
//   A_j, AB_1j, ..., AB_kj, B_j.
// Parameters must be independent (correlations cannot be honoured).
SampleMatrix saltelli_sample(const std::vector<Uncertainty>& params, std::size_t n, std::uint64_t seed);

struct SobolIndices {
    std::vector<double> S1, S1_low, S1_high;  // per parameter
    std::vector<double> ST, ST_low, ST_high;
    double variance = 0;                      // of the output over A and B
};

// Indices from the outputs y of a saltelli_sample(n) design (y.size() ==
// n (k + 2), same row order), with m and V the mean and variance of f(A)
// and f(B) together:
//   S1_i = mean_j (f(B)_j - m) (f(AB_i)_j - f(A)_j) / V    (Saltelli 2010)
//   ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / (2 V)            (Jansen 1999)
// Centring f(B) on m leaves S1's expectation as it is and removes the
// variance that a large mean against a small spread would add.
// with percentile bootstrap intervals at `confidence` from `resamples`
// resamplings of the n base points (seeded; 0 resamples = no intervals,
// NaN bounds). A constant output (V = 0) gives NaN indices.
SobolIndices sobol_indices(std::span<const double> y, std::size_t n, std::size_t k, std::size_t resamples = 1000,
                           std::uint64_t seed = 0, double confidence = 0.95);

// --- Rank-based measures ----------------------------------------------------

// Standardized rank regression coefficients of y on the columns of x (n x k,
// row-major): the least-squares coefficients after replacing every column
// and y by their ranks and standardizing them. NaN if y is constant.
std::vector<double> srrc(std::span<const double> x, std::size_t n, std::size_t k, std::span<const double> y);

// Partial rank correlation coefficients: for each column i, the correlation
// of the ranks of x_i and y after removing the linear effect of the ranks of
// every other column (least-squares residuals of both on the other ranks,
// then their correlation). NaN where undefined.
std::vector<double> prcc(std::span<const double> x, std::size_t n, std::size_t k, std::span<const double> y);

// The same for several outputs over the same x (each of ys of length n): one
// result per y, each exactly what the single-output function gives, with the
// factorizations on the ranks of x made once for all of them (PRCC: one
// least-squares factorization per column of x, not per column and output).
std::vector<std::vector<double>> srrc(std::span<const double> x, std::size_t n, std::size_t k,
                                      const std::vector<std::vector<double>>& ys);
std::vector<std::vector<double>> prcc(std::span<const double> x, std::size_t n, std::size_t k,
                                      const std::vector<std::vector<double>>& ys);

// --- Morris elementary effects -------------------------------------------------

// r trajectories of k + 1 points on a p-level grid in probability space
// (Morris 1991): levels x = 0, 1/(p-1), ..., 1, step Delta = p / (2 (p - 1));
// each trajectory changes one parameter at a time, in random order and
// direction. Grid values are mapped through each parameter's inverse CDF;
// for a distribution with an unbounded side, the grid's ends are taken at
// the 0.5/p and 1 - 0.5/p quantiles. p must be even and >= 2.
struct MorrisDesign {
    SampleMatrix samples;     // r (k + 1) rows, trajectory by trajectory
    std::vector<double> grid; // the same points in grid coordinates [0, 1]
    std::size_t trajectories = 0;
    std::size_t levels = 4;
};
MorrisDesign morris_sample(const std::vector<Uncertainty>& params, std::size_t trajectories, std::size_t levels,
                           std::uint64_t seed);

struct MorrisIndices {
    // Per parameter, over the trajectories' elementary effects
    // EE_i = (y(x + Delta e_i) - y(x)) / Delta (grid units):
    std::vector<double> mu;       // mean EE
    std::vector<double> mu_star;  // mean |EE| (Campolongo et al. 2007)
    std::vector<double> sigma;    // standard deviation of EE (n - 1 divisor)
};
MorrisIndices morris_indices(const MorrisDesign& d, std::span<const double> y);

// --- A model's sensitivity ---------------------------------------------------------

enum class SensitivityMethod {
    sobol,            // Saltelli design: N (k + 2) runs; S1, ST, SRRC, PRCC
    latin_hypercube,  // N runs, correlations honoured; SRRC, PRCC, percentiles
    morris,           // N trajectories: N (k + 1) runs; mu, mu*, sigma
};
const char* to_string(SensitivityMethod m);

struct SensitivityOptions {
    SensitivityMethod method = SensitivityMethod::sobol;
    std::size_t samples = 1000;  // N: base points, LHS points or Morris trajectories
    std::uint64_t seed = 1;
    std::size_t bootstrap = 1000;      // Sobol' only
    std::size_t morris_levels = 4;
    std::vector<std::string> indicators;
    std::vector<double> at;            // report times; empty = the stop time
    RunOptions base;
    unsigned threads = 0;
    std::function<void(std::size_t done, std::size_t total)> progress;
    std::vector<double> trajectory_quantiles;  // see EnsembleOptions
    std::size_t max_values = max_ensemble_values;  // see EnsembleOptions; checked before sampling
    const Communicator* comm = nullptr;        // see EnsembleOptions
};

// The runs of a design of N base samples (N trajectories for Morris) over k
// parameters: sobol N (k + 2), latin_hypercube N, morris N (k + 1);
// SIZE_MAX if that overflows.
std::size_t design_runs(SensitivityMethod m, std::size_t n, std::size_t k);

// One parameter's indices for one indicator at one report time; NaN for
// what the method does not compute.
struct ParameterIndices {
    double S1, S1_low, S1_high, ST, ST_low, ST_high, SRRC, PRCC;
    double mu, mu_star, sigma;
};

struct SensitivityResult {
    SensitivityMethod method = SensitivityMethod::sobol;
    std::uint64_t seed = 0;
    std::size_t base_samples = 0;     // N
    std::size_t bootstrap = 0;        // Sobol' resamples
    std::size_t morris_levels = 0;    // Morris grid levels
    std::vector<std::string> parameters;
    std::vector<Uncertainty> uncertainties;  // as sampled (same order as parameters)
    SampleMatrix samples;             // every run's parameter values, in run order
    EnsembleResult ensemble;          // the runs' indicators (variant 0)
    // [(indicator * at + a) * parameters + p]
    std::vector<ParameterIndices> indices;
    std::vector<Percentiles> percentiles;  // [indicator * at + a], over every run
    // Notes such as "correlations ignored by the Sobol' design" (warnings).
    Diagnostics notes;

    const ParameterIndices& index(std::size_t indicator, std::size_t a, std::size_t p) const {
        return indices[(indicator * ensemble.at.size() + a) * parameters.size() + p];
    }
};

// Samples `params` (correlations are honoured by latin_hypercube only; the
// other designs assume independence and say so in `notes`), runs `model`
// over the samples and computes the method's indices for every indicator
// and report time. Throws sim::Error: E-NO-UNCERTAINTIES without
// parameters, E-SENSITIVITY for bad options, E-ENSEMBLE-SIZE (before
// sampling) when the design would keep more than `max_values`.
//
//   sim::SensitivityOptions o;
//   o.samples = 512;
//   o.indicators = {"rural_income"};
//   o.at = {2035};
//   auto r = sim::sensitivity(model, spec.uncertainties, spec.correlations, o);
//   sim::write_indices_csv(r, std::cout);
SensitivityResult sensitivity(const Model& model, const std::vector<Uncertainty>& params,
                              const std::vector<RankCorrelation>& correlations, const SensitivityOptions& opts);

// percentiles.csv: `indicator,time,p5,p25,p50,p75,p95,mean`.
void write_percentiles_csv(const SensitivityResult& r, std::ostream& out);
// indices.csv: `indicator,time,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,SRRC,PRCC`;
// an index the method does not compute is an empty field.
void write_indices_csv(const SensitivityResult& r, std::ostream& out);
// morris.csv: `indicator,time,parameter,mu,mu_star,sigma` (Morris method only).
void write_morris_csv(const SensitivityResult& r, std::ostream& out);

}  // namespace sim
