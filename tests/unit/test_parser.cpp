// Equation parser: precedence (checked by evaluating), names, spans, errors, limits.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "sim/expr.hpp"

using namespace sim::ast;

namespace {

// Evaluates numbers and operators only; names and calls (and a child that
// does not precede its parent) make it fail. Children precede parents, so one
// pass in index order suffices (no recursion, which matters for the 1 MB chain).
std::optional<double> evaluate(const Expr& e) {
    std::vector<double> v(e.nodes.size());
    for (std::size_t i = 0; i < e.nodes.size(); ++i) {
        const Node& n = e.nodes[i];
        if (auto num = std::get_if<Number>(&n.v)) {
            v[i] = num->value;
        } else if (auto u = std::get_if<Unary>(&n.v)) {
            if (u->arg >= i) return std::nullopt;
            double a = v[u->arg];
            switch (u->op) {
                case Op::neg: v[i] = -a; break;
                case Op::pos: v[i] = a; break;
                case Op::not_: v[i] = a == 0 ? 1 : 0; break;
                default: return std::nullopt;
            }
        } else if (auto b = std::get_if<Binary>(&n.v)) {
            if (b->lhs >= i || b->rhs >= i) return std::nullopt;
            double x = v[b->lhs], y = v[b->rhs];
            switch (b->op) {
                case Op::add: v[i] = x + y; break;
                case Op::sub: v[i] = x - y; break;
                case Op::mul: v[i] = x * y; break;
                case Op::div: v[i] = x / y; break;
                case Op::pow: v[i] = std::pow(x, y); break;
                case Op::mod: v[i] = std::fmod(x, y); break;
                case Op::eq: v[i] = x == y; break;
                case Op::ne: v[i] = x != y; break;
                case Op::lt: v[i] = x < y; break;
                case Op::le: v[i] = x <= y; break;
                case Op::gt: v[i] = x > y; break;
                case Op::ge: v[i] = x >= y; break;
                case Op::and_: v[i] = (x != 0 && y != 0); break;
                case Op::or_: v[i] = (x != 0 || y != 0); break;
                default: return std::nullopt;
            }
        } else if (auto f = std::get_if<If>(&n.v)) {
            if (f->cond >= i || f->then_ >= i || f->else_ >= i) return std::nullopt;
            v[i] = v[f->cond] != 0 ? v[f->then_] : v[f->else_];
        } else {
            return std::nullopt;  // Name or Call
        }
    }
    if (e.root >= e.nodes.size()) return std::nullopt;
    return v[e.root];
}

Expr parse_ok(const std::string& text) {
    std::vector<ParseError> errors;
    auto e = parse(text, errors);
    INFO("equation: ", text, (errors.empty() ? std::string() : " error: " + errors[0].message));
    REQUIRE(e.has_value());
    CHECK(errors.empty());
    return std::move(*e);
}

double eval(const std::string& text) {
    auto v = evaluate(parse_ok(text));
    INFO("equation: ", text);
    REQUIRE(v.has_value());
    return *v;
}

ParseError parse_err(const std::string& text) {
    std::vector<ParseError> errors;
    auto e = parse(text, errors);
    INFO("equation: ", text);
    REQUIRE_FALSE(e.has_value());
    REQUIRE(!errors.empty());
    return errors[0];
}

const Node& root(const Expr& e) { return e.nodes[e.root]; }

template <class T>
const T& root_as(const Expr& e) {
    const T* p = std::get_if<T>(&root(e).v);
    REQUIRE(p != nullptr);
    return *p;
}

std::string canonical_of(const std::string& text) { return root_as<Name>(parse_ok(text)).canonical; }

}  // namespace

TEST_CASE("parser: numbers") {
    CHECK(eval("1") == 1.0);
    CHECK(eval(".5") == 0.5);
    CHECK(eval("0.25") == 0.25);
    CHECK(eval("1e-3") == 0.001);
    CHECK(eval("1.5E+3") == 1500.0);
    CHECK(eval("2e3") == 2000.0);
    CHECK(eval("007.5") == 7.5);
    CHECK(eval("5.") == 5.0);
    CHECK(eval("1e-400") == 0.0);  // underflow rounds, it is not an error
    auto err = parse_err("1e999");
    CHECK(err.offset == 0);
    CHECK(err.message.find("too large") != std::string::npos);
}

