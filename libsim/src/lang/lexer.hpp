// The one lexer of equation text (XMILE/Stella syntax with Vensim-style
// multi-word names). The parser (parser.cpp) reads its tokens; the printer
// (printer.cpp) asks it whether a name can be written without quotes, so the
// rules for names live here only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sim::ast {

enum class Tok {
    end, number, name, lparen, rparen, lbracket, rbracket, comma,
    plus, minus, star, slash, caret,
    eq, ne, lt, le, gt, ge,
    kw_if, kw_then, kw_else, kw_and, kw_or, kw_not, kw_mod,
    error
};

struct Token {
    Tok kind = Tok::end;
    std::size_t begin = 0, end = 0;  // [begin, end) in the text, trivia excluded
    double value = 0;                // number
    std::string text;                // name: as written, unquoted; error: the message
    std::string canonical;           // name
    bool quoted = false;             // name: written between double quotes
};

class Lexer {
public:
    // `vensim`: Vensim's dialect (.mdl): no word keywords (IF THEN ELSE is a
    // multi-word name called as a function; AND/OR/NOT are written :AND:,
    // :OR:, :NOT:), `:NA:` is a number, and a name word may end in `!` (a
    // dimension iterated over by an array function, `x[d!]`).
    explicit Lexer(std::string_view src, bool vensim = false) : s_(src), vensim_(vensim) {}

    // The token starting at or after `pos` (whitespace and {comments} skipped).
    Token lex(std::size_t pos) const;

private:
    std::string_view s_;
    bool vensim_ = false;

    Token skip_trivia(std::size_t& pos, bool& failed) const;
    std::size_t word_end(std::size_t p) const;
    Token number(std::size_t pos) const;
    Token name(std::size_t pos) const;
    Token quoted(std::size_t pos) const;
    Token vensim_logical(std::size_t pos) const;
};

// "column N" for one-line text, "line L, column N" otherwise (1-based,
// counted in bytes within `src`).
std::string where(std::string_view src, std::size_t off);

// True if `canonical` (a canonical name) written as is lexes as exactly one
// unquoted name token with that canonical form (not a keyword, a number, a
// subscripted or multi-token text).
bool is_bare_name(std::string_view canonical);

}  // namespace sim::ast
