// Text utilities shared by every stage: the one number formatter, the one
// number parser, CSV quoting and the one "did you mean" policy.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sim::text {

// Shortest form that reads back to the same double ("0.3", "1e+20", "nan",
// "inf", "-inf"). Used for every number a program may read back: CSV, JSON,
// messages, generated equations.
std::string number(double v);

// As number(), but non-finite values as "NaN", "Inf", "-Inf": the spelling
// of every CSV libsim writes (pandas and R read it back).
std::string csv_number(double v);

// At most `digits` significant digits, trailing zeros dropped ("3.06e+12",
// "0.0123"). For people only (tables in reports); never read back.
std::string number_sig(double v, int digits = 6);

// A count in digits ("50000000"); SIZE_MAX, which a saturating count
// stands at when it overflowed, as "more than 18446744073709551614".
std::string count(std::size_t n);

enum class NumberStatus { ok, empty, malformed, out_of_range };

struct ParsedNumber {
    NumberStatus status = NumberStatus::empty;
    double value = 0;
    explicit operator bool() const { return status == NumberStatus::ok; }
};

// The whole of `s` (surrounding blanks ignored, a leading '+' allowed) as a
// finite double. A number beyond the double range ("1e400") is out_of_range,
// not malformed; an underflow rounds to zero or a subnormal, as strtod does.
ParsedNumber parse_number(std::string_view s);

// "is not a number", "is empty", "is out of range (beyond about ±1.8e308)":
// the tail of a message "value 'X' <reason>" for a failed parse.
const char* describe(NumberStatus s);

// A CSV field: quoted (with doubled quotes) only if it holds ',', '"', CR or LF.
std::string csv_field(std::string_view s);

// Surrounding spaces, tabs, CR and LF removed.
std::string_view trim(std::string_view s);

// ASCII lower case (names are compared case-insensitively only in ASCII).
std::string lower(std::string_view s);

// Characters in UTF-8 text `s` (its code points, counted by their lead
// bytes). Every reader reports a column as 1 + the characters before it on
// its line, so a name with accents does not shift the columns after it.
std::size_t characters(std::string_view s);

// 1 + the characters of `text` in [line_start, off): a byte's column. It
// remembers its last answer, so positions asked in increasing order along a
// line cost the bytes between them, not the whole line again (one long line
// of many records or YAML nodes stays linear).
class Columns {
public:
    int column(std::string_view text, std::size_t line_start, std::size_t off);

private:
    std::size_t line_ = static_cast<std::size_t>(-1), off_ = 0, col_ = 1;
};

// Optimal-string-alignment distance: a swap of neighbours ("nmae") is one edit.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` (compared in lower case), if close enough:
// at most a third of the word's length in edits, and at least 1, at most 3.
// Ties go to the first candidate. The one policy behind every suggestion.
std::optional<std::string> closest(std::string_view word, std::span<const std::string> candidates);

}  // namespace sim::text
