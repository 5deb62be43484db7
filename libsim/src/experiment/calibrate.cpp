// Calibration (see sim/calibrate.hpp and docs/calibration.md).
//
// Bounds are kept by a smooth transform (James & Roos 1975, as MINUIT):
// the optimizer moves z freely and the model sees
//   p = lo + (hi - lo) (sin z + 1) / 2,
// so every run stays inside [lo, hi]. Standard errors come from the Jacobian
// in p itself, at the optimum (central differences, one-sided at a bound).
#include <unsupported/Eigen/LevenbergMarquardt>

#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>

#include "sim/calibrate.hpp"
#include "sim/sampling.hpp"
#include "sim/spec.hpp"
#include "util/interpolate.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
    Diagnostics d;
    d.error(sim::Code::E_CALIBRATE, SourceLoc{}, what, msg);
    throw Error(std::move(d));
}

// Everything a model evaluation needs; shared read-only by every start.
struct Problem {
    const Model* model = nullptr;
    RunOptions base;                  // save = data columns
    std::vector<std::string> params;
    std::vector<double> lo, hi;
    const CalibrationData* data = nullptr;
    std::vector<double> weights;      // per column
    // Observations that count: (row, column) with data and weight > 0.
    std::vector<std::pair<std::size_t, std::size_t>> obs;

    // Model values of every data column at every data time.
    std::vector<double> simulate(const std::vector<double>& p) const {
        RunOptions o = base;
        for (std::size_t i = 0; i < params.size(); ++i) o.set.emplace_back(params[i], p[i]);
        const Results r = model->run(o);
        const std::size_t nc = data->columns.size(), nt = data->times.size();
        std::vector<double> out(nt * nc);
        std::vector<double> series(r.rows());
        for (std::size_t c = 0; c < nc; ++c) {
            for (std::size_t row = 0; row < r.rows(); ++row) series[row] = r.at(row, c);
            for (std::size_t t = 0; t < nt; ++t) {
                auto v = detail::interpolate(r.times, data->times[t], [&](std::size_t row) { return series[row]; });
                if (!v)  // the saved rows end before stop
                    fail("", "data time " + text::number(data->times[t]) + " is outside the saved times" +
                                 (r.times.empty() ? std::string()
                                                  : " [" + text::number(r.times.front()) + ", " +
                                                        text::number(r.times.back()) + "]"));
                out[t * nc + c] = *v;
            }
        }
        return out;
    }

    // Weighted residuals sqrt(w) (model - data), one per observation.
    Eigen::VectorXd residuals(const std::vector<double>& p) const {
        const auto sim = simulate(p);
        const std::size_t nc = data->columns.size();
        Eigen::VectorXd f(static_cast<Eigen::Index>(obs.size()));
        for (std::size_t i = 0; i < obs.size(); ++i) {
            const auto [t, c] = obs[i];
            f(static_cast<Eigen::Index>(i)) = std::sqrt(weights[c]) * (sim[t * nc + c] - data->at(t, c));
        }
        return f;
    }

    double to_p(std::size_t i, double z) const { return lo[i] + (hi[i] - lo[i]) * (std::sin(z) + 1) / 2; }
    double to_z(std::size_t i, double p) const {
        return std::asin(std::clamp(2 * (p - lo[i]) / (hi[i] - lo[i]) - 1, -1.0, 1.0));
    }
};

// The residuals and their Jacobian in z, for Eigen's Levenberg-Marquardt.
struct Functor : Eigen::DenseFunctor<double> {
    struct State {
        std::size_t evaluations = 0;
        std::string error;
    };
    const Problem* prob;
    std::shared_ptr<State> state;

    Functor(const Problem& p, std::shared_ptr<State> s)
        : Eigen::DenseFunctor<double>(static_cast<int>(p.params.size()), static_cast<int>(p.obs.size())),
          prob(&p), state(std::move(s)) {}

