// The Vensim reader's tree pass (expand_detail.hpp), the vector functions
// unrolled for one element: VECTOR SELECT over the `d!` of its selection
// and expression; VECTOR RANK, VECTOR SORT ORDER and VECTOR REORDER over
// the last subscript of their vector. Their meaning is the one
// compile/vector_ops.cpp gives the same functions on arrays (YAML, XMILE):
// a stable ascending order, reversed when the direction is <= 0; sort
// order 0-based, rank 1-based (Vensim's, checked by the SDXorg cases).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "io/vensim/expand_detail.hpp"
#include "lang/tree.hpp"
#include "util/text.hpp"

namespace sim::vensim::detail {

// VECTOR SELECT(selection[d!], expression[d!], missing, action, error action):
// the elements where the selection is non-zero, combined by the action
// (0 sum, 1 product, 2 min, 3 max, 4 mean of selection * expression; 5 the
// product of expression ^ selection; 6..10 sum, product, min, max, mean of
// the expression alone); `missing` when none is. The action may change
// during the run (IFs over its values; another value gives :NA:); the
// error action must be 0 (Vensim's 1 to 3 stop the run: not supported).
NodeId Expander::vector_select(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const ast::Span sp = n.span;
    auto fail = [&](sim::Code code, const std::string& msg) {
        error(code, c, sp, msg);
        c.failed = true;
        return NodeId{0};
    };
    if (x.args.size() != 5)
        return fail(sim::Code::E_ARG_COUNT, "VECTOR SELECT takes 5 arguments (selection, expression, missing value, "
                                            "numerical action, error action), but " + std::to_string(x.args.size()) +
                                                " were given");
    if (auto err = initial_value(src, x.args[4], 0); !err || *err != 0)
        return fail(sim::Code::E_VENSIM_UNSUPPORTED,
                    "VECTOR SELECT is supported with an error action of 0 (no error check), a number or constant");
    std::optional<double> action = initial_value(src, x.args[3], 0);
    if (action && !(*action >= 0 && *action <= 10 && *action == std::floor(*action)))
        return fail(sim::Code::E_VENSIM_SYNTAX, "VECTOR SELECT's numerical action is 0 to 10, not " + text::number(*action));
    std::vector<std::string> ds;
    bangs(src, x.args[0], ds);
    bangs(src, x.args[1], ds);
    if (ds.empty())
        return fail(sim::Code::E_VENSIM_SUBSCRIPT,
                    "VECTOR SELECT iterates the ranges marked '!' in its selection and expression (sel[d!], x[d!]); "
                    "there are none");
    // Every combination of the '!' ranges' elements, bounded first.
    std::vector<const Dim*> dims;
    std::size_t count = 1;
    for (const auto& d : ds) {
        auto it = m_.dims.find(d);
        if (it == m_.dims.end()) return fail(sim::Code::E_VENSIM_SUBSCRIPT, "'" + d + "!' is not a subscript range");
        dims.push_back(&it->second);
        count *= it->second.elems.size();
        if (count > max_vector_elements)
            return fail(sim::Code::E_VENSIM_UNSUPPORTED,
                        "VECTOR SELECT over more than " + std::to_string(max_vector_elements) + " elements is not supported");
    }
    if (count == 0) return copy(src, x.args[2], out, c);
    // Argument `a` copied for combination i (the i-th in row-major order).
    // A plain `d` beside a `d!` is the element bound on the left
    // (sel[d!, e] * x[d, f!] iterates d and f, the result is over d and e).
    auto at = [&](std::size_t i, std::size_t a) {
        const auto saved = c.bang;
        const auto saved_only = c.bang_only;
        for (std::size_t j = dims.size(); j-- > 0;) {
            const auto& el = dims[j]->elems;
            c.bang[ds[j]] = el[i % el.size()];
            c.bang_only.insert(ds[j]);
            i /= el.size();
        }
        NodeId r = copy(src, x.args[a], out, c);
        c.bang = saved;
        c.bang_only = saved_only;
        return r;
    };
    auto selected = [&](std::size_t i) { return out.binary(ast::Op::ne, at(i, 0), out.number(0, sp), sp); };
    auto how_many = [&]() {
        std::vector<NodeId> t;
        for (std::size_t i = 0; i < count && made(c, 3, sp); ++i) t.push_back(selected(i));
        return c.failed ? NodeId{0} : combine(t, 0, t.size(), out, "sum", sp);
    };
    // The selected elements combined by action a (an integer 0..10).
    auto reduce = [&](int a) -> NodeId {
        const int op = a <= 4 ? a : a == 5 ? 1 : a - 6;  // 0 sum, 1 product, 2 min, 3 max, 4 mean
        const double big = std::numeric_limits<double>::max();  // what an unselected element adds to MIN/MAX
        const double neutral = op == 1 ? 1 : op == 2 ? big : op == 3 ? -big : 0;
        std::vector<NodeId> t;
        for (std::size_t i = 0; i < count && made(c, 6, sp); ++i) {
            NodeId v = a <= 4   ? out.binary(ast::Op::mul, at(i, 0), at(i, 1), sp)
                       : a == 5 ? out.binary(ast::Op::pow, at(i, 1), at(i, 0), sp)
                                : at(i, 1);
            t.push_back(out.if_(selected(i), v, number(out, neutral, sp), sp));
        }
        if (c.failed) return 0;
        NodeId r = combine(t, 0, t.size(), out, op == 1 ? "prod" : op == 2 ? "vmin" : op == 3 ? "vmax" : "sum", sp);
        return op == 4 ? out.binary(ast::Op::div, r, how_many(), sp) : r;
    };
    NodeId r = 0;
    if (action) {
        r = reduce(static_cast<int>(*action));
    } else {
        r = number(out, ast::vensim_na, sp);
        for (int a = 10; a >= 0 && !c.failed; --a) {
            NodeId is_a = out.binary(ast::Op::eq, copy(src, x.args[3], out, c), out.number(a, sp), sp);
            r = out.if_(is_a, reduce(a), r, sp);
        }
    }
    NodeId none = out.binary(ast::Op::eq, how_many(), out.number(0, sp), sp);
    NodeId missing = copy(src, x.args[2], out, c);
    if (c.failed || !made(c, 2, sp)) return 0;
    return out.if_(none, missing, r, sp);
}

// The vector of VECTOR RANK, SORT ORDER or REORDER: a name whose last
// subscript is a range, the one sorted. Its canonical name (through an
// equivalence) and the position in it of the element bound here.
std::optional<std::pair<std::string, std::size_t>> Expander::sorted_range(const ast::Expr& src, NodeId id, Ctx& c,
                                                                        ast::Span sp, const std::string& fname) {
    const auto* v = std::get_if<ast::Name>(&src[id].v);
    const ast::Name* last = v && !v->subscripts.empty() ? std::get_if<ast::Name>(&src[v->subscripts.back()].v) : nullptr;
    std::string d = last ? last->canonical : "";
    if (auto eq = m_.equivalent.find(d); eq != m_.equivalent.end() && !is_dim(d)) d = eq->second;
    if (!last || !is_dim(d)) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp,
              fname + "'s vector is a variable whose last subscript is a subscript range, the one sorted (as in x[d])");
        c.failed = true;
        return std::nullopt;
    }
    const auto& elems = m_.dims.at(d).elems;
    if (elems.size() > max_vector_elements) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp,
              fname + " over more than " + std::to_string(max_vector_elements) + " elements is not supported");
        c.failed = true;
        return std::nullopt;
    }
    auto e = bind(d, c);
    auto pos = e ? std::find(elems.begin(), elems.end(), *e) : elems.end();
    if (pos == elems.end()) {
        error(sim::Code::E_VENSIM_SUBSCRIPT, c, sp,
              fname + ": range '" + last->text + "' of its vector is not on the left-hand side (nor a subrange, "
              "superrange or mapping of one there)");
        c.failed = true;
        return std::nullopt;
    }
    return std::make_pair(d, static_cast<std::size_t>(pos - elems.begin()));
}

