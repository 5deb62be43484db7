// Reports of a calibration: the CSV files, report.md, one chart per data
// column (the model at the estimate against the data), and the table
// printed by `sdsim calibrate`.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <set>
#include <sstream>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim {

using namespace report_detail;

namespace {

// Eigen::LevenbergMarquardtSpace::Status in words.
std::string status_words(int s) {
    switch (s) {
        case -2: return "not started";
        case -1: return "running";
        case 0: return "improper input";
        case 1: return "converged (relative reduction of the payoff)";
        case 2: return "converged (relative change of the parameters)";
        case 3: return "converged (payoff and parameters)";
        case 4: return "converged (gradient orthogonal to the residuals)";
        case 5: return "stopped: too many runs";
        case 6: return "stopped: payoff tolerance too small";
        case 7: return "stopped: parameter tolerance too small";
        case 8: return "stopped: gradient tolerance too small";
        case 9: return "stopped: a run failed";
    }
    return "status " + std::to_string(s);
}

// "at its lower bound" / "at its upper bound" / "".
std::string at_bound(const CalibrationResult& r, std::size_t i) {
    const double tol = 1e-6 * (r.upper[i] - r.lower[i]);
    if (r.estimate[i] - r.lower[i] <= tol) return "at its lower bound";
    if (r.upper[i] - r.estimate[i] <= tol) return "at its upper bound";
    return "";
}

// Per data column: observations, root mean square and mean absolute residual.
struct ColumnFit {
    std::size_t n = 0;
    double rmse = 0, mae = 0;
};
ColumnFit column_fit(const CalibrationResult& r, std::size_t c) {
    ColumnFit f;
    const std::size_t nc = r.columns.size();
    for (std::size_t t = 0; t < r.times.size(); ++t) {
        const double d = r.data[t * nc + c];
        if (!std::isfinite(d)) continue;
        const double e = r.fitted[t * nc + c] - d;
        ++f.n;
        f.rmse += e * e;
        f.mae += std::fabs(e);
    }
    if (f.n) {
        f.rmse = std::sqrt(f.rmse / static_cast<double>(f.n));
        f.mae /= static_cast<double>(f.n);
    }
    return f;
}

struct FitCharts {
    Gnuplot g;
    std::vector<std::string> fit;  // per column, relative to dir
};

FitCharts make_fit_charts(const CalibrationResult& r, const std::string& dir, const ReportOptions& o) {
    FitCharts ch;
    const std::string cdir = dir + "/charts";
    std::filesystem::create_directories(cdir);
    ch.g = probe_gnuplot(o, "960,560");
    std::set<std::string> used;
    std::ostringstream gp;
    gp << "# Charts of the calibration; run in this directory: gnuplot charts.gp\n"
       << ch.g.terminal << "\nset grid\nset key outside right top\n";
    std::vector<std::string> outputs;
    const std::size_t nc = r.columns.size();
    for (std::size_t c = 0; c < nc; ++c) {
        const std::string& name = r.columns[c];
        const std::string stem = file_stem(name, used);
        const std::string mdat = "model_" + stem + ".dat", ddat = "data_" + stem + ".dat";
        const std::string img = "fit_" + stem + "." + ch.g.ext;
        write_file_atomic(cdir + "/" + mdat, [&](std::ostream& os) {
            os << "# time model\n";
            for (std::size_t row = 0; row < r.trajectory_times.size(); ++row)
                os << num(r.trajectory_times[row]) << ' ' << num(r.trajectory[row * nc + c]) << '\n';
        });
        write_file_atomic(cdir + "/" + ddat, [&](std::ostream& os) {
            os << "# time data\n";
            for (std::size_t t = 0; t < r.times.size(); ++t)
                if (std::isfinite(r.data[t * nc + c])) os << num(r.times[t]) << ' ' << num(r.data[t * nc + c]) << '\n';
        });
        gp << "\n# " << name << "\nset output " << gp_quote(img + ".tmp") << "\nset xlabel 'time'\nset ylabel "
           << gp_quote(name) << "\nset title " << gp_quote(name + ": the model at the estimate and the data")
           << "\nplot " << gp_quote(mdat) << " using 1:2 with lines lw 2 lc rgb '#2166ac' title 'model', "
           << gp_quote(ddat) << " using 1:2 with points pt 7 ps 1 lc rgb '#b2182b' title 'data'\n";
        outputs.push_back(img);
        ch.fit.push_back("charts/" + img);
    }
    gp << "unset output\n";
    render(ch.g, cdir, gp.str(), outputs, o);
    return ch;
}

void write_calibration_report(const CalibrationResult& r, const FitCharts& ch, const ReportOptions& o,
                              std::ostream& os) {
    const std::size_t m = r.parameters.size(), nc = r.columns.size();
    os << "# Calibration: " << (o.title.empty() ? "model" : o.title) << "\n\n" << inputs_md(o.inputs);
    os << "Data: " << (r.data_file.empty() ? std::string("(in memory)") : "`" + r.data_file + "`") << ", "
       << r.observations << " weighted observations of " << nc << (nc == 1 ? " column" : " columns") << " at "
       << r.times.size() << " times. Weighted least squares, solved by Levenberg-Marquardt (Eigen) from "
       << r.starts.size() << " starts inside the bounds; the best is start " << r.best_start + 1
       << ". Definitions: docs/calibration.md in the libsim sources.\n\n";
    os << "Payoff (sum of weight x (model - data)^2 at the estimate): " << fmt(r.payoff)
       << "; residual variance (payoff / (observations - parameters)): " << fmt(r.residual_variance) << ".\n\n";

    os << "## Estimates\n\n| parameter | estimate | std. error | lower bound | upper bound | start | note |\n"
          "|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < m; ++i) {
        std::string note = r.identified[i] ? "" : "not identified by the data";
        const std::string b = at_bound(r, i);
        if (!b.empty()) note += (note.empty() ? "" : "; ") + b;
        os << "| " << md_cell(r.parameters[i]) << " | " << fmt(r.estimate[i]) << " | " << fmt(r.std_error[i])
           << " | " << fmt(r.lower[i]) << " | " << fmt(r.upper[i]) << " | " << fmt(r.start[i]) << " | " << note
           << " |\n";
    }
    os << "\nStandard errors and correlations come from the Jacobian at the estimate (a local, linear "
          "approximation); an estimate at a bound or a parameter the data do not identify has no reliable one.\n\n";

