// Printer: parse(print(e)) == e (structurally) over the whole operator set
// and over random trees, using the real parser; names that need quotes get
// them, decided by the real lexer.
#include <doctest/doctest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "lang/builtins.hpp"
#include "sim/expr.hpp"
#include "sim/input.hpp"

using namespace sim::ast;

namespace {

Expr parse_ok(const std::string& text) {
    std::vector<ParseError> errors;
    auto e = parse(text, errors);
    INFO("text: ", text, (errors.empty() ? std::string() : " error: " + errors[0].message));
    REQUIRE(e.has_value());
    return std::move(*e);
}

// print, parse back, compare; and print again (printing is a fixed point).
void round_trip(const Expr& e) {
    const std::string text = print(e);
    INFO("printed: ", text);
    Expr back = parse_ok(text);
    CHECK(same(back, e));
    CHECK(print(back) == text);
}

constexpr std::array binary_ops{Op::add, Op::sub, Op::mul, Op::div, Op::pow, Op::mod, Op::eq, Op::ne, Op::lt,
                                Op::le,  Op::gt,  Op::ge,  Op::and_, Op::or_};
constexpr std::array unary_ops{Op::neg, Op::pos, Op::not_};

// Names chosen to test quoting: keywords, digits first, operators and
// look-alikes inside, quotes and backslashes, qualified names, non-ASCII.
const std::vector<std::string> raw_names{
    "x",      "Birth Rate", "land-use", "a.b",     "if",         "Not",     "mod",       "then",
    "1st",    "Ünïcödé",    "a×b",      "price$",  "x\"y",       "back\\slash", "TIME", "e",
    "e1",     "isee:foo",   "a:",       "w{c}",    "if_then_else", "σ (sigma)", "rate/2", "a[1]",
    "lan\xca\f_", "\"\"nested quotes\"\"", " \" spaced \" ",
};

// The names above that are UTF-8 text: a name holding a byte that is not
// UTF-8 is refused by the lexer (lang/names.hpp), so it cannot round-trip.
const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& n : raw_names)
        if (sim::invalid_utf8(n) == std::string::npos) out.push_back(n);
    return out;
}();

class RandomTrees {
public:
    explicit RandomTrees(unsigned seed) : rng_(seed) {}

    Expr make(int depth) {
        Expr e;
        e.root = node(e, depth);
        return e;
    }

private:
    std::mt19937 rng_;

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    double number() {
        static constexpr double fixed[] = {0, 1, 0.5, 2, 10, 1e-300, 1e300, 5e-324, 123456.789, 0.1, 3e8};
        if (pick(3) == 0) return std::uniform_real_distribution<double>(0, 1e6)(rng_);
        return fixed[pick(static_cast<int>(std::size(fixed)))];
    }

    std::string name() { return names[static_cast<std::size_t>(pick(static_cast<int>(names.size())))]; }

    NodeId subscript(Expr& e, int depth) {
        switch (pick(4)) {
            case 0: return e.wildcard();
            case 1: return e.number(number());
            case 2: return e.name(name());
            default: return node(e, depth - 1);
        }
    }

    NodeId node(Expr& e, int depth) {
        const int kind = depth <= 0 ? pick(2) : pick(7);
        switch (kind) {
            case 0: return e.number(number());
            case 1: {
                std::vector<NodeId> subs;
                if (depth > 0 && pick(4) == 0)
                    for (int i = 0, n = 1 + pick(3); i < n; ++i) subs.push_back(subscript(e, depth));
                return e.name(name(), {}, std::move(subs));
            }
            case 2: {
                NodeId a = node(e, depth - 1);
                return e.unary(unary_ops[static_cast<std::size_t>(pick(static_cast<int>(unary_ops.size())))], a);
            }
            case 3:
            case 4: {
                NodeId a = node(e, depth - 1);
                NodeId b = node(e, depth - 1);
                return e.binary(binary_ops[static_cast<std::size_t>(pick(static_cast<int>(binary_ops.size())))], a, b);
            }
            case 5: {
                std::vector<NodeId> args;
                for (int i = 0, n = pick(4); i < n; ++i) args.push_back(node(e, depth - 1));
                const auto all = builtins();
                std::string callee = pick(2) ? std::string(all[static_cast<std::size_t>(pick(static_cast<int>(all.size())))].name)
                                             : name();
                return e.call(callee, std::move(args));
            }
            default: {
                NodeId c = node(e, depth - 1);
                NodeId t = node(e, depth - 1);
                NodeId f = node(e, depth - 1);
                return e.if_(c, t, f);
            }
        }
    }
};

}  // namespace

