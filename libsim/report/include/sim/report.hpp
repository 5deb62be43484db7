// Reports (library sim::report, beside the core library sim): the files,
// report.md, gnuplot charts and terminal tables of a lever comparison (with
// or without uncertainty), a sensitivity analysis and a calibration. The
// only part of libsim that starts another program (gnuplot). Formats:
// docs/compare.md, docs/uncertainty.md, docs/calibration.md.
//
//   sim::CompareResult r = sim::compare(model, opts);
//   sim::print_ranked_table(r, std::cout);
//   sim::write_compare_outputs(r, "out/compare");
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/calibrate.hpp"
#include "sim/compare.hpp"
#include "sim/robustness.hpp"
#include "sim/sensitivity.hpp"
#include "sim/write.hpp"

namespace sim {

// The language of a report's labels, headings and generated sentences.
enum class Lang { en, zh };
std::optional<Lang> parse_lang(std::string_view s);  // "en" | "zh"

// The image format of the gnuplot charts under charts/ (report.html draws
// its own inline SVG charts whatever this is).
//   svg  gnuplot's svg terminal: gnuplot is run once, on the charts' script
//        (if it cannot be run, it counts as not found). The default: far
//        less CPU than png (the Chongqing comparison's 12 charts: 0.02-0.04
//        s against 0.2-0.3 s).
//   png  gnuplot's pngcairo terminal: gnuplot is first asked whether it has
//        that terminal (one more process); if it has not, the charts are
//        SVG, as above.
enum class ChartFormat { svg, png };
std::optional<ChartFormat> parse_chart_format(std::string_view s);  // "svg" | "png"

struct ReportOptions {
    Lang lang = Lang::en;  // report.md, report.html and the charts
    bool charts = true;
    ChartFormat chart_format = ChartFormat::svg;  // when charts is true
    std::string gnuplot = "gnuplot";  // program name or path
    // Where to say that charts could not be made (besides report.md);
    // nullptr = silent.
    std::ostream* warnings = nullptr;
    // Sensitivity and calibration reports (a comparison carries its own in
    // CompareResult::model_name and ::inputs): what was analysed, e.g.
    // "scenario X (model Y)", and the input files with their hashes
    // (sim::source_lines).
    std::string title;
    std::vector<std::string> inputs;
    // The input files (paths) of what is reported: `dir` may not hold any
    // of them (sim::OutputSetOptions::inputs).
    std::vector<std::string> input_files;
    // Sensitivity reports: the model, for its variables' display metadata
    // (titles, units, scales) in report.html; nullptr = names as they are.
    const ModelSpec* spec = nullptr;
};
using CompareOutputOptions = ReportOptions;

// ---------------------------------------------------------------- comparison

// Writes combinations.csv, effects.csv, trajectories.csv, report.md and
// charts/ (gnuplot scripts, data, SVG or PNG images: o.chart_format) and
// report.html as one output set (sim::write_output_set): built in a
// temporary directory beside `dir` and swapped in whole, so `dir` holds the
// old set or the new one, never a mix. An existing `dir` that is not such a
// set and holds other files is refused (E-OUTPUT). Missing gnuplot is not an
// error: the report says so. Throws sim::Error (E-IO, with the OS error;
// E-OUTPUT; E-COMPARE-REPORT for an empty comparison).
void write_compare_outputs(const CompareResult& r, const std::string& dir, const ReportOptions& o = {});
// Under uncertainty: the same files for the nominal comparison, effects.csv
// with percentile intervals over the samples in extra columns, and
// samples.csv, robustness.csv and conclusions.csv; report.md adds the
// ranked table with p_best and regret and which conclusions hold in at
// least the threshold share of samples.
void write_compare_outputs(const UncertainComparison& u, const std::string& dir, const ReportOptions& o = {});

// write_compare_outputs in two steps, so that the charts (gnuplot, another
// process) are drawn while the caller still computes: the constructor checks
// `dir` and makes the output set's temporary directory (sim::OutputSet);
// start_charts(nominal) writes charts/ (data and script) and starts gnuplot
// in the background; finish() writes the other files, waits for gnuplot and
// swaps the set in. `sdsim compare --samples` starts the charts as soon as
// the nominal comparison is done (CompareOptions::on_nominal) and finishes
// after the samples. `nominal` must be the comparison finish() is given (its
// nominal part). Without start_charts, finish() draws them itself. Destroyed
// unfinished (an exception), gnuplot is stopped, the temporary directory is
// removed and `dir` is untouched. write_compare_outputs is this class in one
// go, so both write the same files byte for byte. Errors as
// write_compare_outputs.
class CompareOutputs {
public:
    explicit CompareOutputs(const std::string& dir, const ReportOptions& o = {});
    ~CompareOutputs();
    CompareOutputs(const CompareOutputs&) = delete;
    CompareOutputs& operator=(const CompareOutputs&) = delete;
    // At most once, before finish(); nothing if o.charts is off.
    void start_charts(const CompareResult& nominal);
    // Exactly once.
    void finish(const CompareResult& r);
    void finish(const UncertainComparison& u);

private:
    struct State;
    std::unique_ptr<State> s_;
    void finish(const CompareResult& r, const UncertainComparison* u);
};

// The output-set options of write_compare_outputs (the names either form
// writes), for checking `dir` with sim::check_output_dir before the
// comparison is run.
OutputSetOptions compare_output_set(std::vector<std::string> inputs = {});

// ------------------------------------------------------------ for people
// Numbers for readers (report.md, report.html, the charts' labels; the CSV
// files keep full precision): 3 significant digits (4 between 1,000 and
// 9,999), thousands separators, never scientific notation; large numbers
// with a magnitude word ("3.06 trillion"; in Chinese 万, 亿, 万亿:
// "16.1万"); "n/a" (无) for a missing value. Golden tests:
// tests/unit/test_report_format.cpp.
std::string format_number(double v, Lang lang = Lang::en);
// value * d.scale with the display units: "161,000 yuan per person",
// "3.06 trillion yuan", "72.3 %"; in Chinese "16.1万元/人".
std::string format_quantity(double v, const Display& d, Lang lang = Lang::en);
// A percentage already multiplied by 100: "22 %", "3.9 %", "-12 %".
std::string format_percent(double pct, Lang lang = Lang::en);
// A gain per unit of cost restated per a round amount of cost so that the
// number reads (|value| >= 1 where possible): {"4.72", "per 10,000 yuan"}.
struct PerCost {
    std::string value, per;
};
PerCost format_per_cost(double gain_per_unit, const Display& gain, const Display& cost, Lang lang = Lang::en);

// The summary of a comparison: for each indicator, at the last report time,
// a headline sentence (the all-levers value, in constant prices too when the
// indicator is money and the model has a deflator, the change over the
// baseline, the levers' Shapley shares of it), the levers ranked alone, and,
// when a share is above 100 % or negative, why. One string per indicator.
// Under uncertainty (`u`, the comparison's samples) each also says in what
// share of the samples all levers improve the indicator, the 5th-95th
// percentile of that change, and how often the nominal best combination is
// best.
std::vector<std::string> summary_sentences(const CompareResult& r, Lang lang = Lang::en,
                                           const UncertainComparison* u = nullptr);

// report.html: one self-contained file (inline CSS and SVG charts, no
// external assets), written by write_compare_outputs too.
void write_compare_html(const CompareResult& r, std::ostream& out, Lang lang = Lang::en,
                        const UncertainComparison* u = nullptr);

// The cost columns are named after CompareResult::cost_name.
void write_combinations_csv(const CompareResult& r, std::ostream& out);
void write_effects_csv(const CompareResult& r, std::ostream& out);
// The same rows and first columns, then mean,p5,p50,p95,share_positive,
// share_negative of each effect over the samples.
void write_effects_csv(const CompareResult& r, const RobustnessResult& robust, std::ostream& out);
void write_trajectories_csv(const CompareResult& r, std::ostream& out);

// The combinations ranked by `rank_by` (an indicator index) at the last
// report time, best first, with every indicator and the cost.
void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by = 0);
// The same ranking (by the nominal values) with two more columns for the
// ranking indicator at the last report time: p_best and the mean regret
// over the samples.
void print_ranked_table(const UncertainComparison& u, std::ostream& out, std::size_t rank_by = 0);

