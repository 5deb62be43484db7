#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "sim/spec.hpp"
#include "sim/results.hpp"

namespace sim {

std::optional<std::size_t> Results::column(std::string_view name) const {
    auto c = canonical_name(name);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (canonical_name(names[i]) == c) return i;
    return std::nullopt;
}

std::vector<double> Results::series(std::string_view name) const {
    auto c = column(name);
    if (!c) throw std::out_of_range("no saved variable named '" + std::string(name) + "'");
    std::vector<double> s(rows());
    for (std::size_t r = 0; r < rows(); ++r) s[r] = at(r, *c);
    return s;
}

double Results::value_at(std::string_view name, double t) const {
    auto c = column(name);
    if (!c) throw std::out_of_range("no saved variable named '" + std::string(name) + "'");
    if (times.empty()) throw std::out_of_range("no saved rows");
    std::size_t best = 0;
    for (std::size_t r = 1; r < rows(); ++r)
        if (std::fabs(times[r] - t) < std::fabs(times[best] - t)) best = r;
    return at(best, *c);
}

namespace {

void put_number(std::ostream& out, double v, bool json) {
    if (std::isnan(v)) { out << (json ? "null" : "NaN"); return; }
    if (std::isinf(v)) { out << (json ? "null" : (v > 0 ? "Inf" : "-Inf")); return; }
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip
    out.write(buf, res.ptr - buf);
}

void put_csv_field(std::ostream& out, const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) { out << s; return; }
    out << '"';
    for (char c : s) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
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
    for (const auto& n : r.names) { out << ','; put_csv_field(out, n); }
    out << '\n';
    for (std::size_t i = 0; i < r.rows(); ++i) {
        put_number(out, r.times[i], false);
        for (double v : r.row(i)) { out << ','; put_number(out, v, false); }
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