TEST_CASE("printer: every operator inside every other, on both sides") {
    // outer(inner(a, b), c) and outer(a, inner(b, c)) for every pair of
    // binary operators, plus unary operators and IF on either side.
    auto leaf = [](Expr& e, const char* n) { return e.name(n); };
    for (Op outer : binary_ops) {
        for (Op inner : binary_ops) {
            Expr l;
            NodeId in = l.binary(inner, leaf(l, "a"), leaf(l, "b"));
            l.binary(outer, in, leaf(l, "c"));
            round_trip(l);
            Expr r;
            NodeId a = leaf(r, "a");
            NodeId in2 = r.binary(inner, leaf(r, "b"), leaf(r, "c"));
            r.binary(outer, a, in2);
            round_trip(r);
        }
        for (Op u : unary_ops) {
            Expr l;
            NodeId x = l.unary(u, leaf(l, "a"));
            l.binary(outer, x, leaf(l, "b"));
            round_trip(l);
            Expr r;
            NodeId a = leaf(r, "a");
            NodeId x2 = r.unary(u, leaf(r, "b"));
            r.binary(outer, a, x2);
            round_trip(r);
            Expr in;  // unary around a binary
            NodeId b = in.binary(outer, leaf(in, "a"), leaf(in, "b"));
            in.unary(u, b);
            round_trip(in);
        }
        Expr i;  // IF on the left and on the right
        NodeId c = i.if_(leaf(i, "c"), leaf(i, "t"), leaf(i, "f"));
        NodeId d = i.if_(leaf(i, "c"), leaf(i, "t"), leaf(i, "f"));
        i.binary(outer, c, d);
        round_trip(i);
    }
    for (Op u : unary_ops)
        for (Op v : unary_ops) {
            Expr e;
            NodeId x = e.unary(v, e.name("a"));
            e.unary(u, x);
            round_trip(e);
        }
}

TEST_CASE("printer: only the parentheses the grammar needs") {
    auto p = [](const std::string& text) { return print(parse_ok(text)); };
    CHECK(p("-2^2") == "-2 ^ 2");
    CHECK(p("(-2)^2") == "(-2) ^ 2");
    CHECK(p("2^3^2") == "2 ^ 3 ^ 2");
    CHECK(p("(2^3)^2") == "(2 ^ 3) ^ 2");
    CHECK(p("a - (b - c)") == "a - (b - c)");
    CHECK(p("(a - b) - c") == "a - b - c");
    CHECK(p("NOT a = b") == "NOT a = b");
    CHECK(p("(NOT a) = b") == "(NOT a) = b");
    CHECK(p("a AND NOT b OR c") == "a AND NOT b OR c");
    CHECK(p("1 + IF a THEN b ELSE c") == "1 + (IF a THEN b ELSE c)");
    CHECK(p("x mod y") == "x MOD y");
    CHECK(p("IF THEN ELSE(a, b, c) + Delay Fixed(x, 1, 0)") == "IF THEN ELSE(a, b, c) + DELAY FIXED(x, 1, 0)");
    CHECK(p("Birth Rate * \"land-use\"[North, *] / 1e-05") == "birth_rate * \"land-use\"[north, *] / 1e-05");
    CHECK(p("{comment} a  +  b") == "a + b");
}

TEST_CASE("printer: names are quoted exactly when the lexer would not read them back") {
    auto name = [](const std::string& raw) {
        Expr e;
        e.name(raw);
        return print(e);
    };
    CHECK(name("birth rate") == "birth_rate");
    CHECK(name("hares.population") == "hares.population");
    CHECK(name("land-use") == "\"land-use\"");
    CHECK(name("IF") == "\"if\"");
    CHECK(name("1st") == "\"1st\"");
    CHECK(name("x\"y") == "\"x\\\"y\"");
    CHECK(name("a\\b") == "\"a\\\\b\"");
    CHECK(name("a×b") == "\"a×b\"");
    CHECK(name("prix_€") == "prix_€");
    for (const auto& raw : names) {
        Expr e;
        e.name(raw);
        round_trip(e);
    }
    // Not UTF-8: printed quoted, refused when read back, naming the byte.
    Expr bad;
    bad.name("lan\xca\f_");
    std::vector<ParseError> errors;
    CHECK_FALSE(parse(print(bad), errors));
    REQUIRE_FALSE(errors.empty());
    CHECK(errors[0].message.find("not UTF-8") != std::string::npos);
}

TEST_CASE("canonical_name is idempotent (found by fuzzing the round trip)") {
    for (const auto& raw : raw_names) {
        CAPTURE(raw);
        const std::string c = sim::canonical_name(raw);
        CHECK(sim::canonical_name(c) == c);
    }
    CHECK(sim::canonical_name("lan\xca\f_") == "lan\xca");  // a form feed separates words like a space
    CHECK(sim::canonical_name("\"\"nested quotes\"\"") == "nested_quotes");
    std::vector<ParseError> errors;
    CHECK_FALSE(parse("_ + 1", errors));  // only underscores: no name can match it
    CHECK(errors.at(0).message.find("needs a character other than '_'") != std::string::npos);
}

TEST_CASE("printer: parse(print(e)) == e for random trees") {
    for (unsigned seed = 1; seed <= 4000; ++seed) {
        RandomTrees gen(seed);
        Expr e = gen.make(1 + static_cast<int>(seed % 6));
        CAPTURE(seed);
        round_trip(e);
    }
}

TEST_CASE("printer: same() compares structure, not spans or spelling") {
    Expr a = parse_ok("Birth Rate * (x + 1)");
    Expr b = parse_ok("birth_rate*(X+1)");
    CHECK(same(a, b));
    CHECK_FALSE(same(a, parse_ok("birth_rate * x + 1")));
    CHECK_FALSE(same(a, parse_ok("birth_rate * (x - 1)")));
    CHECK_FALSE(same(parse_ok("a[b]"), parse_ok("a[c]")));
    CHECK_FALSE(same(parse_ok("a[b]"), parse_ok("a")));
    CHECK_FALSE(same(parse_ok("f(1)"), parse_ok("f(1, 2)")));
    CHECK(same(Expr{}, Expr{}));
    CHECK_FALSE(same(a, Expr{}));
}