TEST_CASE("parser: arithmetic precedence and associativity") {
    CHECK(eval("-2^2") == -4.0);
    CHECK(eval("4-5+6") == 5.0);
    CHECK(eval("2^3^2") == 512.0);
    CHECK(eval("2^-1") == 0.5);
    CHECK(eval("-(2)^2") == -4.0);
    CHECK(eval("(-2)^2") == 4.0);
    CHECK(eval("2*3+4*5") == 26.0);
    CHECK(eval("2+3*4") == 14.0);
    CHECK(eval("24/4/2") == 3.0);
    CHECK(eval("2*-3") == -6.0);
    CHECK(eval("1 - -1") == 2.0);
    CHECK(eval("--2") == 2.0);
    CHECK(eval("+3") == 3.0);
    CHECK(eval("(1+2)*3") == 9.0);
    CHECK(eval("7 MOD 3 * 2") == 2.0);  // same level as '*', left-assoc
    CHECK(eval("1 + 7 mod 4") == 4.0);
    CHECK(eval("2^-1^2") == 0.5);       // 2^(-(1^2))
    CHECK(eval(" \t1\r\n+\n2 ") == 3.0);
    CHECK(eval("1 {a comment} + {another} 2") == 3.0);
}

TEST_CASE("parser: comparisons") {
    CHECK(eval("1 < 2") == 1.0);
    CHECK(eval("2 < 1") == 0.0);
    CHECK(eval("2 <= 2") == 1.0);
    CHECK(eval("3 > 2") == 1.0);
    CHECK(eval("2 >= 3") == 0.0);
    CHECK(eval("2 = 2") == 1.0);
    CHECK(eval("2 == 2") == 1.0);
    CHECK(eval("2 <> 2") == 0.0);
    CHECK(eval("2 != 3") == 1.0);
    CHECK(eval("1 + 1 = 2") == 1.0);     // arithmetic binds tighter
    CHECK(eval("3 > 2 > 1") == 0.0);     // left-assoc: (3>2)>1 = 1>1
    CHECK(eval("1 < 2 = 1") == 1.0);
}

TEST_CASE("parser: logical operators and IF truth tables") {
    for (int a = 0; a <= 1; ++a) {
        for (int b = 0; b <= 1; ++b) {
            std::string A = std::to_string(a), B = std::to_string(b);
            INFO("a=", a, " b=", b);
            CHECK(eval(A + " AND " + B) == double(a && b));
            CHECK(eval(A + " and " + B) == double(a && b));
            CHECK(eval(A + " OR " + B) == double(a || b));
            CHECK(eval(A + " Or " + B) == double(a || b));
            CHECK(eval(A + " :AND: " + B) == double(a && b));
            CHECK(eval("IF " + A + " THEN 10 ELSE 20") == (a ? 10.0 : 20.0));
            CHECK(eval("if " + A + " then " + B + " else 7") == (a ? double(b) : 7.0));
        }
        CHECK(eval("NOT " + std::to_string(a)) == double(!a));
        CHECK(eval("not " + std::to_string(a)) == double(!a));
    }
    CHECK(eval("5 AND 0.5") == 1.0);  // non-zero is true
    // AND binds tighter than OR.
    CHECK(eval("1 OR 0 AND 0") == 1.0);
    CHECK(eval("0 AND 0 OR 1") == 1.0);
    // NOT binds looser than comparison: NOT (1 = 2) is 1, (NOT 1) = 2 would be 0.
    CHECK(eval("NOT 1 = 2") == 1.0);
    CHECK(eval("NOT 2 = 2") == 0.0);
    CHECK(eval("NOT 0 AND 0") == 0.0);  // (NOT 0) AND 0
    CHECK(eval("1 AND NOT 0") == 1.0);
    CHECK(eval("NOT NOT 3") == 1.0);
    // Nested IF, and the ELSE branch extends as far as possible.
    CHECK(eval("IF 0 THEN 1 ELSE IF 1 THEN 2 ELSE 3") == 2.0);
    CHECK(eval("IF IF 1 THEN 0 ELSE 1 THEN 5 ELSE 6") == 6.0);
    CHECK(eval("IF 0 THEN 1 ELSE 2 + 3") == 5.0);
    CHECK(eval("1 + IF 1 THEN 2 ELSE 3") == 3.0);
    CHECK(eval("(IF 1 > 2 OR 3 > 2 THEN 4 ELSE 5) * 2") == 8.0);
    CHECK(root_as<If>(parse_ok("IF a THEN b ELSE c")).cond == 0);
}