    // Forward differences in z with an absolute step: a relative one
    // (Eigen::NumericalDiff: sqrt(eps) |z|) vanishes at a start whose z is
    // nearly 0 (the middle of the bounds, z ~ 1e-16), leaving a zero
    // Jacobian and the start where it was.
    int df(const Eigen::VectorXd& z, Eigen::MatrixXd& jac) const {
        Eigen::VectorXd f0(values()), f1(values());
        if (operator()(z, f0) < 0) return -1;
        Eigen::VectorXd x = z;
        for (Eigen::Index j = 0; j < z.size(); ++j) {
            const double h = 1.4901161193847656e-08 * std::max(1.0, std::fabs(z(j)));  // sqrt(epsilon)
            x(j) = z(j) + h;
            if (operator()(x, f1) < 0) return -1;
            jac.col(j) = (f1 - f0) / h;
            x(j) = z(j);
        }
        return 0;
    }

    int operator()(const Eigen::VectorXd& z, Eigen::VectorXd& f) const {
        std::vector<double> p(prob->params.size());
        for (std::size_t i = 0; i < p.size(); ++i) p[i] = prob->to_p(i, z(static_cast<Eigen::Index>(i)));
        ++state->evaluations;
        try {
            f = prob->residuals(p);
            return 0;
        } catch (const Error& e) {
            if (state->error.empty()) state->error = e.what();
            f = Eigen::VectorXd::Constant(values(), 1e100);
            return -1;  // LevenbergMarquardtSpace::UserAsked
        }
    }
};

CalibrationStart run_start(const Problem& prob, const std::vector<double>& start, std::size_t max_evaluations) {
    CalibrationStart s;
    s.start = start;
    const auto m = static_cast<Eigen::Index>(start.size());
    Eigen::VectorXd z(m);
    for (Eigen::Index i = 0; i < m; ++i) {
        z(i) = prob.to_z(static_cast<std::size_t>(i), start[static_cast<std::size_t>(i)]);
        // The middle of the bounds is z = 0 up to rounding (~1e-16). MINPACK
        // sizes its first trust region from |D z|: that of a z of 1e-16 is
        // too small to move at all, while z = 0 gets the default bound.
        if (std::fabs(z(i)) < 1e-8) z(i) = 0;
    }
    auto state = std::make_shared<Functor::State>();
    Functor fn(prob, state);
    Eigen::LevenbergMarquardt<Functor> lm(fn);
    lm.setMaxfev(static_cast<Eigen::Index>(max_evaluations));
    s.status = static_cast<int>(lm.minimize(z));
    s.evaluations = state->evaluations;
    s.estimate.resize(start.size());
    for (std::size_t i = 0; i < start.size(); ++i) s.estimate[i] = prob.to_p(i, z(static_cast<Eigen::Index>(i)));
    if (!state->error.empty()) {
        s.error = state->error;
        s.payoff = inf;
        return s;
    }
    try {
        s.payoff = prob.residuals(s.estimate).squaredNorm();
    } catch (const Error& e) {
        s.error = e.what();
        s.payoff = inf;
    }
    return s;
}

// Jacobian of the weighted residuals in p (n x m) at p.
Eigen::MatrixXd jacobian(const Problem& prob, const std::vector<double>& p) {
    const auto n = static_cast<Eigen::Index>(prob.obs.size());
    const auto m = static_cast<Eigen::Index>(p.size());
    Eigen::MatrixXd j(n, m);
    for (Eigen::Index i = 0; i < m; ++i) {
        const auto ii = static_cast<std::size_t>(i);
        const double h = 1e-6 * std::max(std::fabs(p[ii]), prob.hi[ii] - prob.lo[ii]);
        std::vector<double> a = p, b = p;
        double span = 0;
        if (p[ii] - h >= prob.lo[ii] && p[ii] + h <= prob.hi[ii]) {
            a[ii] = p[ii] + h;
            b[ii] = p[ii] - h;
            span = 2 * h;
        } else if (p[ii] + h <= prob.hi[ii]) {
            a[ii] = p[ii] + h;
            span = h;
        } else {
            b[ii] = p[ii] - h;
            span = h;
        }
        j.col(i) = (prob.residuals(a) - prob.residuals(b)) / span;
    }
    return j;
}

}  // namespace

