// sim::sensitivity: design, ensemble and indices for every indicator and
// report time, and the CSV writers of its results.
#include <cmath>
#include <limits>
#include <ostream>
#include <stdexcept>

#include "sim/sensitivity.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
    Diagnostics d;
    d.error(sim::Code::E_SENSITIVITY, SourceLoc{}, what, msg);
    throw Error(std::move(d));
}

ParameterIndices blank() { return {nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan}; }

// A number, or an empty field for what was not computed.
std::string field(double v, bool computed) { return computed ? text::csv_number(v) : std::string(); }

}  // namespace

const char* to_string(SensitivityMethod m) {
    switch (m) {
        case SensitivityMethod::sobol: return "sobol";
        case SensitivityMethod::latin_hypercube: return "latin_hypercube";
        case SensitivityMethod::morris: return "morris";
    }
    return "?";
}

std::size_t design_runs(SensitivityMethod m, std::size_t n, std::size_t k) {
    const std::size_t per = m == SensitivityMethod::sobol ? k + 2 : m == SensitivityMethod::morris ? k + 1 : 1;
    if (n != 0 && per > std::numeric_limits<std::size_t>::max() / n) return std::numeric_limits<std::size_t>::max();
    return n * per;
}

SensitivityResult sensitivity(const Model& model, const std::vector<Uncertainty>& params,
                              const std::vector<RankCorrelation>& correlations, const SensitivityOptions& opts) {
    if (params.empty())
        throw Error(sim::Code::E_NO_UNCERTAINTIES, "",
                    "no uncertain parameters to sample: declare them under 'uncertainties:' in the model or scenario");
    if (opts.samples == 0) fail("", "the number of samples must be positive");
    for (const auto& p : params)
        if (auto e = check(p.dist); !e.empty()) fail(p.name, "uncertainty '" + p.name + "': " + e);
    {
        const std::size_t runs = design_runs(opts.method, opts.samples, params.size());
        EnsembleOptions probe;
        probe.indicators = opts.indicators;
        probe.at = opts.at;
        probe.base = opts.base;
        probe.threads = opts.threads;
        probe.trajectory_quantiles = opts.trajectory_quantiles;
        const EnsembleSize z = ensemble_size(model, runs, params.size(), probe);
        if (z.values > opts.max_values)
            throw Error(sim::Code::E_ENSEMBLE_SIZE, "",
                        "the " + std::string(to_string(opts.method)) + " design of " + std::to_string(opts.samples) +
                            " samples would make " +
                            text::count(runs) +
                            " runs and keep " + text::count(z.values) + " values (" +
                            std::to_string(std::max<std::size_t>(1, opts.indicators.size())) + " indicators x " +
                            std::to_string(std::max<std::size_t>(1, opts.at.size())) + " report times" +
                            (opts.trajectory_quantiles.empty() ? "" : ", with percentile trajectories") +
                            "), more than the limit of " + text::count(opts.max_values) +
                            "; use fewer samples, indicators or report times");
    }

    SensitivityResult r;
    r.method = opts.method;
    r.seed = opts.seed;
    r.base_samples = opts.samples;
    r.bootstrap = opts.method == SensitivityMethod::sobol ? opts.bootstrap : 0;
    r.morris_levels = opts.method == SensitivityMethod::morris ? opts.morris_levels : 0;
    r.uncertainties = params;
    for (const auto& p : params) r.parameters.push_back(p.name);
    const std::size_t k = params.size(), n = opts.samples;

    MorrisDesign morris;
    try {
        switch (opts.method) {
            case SensitivityMethod::sobol:
                r.samples = saltelli_sample(params, n, opts.seed);
                break;
            case SensitivityMethod::latin_hypercube:
                r.samples = sample(params, correlations, n, SampleMethod::latin_hypercube, opts.seed);
                break;
            case SensitivityMethod::morris:
                morris = morris_sample(params, n, opts.morris_levels, opts.seed);
                r.samples = morris.samples;
                break;
        }
    } catch (const std::invalid_argument& e) {
        fail("", e.what());
    }
    if (!correlations.empty() && opts.method != SensitivityMethod::latin_hypercube)
        r.notes.warning(sim::Code::W_CORRELATION_IGNORED, {}, "",
                        std::string("the ") + to_string(opts.method) +
                            " design assumes independent parameters: the declared rank correlations are not "
                            "applied (use the latin_hypercube method to propagate them)");

    EnsembleOptions eo;
    eo.indicators = opts.indicators;
    eo.at = opts.at;
    eo.base = opts.base;
    eo.threads = opts.threads;
    eo.progress = opts.progress;
    eo.trajectory_quantiles = opts.trajectory_quantiles;
    eo.max_values = opts.max_values;
    eo.comm = opts.comm;
    r.ensemble = run_ensemble(model, r.samples, eo);

    const std::size_t n_ind = r.ensemble.indicators.size(), n_at = r.ensemble.at.size();
    r.indices.assign(n_ind * n_at * k, blank());
    r.percentiles.resize(n_ind * n_at);
    // Rows used by the rank measures: A and B of the Saltelli design (2N
    // independent points), every row of an LHS design.
    std::vector<std::size_t> rank_rows;
    if (opts.method == SensitivityMethod::sobol) {
        for (std::size_t j = 0; j < n; ++j) {
            rank_rows.push_back(j * (k + 2));
            rank_rows.push_back(j * (k + 2) + k + 1);
        }
    } else if (opts.method == SensitivityMethod::latin_hypercube) {
        for (std::size_t j = 0; j < n; ++j) rank_rows.push_back(j);
    }
    std::vector<double> xr(rank_rows.size() * k);
    for (std::size_t i = 0; i < rank_rows.size(); ++i)
        for (std::size_t c = 0; c < k; ++c) xr[i * k + c] = r.samples.at(rank_rows[i], c);

    std::vector<std::vector<double>> ys;  // each output's values at the rank rows (Sobol', LHS)
    std::vector<std::size_t> outputs;     // and its index (indicator * n_at + a)
    for (std::size_t ind = 0; ind < n_ind; ++ind)
        for (std::size_t a = 0; a < n_at; ++a) {
            const auto y = r.ensemble.across_samples(0, ind, a);
            r.percentiles[ind * n_at + a] = percentiles(y);
            ParameterIndices* out = &r.indices[(ind * n_at + a) * k];
            if (opts.method == SensitivityMethod::morris) {
                const auto m = morris_indices(morris, y);
                for (std::size_t p = 0; p < k; ++p) {
                    out[p].mu = m.mu[p];
                    out[p].mu_star = m.mu_star[p];
                    out[p].sigma = m.sigma[p];
                }
                continue;
            }
            if (opts.method == SensitivityMethod::sobol) {
                // One bootstrap stream per output, the same for every output.
                const auto s = sobol_indices(y, n, k, opts.bootstrap, opts.seed);
                for (std::size_t p = 0; p < k; ++p) {
                    out[p].S1 = s.S1[p];
                    out[p].S1_low = s.S1_low[p];
                    out[p].S1_high = s.S1_high[p];
                    out[p].ST = s.ST[p];
                    out[p].ST_low = s.ST_low[p];
                    out[p].ST_high = s.ST_high[p];
                }
            }
            std::vector<double>& yr = ys.emplace_back(rank_rows.size());
            for (std::size_t i = 0; i < rank_rows.size(); ++i) yr[i] = y[rank_rows[i]];
            outputs.push_back(ind * n_at + a);
        }
    // The rank measures of every output at once: their factorizations on the
    // ranks of the samples are made once.
    const auto sr = srrc(xr, rank_rows.size(), k, ys);
    const auto pr = prcc(xr, rank_rows.size(), k, ys);
    for (std::size_t j = 0; j < outputs.size(); ++j) {
        ParameterIndices* out = &r.indices[outputs[j] * k];
        for (std::size_t p = 0; p < k; ++p) {
            out[p].SRRC = sr[j][p];
            out[p].PRCC = pr[j][p];
        }
    }
    return r;
}