    os << "## Correlations of the estimates\n\n| | ";
    for (std::size_t j = 0; j < m; ++j) os << md_cell(r.parameters[j]) << " | ";
    os << "\n|---|";
    for (std::size_t j = 0; j < m; ++j) os << "---|";
    os << '\n';
    for (std::size_t i = 0; i < m; ++i) {
        os << "| " << md_cell(r.parameters[i]) << " | ";
        for (std::size_t j = 0; j < m; ++j) os << fmt(r.correlation[i * m + j]) << " | ";
        os << '\n';
    }
    os << '\n';
    if (r.flagged.empty()) {
        os << "No pair of estimates is correlated beyond |r| > " << fmt(r.flag_correlation) << ".\n\n";
    } else {
        os << "Correlated beyond |r| > " << fmt(r.flag_correlation)
           << " (the data determine a combination of the two better than each):\n\n";
        for (const auto& [i, j] : r.flagged)
            os << "- " << md_cell(r.parameters[i]) << " and " << md_cell(r.parameters[j]) << ": r = "
               << fmt(r.correlation[i * m + j]) << '\n';
        os << '\n';
    }

    os << "## Fit to the data\n\n| column | observations | weight | RMS residual | mean absolute residual |\n"
          "|---|---|---|---|---|\n";
    for (std::size_t c = 0; c < nc; ++c) {
        const ColumnFit f = column_fit(r, c);
        os << "| " << md_cell(r.columns[c]) << " | " << f.n << " | " << fmt(r.weights[c]) << " | " << fmt(f.rmse)
           << " | " << fmt(f.mae) << " |\n";
    }
    os << '\n';
    if (ch.g.made) {
        for (std::size_t c = 0; c < nc; ++c)
            os << "![" << r.columns[c] << ": model and data](" << ch.fit[c] << ")\n\n";
    } else {
        os << charts_note(ch.g) << '\n';
    }

