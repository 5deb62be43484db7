// Equation parser: text -> ast::Expr (XMILE/Stella syntax, Vensim-style
// multi-word names). A hand-written lexer feeding precedence climbing.
//
// Invariants:
//  - binary chains (`1+1+1...`) are parsed by loops, so their length costs no
//    stack; every construct that does recurse (parentheses, calls, IF, unary
//    operators, `^` exponents) passes a depth guard limited by ast::max_depth;
//  - the finished tree is at most ast::max_tree_depth deep (later stages
//    recurse over it);
//  - nodes are appended after their children, so children precede parents;
//  - the first error stops the equation (the caller reports it and goes on
//    with the next equation).
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "lang/ast.hpp"
#include "sim/spec.hpp"

namespace sim::ast {
namespace {

enum class Tok {
    end, number, name, lparen, rparen, comma,
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
};

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

// "column N" for one-line equations, "line L, column N" otherwise (1-based,
// counted in bytes within the equation text).
std::string where(std::string_view src, std::size_t off) {
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < off && i < src.size(); ++i)
        if (src[i] == '\n') { ++line; line_start = i + 1; }
    std::string col = "column " + std::to_string(off - line_start + 1);
    if (src.find('\n') == std::string_view::npos) return col;
    return "line " + std::to_string(line) + ", " + col;
}

class Lexer {
public:
    explicit Lexer(std::string_view src) : s_(src) {}

    // The token starting at or after `pos` (whitespace and {comments} skipped).
    Token lex(std::size_t pos) const {
        Token t;
        if (auto err = skip_trivia(pos)) return *err;
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
            return error(pos, "'" + std::string(l->utf8) + "' is not an operator here: write '" +
                                  std::string(l->use) + "' (or quote the name if it belongs to one)");
        if (ident_start(c)) return name(pos);
        switch (c) {
            case '"': return quoted(pos);
            case '(': return single(Tok::lparen);
            case ')': return single(Tok::rparen);
            case ',': return single(Tok::comma);
            case '+': return single(Tok::plus);
            case '-': return single(Tok::minus);
            case '*': return single(Tok::star);
            case '/': return single(Tok::slash);
            case '^': return single(Tok::caret);
            case '=': return next == '=' ? single(Tok::eq, 2) : single(Tok::eq);
            case '!':
                if (next == '=') return single(Tok::ne, 2);
                return error(pos, "unexpected '!': write NOT for negation and '<>' (or '!=') for 'not equal'");
            case '<':
                if (next == '>') return single(Tok::ne, 2);
                if (next == '=') return single(Tok::le, 2);
                return single(Tok::lt);
            case '>': return next == '=' ? single(Tok::ge, 2) : single(Tok::gt);
            case ':': return vensim_logical(pos);
            case '}': return error(pos, "unmatched '}': remove it or add '{' to open the comment");
            case '[': return error(pos, "unexpected '[': subscripts follow a variable name, as in a[b]");
            default: break;
        }
        std::string shown = (static_cast<unsigned char>(c) < 0x20) ? "control character" : "'" + std::string(1, c) + "'";
        return error(pos, "unexpected character " + shown + ": remove it, or quote the name if it belongs to one (\"...\")");
    }

private:
    std::string_view s_;

    static Token error(std::size_t pos, std::string msg) {
        Token t;
        t.kind = Tok::error;
        t.begin = t.end = pos;
        t.text = std::move(msg);
        return t;
    }

    std::optional<Token> skip_trivia(std::size_t& pos) const {
        while (pos < s_.size()) {
            if (is_space(s_[pos])) {
                ++pos;
            } else if (s_[pos] == '{') {
                // XMILE comment; not nested.
                std::size_t close = s_.find('}', pos + 1);
                if (close == std::string_view::npos)
                    return error(pos, "unterminated comment: add '}' to close the '{' at " + where(s_, pos));
                pos = close + 1;
            } else {
                break;
            }
        }
        return std::nullopt;
    }

    std::size_t word_end(std::size_t p) const {
        while (p < s_.size() && ident_cont(s_[p]) && !look_alike_at(s_, p)) ++p;
        return p;
    }

    Token number(std::size_t pos) const {
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
                return error(pos, "number '" + copy + "' is too large for a double (max about 1.8e308)");
        } else if (ec != std::errc() || ptr != last) {
            return error(pos, "malformed number '" + std::string(first, last) + "'");
        }
        return t;
    }

