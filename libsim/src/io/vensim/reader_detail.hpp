// The Vensim .mdl reader, shared between its three files (private to
// io/vensim/): the Reader that parse_vensim() runs, and the text helpers
// its files share.
//   reader.cpp         parse_vensim / load_vensim; records, left-hand
//                      sides, subscript ranges, macro headers;
//   reader_rhs.cpp     right-hand sides: equations, INTEG, WITH LOOKUP,
//                      lists of numbers, external data; sub_equation;
//   reader_limits.cpp  the counts checked against sim::Limits before
//                      anything is expanded.
#pragma once

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/vensim/reader.hpp"
#include "sim/load.hpp"
#include "util/text.hpp"

namespace sim::vensim::detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

inline bool starts_with_ci(std::string_view s, std::size_t p, std::string_view w) {
    if (p + w.size() > s.size()) return false;
    for (std::size_t i = 0; i < w.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[p + i])) != std::tolower(static_cast<unsigned char>(w[i])))
            return false;
    return true;
}

inline std::size_t skip_ws(std::string_view s, std::size_t p, std::size_t end) {
    while (p < end && is_space(s[p])) ++p;
    return p;
}

inline std::string trim(std::string_view s) { return std::string(text::trim(s)); }

// Past a "quoted name" starting at p (on the quote); npos if unterminated.
inline std::size_t past_quoted(std::string_view s, std::size_t p, std::size_t end) {
    for (++p; p < end; ++p) {
        if (s[p] == '\\' && p + 1 < end) {
            ++p;
            continue;
        }
        if (s[p] == '"') return p + 1;
    }
    return std::string_view::npos;
}

struct Record {
    std::size_t begin, eq_end;  // the equation field [begin, eq_end)
    std::string units, doc;
    int macro = -1;
};

class Reader {
public:
    Reader(Text& text, Diagnostics& diags, ModelSpec& spec, const Limits& limits)
        : t_(text), s_(text.str()), diags_(diags), spec_(spec), limits_(limits) {}

    void run();

private:
    Text& t_;
    const std::string& s_;
    Diagnostics& diags_;
    ModelSpec& spec_;
    const Limits& limits_;
    std::vector<Record> records_;
    std::map<std::string, Dim> dims_;
    std::map<std::string, std::string> equivalent_;  // alias -> dimension
    std::vector<Def> defs_;
    std::vector<Macro> macros_;
    std::uint64_t numbered_elements_ = 0;  // made by every (p1-pN) so far: within Limits::array_elements

    void error(Code code, std::size_t off, const std::string& var, std::string msg) {
        diags_.error(code, t_.at(off), var, std::move(msg));
    }

    // --- 1. records (reader.cpp)
    void split();
    // `NAME(in1, in2 : out1)`: returns the macro's index.
    int macro_header(std::size_t p);

    // --- 2. one record (reader.cpp)
    void record(const Record& r);
    void add(Def d, int macro);
    // `[a, b!, c]` at p; p moves past ']'.
    bool subscript_list(std::size_t& p, std::size_t e, std::vector<std::string>& out, const std::string& var);
    // A subscript range or element name must be visible text, as a
    // variable's (the compiler checks those): E-BAD-NAME, where it is written.
    bool visible(const std::string& name, SourceLoc at, const std::string& range);
    // `Dim: a, b, (p1-p5), Sub -> Map` (p after the ':').
    void dimension(const Def& d, std::size_t p, std::size_t e);

    // --- right-hand sides (reader_rhs.cpp)
    // The right-hand side [b, e) of `=`.
    bool right_side(Def& d, std::size_t b, std::size_t e);
    // Numbers separated by ',' ';' or blanks (tabbed) in [b, e).
    bool values(Def& d, std::size_t b, std::size_t e, bool tabbed);

    // --- limits (reader_limits.cpp)
    bool within_limits();
    bool macros_within_depth();
};

}  // namespace sim::vensim::detail
