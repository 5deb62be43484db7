// Equation lexer (lexer.hpp).
#include "lang/lexer.hpp"
#include "util/text.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "lang/names.hpp"
#include "sim/expr.hpp"

namespace sim::ast {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Non-ASCII bytes (UTF-8 sequences) are name characters: names in any script.
bool ident_start(char c) { return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool ident_cont(char c) { return ident_start(c) || is_digit(c) || c == '.' || c == '$'; }

// Unicode symbols that look like operators but are not: a name may hold any
// other non-ASCII text, so these would otherwise silently become part of one.
struct LookAlike { std::string_view utf8, use; };
constexpr LookAlike look_alikes[] = {
    {"\xC3\x97", "*"},      // × multiplication sign
    {"\xC3\xB7", "/"},      // ÷ division sign
    {"\xE2\x88\x92", "-"},  // − minus sign
    {"\xE2\x8B\x85", "*"},  // ⋅ dot operator
    {"\xE2\x89\xA4", "<="}, // ≤
    {"\xE2\x89\xA5", ">="}, // ≥
    {"\xE2\x89\xA0", "<>"}, // ≠
};
const LookAlike* look_alike_at(std::string_view s, std::size_t p) {
    for (const auto& l : look_alikes)
        if (s.substr(p, l.utf8.size()) == l.utf8) return &l;
    return nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::optional<Tok> keyword(std::string_view w) {
    static constexpr std::pair<std::string_view, Tok> table[] = {
        {"if", Tok::kw_if},   {"then", Tok::kw_then}, {"else", Tok::kw_else}, {"and", Tok::kw_and},
        {"or", Tok::kw_or},   {"not", Tok::kw_not},   {"mod", Tok::kw_mod},
    };
    for (const auto& [k, t] : table)
        if (iequals(w, k)) return t;
    return std::nullopt;
}

bool vensim_keyword(std::optional<Tok> k) { return k == Tok::kw_and || k == Tok::kw_or || k == Tok::kw_not; }

Token error_token(std::size_t pos, std::string msg) {
    Token t;
    t.kind = Tok::error;
    t.begin = t.end = pos;
    t.text = std::move(msg);
    return t;
}

std::size_t plain_word_end(std::string_view s, std::size_t p) {
    while (p < s.size() && ident_cont(s[p]) && !look_alike_at(s, p)) ++p;
    return p;
}

}  // namespace

std::string where(std::string_view src, std::size_t off) {
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < off && i < src.size(); ++i)
        if (src[i] == '\n') { ++line; line_start = i + 1; }
    const std::size_t end = std::min(off, src.size());
    std::string col = "column " + std::to_string(text::characters(src.substr(line_start, end - line_start)) + 1);
    if (src.find('\n') == std::string_view::npos) return col;
    return "line " + std::to_string(line) + ", " + col;
}

Token Lexer::lex(std::size_t pos) const {
    bool failed = false;
    if (Token err = skip_trivia(pos, failed); failed) return err;
    Token t;
    t.begin = pos;
    if (pos >= s_.size()) {
        t.kind = Tok::end;
        t.end = pos;
        return t;
    }
    const char c = s_[pos];
    const char next = pos + 1 < s_.size() ? s_[pos + 1] : '\0';
    auto single = [&](Tok k, std::size_t len = 1) {
        t.kind = k;
        t.end = pos + len;
        return t;
    };
    if (is_digit(c) || (c == '.' && is_digit(next))) return number(pos);
    if (const LookAlike* l = look_alike_at(s_, pos))
        return error_token(pos, "'" + std::string(l->utf8) + "' is not an operator here: write '" +
                                    std::string(l->use) + "' (or quote the name if it belongs to one)");
    if (ident_start(c)) return name(pos);
    switch (c) {
        case '"': return quoted(pos);
        case '(': return single(Tok::lparen);
        case ')': return single(Tok::rparen);
        case '[': return single(Tok::lbracket);
        case ']': return single(Tok::rbracket);
        case ',': return single(Tok::comma);
        case '+': return single(Tok::plus);
        case '-': return single(Tok::minus);
        case '*': return single(Tok::star);
        case '/': return single(Tok::slash);
        case '^': return single(Tok::caret);
        case '=': return next == '=' ? single(Tok::eq, 2) : single(Tok::eq);
        case '!':
            if (next == '=') return single(Tok::ne, 2);
            return error_token(pos, "unexpected '!': write NOT for negation and '<>' (or '!=') for 'not equal'");
        case '<':
            if (next == '>') return single(Tok::ne, 2);
            if (next == '=') return single(Tok::le, 2);
            return single(Tok::lt);
        case '>': return next == '=' ? single(Tok::ge, 2) : single(Tok::gt);
        case ':': return vensim_logical(pos);
        case '}': return error_token(pos, "unmatched '}': remove it or add '{' to open the comment");
        default: break;
    }
    std::string shown = (static_cast<unsigned char>(c) < 0x20) ? "control character" : "'" + std::string(1, c) + "'";
    return error_token(pos, "unexpected character " + shown + ": remove it, or quote the name if it belongs to one (\"...\")");
}

Token Lexer::skip_trivia(std::size_t& pos, bool& failed) const {
    while (pos < s_.size()) {
        if (is_space(s_[pos])) {
            ++pos;
        } else if (s_[pos] == '{') {
            // XMILE comment; not nested.
            std::size_t close = s_.find('}', pos + 1);
            if (close == std::string_view::npos) {
                failed = true;
                return error_token(pos, "unterminated comment: add '}' to close the '{' at " + where(s_, pos));
            }
            pos = close + 1;
        } else {
            break;
        }
    }
    return {};
}

// One word of a name. A word may be namespace-qualified, `isee:name` (XMILE
// vendor functions), but `a:AND:b` is Vensim's operator, not a name.
std::size_t Lexer::word_end(std::size_t p) const {
    p = plain_word_end(s_, p);
    if (vensim_) return p < s_.size() && s_[p] == '!' ? p + 1 : p;
    if (p + 1 < s_.size() && s_[p] == ':' && ident_start(s_[p + 1]) && !look_alike_at(s_, p + 1)) {
        std::size_t e = plain_word_end(s_, p + 1);
        if (!(e < s_.size() && s_[e] == ':' && vensim_keyword(keyword(s_.substr(p + 1, e - p - 1))))) return e;
    }
    return p;
}

Token Lexer::number(std::size_t pos) const {
    std::size_t p = pos;
    while (p < s_.size() && is_digit(s_[p])) ++p;
    if (p < s_.size() && s_[p] == '.') {
        ++p;
        while (p < s_.size() && is_digit(s_[p])) ++p;
    }
    // An exponent only if digits follow: in `2e` the `e` is not part of the number.
    if (p < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
        std::size_t q = p + 1;
        if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
        if (q < s_.size() && is_digit(s_[q])) {
            while (q < s_.size() && is_digit(s_[q])) ++q;
            p = q;
        }
    }
    Token t;
    t.kind = Tok::number;
    t.begin = pos;
    t.end = p;
    const char* first = s_.data() + pos;
    const char* last = s_.data() + p;
    auto [ptr, ec] = std::from_chars(first, last, t.value);
    if (ec == std::errc::result_out_of_range) {
        // Overflow is an error; underflow rounds to zero (or a subnormal) as strtod does.
        std::string copy(first, last);
        t.value = std::strtod(copy.c_str(), nullptr);
        if (t.value > std::numeric_limits<double>::max())
            return error_token(pos, "number '" + copy + "' is too large for a double (max about 1.8e308)");
    } else if (ec != std::errc() || ptr != last) {
        return error_token(pos, "malformed number '" + std::string(first, last) + "'");
    }
    return t;
}

// Unquoted name: one or more words separated by whitespace (Vensim style),
// stopping before a keyword. Subscripts are the parser's business.
Token Lexer::name(std::size_t pos) const {
    std::size_t e = word_end(pos);
    if (auto kw = vensim_ ? std::nullopt : keyword(s_.substr(pos, e - pos))) {
        Token t;
        t.kind = *kw;
        t.begin = pos;
        t.end = e;
        return t;
    }
    for (;;) {
        std::size_t q = e;
        while (q < s_.size() && is_space(s_[q])) ++q;
        if (vensim_ && q > e && q < s_.size() && is_digit(s_[q])) {
            // Vensim names have words that start with a digit ("Entry 1",
            // "Depth 2"); a name followed by a number is no expression there.
            std::size_t we = q;
            while (we < s_.size() && (ident_cont(s_[we]) || is_digit(s_[we])) && !look_alike_at(s_, we)) ++we;
            e = we;
            continue;
        }
        if (q >= s_.size() || !ident_start(s_[q]) || look_alike_at(s_, q)) break;
        std::size_t we = word_end(q);
        if (!vensim_ && keyword(s_.substr(q, we - q))) break;
        e = we;
    }
    if (vensim_ && (e == pos || s_[e - 1] != '!')) {
        // `d!` broken over a continuation line: `Subscript\<newline>  !]`.
        std::size_t q = e;
        while (q < s_.size() && is_space(s_[q])) ++q;
        if (q > e && q + 1 < s_.size() && s_[q] == '!' && (s_[q + 1] == ']' || s_[q + 1] == ',' || is_space(s_[q + 1])))
            e = q + 1;
    }
    Token t;
    t.kind = Tok::name;
    t.begin = pos;
    t.end = e;
    t.text = std::string(s_.substr(pos, e - pos));
    if (auto bad = name_problem(t.text))
        return error_token(pos + bad->offset, "the name '" + visible_name(t.text) + "' holds " + bad->what +
                                                  "; remove it (names must be visible text)");
    t.canonical = canonical_name(t.text);
    if (vensim_ && t.canonical.size() >= 2 && t.canonical.back() == '!' && t.canonical[t.canonical.size() - 2] == '_')
        t.canonical.erase(t.canonical.size() - 2, 1);
    if (t.canonical.empty())  // only underscores: no name can match it
        return error_token(pos, "'" + t.text + "' is not a name: a name needs a character other than '_'");
    return t;
}

Token Lexer::quoted(std::size_t pos) const {
    std::string text;
    std::size_t p = pos + 1;
    for (;;) {
        if (p >= s_.size())
            return error_token(pos, "unterminated quoted name: add a closing '\"' (write \\\" for a quote inside the name)");
        char c = s_[p];
        if (c == '"') break;
        if (c == '\\' && p + 1 < s_.size() && (s_[p + 1] == '"' || s_[p + 1] == '\\')) {
            text += s_[p + 1];
            p += 2;
            continue;
        }
        text += c;
        ++p;
    }
    if (auto bad = name_problem(text))
        return error_token(pos + 1, "the quoted name \"" + visible_name(text) + "\" holds " + bad->what +
                                        "; remove it (names must be visible text)");
    Token t;
    t.kind = Tok::name;
    t.quoted = true;
    t.begin = pos;
    t.end = p + 1;
    t.canonical = canonical_name(text);
    if (t.canonical.empty()) return error_token(pos, "empty quoted name: write the variable's name between the quotes");
    t.text = std::move(text);
    return t;
}

// Vensim's :AND: :OR: :NOT:
Token Lexer::vensim_logical(std::size_t pos) const {
    std::size_t e = plain_word_end(s_, pos + 1);
    if (e < s_.size() && s_[e] == ':') {
        auto kw = keyword(s_.substr(pos + 1, e - pos - 1));
        if (vensim_ && iequals(s_.substr(pos + 1, e - pos - 1), "na")) {
            // Vensim's "not available" value (-1.298074214633707e33 in Vensim).
            Token t;
            t.kind = Tok::number;
            t.begin = pos;
            t.end = e + 1;
            t.value = vensim_na;
            return t;
        }
        if (vensim_keyword(kw)) {
            Token t;
            t.kind = *kw;
            t.begin = pos;
            t.end = e + 1;
            return t;
        }
    }
    return error_token(pos, vensim_ ? "unexpected ':' (only :AND:, :OR:, :NOT: and :NA: may follow one here)"
                                    : "unexpected ':' (only :AND:, :OR: and :NOT: are operators)");
}

bool is_bare_name(std::string_view canonical) {
    if (canonical.empty()) return false;
    Token t = Lexer(canonical).lex(0);
    return t.kind == Tok::name && !t.quoted && t.begin == 0 && t.end == canonical.size() && t.canonical == canonical;
}

}  // namespace sim::ast