TEST_CASE("parser: names are canonical") {
    CHECK(canonical_of("x") == "x");
    CHECK(canonical_of("Birth Rate") == "birth_rate");
    CHECK(canonical_of("birth_rate") == "birth_rate");
    CHECK(canonical_of("birth   __ rate") == "birth_rate");
    CHECK(canonical_of("\"Birth Rate (per year) + extra\"") == "birth_rate_(per_year)_+_extra");
    CHECK(canonical_of("\"say \\\"hi\\\"\"") == "say_\"hi\"");
    CHECK(canonical_of("hares.Population") == "hares.population");
    CHECK(canonical_of("a[B, c d]") == "a");  // subscripts are children (next test case)
    CHECK(canonical_of("prix_€") == "prix_€");
    CHECK(canonical_of("TIME") == "time");

    auto e = parse_ok("\"Birth Rate\"");
    CHECK(root_as<Name>(e).text == "Birth Rate");
    CHECK(root(e).span.begin == 0);
    CHECK(root(e).span.end == 12);

    // Multi-word names are one operand; keywords split them.
    auto m = parse_ok("birth rate * population");
    const auto& mul = root_as<Binary>(m);
    CHECK(mul.op == Op::mul);
    auto lhs = std::get<Name>(m.nodes[mul.lhs].v);
    CHECK(lhs.canonical == "birth_rate");
    CHECK(lhs.text == "birth rate");
    CHECK(m.nodes[mul.lhs].span.begin == 0);
    CHECK(m.nodes[mul.lhs].span.end == 10);

    auto l = parse_ok("a b AND c d");
    const auto& and_ = root_as<Binary>(l);
    CHECK(and_.op == Op::and_);
    CHECK(std::get<Name>(l.nodes[and_.lhs].v).canonical == "a_b");
    CHECK(std::get<Name>(l.nodes[and_.rhs].v).canonical == "c_d");

    auto md = parse_ok("x mod y");
    CHECK(root_as<Binary>(md).op == Op::mod);
}

