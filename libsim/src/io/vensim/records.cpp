// Vensim .mdl records: the text split into `lhs = rhs ~ units ~ comment |`
// records, macros and dimensions, each left-hand side read and each
// right-hand side parsed once (Vensim dialect) or read as a table, a list of
// numbers or external data. The per-element tree pass is expand.cpp.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

#include "io/vensim/reader.hpp"
#include "util/text.hpp"

namespace sim::vensim {

Text::Text(std::string text, std::string file) : s_(std::move(text)), file_(std::move(file)) {
    // A backslash ending a line continues the record on the next: it is
    // replaced by a blank, so offsets (and positions) are unchanged.
    for (std::size_t i = 0; i < s_.size(); ++i) {
        if (s_[i] != '\\') continue;
        std::size_t j = i + 1;
        while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
        if (j < s_.size() && (s_[j] == '\n' || s_[j] == '\r')) s_[i] = ' ';
    }
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < s_.size(); ++i)
        if (s_[i] == '\n') line_starts_.push_back(i + 1);
}

SourceLoc Text::at(std::size_t off) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());
    std::size_t start = line_starts_[line - 1];
    return SourceLoc{file_, static_cast<int>(line), columns_.column(s_, start, off)};
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

std::optional<GraphicalFunction> parse_table(std::string_view s, std::string& error, std::size_t& error_at) {
    std::size_t p = 0;
    auto skip = [&] {
        while (p < s.size() && is_space(s[p])) ++p;
    };
    auto fail = [&](std::string msg) -> std::optional<GraphicalFunction> {
        error = std::move(msg);
        error_at = p;
        return std::nullopt;
    };
    auto number = [&](double& out) -> bool {
        skip();
        // A sign may stand apart from its digits: (0,- 1).
        bool negative = false;
        if (p < s.size() && (s[p] == '-' || s[p] == '+')) {
            negative = s[p] == '-';
            ++p;
            skip();
        }
        std::size_t b = p;
        while (p < s.size() && (std::isdigit(static_cast<unsigned char>(s[p])) || s[p] == '.')) ++p;
        if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
            ++p;
            if (p < s.size() && (s[p] == '-' || s[p] == '+')) ++p;
            while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
        }
        auto r = text::parse_number(s.substr(b, p - b));
        if (!r) {
            p = b;
            return false;
        }
        out = negative ? -r.value : r.value;
        return true;
    };
    auto expect = [&](char c) -> bool {
        skip();
        if (p < s.size() && s[p] == c) {
            ++p;
            return true;
        }
        return false;
    };
    GraphicalFunction gf;
    if (!expect('(')) return fail("a lookup table starts with '('");
    skip();
    if (p < s.size() && s[p] == '[') {
        // The range [(xmin,ymin)-(xmax,ymax)] (and any reference lines): not used.
        std::size_t close = s.find(']', p);
        if (close == std::string_view::npos) return fail("the lookup's range '[' is not closed with ']'");
        p = close + 1;
        if (!expect(',')) return fail("expected ',' after the lookup's range");
    }
    skip();
    if (p < s.size() && s[p] == '(') {
        for (;;) {
            double x, y;
            if (!expect('(')) return fail("expected '(' to start a point (x,y)");
            if (!number(x)) return fail("expected a number (the x of a point)");
            if (!expect(',')) return fail("expected ',' between the x and y of a point");
            if (!number(y)) return fail("expected a number (the y of a point)");
            if (!expect(')')) return fail("expected ')' to close a point (x,y)");
            gf.x.push_back(x);
            gf.y.push_back(y);
            if (expect(',')) continue;
            if (expect(')')) break;
            return fail("expected ',' or ')' after a point");
        }
    } else {
        // x1, ..., xn, y1, ..., yn
        std::vector<double> v;
        for (;;) {
            double x;
            if (!number(x)) return fail("expected a number in the lookup's list of x and y values");
            v.push_back(x);
            if (expect(',')) continue;
            if (expect(')')) break;
            return fail("expected ',' or ')' in the lookup's list of values");
        }
        if (v.size() % 2) return fail("a lookup's flat list needs as many x as y values (an even count)");
        gf.x.assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2));
        gf.y.assign(v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    }
    skip();
    if (p != s.size()) return fail("unexpected text after the lookup table");
    // Vensim sorts a table's points by x (a table written right to left
    // reads as its mirror image); equal x stay as written and are reported
    // by the validator.
    if (!std::is_sorted(gf.x.begin(), gf.x.end()) && gf.x.size() == gf.y.size()) {
        std::vector<std::size_t> order(gf.x.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return gf.x[a] < gf.x[b]; });
        GraphicalFunction sorted = gf;
        for (std::size_t i = 0; i < order.size(); ++i) {
            sorted.x[i] = gf.x[order[i]];
            sorted.y[i] = gf.y[order[i]];
        }
        gf = std::move(sorted);
    }
    return gf;
}

}  // namespace sim::vensim
