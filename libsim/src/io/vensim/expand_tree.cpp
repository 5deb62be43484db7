// The Vensim reader's tree pass (expand_detail.hpp), the copy of an
// equation's tree for one element of its variable: names (TIME STEP and
// the other time settings, elements and dimensions used as values, a
// macro's inputs and locals) and subscripts, each bound to an element
// (directly, through a subrange or superrange, through a mapping, or as
// the element of a `d!` being unrolled). Calls are in expand_calls.cpp.
#include <algorithm>
#include <cmath>

#include "io/vensim/expand_detail.hpp"
#include "lang/tree.hpp"

namespace sim::vensim::detail {

// `eq` with its tree rebuilt for the element in `c`.
Equation Expander::rebuilt(const Equation& eq, Ctx& c) {
    Equation out;
    out.text = eq.text;
    out.loc = eq.loc;
    out.lines_from_col1 = eq.lines_from_col1;
    out.error = eq.error;
    if (eq.tree.empty()) return out;
    c.eq = &eq;
    NodeId root = copy(eq.tree, eq.tree.root, out.tree, c);
    too_many_nodes(c, eq.tree[eq.tree.root].span);  // a graft over the limit left a placeholder
    if (!c.failed) {
        // Unrolled array functions and macro arguments grow trees: their
        // size is bounded in copy() (Limits::operations), their depth here
        // (later stages recurse).
        std::vector<std::uint32_t> depth(out.tree.nodes.size(), 1);
        std::uint32_t deepest = 0;
        for (NodeId i = 0; i < out.tree.nodes.size(); ++i) {
            ast::for_each_child(out.tree[i], [&](NodeId k) { depth[i] = std::max(depth[i], depth[k] + 1); });
            deepest = std::max(deepest, depth[i]);
        }
        if (deepest > static_cast<std::uint32_t>(ast::max_tree_depth)) {
            error(sim::Code::E_VENSIM_SUBSCRIPT, c, out.tree[root].span,
                  "the expanded equation is more than " + std::to_string(ast::max_tree_depth) + " operations deep");
            c.failed = true;
        }
    }
    if (c.failed) {
        out.tree = {};
        out.error.reset();
        return out;
    }
    out.tree.root = root;
    return out;
}

// --- the tree pass
// Every node made counts against Limits::operations, kept or not: a macro
// passing its argument on twice (F = F(x+x)) doubles it at each level, in
// arenas of its own. Sets c.failed (once reported) when over.
bool Expander::too_many_nodes(Ctx& c, ast::Span span) {
    if (made_ <= limits_.operations) return false;
    if (!c.failed && !operations_reported_)  // once: the enclosing macro calls fail with it
        error(sim::Code::E_LIMIT, c, span,
              "the model's equations expand (macros, array functions) to too many operations" +
                  limit_hint(limits_.operations, "--max-operations"));
    operations_reported_ = true;
    c.failed = true;
    return true;
}

// Counts `k` nodes made; false (and c.failed) once over the limit.
bool Expander::made(Ctx& c, std::size_t k, ast::Span span) {
    made_ += k;
    return !too_many_nodes(c, span);
}

NodeId Expander::number(ast::Expr& out, double v, ast::Span s) {
    NodeId n = out.number(std::abs(v), s);
    return v < 0 ? out.unary(ast::Op::neg, n, s) : n;
}

// Copies node `id` of `src` (and its subtree) into `out` for context `c`.
NodeId Expander::copy(const ast::Expr& src, NodeId id, ast::Expr& out, Ctx& c) {
    if (c.failed) return 0;
    if (!made(c, 1, src[id].span)) return 0;
    const ast::Node& n = src[id];
    return std::visit(
        [&](const auto& x) -> NodeId {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::Number>) {
                return out.number(x.value, n.span);
            } else if constexpr (std::is_same_v<T, ast::Wildcard>) {
                return out.wildcard(n.span);
            } else if constexpr (std::is_same_v<T, ast::Name>) {
                return name(src, n, x, out, c);
            } else if constexpr (std::is_same_v<T, ast::Unary>) {
                NodeId a = copy(src, x.arg, out, c);
                return out.unary(x.op, a, n.span);
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                NodeId a = copy(src, x.lhs, out, c);
                NodeId b = copy(src, x.rhs, out, c);
                return out.binary(x.op, a, b, n.span);
            } else if constexpr (std::is_same_v<T, ast::If>) {
                NodeId a = copy(src, x.cond, out, c);
                NodeId b = copy(src, x.then_, out, c);
                NodeId e = copy(src, x.else_, out, c);
                return out.if_(a, b, e, n.span);
            } else {
                return call(src, n, x, out, c);
            }
        },
        n.v);
}

