// Expression trees (sim/expr.hpp): builders and structural equality.
#include <cmath>
#include <type_traits>
#include <variant>

#include "lang/tree.hpp"
#include "sim/expr.hpp"

namespace sim::ast {

NodeId Expr::add(Node n) {
    nodes.push_back(std::move(n));
    root = static_cast<NodeId>(nodes.size() - 1);
    return root;
}

NodeId Expr::number(double v, Span s) { return add(Node{Number{v}, s}); }

NodeId Expr::name(std::string_view written, Span s, std::vector<NodeId> subscripts) {
    return add(Node{Name{canonical_name(written), std::string(written), std::move(subscripts)}, s});
}

NodeId Expr::unary(Op op, NodeId arg, Span s) { return add(Node{Unary{op, arg}, s}); }

NodeId Expr::binary(Op op, NodeId lhs, NodeId rhs, Span s) { return add(Node{Binary{op, lhs, rhs}, s}); }

NodeId Expr::call(std::string_view written, std::vector<NodeId> args, Span s) {
    return add(Node{Call{canonical_name(written), std::string(written), std::move(args)}, s});
}

NodeId Expr::if_(NodeId cond, NodeId then_, NodeId else_, Span s) { return add(Node{If{cond, then_, else_}, s}); }

NodeId Expr::wildcard(Span s) { return add(Node{Wildcard{}, s}); }

namespace {

bool same_node(const Expr& a, NodeId i, const Expr& b, NodeId j);

bool same_list(const Expr& a, const std::vector<NodeId>& x, const Expr& b, const std::vector<NodeId>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t k = 0; k < x.size(); ++k)
        if (!same_node(a, x[k], b, y[k])) return false;
    return true;
}

bool same_node(const Expr& a, NodeId i, const Expr& b, NodeId j) {
    if (i >= a.nodes.size() || j >= b.nodes.size()) return false;
    const auto& u = a[i].v;
    const auto& v = b[j].v;
    if (u.index() != v.index()) return false;
    return std::visit(
        [&](const auto& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            const T& y = std::get<T>(v);
            if constexpr (std::is_same_v<T, Number>) {
                return x.value == y.value || (std::isnan(x.value) && std::isnan(y.value));
            } else if constexpr (std::is_same_v<T, Name>) {
                return x.canonical == y.canonical && same_list(a, x.subscripts, b, y.subscripts);
            } else if constexpr (std::is_same_v<T, Wildcard>) {
                return true;
            } else if constexpr (std::is_same_v<T, Unary>) {
                return x.op == y.op && same_node(a, x.arg, b, y.arg);
            } else if constexpr (std::is_same_v<T, Binary>) {
                return x.op == y.op && same_node(a, x.lhs, b, y.lhs) && same_node(a, x.rhs, b, y.rhs);
            } else if constexpr (std::is_same_v<T, Call>) {
                return x.canonical == y.canonical && same_list(a, x.args, b, y.args);
            } else {
                return same_node(a, x.cond, b, y.cond) && same_node(a, x.then_, b, y.then_) &&
                       same_node(a, x.else_, b, y.else_);
            }
        },
        u);
}

}  // namespace

void compact(Expr& e) {
    if (e.empty()) return;
    Expr out;
    out.nodes.reserve(e.nodes.size());
    auto copy = [&](auto& self, NodeId id) -> NodeId {
        Node n = e.nodes[id];
        auto remap = [&](NodeId& c) { c = self(self, c); };
        std::visit(
            [&](auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, Name>) {
                    for (NodeId& c : x.subscripts) remap(c);
                } else if constexpr (std::is_same_v<T, Unary>) {
                    remap(x.arg);
                } else if constexpr (std::is_same_v<T, Binary>) {
                    remap(x.lhs);
                    remap(x.rhs);
                } else if constexpr (std::is_same_v<T, Call>) {
                    for (NodeId& c : x.args) remap(c);
                } else if constexpr (std::is_same_v<T, If>) {
                    remap(x.cond);
                    remap(x.then_);
                    remap(x.else_);
                }
            },
            n.v);
        return out.add(std::move(n));
    };
    copy(copy, e.root);
    e = std::move(out);
}

bool same(const Expr& a, const Expr& b) {
    if (a.empty() || b.empty()) return a.empty() && b.empty();
    return same_node(a, a.root, b, b.root);
}

}  // namespace sim::ast
