// Reports of a lever comparison (library sim::report, beside the core
// library sim): the CSV files, report.md, gnuplot charts and the ranked
// terminal table. The only part of libsim that starts another program
// (gnuplot). Formats: docs/compare.md.
//
//   sim::CompareResult r = sim::compare(model, opts);
//   sim::print_ranked_table(r, std::cout);
//   sim::write_compare_outputs(r, "out/compare");
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/compare.hpp"

namespace sim {

// The language of a report's labels, headings and generated sentences.
enum class Lang { en, zh };
std::optional<Lang> parse_lang(std::string_view s);  // "en" | "zh"

struct CompareOutputOptions {
    Lang lang = Lang::en;  // report.md, report.html and the charts
    bool charts = true;
    std::string gnuplot = "gnuplot";  // program name or path
    // Where to say that charts could not be made (besides report.md);
    // nullptr = silent.
    std::ostream* warnings = nullptr;
};

// Writes combinations.csv, effects.csv, trajectories.csv, report.md and
// charts/ (gnuplot scripts, data, PNG or SVG images) and report.html into
// `dir`, creating it.
// Each file is replaced atomically. Missing gnuplot is not an error: the
// report says so. Throws sim::Error (E-IO, with the OS error; E-COMPARE-REPORT
// for an empty comparison).
void write_compare_outputs(const CompareResult& r, const std::string& dir,
                           const CompareOutputOptions& o = {});

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
std::vector<std::string> summary_sentences(const CompareResult& r, Lang lang = Lang::en);

// report.html: one self-contained file (inline CSS and SVG charts, no
// external assets), written by write_compare_outputs too.
void write_compare_html(const CompareResult& r, std::ostream& out, Lang lang = Lang::en);

// The cost columns are named after CompareResult::cost_name.
void write_combinations_csv(const CompareResult& r, std::ostream& out);
void write_effects_csv(const CompareResult& r, std::ostream& out);
void write_trajectories_csv(const CompareResult& r, std::ostream& out);

// The combinations ranked by `rank_by` (an indicator index) at the last
// report time, best first, with every indicator and the cost.
void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by = 0);

}  // namespace sim
