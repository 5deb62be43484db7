// Calibration: weighted least squares between a model and data, solved by
// Levenberg-Marquardt (Eigen, numerical differentiation) from several
// Latin-hypercube starts inside the parameters' bounds; standard errors and
// the correlation matrix of the estimates from the Jacobian at the optimum,
// with the parameters the data do not identify flagged.
// Equations: docs/calibration.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/experiment_spec.hpp"
#include "sim/model.hpp"

namespace sim {

// Observations to fit: a time column and one column per model variable.
struct CalibrationData {
    std::string file;
    std::vector<std::string> columns;  // variable names
    std::vector<double> times;
    std::vector<double> values;        // [row * columns + c]; NaN = no observation
    std::vector<double> weights;       // per column (default 1)

    double at(std::size_t row, std::size_t c) const { return values[row * columns.size() + c]; }
};

// Reads a data CSV (docs/calibration.md), in either form:
//   wide:  `time,a,b,...` then one row per time; an empty cell is no
//          observation; an optional row whose first field is `weight`
//          gives each column's weight;
//   long:  header `indicator,time,value[,weight][,...]` (`year` may stand
//          for `time`; further columns are ignored), one observation a row.
// Errors (E-DATA, E-IO) carry file:line:col.
CalibrationData read_calibration_data(const std::string& path, Diagnostics& diags);
CalibrationData parse_calibration_data(std::string_view text, const std::string& file, Diagnostics& diags);

struct CalibrationOptions {
    std::vector<std::string> fit;  // constants to estimate (at least one)
    // Bounds by name; a parameter not given here takes the support of its
    // entry in `uncertainties` (an unbounded side: its 0.001 / 0.999 quantile).
    std::vector<std::pair<std::string, std::pair<double, double>>> bounds;
    std::vector<Uncertainty> uncertainties;
    // Weights by column name; override the data file's.
    std::vector<std::pair<std::string, double>> weights;
    // Latin-hypercube starts inside the bounds, besides the model's own
    // values (the first start, when they lie inside the bounds).
    std::size_t starts = 8;
    std::uint64_t seed = 1;
    std::size_t max_evaluations = 1000;  // model runs per start, besides the Jacobians
    RunOptions base;                     // method, times and `set` of every run
    unsigned threads = 0;                // starts run in parallel; results do not depend on it
    double flag_correlation = 0.9;       // |r| above this is flagged
    // Called after each finished start, never two at a time, `done` from 1
    // to the number of starts (the model's own values count as one).
    std::function<void(std::size_t done, std::size_t total)> progress;
};

// The most Latin-hypercube starts calibrate accepts (E-CALIBRATE beyond).
inline constexpr std::size_t max_calibration_starts = 100'000;

struct CalibrationStart {
    std::vector<double> start, estimate;
    double payoff = 0;                   // inf if the runs failed
    int status = 0;                      // Eigen::LevenbergMarquardtSpace::Status
    std::size_t evaluations = 0;
    std::string error;                   // the run error that ended it, if any
};

struct CalibrationResult {
    std::vector<std::string> parameters;
    std::vector<double> estimate, std_error, lower, upper, start;
    std::vector<bool> identified;        // false: the data cannot fix it (std_error inf)
    std::vector<double> correlation;     // m x m, row-major; NaN where undefined
    std::vector<std::pair<std::size_t, std::size_t>> flagged;  // pairs with |r| > flag_correlation
    double flag_correlation = 0.9;       // as asked
    double payoff = 0;                   // sum of w (model - data)^2 at the estimate
    std::size_t observations = 0;
    double residual_variance = 0;        // payoff / (observations - parameters)
    std::vector<CalibrationStart> starts;
    std::size_t best_start = 0;
    // The fitted series: data columns at the data times.
    std::string data_file;               // CalibrationData::file
    std::vector<std::string> columns;
    std::vector<double> times;
    std::vector<double> data, fitted;    // [row * columns + c]
    std::vector<double> weights;         // per column
    // The model at the estimate at every saved time, for charts:
    std::vector<double> trajectory_times;
    std::vector<double> trajectory;      // [row * columns + c]
};

// Throws sim::Error (E-CALIBRATE) for bad options: no parameter, a name
// that is not a settable constant, missing or empty bounds, a data column
// the model lacks, a data time outside the run, fewer observations than
// parameters, more starts than max_calibration_starts, or every start
// failing.
//
//   sim::Diagnostics d;
//   auto data = sim::read_calibration_data("data.csv", d);
//   sim::CalibrationOptions o;
//   o.fit = {"growth", "capacity"};
//   o.uncertainties = spec.uncertainties;  // bounds
//   sim::CalibrationResult fit = sim::calibrate(model, data, o);
CalibrationResult calibrate(const Model& model, const CalibrationData& data, const CalibrationOptions& opts);

// fit.csv: `parameter,estimate,std_error,lower,upper,start`.
void write_fit_csv(const CalibrationResult& r, std::ostream& out);
// `parameter,<p1>,<p2>,...`: the correlation matrix of the estimates.
void write_fit_correlation_csv(const CalibrationResult& r, std::ostream& out);
// `indicator,time,data,model,residual,weight`, one row per observation.
void write_fitted_series_csv(const CalibrationResult& r, std::ostream& out);

}  // namespace sim