    // Unquoted name: one or more words separated by whitespace (Vensim style),
    // stopping before a keyword; then optional subscripts.
    Token name(std::size_t pos) const {
        std::size_t e = word_end(pos);
        if (auto kw = keyword(s_.substr(pos, e - pos))) {
            Token t;
            t.kind = *kw;
            t.begin = pos;
            t.end = e;
            return t;
        }
        for (;;) {
            std::size_t q = e;
            while (q < s_.size() && is_space(s_[q])) ++q;
            if (q >= s_.size() || !ident_start(s_[q]) || look_alike_at(s_, q)) break;
            std::size_t we = word_end(q);
            if (keyword(s_.substr(q, we - q))) break;
            e = we;
        }
        Token t;
        t.kind = Tok::name;
        t.begin = pos;
        t.end = e;
        t.text = std::string(s_.substr(pos, e - pos));
        t.canonical = canonical_name(t.text);
        return subscripts(std::move(t));
    }

    Token quoted(std::size_t pos) const {
        std::string text;
        std::size_t p = pos + 1;
        for (;;) {
            if (p >= s_.size())
                return error(pos, "unterminated quoted name: add a closing '\"' (write \\\" for a quote inside the name)");
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
        Token t;
        t.kind = Tok::name;
        t.begin = pos;
        t.end = p + 1;
        t.canonical = canonical_name(text);
        if (t.canonical.empty()) return error(pos, "empty quoted name: write the variable's name between the quotes");
        t.text = std::move(text);
        return subscripts(std::move(t));
    }

    // `[a, b c, "d"]` after a name: parts are canonicalised one by one.
    Token subscripts(Token t) const {
        std::size_t open = t.end;
        while (open < s_.size() && is_space(s_[open])) ++open;
        if (open >= s_.size() || s_[open] != '[') return t;
        std::string canon = "[";
        std::size_t p = open + 1;
        for (bool first = true;; first = false) {
            while (p < s_.size() && is_space(s_[p])) ++p;
            std::size_t part_begin = p;
            if (p < s_.size() && s_[p] == '"') {
                std::size_t close = s_.find('"', p + 1);
                if (close == std::string_view::npos)
                    return error(p, "unterminated quoted subscript: add a closing '\"'");
                p = close + 1;
            } else {
                while (p < s_.size() && s_[p] != ',' && s_[p] != ']' && s_[p] != '[' && s_[p] != '(' &&
                       s_[p] != ')' && s_[p] != '{' && s_[p] != '"')
                    ++p;
            }
            std::string part = canonical_name(s_.substr(part_begin, p - part_begin));
            if (part.empty())
                return error(part_begin, "empty subscript: write an element or dimension name, as in a[b]");
            if (!first) canon += ',';
            canon += part;
            while (p < s_.size() && is_space(s_[p])) ++p;
            if (p < s_.size() && s_[p] == ',') {
                ++p;
                continue;
            }
            if (p < s_.size() && s_[p] == ']') break;
            return error(p, "expected ',' or ']' to close the '[' opened at " + where(s_, open));
        }
        canon += ']';
        t.canonical += canon;
        t.text += std::string(s_.substr(open, p + 1 - open));
        t.end = p + 1;
        return t;
    }

    // Vensim's :AND: :OR: :NOT:
    Token vensim_logical(std::size_t pos) const {
        std::size_t e = word_end(pos + 1);
        if (e < s_.size() && s_[e] == ':') {
            auto kw = keyword(s_.substr(pos + 1, e - pos - 1));
            if (kw == Tok::kw_and || kw == Tok::kw_or || kw == Tok::kw_not) {
                Token t;
                t.kind = *kw;
                t.begin = pos;
                t.end = e + 1;
                return t;
            }
        }
        return error(pos, "unexpected ':' (only :AND:, :OR: and :NOT: are operators)");
    }
};

// Binding strengths, loosest first. NOT is a prefix operator between AND and
// the comparisons: `NOT a = b` is NOT (a = b).
constexpr int prec_or = 1, prec_and = 2, prec_cmp = 4, prec_add = 5, prec_mul = 6, prec_unary = 7;

struct BinOp {
    Op op;
    int prec;
};

std::optional<BinOp> binop(Tok k) {
    switch (k) {
        case Tok::kw_or: return BinOp{Op::or_, prec_or};
        case Tok::kw_and: return BinOp{Op::and_, prec_and};
        case Tok::eq: return BinOp{Op::eq, prec_cmp};
        case Tok::ne: return BinOp{Op::ne, prec_cmp};
        case Tok::lt: return BinOp{Op::lt, prec_cmp};
        case Tok::le: return BinOp{Op::le, prec_cmp};
        case Tok::gt: return BinOp{Op::gt, prec_cmp};
        case Tok::ge: return BinOp{Op::ge, prec_cmp};
        case Tok::plus: return BinOp{Op::add, prec_add};
        case Tok::minus: return BinOp{Op::sub, prec_add};
        case Tok::star: return BinOp{Op::mul, prec_mul};
        case Tok::slash: return BinOp{Op::div, prec_mul};
        case Tok::kw_mod: return BinOp{Op::mod, prec_mul};
        default: return std::nullopt;
    }
}

class Parser {
public:
    Parser(std::string_view src, std::vector<ParseError>& errors) : src_(src), lexer_(src), errors_(errors) {}