CalibrationResult calibrate(const Model& model, const CalibrationData& data, const CalibrationOptions& opts) {
    if (opts.fit.empty()) fail("", "no parameters to fit; name at least one constant");
    Problem prob;
    prob.model = &model;
    prob.data = &data;
    const std::size_t m = opts.fit.size();
    for (std::size_t i = 0; i < m; ++i) {
        const std::string& name = opts.fit[i];
        if (!model.is_constant(name))
            fail(name, model.has_variable(name) ? "'" + name + "' is not a constant with a number as its equation"
                                                : "the model has no constant '" + name + "'");
        for (std::size_t j = 0; j < i; ++j)
            if (canonical_name(opts.fit[j]) == canonical_name(name)) fail(name, "'" + name + "' is listed twice");
        double lo = nan, hi = nan;
        bool found = false;
        for (const auto& [n, b] : opts.bounds)
            if (canonical_name(n) == canonical_name(name)) {
                std::tie(lo, hi) = b;
                found = true;
            }
        if (!found)
            for (const auto& u : opts.uncertainties)
                if (canonical_name(u.name) == canonical_name(name)) {
                    if (auto e = check(u.dist); !e.empty()) fail(name, "uncertainty '" + name + "': " + e);
                    std::tie(lo, hi) = support(u.dist);
                    if (!std::isfinite(lo)) lo = quantile(u.dist, 0.001);
                    if (!std::isfinite(hi)) hi = quantile(u.dist, 0.999);
                    found = true;
                }
        if (!found)
            fail(name, "no bounds for '" + name + "': declare it under 'uncertainties:' or give bounds (name=lo:hi)");
        if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
            fail(name, "the bounds of '" + name + "' [" + text::number(lo) + ", " + text::number(hi) +
                           "] are not an interval; the lower bound must be below the upper");
        prob.params.push_back(name);
        prob.lo.push_back(lo);
        prob.hi.push_back(hi);
    }
    for (const auto& bound : opts.bounds) {
        const std::string& n = bound.first;
        if (std::none_of(opts.fit.begin(), opts.fit.end(),
                         [&](const std::string& f) { return canonical_name(f) == canonical_name(n); }))
            fail(n, "bounds are given for '" + n + "', which is not fitted");
    }

    // Data columns, weights and the observations that count.
    const std::size_t nc = data.columns.size(), nt = data.times.size();
    if (nc == 0 || nt == 0 || data.values.size() != nc * nt) fail("", "the data hold no observations");
    prob.weights = data.weights;
    prob.weights.resize(nc, 1.0);
    for (const auto& weight : opts.weights) {
        const std::string& name = weight.first;
        const double w = weight.second;
        auto it = std::find_if(data.columns.begin(), data.columns.end(),
                               [&](const std::string& c) { return canonical_name(c) == canonical_name(name); });
        if (it == data.columns.end()) fail(name, "a weight is given for '" + name + "', which the data do not hold");
        if (!(w >= 0) || !std::isfinite(w)) fail(name, "the weight of '" + name + "' must be 0 or positive");
        prob.weights[static_cast<std::size_t>(it - data.columns.begin())] = w;
    }
    for (const auto& c : data.columns)
        if (!model.has_variable(c)) fail(c, "the data hold '" + c + "', which the model has no variable for");
    const SimSpecs specs = effective_specs(model.specs(), opts.base);
    for (double t : data.times)
        if (!(t >= specs.start && t <= specs.stop))
            fail("", "data time " + text::number(t) + " is outside the run [" + text::number(specs.start) + ", " +
                         text::number(specs.stop) + "]");
    for (std::size_t t = 0; t < nt; ++t)
        for (std::size_t c = 0; c < nc; ++c)
            if (std::isfinite(data.at(t, c)) && prob.weights[c] > 0) prob.obs.emplace_back(t, c);
    if (prob.obs.size() < m)
        fail("", std::to_string(prob.obs.size()) + " weighted observations cannot determine " + std::to_string(m) +
                     " parameters");
    prob.base = opts.base;
    prob.base.save = data.columns;

    // Starts: the model's own values (if inside the bounds), then a Latin hypercube.
    std::vector<std::vector<double>> starts;
    {
        RunOptions o = opts.base;
        o.save = prob.params;
        o.stop = specs.start;  // only the initial values are needed
        // Can every parameter be set (a constant expression cannot) and every
        // data time be read? A run that fails at these values is no answer:
        // the starts deal with that.
        try {
            prob.simulate(prob.lo);
        } catch (const Error& e) {
            for (const auto& d : e.diagnostics().items())
                if (d.code == sim::Code::E_NOT_CONSTANT || d.code == sim::Code::E_UNKNOWN_NAME || d.code == sim::Code::E_CALIBRATE)
                    fail(d.variable, d.message);
        }
        const Results r = model.run(o);
        std::vector<double> own(m);
        bool inside = true;
        for (std::size_t i = 0; i < m; ++i) {
            own[i] = r.at(0, i);
            inside = inside && own[i] >= prob.lo[i] && own[i] <= prob.hi[i];
        }
        if (inside) starts.push_back(own);
    }
    if (opts.starts > max_calibration_starts)
        fail("", std::to_string(opts.starts) + " starts are more than the limit of " +
                     std::to_string(max_calibration_starts));
    const auto u = unit_sample(opts.starts, m, SampleMethod::latin_hypercube, opts.seed);
    for (std::size_t s = 0; s < opts.starts; ++s) {
        std::vector<double> p(m);
        for (std::size_t i = 0; i < m; ++i) p[i] = prob.lo[i] + u[s * m + i] * (prob.hi[i] - prob.lo[i]);
        starts.push_back(p);
    }
    if (starts.empty()) fail("", "no starting points: ask for at least one start");

    CalibrationResult r;
    r.parameters = prob.params;
    r.flag_correlation = opts.flag_correlation;
    r.lower = prob.lo;
    r.upper = prob.hi;
    r.starts.resize(starts.size());
    detail::parallel_for(
        starts.size(), opts.threads,
        [&](std::size_t s) { r.starts[s] = run_start(prob, starts[s], opts.max_evaluations); }, opts.progress);
    r.best_start = 0;
    for (std::size_t s = 1; s < r.starts.size(); ++s)
        if (r.starts[s].payoff < r.starts[r.best_start].payoff) r.best_start = s;
    const CalibrationStart& best = r.starts[r.best_start];
    if (!std::isfinite(best.payoff))
        fail("", "every start failed; the first error: " + r.starts[0].error);
    r.estimate = best.estimate;
    r.start = best.start;
    r.payoff = best.payoff;
    r.observations = prob.obs.size();
    const double n = static_cast<double>(r.observations), dm = static_cast<double>(m);
    r.residual_variance = n > dm ? r.payoff / (n - dm) : nan;

    // Identifiability and standard errors from the Jacobian in p, columns
    // scaled to unit length: J = Js D.
    const Eigen::MatrixXd j = jacobian(prob, r.estimate);
    const auto M = static_cast<Eigen::Index>(m);
    Eigen::VectorXd norm = j.colwise().norm().transpose();
    const double max_norm = norm.maxCoeff();
    r.identified.assign(m, true);
    Eigen::MatrixXd js = j;
    for (Eigen::Index i = 0; i < M; ++i) {
        if (!(norm(i) > 1e-12 * max_norm) || !(max_norm > 0)) {
            r.identified[static_cast<std::size_t>(i)] = false;  // the fit does not depend on it
            js.col(i).setZero();
            norm(i) = 1;
        } else {
            js.col(i) /= norm(i);
        }
    }
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(js, Eigen::ComputeThinV);
    const Eigen::VectorXd sv = svd.singularValues();
    const double smax = sv.size() ? sv(0) : 0;
    bool deficient = false;
    for (Eigen::Index l = 0; l < sv.size(); ++l) {
        if (sv(l) >= 1e-6 * smax && smax > 0) continue;
        deficient = true;  // a direction the data do not constrain
        for (Eigen::Index i = 0; i < M; ++i)
            if (std::fabs(svd.matrixV()(i, l)) > 0.1) r.identified[static_cast<std::size_t>(i)] = false;
    }
    Eigen::MatrixXd a = js.transpose() * js;
    // A rank-deficient J^T J gets a tiny ridge, so that the correlations
    // show the ridge of the payoff (r near -1 or 1) instead of failing.
    if (deficient) a += Eigen::MatrixXd::Identity(M, M) * (1e-12 * smax * smax + 1e-300);
    const Eigen::MatrixXd cov_s = a.ldlt().solve(Eigen::MatrixXd::Identity(M, M));
    r.std_error.assign(m, nan);
    r.correlation.assign(m * m, nan);
    for (Eigen::Index i = 0; i < M; ++i) {
        const auto ii = static_cast<std::size_t>(i);
        if (!r.identified[ii]) r.std_error[ii] = inf;
        else if (std::isfinite(r.residual_variance))
            r.std_error[ii] = std::sqrt(r.residual_variance * cov_s(i, i)) / norm(i);
        for (Eigen::Index k = 0; k < M; ++k) {
            const double d = cov_s(i, i) * cov_s(k, k);
            if (d > 0 && std::isfinite(d))
                r.correlation[ii * m + static_cast<std::size_t>(k)] = i == k ? 1.0 : cov_s(i, k) / std::sqrt(d);
        }
    }
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = i + 1; k < m; ++k)
            if (std::fabs(r.correlation[i * m + k]) > opts.flag_correlation) r.flagged.emplace_back(i, k);

    r.data_file = data.file;
    r.columns = data.columns;
    r.times = data.times;
    r.weights = prob.weights;
    r.data = data.values;
    r.fitted = prob.simulate(r.estimate);
    {
        RunOptions o = prob.base;
        for (std::size_t i = 0; i < m; ++i) o.set.emplace_back(prob.params[i], r.estimate[i]);
        const Results full = model.run(o);
        r.trajectory_times = full.times;
        r.trajectory.resize(full.rows() * nc);
        for (std::size_t row = 0; row < full.rows(); ++row)
            for (std::size_t c = 0; c < nc; ++c) r.trajectory[row * nc + c] = full.at(row, c);
    }
    return r;
}