TEST_CASE("parser: subscripts are child expressions of the name") {
    auto e = parse_ok("Stock A [Region_1, Young]");
    const auto& n = root_as<Name>(e);
    CHECK(n.canonical == "stock_a");
    CHECK(n.text == "Stock A");
    REQUIRE(n.subscripts.size() == 2);
    CHECK(std::get<Name>(e[n.subscripts[0]].v).canonical == "region_1");
    CHECK(std::get<Name>(e[n.subscripts[1]].v).canonical == "young");
    CHECK(e[n.subscripts[1]].span.begin == 19);  // "Young"
    CHECK(root(e).span.end == 25);               // the reference includes its ']'

    auto q = parse_ok("\"my stock\"[North] * 2");
    const auto& m = std::get<Name>(q[root_as<Binary>(q).lhs].v);
    CHECK(m.canonical == "my_stock");
    CHECK(std::get<Name>(q[m.subscripts[0]].v).canonical == "north");

    // A position, an expression, a wildcard.
    auto p = parse_ok("a[2, i + 1, *]");
    const auto& s = root_as<Name>(p);
    REQUIRE(s.subscripts.size() == 3);
    CHECK(std::get<Number>(p[s.subscripts[0]].v).value == 2);
    CHECK(std::get<Binary>(p[s.subscripts[1]].v).op == Op::add);
    CHECK(std::holds_alternative<Wildcard>(p[s.subscripts[2]].v));
    CHECK(p[s.subscripts[2]].span.begin == 12);
    // `*` is multiplication everywhere else, also inside a subscript expression.
    auto t = parse_ok("a[2 * i]");
    CHECK(std::get<Binary>(t[root_as<Name>(t).subscripts[0]].v).op == Op::mul);

    // Children precede the name.
    for (auto c : s.subscripts) CHECK(c < p.root);

    CHECK(parse_err("a[]").message.find("empty subscript") != std::string::npos);
    CHECK(parse_err("a[b,]").offset == 4);
    CHECK(parse_err("a[b +").message.find("the equation ends inside the '[' opened at column 2") !=
          std::string::npos);
    CHECK(parse_err("a[b) + 1").message.find("expected ',' or ']'") != std::string::npos);
    CHECK(parse_err("[b]").message.find("subscripts follow a variable name") != std::string::npos);
    CHECK(parse_err("a[b](x)").message.find("only a graphical function without subscripts") != std::string::npos);
}

TEST_CASE("parser: a namespace-qualified name is one word (XMILE vendor functions)") {
    auto e = parse_ok("isee:foo(1) + 2");
    CHECK(std::get<Call>(e[root_as<Binary>(e).lhs].v).canonical == "isee:foo");
    // Vensim's :AND: is still an operator.
    CHECK(root_as<Binary>(parse_ok("a:AND:b")).op == Op::and_);
    CHECK(root_as<Binary>(parse_ok("a :OR: b")).op == Op::or_);
}

TEST_CASE("parser: calls") {
    auto e = parse_ok("MAX(a, b + 1)");
    const auto& c = root_as<Call>(e);
    CHECK(c.canonical == "max");
    CHECK(c.text == "MAX");
    REQUIRE(c.args.size() == 2);
    CHECK(std::get<Name>(e.nodes[c.args[0]].v).canonical == "a");
    CHECK(std::get<Binary>(e.nodes[c.args[1]].v).op == Op::add);
    CHECK(root(e).span.begin == 0);
    CHECK(root(e).span.end == 13);

    CHECK(root_as<Call>(parse_ok("PI()")).args.empty());
    CHECK(std::holds_alternative<Name>(root(parse_ok("PI")).v));
    CHECK(root_as<Call>(parse_ok("\"my table\"(x)")).canonical == "my_table");
    CHECK(root_as<Call>(parse_ok("Effect Of Density (x / 2)")).canonical == "effect_of_density");
    CHECK(root_as<Call>(parse_ok("SMTH1(input, 3, 0)")).args.size() == 3);
    CHECK(root_as<Call>(parse_ok("MOD(7, 3)")).canonical == "mod");

    auto v = parse_ok("IF THEN ELSE(a > 1, 2, 3)");  // Vensim spelling
    CHECK(root_as<Call>(v).canonical == "if_then_else");
    CHECK(root_as<Call>(v).args.size() == 3);

    auto n = parse_ok("f(g(h(1)), -2)");
    CHECK(root_as<Call>(n).canonical == "f");
    CHECK(std::get<Call>(n.nodes[root_as<Call>(n).args[0]].v).canonical == "g");
}

