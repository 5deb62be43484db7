// Results of one run: a time x variable matrix with a name index.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim {

struct Results {
    std::vector<std::string> names;  // column display names (the model's own)
    std::vector<double> times;       // one per saved row
    std::vector<double> values;      // row-major: times.size() x names.size()
    // Warnings raised while running (e.g. a non-finite value under
    // RunOptions::on_nonfinite == NonFinite::warn), in the order found.
    std::vector<Diagnostic> warnings;

    std::size_t rows() const { return times.size(); }
    std::size_t cols() const { return names.size(); }
    double at(std::size_t row, std::size_t col) const { return values[row * names.size() + col]; }
    std::span<const double> row(std::size_t r) const {
        return {values.data() + r * names.size(), names.size()};
    }
    // Column index by name (canonical comparison: case, spaces, underscores).
    std::optional<std::size_t> column(std::string_view name) const;
    // Whole series of one variable; throws sim::Error (E-UNKNOWN-NAME) if absent.
    std::vector<double> series(std::string_view name) const;
    // Value of a variable at time t: exact at a saved time, linear
    // interpolation between the two saved rows around t. Throws sim::Error:
    // E-UNKNOWN-NAME for a name not saved, E-RESULTS-TIME for t outside
    // [times.front(), times.back()]. Never the nearest row.
    //   double y = results.at("rural_income", 2035.0);
    double at(std::string_view name, double t) const;
};

// CSV: header "time,<name>,..." then one row per saved time; numbers in
// shortest round-trip form. Names containing ',' or '"' are quoted.
void write_csv(const Results& r, std::ostream& out);
// JSON: {"time":[...],"variables":{"name":[...],...}}
void write_json(const Results& r, std::ostream& out);
// One JSON string literal, quoted and escaped (for writers of other JSON).
void write_json_string(std::ostream& out, std::string_view s);

}  // namespace sim