    std::optional<Expr> run() {
        if (src_.size() >= std::numeric_limits<std::uint32_t>::max()) {
            fail(0, "equation longer than 4 GB");
            return std::nullopt;
        }
        advance();
        if (failed_) return std::nullopt;
        if (tok_.kind == Tok::end) {
            fail(0, "empty equation: write an expression (for example 0)");
            return std::nullopt;
        }
        // Every node owns at least one byte of the text (a parenthesised node
        // reuses its inner one), so this bound avoids reallocating huge arenas.
        out_.nodes.reserve(src_.size());
        NodeId root = expr();
        if (failed_) return std::nullopt;
        if (tok_.kind == Tok::rparen) {
            fail(tok_.begin, "unmatched ')' at " + where(src_, tok_.begin) + ": remove it or add the missing '('");
            return std::nullopt;
        }
        if (tok_.kind != Tok::end) {
            fail(tok_.begin, "unexpected " + describe(tok_) + " after a complete expression: add an operator (e.g. '*') "
                             "before it or remove it");
            return std::nullopt;
        }
        out_.root = root;
        if (out_.nodes.size() < 1024) out_.nodes.shrink_to_fit();  // cheap; big arenas keep the slack
        return std::move(out_);
    }

private:
    std::string_view src_;
    Lexer lexer_;
    std::vector<ParseError>& errors_;
    Expr out_;
    Token tok_;
    int depth_ = 0;
    bool failed_ = false;
    std::vector<std::size_t> opens_;  // offsets of the '(' currently open, innermost last

    // Recursion guard: every recursive construct holds one while parsing its inside.
    struct Nest {
        Parser& p;
        Nest(Parser& parser, std::size_t at) : p(parser) {
            if (++p.depth_ > max_depth)
                p.fail(at, "expression nested more than " + std::to_string(max_depth) +
                               " levels deep (parentheses, calls, IF, unary operators, powers): split it into "
                               "auxiliary variables");
        }
        ~Nest() { --p.depth_; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;
    };

    void fail(std::size_t offset, std::string message) {
        if (failed_) return;
        failed_ = true;
        errors_.push_back(ParseError{offset, std::move(message)});
    }

    void advance() {
        tok_ = lexer_.lex(tok_.end);
        if (tok_.kind == Tok::error) fail(tok_.begin, tok_.text);
    }