TEST_CASE("parser: node offsets") {
    auto e = parse_ok("a + x");
    const auto& add = root_as<Binary>(e);
    CHECK(e.nodes[add.lhs].span.begin == 0);
    CHECK(e.nodes[add.lhs].span.end == 1);
    CHECK(e.nodes[add.rhs].span.begin == 4);
    CHECK(e.nodes[add.rhs].span.end == 5);
    CHECK(root(e).span.begin == 0);
    CHECK(root(e).span.end == 5);

    // Parentheses belong to the node they enclose.
    auto p = parse_ok(" (a + b) * c ");
    CHECK(root(p).span.begin == 1);
    CHECK(root(p).span.end == 12);
    const auto& mul = root_as<Binary>(p);
    CHECK(p.nodes[mul.lhs].span.begin == 1);
    CHECK(p.nodes[mul.lhs].span.end == 8);

    auto u = parse_ok("x * -y^2");
    const auto& m2 = root_as<Binary>(u);
    CHECK(u.nodes[m2.rhs].span.begin == 4);  // the '-'
    CHECK(u.nodes[m2.rhs].span.end == 8);

    auto i = parse_ok("IF a THEN b ELSE cc");
    CHECK(root(i).span.begin == 0);
    CHECK(root(i).span.end == 19);
    // Every child precedes its parent.
    auto big = parse_ok("IF a > MAX(b, -c^2) THEN NOT d ELSE (e MOD f)");
    for (std::size_t k = 0; k < big.nodes.size(); ++k) {
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, Unary>) CHECK(n.arg < k);
                if constexpr (std::is_same_v<T, Binary>) { CHECK(n.lhs < k); CHECK(n.rhs < k); }
                if constexpr (std::is_same_v<T, Call>) for (auto a : n.args) CHECK(a < k);
                if constexpr (std::is_same_v<T, Name>) for (auto a : n.subscripts) CHECK(a < k);
                if constexpr (std::is_same_v<T, If>) { CHECK(n.cond < k); CHECK(n.then_ < k); CHECK(n.else_ < k); }
            },
            big.nodes[k].v);
    }
    CHECK(big.root == big.nodes.size() - 1);
}

TEST_CASE("parser: operator look-alikes are errors, not parts of names") {
    // "a × 3": the multiplication sign (U+00D7, two bytes) is at offset 2.
    auto e = parse_err("a \xC3\x97 3");
    CHECK(e.offset == 2);
    CHECK(e.message.find("write '*'") != std::string::npos);
    auto e2 = parse_err("price\xE2\x88\x92" "cost");  // U+2212 minus sign right after a name
    CHECK(e2.offset == 5);
    CHECK(e2.message.find("write '-'") != std::string::npos);
    CHECK(parse_err("a \xE2\x89\xA4 b").message.find("write '<='") != std::string::npos);
    // Other non-ASCII text still makes names.
    CHECK(parse_ok("\xC3\xA9t\xC3\xA9 + 1").nodes.size() == 3);
}

TEST_CASE("parser: errors carry offsets and say what to do") {
    auto e1 = parse_err("a + * b");
    CHECK(e1.offset == 4);
    CHECK(e1.message.find("'*'") != std::string::npos);

    auto e2 = parse_err("(a + b");
    CHECK(e2.offset == 6);
    CHECK(e2.message.find("expected ')' to close the '(' opened at column 1") != std::string::npos);

    // `a b` is one name, so this is an unclosed call to a_b.
    auto e3 = parse_err("a b (");
    CHECK(e3.offset == 5);
    CHECK(e3.message.find("'(' opened at column 5") != std::string::npos);

    auto e4 = parse_err("");
    CHECK(e4.offset == 0);
    CHECK(e4.message.find("empty equation") != std::string::npos);
    CHECK(parse_err("  { only a comment } ").message.find("empty equation") != std::string::npos);

    auto e5 = parse_err("a + b)");
    CHECK(e5.offset == 5);
    CHECK(e5.message.find("unmatched ')'") != std::string::npos);

    auto e6 = parse_err("a + 2 3");
    CHECK(e6.offset == 6);
    CHECK(e6.message.find("add an operator") != std::string::npos);

    auto e7 = parse_err("x + \"unterminated name");
    CHECK(e7.offset == 4);
    CHECK(e7.message.find("unterminated quoted name") != std::string::npos);

    auto e8 = parse_err("IF a THEN b");
    CHECK(e8.offset == 11);
    CHECK(e8.message.find("expected ELSE") != std::string::npos);

    auto e9 = parse_err("IF a b ELSE c");  // `a b` is one name; THEN is missing
    CHECK(e9.offset == 7);
    CHECK(e9.message.find("expected THEN") != std::string::npos);

    auto e10 = parse_err("f(a b c");
    CHECK(e10.offset == 7);
    CHECK(e10.message.find("expected ',' or ')'") != std::string::npos);

    auto e11 = parse_err("a # b");
    CHECK(e11.offset == 2);
    CHECK(e11.message.find("'#'") != std::string::npos);

    auto e12 = parse_err("1 + {open comment");
    CHECK(e12.offset == 4);
    CHECK(e12.message.find("unterminated comment") != std::string::npos);

    auto e13 = parse_err("a[b");
    CHECK(e13.offset == 3);
    CHECK(e13.message.find("']'") != std::string::npos);

    auto e14 = parse_err("()");
    CHECK(e14.offset == 1);

    auto e15 = parse_err("1 +");
    CHECK(e15.offset == 3);

    auto e16 = parse_err("f(1,)");
    CHECK(e16.offset == 4);

    // Multi-line equations report line and column of the opener.
    auto e17 = parse_err("1 +\n  (2 * 3");
    CHECK(e17.offset == 12);
    CHECK(e17.message.find("line 2, column 3") != std::string::npos);
}