// The element a dimension subscript `d` stands for in context `c`.
std::optional<std::string> Expander::bind(const std::string& d, const Ctx& c) const {
    if (auto it = c.bang.find(d); it != c.bang.end() && !c.bang_only.count(d)) return it->second;
    const auto& lhs = *c.lhs;
    for (std::size_t j = 0; j < lhs.size(); ++j)
        if (lhs[j] == d) return c.elems[j];
    auto dit = m_.dims.find(d);
    if (dit == m_.dims.end()) return std::nullopt;
    const Dim& D = dit->second;
    // A mapping between a dimension on the left and `d` comes first; then
    // an element of `d` bound on the left (`d` a subrange or superrange).
    for (std::size_t j = 0; j < lhs.size(); ++j) {
        auto lit = m_.dims.find(lhs[j]);
        if (lit == m_.dims.end()) continue;
        const Dim& L = lit->second;
        const bool mapped = std::find(L.maps_to.begin(), L.maps_to.end(), d) != L.maps_to.end() ||
                            std::find(D.maps_to.begin(), D.maps_to.end(), lhs[j]) != D.maps_to.end();
        if (!mapped) continue;
        auto pos = std::find(L.elems.begin(), L.elems.end(), c.elems[j]);
        auto i = static_cast<std::size_t>(pos - L.elems.begin());
        if (pos != L.elems.end() && i < D.elems.size()) return D.elems[i];
    }
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t j = 0; j < lhs.size(); ++j)
            if ((pass == 0) == is_dim(lhs[j]) && contains(D, c.elems[j])) return c.elems[j];
    return std::nullopt;
}

