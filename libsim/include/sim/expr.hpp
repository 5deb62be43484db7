// Equations as expression trees: an arena of nodes, children before parents,
// each node with the span of equation text it stands for. Loaders and the
// builder API parse every equation once into this form (sim::Equation holds
// the tree beside its text); tree passes (levers, XMILE modules and arrays,
// overrides) rename and substitute nodes, never text; the compiler resolves
// the trees.
//
//   std::vector<sim::ast::ParseError> errors;
//   if (auto e = sim::ast::parse("births - deaths[adult]", errors))
//       std::string s = sim::ast::print(*e);  // "births - deaths[adult]"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim {

// Canonical form of a name: case-folded (ASCII), runs of whitespace and
// underscores -> '_', surrounding quotes and whitespace removed. Names
// compare equal iff their canonical forms are equal; canonical_name of a
// canonical form is itself.
std::string canonical_name(std::string_view name);

namespace ast {

using NodeId = std::uint32_t;

enum class Op : std::uint8_t {
    add, sub, mul, div, pow, mod,  // binary arithmetic (`mod` only if written as an operator)
    neg, pos, not_,                // unary
    eq, ne, lt, le, gt, ge,        // comparisons (1 or 0)
    and_, or_                      // logical (non-zero is true)
};

// Where a node came from: byte offsets [begin, end) into the text of the
// sim::Equation that holds the tree (Equation::at maps an offset to
// file:line:col). A pass that renames a node keeps its span; a node a pass
// synthesises takes the span of the construct it came from, and a tree built
// without any text (a lever's L_lever, an override) has {0, 0}: the
// position of the equation itself, i.e. of the declaration that generated it.
struct Span {
    std::uint32_t begin = 0, end = 0;
};

struct Number {
    double value = 0;  // finite, >= 0 from the parser (a minus sign is a Unary)
};

// A variable reference, possibly subscripted: `a[b, c]` is a Name with two
// subscript children. A subscript is an element or dimension name (a Name),
// a position (a Number), an expression, or `*` (a Wildcard).
struct Name {
    std::string canonical;           // identity: canonical_name(text), or as renamed by a pass
    std::string text;                // as written, unquoted, without subscripts (for messages)
    std::vector<NodeId> subscripts;  // empty for a plain name
};

struct Wildcard {};  // `*` as a subscript: every element

struct Unary {
    Op op;
    NodeId arg;
};

struct Binary {
    Op op;
    NodeId lhs, rhs;
};

// A function call: a builtin (SMTH1, MAX, ...) or a graphical function by name.
struct Call {
    std::string canonical;  // of the callee ("if_then_else" for IF THEN ELSE(...))
    std::string text;       // as written
    std::vector<NodeId> args;
};

struct If {
    NodeId cond, then_, else_;
};

struct Node {
    std::variant<Number, Name, Wildcard, Unary, Binary, Call, If> v;
    Span span;
};

// One equation's tree. Invariant: a node's children have smaller ids than
// the node (one pass in index order sees children first); `root` is the last
// node a parser or builder adds.
struct Expr {
    std::vector<Node> nodes;
    NodeId root = 0;

    bool empty() const { return nodes.empty(); }
    const Node& operator[](NodeId i) const { return nodes[i]; }
    Node& operator[](NodeId i) { return nodes[i]; }

    // Builders: each appends one node (whose children must already be in
    // the arena) and makes it the root.
    NodeId add(Node n);
    NodeId number(double v, Span s = {});
    NodeId name(std::string_view written, Span s = {}, std::vector<NodeId> subscripts = {});
    NodeId unary(Op op, NodeId arg, Span s = {});
    NodeId binary(Op op, NodeId lhs, NodeId rhs, Span s = {});
    NodeId call(std::string_view written, std::vector<NodeId> args, Span s = {});
    NodeId if_(NodeId cond, NodeId then_, NodeId else_, Span s = {});
    NodeId wildcard(Span s = {});
};

// Structural equality from the roots: node kinds, operators, numbers (by
// value), canonical names, subscripts and arguments. Spans, `text` and the
// arena layout are ignored.
bool same(const Expr& a, const Expr& b);

struct ParseError {
    std::size_t offset;  // byte offset in the equation text
    std::string message;
};

// Nesting deeper than this is a parse error (no stack overflow on hostile input).
inline constexpr int max_depth = 200;
// A tree deeper than this (e.g. a chain of 3000 '+') is a parse error too:
// later stages walk trees recursively.
inline constexpr int max_tree_depth = 2000;

// Vensim's :NA: ("not available"), as Vensim stores it.
inline constexpr double vensim_na = -1.298074214633707e33;

// The equation syntax: XMILE/Stella (YAML models too), or Vensim's .mdl
// dialect (no word keywords, :AND:/:OR:/:NOT:/:NA:, `d!` subscripts).
enum class Dialect : std::uint8_t { xmile, vensim };

// Parses one equation (XMILE/Stella syntax, Vensim-style multi-word names).
// On failure returns nullopt and appends the first error.
std::optional<Expr> parse(std::string_view text, std::vector<ParseError>& errors);
std::optional<Expr> parse(std::string_view text, std::vector<ParseError>& errors, Dialect dialect);

// Equation text for a tree, with canonical names (quoted where the lexer
// would not read them back as one name), builtins by their display names and
// only the parentheses the grammar needs. For finite non-negative numbers
// (all the parser produces), same(parse(print(e)), e) holds.
std::string print(const Expr& e);
std::string print(const Expr& e, NodeId node);

}  // namespace ast
}  // namespace sim