    NodeId push(Node n) {
        out_.nodes.push_back(std::move(n));
        return static_cast<NodeId>(out_.nodes.size() - 1);
    }
    template <class T>
    NodeId push(T v, std::size_t begin, std::size_t end) {
        return push(Node{std::move(v), static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
    }
    std::uint32_t begin_of(NodeId i) const { return out_.nodes[i].begin; }
    std::uint32_t end_of(NodeId i) const { return out_.nodes[i].end; }

    // Built by appending: GCC 12 gives a false -Wrestrict on "lit" + std::string at -O3.
    std::string describe(const Token& t) const {
        std::string what;
        switch (t.kind) {
            case Tok::end: return "end of equation";
            case Tok::number: what = "number "; break;
            case Tok::name: what = "name "; break;
            case Tok::kw_if: case Tok::kw_then: case Tok::kw_else: case Tok::kw_and:
            case Tok::kw_or: case Tok::kw_not: case Tok::kw_mod:
                what = "keyword ";
                break;
            default: break;
        }
        what += '\'';
        what += t.kind == Tok::name ? std::string_view(t.text) : src_.substr(t.begin, t.end - t.begin);
        what += '\'';
        return what;
    }

    NodeId expr() { return binary(prec_or); }

    // Precedence climbing: the loop makes left-associative chains iterative;
    // the recursion on the right operand is bounded by the number of levels.
    NodeId binary(int min_prec) {
        NodeId lhs = operand(min_prec);
        while (!failed_) {
            auto op = binop(tok_.kind);
            if (!op || op->prec < min_prec) break;
            advance();
            if (failed_) break;
            NodeId rhs = binary(op->prec + 1);
            if (failed_) break;
            lhs = push(Binary{op->op, lhs, rhs}, begin_of(lhs), end_of(rhs));
        }
        return lhs;
    }

    // An operand of an operator binding at `min_prec`: prefix operators, then a power.
    NodeId operand(int min_prec) {
        if (tok_.kind == Tok::kw_not) return not_expr(min_prec);
        if (tok_.kind == Tok::minus || tok_.kind == Tok::plus) {
            const Op op = tok_.kind == Tok::minus ? Op::neg : Op::pos;
            const std::size_t b = tok_.begin;
            Nest nest(*this, b);
            advance();
            if (failed_) return 0;
            NodeId arg = operand(prec_unary);
            if (failed_) return 0;
            return push(Unary{op, arg}, b, end_of(arg));
        }
        return power();
    }

    // NOT takes a comparison (`NOT a = b` is NOT (a = b)), or less where the
    // context binds tighter (`-NOT x` negates NOT x).
    NodeId not_expr(int min_prec) {
        const std::size_t b = tok_.begin;
        Nest nest(*this, b);
        advance();
        if (failed_) return 0;
        NodeId arg = binary(std::max(min_prec, prec_cmp));
        if (failed_) return 0;
        return push(Unary{Op::not_, arg}, b, end_of(arg));
    }

    // `^` is right-associative and binds tighter than unary minus, but its
    // exponent may start with one: -2^2 = -4, 2^3^2 = 2^9, 2^-1 = 0.5.
    NodeId power() {
        NodeId base = primary();
        if (failed_ || tok_.kind != Tok::caret) return base;
        Nest nest(*this, tok_.begin);
        advance();
        if (failed_) return 0;
        NodeId exponent = operand(prec_unary);
        if (failed_) return 0;
        return push(Binary{Op::pow, base, exponent}, begin_of(base), end_of(exponent));
    }

    NodeId primary() {
        switch (tok_.kind) {
            case Tok::number: {
                NodeId n = push(Number{tok_.value}, tok_.begin, tok_.end);
                advance();
                return n;
            }
            case Tok::name: {
                Token name = std::move(tok_);
                tok_ = Token{};
                tok_.end = name.end;
                advance();
                if (failed_) return 0;
                if (tok_.kind == Tok::lparen) return call(std::move(name.canonical), std::move(name.text), name.begin);
                return push(Name{std::move(name.canonical), std::move(name.text)}, name.begin, name.end);
            }
            case Tok::lparen: return parenthesised();
            case Tok::kw_if: {
                // Vensim's IF THEN ELSE(c, a, b) is a call to `if_then_else`.
                Token then_tok = lexer_.lex(tok_.end);
                if (then_tok.kind == Tok::kw_then) {
                    Token else_tok = lexer_.lex(then_tok.end);
                    if (else_tok.kind == Tok::kw_else && lexer_.lex(else_tok.end).kind == Tok::lparen) {
                        const std::size_t b = tok_.begin;
                        std::string text(src_.substr(b, else_tok.end - b));
                        tok_ = std::move(else_tok);
                        advance();
                        return call("if_then_else", std::move(text), b);
                    }
                }
                return if_expr();
            }
            case Tok::kw_not: return not_expr(prec_unary);
            case Tok::kw_mod:
                // MOD(a, b) in operand position is the function; `a MOD b` the operator.
                if (lexer_.lex(tok_.end).kind == Tok::lparen) {
                    const std::size_t b = tok_.begin;
                    std::string text(src_.substr(b, tok_.end - b));
                    advance();
                    return call("mod", std::move(text), b);
                }
                break;
            case Tok::end:
                if (!opens_.empty()) {
                    fail(tok_.begin, "the equation ends inside the '(' opened at " + where(src_, opens_.back()) +
                                         ": complete the expression and add ')'");
                } else {
                    fail(tok_.begin, "the equation ends where an operand is expected: complete the expression");
                }
                return 0;
            case Tok::rparen:
                fail(tok_.begin, "expected an operand before ')': write an expression inside the parentheses");
                return 0;
            default: break;
        }
        fail(tok_.begin, "expected an operand (a number, name, function call or '(') but found " + describe(tok_));
        return 0;
    }

    NodeId parenthesised() {
        const std::size_t open = tok_.begin;
        Nest nest(*this, open);
        if (failed_) return 0;
        opens_.push_back(open);
        advance();
        if (failed_) return 0;
        NodeId inner = expr();
        if (failed_) return 0;
        if (tok_.kind != Tok::rparen) {
            fail(tok_.begin, "expected ')' to close the '(' opened at " + where(src_, open) + " but found " +
                                 describe(tok_));
            return 0;
        }
        opens_.pop_back();
        // The parentheses belong to the node: its span covers them.
        out_.nodes[inner].begin = static_cast<std::uint32_t>(open);
        out_.nodes[inner].end = static_cast<std::uint32_t>(tok_.end);
        advance();
        return inner;
    }

    // Called with tok_ on '('.
    NodeId call(std::string canonical, std::string text, std::size_t begin) {
        const std::size_t open = tok_.begin;
        Nest nest(*this, open);
        if (failed_) return 0;
        opens_.push_back(open);
        advance();
        if (failed_) return 0;
        std::vector<NodeId> args;
        if (tok_.kind != Tok::rparen) {
            for (;;) {
                args.push_back(expr());
                if (failed_) return 0;
                if (tok_.kind == Tok::comma) {
                    advance();
                    if (failed_) return 0;
                    continue;
                }
                if (tok_.kind == Tok::rparen) break;
                fail(tok_.begin, "expected ',' or ')' to close the '(' of " + text + " opened at " +
                                     where(src_, open) + " but found " + describe(tok_));
                return 0;
            }
        }
        opens_.pop_back();
        const std::size_t end = tok_.end;
        advance();
        return push(Call{std::move(canonical), std::move(text), std::move(args)}, begin, end);
    }

    NodeId if_expr() {
        const std::size_t b = tok_.begin;
        Nest nest(*this, b);
        if (failed_) return 0;
        advance();
        if (failed_) return 0;
        NodeId cond = expr();
        if (failed_) return 0;
        if (tok_.kind != Tok::kw_then) {
            fail(tok_.begin, "expected THEN after the condition of the IF at " + where(src_, b) + " but found " +
                                 describe(tok_) + " (write IF c THEN a ELSE b)");
            return 0;
        }
        advance();
        if (failed_) return 0;
        NodeId then_ = expr();
        if (failed_) return 0;
        if (tok_.kind != Tok::kw_else) {
            fail(tok_.begin, "expected ELSE for the IF at " + where(src_, b) + " but found " + describe(tok_) +
                                 " (write IF c THEN a ELSE b)");
            return 0;
        }
        advance();
        if (failed_) return 0;
        NodeId else_ = expr();
        if (failed_) return 0;
        return push(If{cond, then_, else_}, b, end_of(else_));
    }
};

}  // namespace

std::optional<Expr> parse(std::string_view text, std::vector<ParseError>& errors) {
    auto e = Parser(text, errors).run();
    if (!e) return e;
    // Chains cost the parser no stack, but the tree they build is as deep as
    // the chain is long, and later stages walk trees recursively: bound the
    // tree's depth (one pass, children precede parents).
    std::vector<std::uint32_t> depth(e->nodes.size(), 1);
    for (NodeId i = 0; i < e->nodes.size(); ++i) {
        std::uint32_t d = 0;
        auto child = [&](NodeId c) { d = std::max(d, depth[c]); };
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, Unary>) child(x.arg);
                else if constexpr (std::is_same_v<T, Binary>) child(x.lhs), child(x.rhs);
                else if constexpr (std::is_same_v<T, Call>) for (NodeId c : x.args) child(c);
                else if constexpr (std::is_same_v<T, If>) child(x.cond), child(x.then_), child(x.else_);
            },
            e->nodes[i].v);
        depth[i] = d + 1;
        if (depth[i] > static_cast<std::uint32_t>(max_tree_depth)) {
            errors.push_back(ParseError{e->nodes[i].begin,
                                        "expression more than " + std::to_string(max_tree_depth) +
                                            " operations deep (a chain of that many operators, or nesting): split it "
                                            "into auxiliary variables"});
            return std::nullopt;
        }
    }
    return e;
}

}  // namespace sim::ast