NodeId Expander::name(const ast::Expr& src, const ast::Node& n, const ast::Name& x, ast::Expr& out, Ctx& c) {
    std::string canon = x.canonical;
    std::string text = x.text;
    if (x.subscripts.empty()) {
        if (c.scope) {
            if (auto it = c.scope->inputs.find(canon); it != c.scope->inputs.end()) {
                NodeId g = graft(*it->second.first, it->second.second, out, n.span);
                return too_many_nodes(c, n.span) ? 0 : g;
            }
            if (c.scope->locals.count(canon)) {
                text = c.scope->prefix + text;
                return out.name(text, n.span);
            }
            if (!canon.empty() && canon.back() == '$') {
                canon.pop_back();
                text = text.substr(0, text.size() - 1);
            }
        }
        if (canon == "time_step") return out.name("DT", n.span);
        if (canon == "initial_time") return out.name("STARTTIME", n.span);
        if (canon == "final_time") return out.name("STOPTIME", n.span);
        if (canon == "saveper") return number(out, saveper_, n.span);
        if (!is_dim(canon) && is_elem(canon) && !variables_.count(canon)) {
            // An element as a value (`IF THEN ELSE(d = b, ...)`): its
            // position (elem_pos_).
            return out.number(static_cast<double>(elem_pos_.at(canon)), n.span);
        }
        if (is_dim(canon) && c.lhs) {
            // A dimension as a value: its element's position (elem_pos_).
            if (auto e = bind(canon, c)) return out.number(static_cast<double>(elem_pos_.at(*e)), n.span);
        }
        return out.name(text, n.span);
    }
    std::vector<NodeId> subs;
    for (NodeId s : x.subscripts) {
        const auto* sn = std::get_if<ast::Name>(&src[s].v);
        if (!sn || !sn->subscripts.empty()) {
            error(sim::Code::E_VENSIM_SUBSCRIPT, c, src[s].span, "a subscript is an element or a dimension name");
            c.failed = true;
            return 0;
        }
        std::string sc = sn->canonical;
        bool bang = !sc.empty() && sc.back() == '!';
        if (bang) sc.pop_back();
        if (auto eq = m_.equivalent.find(sc); eq != m_.equivalent.end() && !is_dim(sc)) sc = eq->second;
        std::string elem;
        if (is_dim(sc)) {
            auto b = bang ? (c.bang.count(sc) ? std::optional<std::string>(c.bang.at(sc)) : std::nullopt) : bind(sc, c);
            if (!b) {
                error(sim::Code::E_VENSIM_SUBSCRIPT, c, src[s].span,
                      bang ? "'" + sn->text + "' is only allowed inside SUM, PROD, VMIN or VMAX"
                           : "dimension '" + sn->text + "' in '" + x.text +
                                 "' is not on the left-hand side (nor a subrange, superrange or mapping of one "
                                 "there): subscript the variable with it, or name an element");
                c.failed = true;
                return 0;
            }
            elem = *b;
        } else if (is_elem(sc)) {
            elem = sc;
        } else {
            error(sim::Code::E_VENSIM_SUBSCRIPT, c, src[s].span,
                  "unknown subscript '" + sn->text + "' in '" + x.text + "'" + suggest(sc));
            c.failed = true;
            return 0;
        }
        subs.push_back(out.name(elem_display_.count(elem) ? elem_display_.at(elem) : elem, src[s].span));
    }
    if (c.scope && c.scope->locals.count(canon)) text = c.scope->prefix + text;
    return out.name(text, n.span, std::move(subs));
}

// A copy of `from`'s subtree at `id`, every node with span `s`.
NodeId Expander::graft(const ast::Expr& from, NodeId id, ast::Expr& out, ast::Span s) {
    // A failed copy (Ctx::failed is set; the element is refused) returns 0,
    // which need not be a node: a placeholder keeps the tree valid (found by
    // fuzz_vensim: FORECAST of an argument that failed, on an empty tree).
    if (id >= from.nodes.size() || made_ > limits_.operations) return out.number(0, s);
    ++made_;
    ast::Node n = from[id];
    n.span = s;
    std::visit(
        [&](auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::Name>) for (auto& k : x.subscripts) k = graft(from, k, out, s);
            else if constexpr (std::is_same_v<T, ast::Unary>) x.arg = graft(from, x.arg, out, s);
            else if constexpr (std::is_same_v<T, ast::Binary>) x.lhs = graft(from, x.lhs, out, s), x.rhs = graft(from, x.rhs, out, s);
            else if constexpr (std::is_same_v<T, ast::Call>) for (auto& k : x.args) k = graft(from, k, out, s);
            else if constexpr (std::is_same_v<T, ast::If>) {
                x.cond = graft(from, x.cond, out, s);
                x.then_ = graft(from, x.then_, out, s);
                x.else_ = graft(from, x.else_, out, s);
            }
        },
        n.v);
    return out.add(std::move(n));
}

// The dimensions marked '!' in a subtree, in order of appearance.
void Expander::bangs(const ast::Expr& src, NodeId id, std::vector<std::string>& out) const {
    const auto& n = src[id];
    if (const auto* x = std::get_if<ast::Name>(&n.v)) {
        for (NodeId s : x->subscripts)
            if (const auto* sn = std::get_if<ast::Name>(&src[s].v); sn && !sn->canonical.empty() && sn->canonical.back() == '!') {
                std::string d = sn->canonical.substr(0, sn->canonical.size() - 1);
                if (auto eq = m_.equivalent.find(d); eq != m_.equivalent.end() && !is_dim(d)) d = eq->second;
                if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
            }
    }
    ast::for_each_child(n, [&](NodeId k) { bangs(src, k, out); });
}

}  // namespace sim::vensim::detail
