// Results of one run: a time x variable matrix with a name index.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim {

// The column names of Results: an immutable list that the runs of one model
// share, so that a run copies a pointer, not its names (the beer game saves
// 2,150 columns: copying their names was a quarter of its run). Reads as a
// const std::vector<std::string> (size, [], iteration, conversion); built
// from a vector, or replaced by assigning one.
class Names {
public:
    using value_type = std::string;
    using size_type = std::size_t;
    using const_iterator = std::vector<std::string>::const_iterator;
    using iterator = const_iterator;

    Names() = default;
    Names(std::vector<std::string> v) : v_(std::make_shared<const std::vector<std::string>>(std::move(v))) {}
    Names(std::initializer_list<std::string> l) : Names(std::vector<std::string>(l)) {}

    const std::vector<std::string>& vector() const { return v_ ? *v_ : none(); }
    operator const std::vector<std::string>&() const { return vector(); }
    std::size_t size() const { return v_ ? v_->size() : 0; }
    bool empty() const { return size() == 0; }
    const std::string& operator[](std::size_t i) const { return (*v_)[i]; }
    const std::string& at(std::size_t i) const { return vector().at(i); }
    const std::string& front() const { return v_->front(); }
    const std::string& back() const { return v_->back(); }
    const_iterator begin() const { return vector().begin(); }
    const_iterator end() const { return vector().end(); }
    friend bool operator==(const Names& a, const Names& b) { return a.v_ == b.v_ || a.vector() == b.vector(); }

private:
    static const std::vector<std::string>& none() {
        static const std::vector<std::string> nothing;
        return nothing;
    }
    std::shared_ptr<const std::vector<std::string>> v_;
};

struct Results {
    Names names;  // column display names (the model's own)
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
