// Text utilities (text.hpp).
#include "util/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

namespace sim::text {

std::string number(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string count(std::size_t n) {
    if (n == std::numeric_limits<std::size_t>::max()) return "more than " + std::to_string(n - 1);
    return std::to_string(n);
}

std::string csv_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
    return number(v);
}

std::string number_sig(double v, int digits) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    digits = std::clamp(digits, 1, 17);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

std::string_view trim(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

ParsedNumber parse_number(std::string_view s) {
    s = trim(s);
    if (s.empty()) return {NumberStatus::empty, 0};
    std::string_view body = s;
    if (body.front() == '+') body.remove_prefix(1);
    if (body.empty()) return {NumberStatus::malformed, 0};
    double v = 0;
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (p != body.data() + body.size()) return {NumberStatus::malformed, 0};
    if (ec == std::errc::result_out_of_range) {
        // from_chars reports underflow and overflow alike; strtod tells them apart.
        std::string copy(body);
        double w = std::strtod(copy.c_str(), nullptr);
        if (std::isinf(w)) return {NumberStatus::out_of_range, 0};
        return {NumberStatus::ok, w};
    }
    if (ec != std::errc()) return {NumberStatus::malformed, 0};
    if (!std::isfinite(v)) return {NumberStatus::malformed, 0};  // "inf", "nan" are not numbers here
    return {NumberStatus::ok, v};
}

const char* describe(NumberStatus s) {
    switch (s) {
        case NumberStatus::ok: return "is a number";
        case NumberStatus::empty: return "is empty";
        case NumberStatus::malformed: return "is not a number";
        case NumberStatus::out_of_range: return "is out of range (beyond about \u00b11.8e308)";
    }
    return "is not a number";
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string o = "\"";
    for (char c : s) {
        if (c == '"') o += '"';
        o += c;
    }
    o += '"';
    return o;
}

namespace {

void lower_in_place(std::string& o) {
    for (char& c : o)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

}  // namespace

std::size_t characters(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

int Columns::column(std::string_view text, std::size_t line_start, std::size_t off) {
    off = std::min(off, text.size());
    line_start = std::min(line_start, off);
    if (line_start != line_ || off < off_) {
        line_ = line_start;
        off_ = line_start;
        col_ = 1;
    }
    col_ += characters(text.substr(off_, off - off_));
    off_ = off;
    return static_cast<int>(col_);
}

std::string lower(std::string_view s) {
    std::string o(s);
    lower_in_place(o);
    return o;
}

namespace {

// edit_distance(a, b) if it is at most k, else k + 1, in the caller's
// buffer. Every cell of a row is at least the smaller of the two rows'
// minima before it (the transposition reaches back two rows), so once both
// exceed k the distance does: a suggestion among thousands of names
// computes a few rows per candidate, not |a| x |b| cells (fuzz_vensim: a
// model with 1,000 unknown names took 40 s under ASan).
std::size_t distance_within(std::string_view a, std::string_view b, std::size_t k, std::vector<std::size_t>& rows) {
    // Three rolling rows: the transposition needs the row before the previous.
    const std::size_t m = b.size() + 1;
    rows.assign(3 * m, 0);
    std::size_t* prev2 = rows.data();
    std::size_t* prev = prev2 + m;
    std::size_t* cur = prev + m;
    for (std::size_t j = 0; j < m; ++j) prev[j] = j;
    std::size_t prev_min = 0;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        std::size_t row_min = i;
        for (std::size_t j = 1; j < m; ++j) {
            std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
            cur[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > k && prev_min > k) return k + 1;
        prev_min = row_min;
        std::size_t* t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return std::min(prev[b.size()], k + 1);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> rows;
    return distance_within(a, b, std::max(a.size(), b.size()), rows);  // never more than the longer length
}

std::optional<std::string> closest(std::string_view word, std::span<const std::string> candidates) {
    const std::string w = lower(word);
    const std::size_t limit = std::clamp<std::size_t>(w.size() / 3, 1, 3);
    std::size_t best = limit + 1;
    const std::string* pick = nullptr;
    std::vector<std::size_t> rows;
    std::string lc;  // the candidate in lower case, in a buffer reused across candidates
    for (const auto& c : candidates) {
        // Length difference is a lower bound on the distance: skip hopeless ones cheaply.
        std::size_t diff = c.size() > w.size() ? c.size() - w.size() : w.size() - c.size();
        if (diff >= best) continue;
        lc.assign(c);
        lower_in_place(lc);
        std::size_t d = distance_within(w, lc, best - 1, rows);
        if (d < best) {
            best = d;
            pick = &c;
        }
    }
    if (!pick) return std::nullopt;
    return *pick;
}

}  // namespace sim::text
