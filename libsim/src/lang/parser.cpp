// Equation parser: text -> ast::Expr by precedence climbing over the tokens
// of lexer.cpp.
//
// Invariants:
//  - binary chains (`1+1+1...`) are parsed by loops, so their length costs no
//    stack; every construct that does recurse (parentheses, calls, subscripts,
//    IF, unary operators, `^` exponents) passes a depth guard limited by
//    ast::max_depth;
//  - the finished tree is at most ast::max_tree_depth deep (later stages
//    recurse over it);
//  - nodes are appended after their children, so children precede parents;
//  - the first error stops the equation (the caller keeps it with the
//    equation and the compiler reports it, going on with the others).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "lang/lexer.hpp"
#include "sim/expr.hpp"

namespace sim::ast {
namespace {

// Binding strengths, loosest first. NOT is a prefix operator between AND and
// the comparisons: `NOT a = b` is NOT (a = b). The printer (printer.cpp)
// mirrors these levels.
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
    Parser(std::string_view src, std::vector<ParseError>& errors, Dialect dialect)
        : src_(src), lexer_(src, dialect == Dialect::vensim), errors_(errors), vensim_(dialect == Dialect::vensim) {}

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
        // reuses its inner one), so this bound avoids reallocating huge
        // arenas; short equations grow as usual (most are a handful of nodes).
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
        // Trees live as long as their spec: drop the slack of small arenas
        // (cheap); big ones keep it.
        if (out_.nodes.size() < 1024) out_.nodes.shrink_to_fit();
        return std::move(out_);
    }

private:
    struct Open {
        std::size_t at;
        char bracket;
    };

    std::string_view src_;
    Lexer lexer_;
    std::vector<ParseError>& errors_;
    bool vensim_ = false;
    Expr out_;
    Token tok_;
    int depth_ = 0;
    bool failed_ = false;
    std::vector<Open> opens_;  // the '(' and '[' currently open, innermost last

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

