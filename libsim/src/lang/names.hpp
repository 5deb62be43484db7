// What makes a name acceptable beyond its spelling (private to libsim):
// canonical_name (sim/expr.hpp) normalises names to Unicode NFC and treats
// every space separator as a blank; what it cannot make harmless (control
// characters, NUL, invisible format characters, bytes that are not UTF-8) is
// found here and refused where a name is declared or written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

struct NameProblem {
    std::size_t offset;  // byte offset of the offending character in the name
    std::string what;    // "the invisible character U+200B (...)"
};

// The first character a name must not hold: NUL, a control character other
// than the blanks (tab, CR, LF, FF, VT), a format character (Unicode category
// Cf: zero-width space and joiners, direction marks, soft hyphen, BOM), or a
// byte that is not UTF-8.
std::optional<NameProblem> name_problem(std::string_view name);

// "U+200B"
std::string code_point(std::int32_t cp);

// True if `name` is ASCII and canonical_name(name) == name (lower case, words
// joined by single '_', no blanks or quotes): such a name can be looked up
// as it is, without building its canonical form.
bool is_canonical_ascii(std::string_view name);

// The name with every control and format character written as <U+XXXX>, so
// that a message shows what cannot be seen.
std::string visible_name(std::string_view name);

// True if the name holds a byte outside ASCII (its NFC form may differ from
// its spelling: a duplicate message then says names are compared in NFC).
inline bool has_non_ascii(std::string_view name) {
    for (unsigned char c : name)
        if (c >= 0x80) return true;
    return false;
}

}  // namespace sim
