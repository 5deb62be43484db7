// Helpers for tree passes (private to libsim): walking a tree's children
// and restoring the arena's order after a pass added nodes.
#pragma once

#include <type_traits>
#include <variant>

#include "sim/expr.hpp"

namespace sim::ast {

// Calls f(child) for each child of `n`, in source order (subscripts of a
// Name included).
template <class F>
void for_each_child(const Node& n, F&& f) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Name>) {
                for (NodeId c : x.subscripts) f(c);
            } else if constexpr (std::is_same_v<T, Unary>) {
                f(x.arg);
            } else if constexpr (std::is_same_v<T, Binary>) {
                f(x.lhs);
                f(x.rhs);
            } else if constexpr (std::is_same_v<T, Call>) {
                for (NodeId c : x.args) f(c);
            } else if constexpr (std::is_same_v<T, If>) {
                f(x.cond);
                f(x.then_);
                f(x.else_);
            }
        },
        n.v);
}

// Re-lays the arena in post-order from the root, so that children precede
// parents again after a pass appended nodes and pointed existing ones at
// them. Nodes no longer reachable are dropped; spans and text are kept.
void compact(Expr& e);

}  // namespace sim::ast