    os << "## Starts\n\n| start | payoff | result | runs |\n|---|---|---|---|\n";
    for (std::size_t s = 0; s < r.starts.size(); ++s) {
        const auto& st = r.starts[s];
        os << "| " << s + 1 << (s == r.best_start ? " (best)" : "") << " | " << fmt(st.payoff) << " | "
           << md_cell(st.error.empty() ? status_words(st.status) : "failed: " + st.error) << " | " << st.evaluations
           << " |\n";
    }
    os << "\nFiles: fit.csv (estimates), correlation.csv (correlation matrix of the estimates), fitted.csv (data "
          "and model at every observation), starts.csv (every start), charts/.\n";
}

}  // namespace

void write_starts_csv(const CalibrationResult& r, std::ostream& out) {
    out << "start,parameter,start_value,estimate,payoff,status,evaluations,error\n";
    for (std::size_t s = 0; s < r.starts.size(); ++s) {
        const auto& st = r.starts[s];
        for (std::size_t i = 0; i < r.parameters.size(); ++i)
            out << s + 1 << ',' << text::csv_field(r.parameters[i]) << ',' << num(st.start[i]) << ','
                << num(i < st.estimate.size() ? st.estimate[i] : std::nan("")) << ',' << num(st.payoff) << ','
                << st.status << ',' << st.evaluations << ',' << text::csv_field(st.error) << '\n';
    }
}

void write_calibration_outputs(const CalibrationResult& r, const std::string& dir, const ReportOptions& o) {
    if (r.parameters.empty() || r.starts.empty())
        throw Error(sim::Code::E_CALIBRATE, "", "write_calibration_outputs: empty calibration");
    // One output set: built beside `dir` and swapped in whole.
    write_output_set(
        dir,
        [&](const std::string& tmp) {
            write_file_atomic(tmp + "/fit.csv", [&](std::ostream& os) { write_fit_csv(r, os); });
            write_file_atomic(tmp + "/correlation.csv", [&](std::ostream& os) { write_fit_correlation_csv(r, os); });
            write_file_atomic(tmp + "/fitted.csv", [&](std::ostream& os) { write_fitted_series_csv(r, os); });
            write_file_atomic(tmp + "/starts.csv", [&](std::ostream& os) { write_starts_csv(r, os); });
            const FitCharts ch = charts_if_wanted<FitCharts>(o, [&] { return make_fit_charts(r, tmp, o); });
            write_file_atomic(tmp + "/report.md", [&](std::ostream& os) { write_calibration_report(r, ch, o, os); });
        },
        calibration_output_set(o.input_files));
}

OutputSetOptions calibration_output_set(std::vector<std::string> inputs) {
    OutputSetOptions s;
    s.inputs = std::move(inputs);
    s.names = {"fit.csv", "correlation.csv", "fitted.csv", "starts.csv", "charts", "report.md"};
    return s;
}

void print_fit_table(const CalibrationResult& r, std::ostream& out) {
    const std::size_t m = r.parameters.size();
    std::size_t w = 9;
    for (const auto& p : r.parameters) w = std::max(w, p.size());
    out << std::left << std::setw(static_cast<int>(w)) << "parameter" << std::right;
    for (const char* c : {"estimate", "std_error", "lower", "upper"}) out << "  " << std::setw(12) << c;
    out << '\n';
    for (std::size_t i = 0; i < m; ++i) {
        out << std::left << std::setw(static_cast<int>(w)) << r.parameters[i] << std::right;
        for (double v : {r.estimate[i], r.std_error[i], r.lower[i], r.upper[i]}) out << "  " << std::setw(12) << fmt(v);
        std::string note = r.identified[i] ? "" : "not identified";
        const std::string b = at_bound(r, i);
        if (!b.empty()) note += (note.empty() ? "" : "; ") + b;
        if (!note.empty()) out << "  (" << note << ')';
        out << '\n';
    }
    out << std::left << "payoff " << fmt(r.payoff) << " over " << r.observations
        << " weighted observations (residual variance " << fmt(r.residual_variance) << "); best of "
        << r.starts.size() << " starts: start " << r.best_start + 1 << '\n';
    for (const auto& [i, j] : r.flagged)
        out << "correlated beyond |r| > " << fmt(r.flag_correlation) << ": " << r.parameters[i] << " and "
            << r.parameters[j] << " (r = " << fmt(r.correlation[i * m + j]) << ")\n";
}

}  // namespace sim