TEST_CASE("parser: nesting depth limit") {
    auto nested = [](int n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
    CHECK(eval(nested(max_depth)) == 1.0);

    auto over = parse_err(nested(max_depth + 1));
    CHECK(over.offset == static_cast<std::size_t>(max_depth));  // the first '(' too deep
    CHECK(over.message.find("nested more than") != std::string::npos);

    // Hostile inputs: an error, not a stack overflow.
    CHECK(parse_err(nested(10000)).message.find("nested more than") != std::string::npos);
    CHECK(parse_err(std::string(10000, '(')).message.find("nested more than") != std::string::npos);
    CHECK(parse_err(std::string(100000, '-') + "1").message.find("nested more than") != std::string::npos);
    std::string pow = "2";
    for (int i = 0; i < 10000; ++i) pow += "^2";
    CHECK(parse_err(pow).message.find("nested more than") != std::string::npos);
    std::string ifs;
    for (int i = 0; i < 10000; ++i) ifs += "IF 1 THEN ";
    CHECK(parse_err(ifs + "1").message.find("nested more than") != std::string::npos);
    std::string calls;
    for (int i = 0; i < 10000; ++i) calls += "f(";
    CHECK(parse_err(calls + "1").message.find("nested more than") != std::string::npos);
    std::string nots;
    for (int i = 0; i < 10000; ++i) nots += "NOT ";
    CHECK(parse_err(nots + "1").message.find("nested more than") != std::string::npos);
}

TEST_CASE("parser: a 1 MB equation is refused without recursion") {
    // Chains are parsed by loops, but the tree of a 1 MB chain is 500,000
    // levels deep and later stages walk trees recursively: the parser
    // refuses trees deeper than ast::max_tree_depth (no stack overflow).
    std::string big = "1";
    while (big.size() < (1u << 20)) big += "+1";
    std::vector<ParseError> errs;
    CHECK(!parse(big, errs).has_value());
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].message.find("more than 2000 operations deep") != std::string::npos);

    // Below the limit a long chain neither loses terms nor recurses.
    std::string chain = "1";
    while (chain.size() < 2 * 1999) chain += "+1";
    const double terms = static_cast<double>((chain.size() + 1) / 2);
    auto e = parse_ok(chain);
    CHECK(e.nodes.size() == static_cast<std::size_t>(2 * terms - 1));
    CHECK(evaluate(e) == terms);
    CHECK(root(e).span.end == chain.size());

    // Alternating precedence levels, and a long name (not a tree at all).
    std::string mixed = "2";
    while (mixed.size() < 3000) mixed += "*1-1+1";
    CHECK(evaluate(parse_ok(mixed)) == 2.0);
    std::string words = "w";
    while (words.size() < (1u << 18)) words += " w";
    CHECK(root_as<Name>(parse_ok(words)).canonical.size() == words.size());
}
