// Results: look-up by name and time, CSV and JSON writers.
#include <cmath>
#include <cstdio>
#include <ostream>

#include "sim/results.hpp"
#include "sim/spec.hpp"
#include "util/interpolate.hpp"
#include "util/text.hpp"

namespace sim {

std::optional<std::size_t> Results::column(std::string_view name) const {
    auto c = canonical_name(name);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (canonical_name(names[i]) == c) return i;
    return std::nullopt;
}

namespace {

[[noreturn]] void unknown(const Results& r, std::string_view name) {
    std::string hint;
    if (auto c = text::closest(name, r.names)) hint = "; did you mean '" + *c + "'?";
    throw Error(sim::Code::E_UNKNOWN_NAME, std::string(name),
                "the results have no variable '" + std::string(name) + "'" + hint);
}

}  // namespace

std::vector<double> Results::series(std::string_view name) const {
    auto c = column(name);
    if (!c) unknown(*this, name);
    std::vector<double> s(rows());
    for (std::size_t r = 0; r < rows(); ++r) s[r] = at(r, *c);
    return s;
}

double Results::at(std::string_view name, double t) const {
    auto c = column(name);
    if (!c) unknown(*this, name);
    auto v = detail::interpolate(times, t, [&](std::size_t row) { return at(row, *c); });
    if (!v)
        throw Error(sim::Code::E_RESULTS_TIME, std::string(name),
                    "time " + text::number(t) + " is outside the saved run" +
                        (times.empty() ? std::string(" (no saved rows)")
                                       : " [" + text::number(times.front()) + ", " + text::number(times.back()) + "]"));
    return *v;
}

namespace {

void put_number(std::ostream& out, double v, bool json) {
    if (json && !std::isfinite(v)) {
        out << "null";
        return;
    }
    out << text::csv_number(v);
}

void put_json_string(std::ostream& out, std::string_view s) {
    out << '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out << "\\\""; break;
            case '\\': out << "\\\\"; break;
            case '\n': out << "\\n"; break;
            case '\r': out << "\\r"; break;
            case '\t': out << "\\t"; break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out << b;
                } else {
                    out << static_cast<char>(c);
                }
        }
    }
    out << '"';
}

}  // namespace

void write_json_string(std::ostream& out, std::string_view s) { put_json_string(out, s); }

void write_csv(const Results& r, std::ostream& out) {
    out << "time";
    for (const auto& n : r.names) out << ',' << text::csv_field(n);
    out << '\n';
    for (std::size_t i = 0; i < r.rows(); ++i) {
        put_number(out, r.times[i], false);
        for (double v : r.row(i)) {
            out << ',';
            put_number(out, v, false);
        }
        out << '\n';
    }
}

void write_json(const Results& r, std::ostream& out) {
    out << "{\"time\":[";
    for (std::size_t i = 0; i < r.rows(); ++i) {
        if (i) out << ',';
        put_number(out, r.times[i], true);
    }
    out << "],\"variables\":{";
    for (std::size_t c = 0; c < r.cols(); ++c) {
        if (c) out << ',';
        put_json_string(out, r.names[c]);
        out << ":[";
        for (std::size_t i = 0; i < r.rows(); ++i) {
            if (i) out << ',';
            put_number(out, r.at(i, c), true);
        }
        out << ']';
    }
    out << "}}\n";
}

}  // namespace sim