// VECTOR RANK(v[d], direction): the 1-based rank of this element;
// VECTOR SORT ORDER(v[d], direction): the 0-based position in d of the
// element ranked k-th, k this element's position; VECTOR REORDER(v[d],
// order[d]): v at position order (:NA: outside 0..n-1). Ranks in the
// stable order: ascending, the earlier of equal values first; for a
// direction <= 0 that order reversed (Vensim's, as PySD computes it).
NodeId Expander::vector_order(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const ast::Span sp = n.span;
    const std::string& f = x.canonical;
    const std::string fname = f == "vector_rank" ? "VECTOR RANK" : f == "vector_reorder" ? "VECTOR REORDER" : "VECTOR SORT ORDER";
    if (x.args.size() != 2) {
        error(sim::Code::E_ARG_COUNT, c, sp,
              fname + " takes 2 arguments, but " + std::to_string(x.args.size()) + " were given");
        c.failed = true;
        return 0;
    }
    auto range = sorted_range(src, x.args[0], c, sp, fname);
    if (!range) return 0;
    const std::string& d = range->first;  // not a structured binding: clang 14 cannot capture one
    const std::size_t k = range->second;
    const std::vector<std::string>& elems = m_.dims.at(d).elems;
    const std::size_t size = elems.size();
    auto elem = [&](std::size_t j) {  // v[..., d_j]
        const auto saved = c.bang;
        const auto saved_only = c.bang_only;
        c.bang[d] = elems[j];
        c.bang_only.erase(d);
        NodeId r = copy(src, x.args[0], out, c);
        c.bang = saved;
        c.bang_only = saved_only;
        return r;
    };
    if (f == "vector_reorder") {
        NodeId r = number(out, ast::vensim_na, sp);
        for (std::size_t j = size; j-- > 0 && made(c, 3, sp);) {
            NodeId is_j = out.binary(ast::Op::eq, copy(src, x.args[1], out, c), out.number(static_cast<double>(j), sp), sp);
            r = out.if_(is_j, elem(j), r, sp);
        }
        return c.failed ? 0 : r;
    }
    // rank(i) = 1 + #{j < i: v_j <= v_i} + #{j > i: v_j < v_i} ascending,
    //           1 + #{j < i: v_j > v_i} + #{j > i: v_j >= v_i} descending.
    auto rank = [&](std::size_t i, bool up) -> NodeId {
        std::vector<NodeId> t{out.number(1, sp)};
        for (std::size_t j = 0; j < size && made(c, 2, sp); ++j) {
            if (j == i) continue;
            const ast::Op op = j < i ? (up ? ast::Op::le : ast::Op::gt) : (up ? ast::Op::lt : ast::Op::ge);
            t.push_back(out.binary(op, elem(j), elem(i), sp));
        }
        return c.failed ? NodeId{0} : combine(t, 0, t.size(), out, "sum", sp);
    };
    // sort order(k) = sum over j of j * (rank(j) = k + 1)
    auto order = [&](bool up) -> NodeId {
        std::vector<NodeId> t{out.number(0, sp)};
        for (std::size_t j = 1; j < size && made(c, 4, sp); ++j) {
            NodeId hit = out.binary(ast::Op::eq, rank(j, up), out.number(static_cast<double>(k + 1), sp), sp);
            t.push_back(out.binary(ast::Op::mul, out.number(static_cast<double>(j), sp), hit, sp));
        }
        return c.failed ? NodeId{0} : combine(t, 0, t.size(), out, "sum", sp);
    };
    auto value = [&](bool up) { return f == "vector_rank" ? rank(k, up) : order(up); };
    if (auto dir = initial_value(src, x.args[1], 0)) return value(*dir > 0);
    NodeId up = out.binary(ast::Op::gt, copy(src, x.args[1], out, c), out.number(0, sp), sp);
    NodeId a = value(true), b = value(false);
    if (c.failed || !made(c, 3, sp)) return 0;
    return out.if_(up, a, b, sp);
}

}  // namespace sim::vensim::detail
