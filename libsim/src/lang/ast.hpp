// Expression trees for equations: an arena of nodes with source offsets.
// Produced by the parser (parser.cpp), consumed by the compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim::ast {

using NodeId = std::uint32_t;

enum class Op : std::uint8_t {
    add, sub, mul, div, pow, mod,  // binary arithmetic (`mod` only if written as an operator)
    neg, pos, not_,                // unary
    eq, ne, lt, le, gt, ge,        // comparisons (1 or 0)
    and_, or_                      // logical (non-zero is true)
};

struct Number { double value; };

// A variable reference. `canonical` is sim::canonical_name of what was written;
// a subscripted reference `a[b, c]` has canonical "a[b,c]" (each part canonical).
struct Name {
    std::string canonical;
    std::string text;  // as written (without surrounding quotes)
};

struct Unary { Op op; NodeId arg; };
struct Binary { Op op; NodeId lhs, rhs; };

// A function call: a builtin (SMTH1, MAX, ...) or a graphical function by name.
// `canonical` is the canonical name of the callee.
struct Call {
    std::string canonical;
    std::string text;
    std::vector<NodeId> args;
};

struct If { NodeId cond, then_, else_; };

struct Node {
    std::variant<Number, Name, Unary, Binary, Call, If> v;
    std::uint32_t begin = 0;  // byte offset of the node's first character in the equation text
    std::uint32_t end = 0;    // one past its last character
};

struct Expr {
    std::vector<Node> nodes;  // children precede parents
    NodeId root = 0;
    const Node& operator[](NodeId i) const { return nodes[i]; }
};

struct ParseError {
    std::size_t offset;  // byte offset in the equation text
    std::string message;
};

// Nesting deeper than this is a parse error (no stack overflow on hostile input).
inline constexpr int max_depth = 200;
// A tree deeper than this (e.g. a chain of 3000 '+') is a parse error too:
// the compiler walks trees recursively.
inline constexpr int max_tree_depth = 2000;

// Parses one equation. On failure returns nullopt with at least one error.
std::optional<Expr> parse(std::string_view text, std::vector<ParseError>& errors);

}  // namespace sim::ast