    template <class T>
    NodeId push(T v, std::size_t begin, std::size_t end) {
        out_.nodes.push_back(Node{std::move(v), Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)}});
        return static_cast<NodeId>(out_.nodes.size() - 1);
    }
    std::uint32_t begin_of(NodeId i) const { return out_.nodes[i].span.begin; }
    std::uint32_t end_of(NodeId i) const { return out_.nodes[i].span.end; }

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
                // Numbers in trees are >= 0 (the printer's round trip); Vensim's
                // :NA: is negative, so it becomes -(magnitude), spanning ":NA:".
                NodeId n = push(Number{std::abs(tok_.value)}, tok_.begin, tok_.end);
                if (tok_.value < 0) n = push(Unary{Op::neg, n}, tok_.begin, tok_.end);
                advance();
                return n;
            }
            case Tok::name: return name();
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
            case Tok::lbracket:
                fail(tok_.begin, "unexpected '[': subscripts follow a variable name, as in a[b]");
                return 0;
            case Tok::end:
                if (!opens_.empty()) {
                    fail(tok_.begin, std::string("the equation ends inside the '") + opens_.back().bracket +
                                         "' opened at " + where(src_, opens_.back().at) +
                                         ": complete the expression and add '" +
                                         (opens_.back().bracket == '(' ? ')' : ']') + "'");
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

    // A reference `a`, `a[b, c]`, or a call `f(x)`; tok_ is the name.
    NodeId name() {
        Token name = std::move(tok_);
        tok_ = Token{};
        tok_.end = name.end;
        advance();
        if (failed_) return 0;
        if (tok_.kind == Tok::lparen) return call(std::move(name.canonical), std::move(name.text), name.begin);
        std::vector<NodeId> subs;
        std::size_t end = name.end;
        if (tok_.kind == Tok::lbracket) {
            end = subscripts(subs);
            if (failed_) return 0;
            if (tok_.kind == Tok::lparen && vensim_) {
                // Vensim calls an element of an arrayed lookup as `table[a](x)`:
                // read as LOOKUP(table[a], x).
                NodeId table = push(Name{name.canonical, name.text, std::move(subs)}, name.begin, end);
                return call("lookup", name.text, name.begin, {table});
            }
            if (tok_.kind == Tok::lparen) {
                fail(tok_.begin, "'(' after the subscripted name '" + name.text +
                                     "': only a graphical function without subscripts can be called");
                return 0;
            }
        }
        return push(Name{std::move(name.canonical), std::move(name.text), std::move(subs)}, name.begin, end);
    }

    // `[s1, s2, ...]` with tok_ on '['; each subscript is an expression or a
    // lone `*`. Returns the offset one past the ']'.
    std::size_t subscripts(std::vector<NodeId>& subs) {
        const std::size_t open = tok_.begin;
        Nest nest(*this, open);
        if (failed_) return 0;
        opens_.push_back({open, '['});
        advance();
        for (;;) {
            if (failed_) return 0;
            if (tok_.kind == Tok::rbracket || tok_.kind == Tok::comma) {
                fail(tok_.begin, "empty subscript: write an element or dimension name, as in a[b]");
                return 0;
            }
            const Tok after = tok_.kind == Tok::star ? lexer_.lex(tok_.end).kind : Tok::error;
            if (after == Tok::comma || after == Tok::rbracket) {
                subs.push_back(push(Wildcard{}, tok_.begin, tok_.end));
                advance();
            } else if (bang()) {
                // `d!`: dimension d iterated by an array function (a Name whose
                // canonical form ends in '!').
                const std::size_t end = tok_.end + 1;
                subs.push_back(push(Name{tok_.canonical + "!", tok_.text + "!", {}}, tok_.begin, end));
                tok_.end = end;
                advance();
            } else {
                subs.push_back(expr());
            }
            if (failed_) return 0;
            if (tok_.kind == Tok::comma) {
                advance();
                continue;
            }
            if (tok_.kind == Tok::rbracket) break;
            fail(tok_.begin, "expected ',' or ']' to close the '[' opened at " + where(src_, open) + " but found " +
                                 describe(tok_));
            return 0;
        }
        opens_.pop_back();
        const std::size_t end = tok_.end;
        advance();
        return end;
    }

    // tok_ is a name followed by '!' (not "!=") and then ',' or ']'.
    bool bang() const {
        if (tok_.kind != Tok::name || tok_.end >= src_.size() || src_[tok_.end] != '!') return false;
        if (tok_.end + 1 < src_.size() && src_[tok_.end + 1] == '=') return false;
        const Tok next = lexer_.lex(tok_.end + 1).kind;
        return next == Tok::comma || next == Tok::rbracket;
    }

    NodeId parenthesised() {
        const std::size_t open = tok_.begin;
        Nest nest(*this, open);
        if (failed_) return 0;
        opens_.push_back({open, '('});
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
        out_.nodes[inner].span = {static_cast<std::uint32_t>(open), static_cast<std::uint32_t>(tok_.end)};
        advance();
        return inner;
    }

    // Called with tok_ on '('.
    NodeId call(std::string canonical, std::string text, std::size_t begin, std::vector<NodeId> args = {}) {
        const std::size_t open = tok_.begin;
        Nest nest(*this, open);
        if (failed_) return 0;
        opens_.push_back({open, '('});
        advance();
        if (failed_) return 0;
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
    return parse(text, errors, Dialect::xmile);
}

std::optional<Expr> parse(std::string_view text, std::vector<ParseError>& errors, Dialect dialect) {
    auto e = Parser(text, errors, dialect).run();
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
                else if constexpr (std::is_same_v<T, Name>) for (NodeId c : x.subscripts) child(c);
                else if constexpr (std::is_same_v<T, If>) child(x.cond), child(x.then_), child(x.else_);
            },
            e->nodes[i].v);
        depth[i] = d + 1;
        if (depth[i] > static_cast<std::uint32_t>(max_tree_depth)) {
            errors.push_back(ParseError{e->nodes[i].span.begin,
                                        "expression more than " + std::to_string(max_tree_depth) +
                                            " operations deep (a chain of that many operators, or nesting): split it "
                                            "into auxiliary variables"});
            return std::nullopt;
        }
    }
    return e;
}

}  // namespace sim::ast
