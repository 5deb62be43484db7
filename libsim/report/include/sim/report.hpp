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
#include <string>
#include <vector>

#include "sim/compare.hpp"
#include "sim/write.hpp"

namespace sim {

struct CompareOutputOptions {
    bool charts = true;
    std::string gnuplot = "gnuplot";  // program name or path
    // Where to say that charts could not be made (besides report.md);
    // nullptr = silent.
    std::ostream* warnings = nullptr;
    // The comparison's input files: `dir` may not hold any of them.
    std::vector<std::string> inputs;
};

// Writes combinations.csv, effects.csv, trajectories.csv, report.md and
// charts/ (gnuplot scripts, data, PNG or SVG images) as one output set
// (sim::write_output_set): built in a temporary directory beside `dir` and
// swapped in whole, so `dir` holds the old set or the new one, never a mix.
// An existing `dir` that is not such a set and holds other files is refused
// (E-OUTPUT). Missing gnuplot is not an error: the report says so. Throws
// sim::Error (E-IO, with the OS error; E-OUTPUT; E-COMPARE-REPORT for an
// empty comparison).
void write_compare_outputs(const CompareResult& r, const std::string& dir,
                           const CompareOutputOptions& o = {});
// The output-set options of write_compare_outputs (the names it writes), for
// checking `dir` with sim::check_output_dir before the comparison is run.
OutputSetOptions compare_output_set(std::vector<std::string> inputs = {});

// The cost columns are named after CompareResult::cost_name.
void write_combinations_csv(const CompareResult& r, std::ostream& out);
void write_effects_csv(const CompareResult& r, std::ostream& out);
void write_trajectories_csv(const CompareResult& r, std::ostream& out);

// The combinations ranked by `rank_by` (an indicator index) at the last
// report time, best first, with every indicator and the cost.
void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by = 0);

}  // namespace sim