// ---------------------------------------------------------------- sensitivity

// Writes samples.csv, indicators.csv, percentiles.csv, indices.csv (and
// morris.csv for the Morris method), trajectories.csv (percentile bands at
// every saved time, if the analysis kept them), report.md and charts/ (a
// fan chart and a tornado chart per indicator) into `dir`, one output set
// as write_compare_outputs. Errors as write_compare_outputs.
void write_sensitivity_outputs(const SensitivityResult& r, const std::string& dir, const ReportOptions& o = {});
// Its output-set options, for sim::check_output_dir before the analysis.
OutputSetOptions sensitivity_output_set(std::vector<std::string> inputs = {});
// report.html of a sensitivity analysis (written by write_sensitivity_outputs
// too): per indicator a summary sentence (its 5th-95th percentile range at the
// last report time and the parameters that matter most), the percentile fan
// over time as inline SVG when trajectory quantiles were kept, and the table
// of indices. English or Chinese (o.lang).
void write_sensitivity_html(const SensitivityResult& r, std::ostream& out, const ReportOptions& o = {});
std::vector<std::string> sensitivity_sentences(const SensitivityResult& r, const ReportOptions& o = {});
// `indicator,time,p5,p25,p50,p75,p95`: the streaming percentile bands.
void write_percentile_trajectories_csv(const SensitivityResult& r, std::ostream& out);
// Per indicator at the last report time: its percentiles and the parameters
// by importance (ST, or mu* for Morris) with their indices.
void print_sensitivity_summary(const SensitivityResult& r, std::ostream& out);

// ---------------------------------------------------------------- calibration

// Writes fit.csv, correlation.csv, fitted.csv, starts.csv, report.md and
// charts/ (the fitted series against the data, one chart per data column)
// into `dir`, one output set as write_compare_outputs. Errors as
// write_compare_outputs.
void write_calibration_outputs(const CalibrationResult& r, const std::string& dir, const ReportOptions& o = {});
// Its output-set options, for sim::check_output_dir before the calibration.
OutputSetOptions calibration_output_set(std::vector<std::string> inputs = {});
// `start,parameter,start_value,estimate,payoff,status,evaluations,error`.
void write_starts_csv(const CalibrationResult& r, std::ostream& out);
// The estimates with their standard errors and bounds, the payoff, and the
// pairs whose estimates are correlated beyond the flag.
void print_fit_table(const CalibrationResult& r, std::ostream& out);

}  // namespace sim