void write_percentiles_csv(const SensitivityResult& r, std::ostream& out) {
    out << "indicator,time,p5,p25,p50,p75,p95,mean\n";
    const auto& e = r.ensemble;
    for (std::size_t i = 0; i < e.indicators.size(); ++i)
        for (std::size_t a = 0; a < e.at.size(); ++a) {
            const Percentiles& p = r.percentiles[i * e.at.size() + a];
            out << text::csv_field(e.indicators[i]) << ',' << text::csv_number(e.at[a]) << ',' << text::csv_number(p.p5)
                << ',' << text::csv_number(p.p25) << ',' << text::csv_number(p.p50) << ',' << text::csv_number(p.p75) << ','
                << text::csv_number(p.p95) << ',' << text::csv_number(p.mean) << '\n';
        }
}

void write_indices_csv(const SensitivityResult& r, std::ostream& out) {
    out << "indicator,time,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,SRRC,PRCC\n";
    const bool sobol = r.method == SensitivityMethod::sobol;
    const bool ranks = r.method != SensitivityMethod::morris;
    const auto& e = r.ensemble;
    for (std::size_t i = 0; i < e.indicators.size(); ++i)
        for (std::size_t a = 0; a < e.at.size(); ++a)
            for (std::size_t p = 0; p < r.parameters.size(); ++p) {
                const ParameterIndices& x = r.index(i, a, p);
                out << text::csv_field(e.indicators[i]) << ',' << text::csv_number(e.at[a]) << ','
                    << text::csv_field(r.parameters[p]) << ',' << field(x.S1, sobol) << ','
                    << field(x.S1_low, sobol) << ',' << field(x.S1_high, sobol) << ',' << field(x.ST, sobol) << ','
                    << field(x.ST_low, sobol) << ',' << field(x.ST_high, sobol) << ',' << field(x.SRRC, ranks)
                    << ',' << field(x.PRCC, ranks) << '\n';
            }
}

void write_morris_csv(const SensitivityResult& r, std::ostream& out) {
    out << "indicator,time,parameter,mu,mu_star,sigma\n";
    const bool morris = r.method == SensitivityMethod::morris;
    const auto& e = r.ensemble;
    for (std::size_t i = 0; i < e.indicators.size(); ++i)
        for (std::size_t a = 0; a < e.at.size(); ++a)
            for (std::size_t p = 0; p < r.parameters.size(); ++p) {
                const ParameterIndices& x = r.index(i, a, p);
                out << text::csv_field(e.indicators[i]) << ',' << text::csv_number(e.at[a]) << ','
                    << text::csv_field(r.parameters[p]) << ',' << field(x.mu, morris) << ','
                    << field(x.mu_star, morris) << ',' << field(x.sigma, morris) << '\n';
            }
}

}  // namespace sim