void write_fit_csv(const CalibrationResult& r, std::ostream& out) {
    out << "parameter,estimate,std_error,lower,upper,start\n";
    for (std::size_t i = 0; i < r.parameters.size(); ++i)
        out << text::csv_field(r.parameters[i]) << ',' << text::csv_number(r.estimate[i]) << ','
            << text::csv_number(r.std_error[i]) << ',' << text::csv_number(r.lower[i]) << ',' << text::csv_number(r.upper[i])
            << ',' << text::csv_number(r.start[i]) << '\n';
}

void write_fit_correlation_csv(const CalibrationResult& r, std::ostream& out) {
    const std::size_t m = r.parameters.size();
    out << "parameter";
    for (const auto& p : r.parameters) out << ',' << text::csv_field(p);
    out << '\n';
    for (std::size_t i = 0; i < m; ++i) {
        out << text::csv_field(r.parameters[i]);
        for (std::size_t k = 0; k < m; ++k) out << ',' << text::csv_number(r.correlation[i * m + k]);
        out << '\n';
    }
}

void write_fitted_series_csv(const CalibrationResult& r, std::ostream& out) {
    out << "indicator,time,data,model,residual,weight\n";
    const std::size_t nc = r.columns.size();
    for (std::size_t c = 0; c < nc; ++c)
        for (std::size_t t = 0; t < r.times.size(); ++t) {
            const double d = r.data[t * nc + c];
            if (!std::isfinite(d)) continue;
            const double f = r.fitted[t * nc + c];
            out << text::csv_field(r.columns[c]) << ',' << text::csv_number(r.times[t]) << ',' << text::csv_number(d) << ','
                << text::csv_number(f) << ',' << text::csv_number(f - d) << ',' << text::csv_number(r.weights[c]) << '\n';
        }
}

}  // namespace sim
