// The Vensim reader's tree pass (expand_detail.hpp), the vector functions
// unrolled for one element: VECTOR SELECT over the `d!` of its selection
// and expression; VECTOR RANK, VECTOR SORT ORDER and VECTOR REORDER over
// the last subscript of their vector. Their meaning is the one
// compile/vector_ops.cpp gives the same functions on arrays (YAML, XMILE):
// a stable ascending order, reversed when the direction is <= 0; sort
// order 0-based, rank 1-based (Vensim's, checked by the SDXorg cases).
// INVERT MATRIX and ALLOCATE AVAILABLE become one call an element over
// every scalar they read (vensim:INVERT MATRIX, vensim:ALLOCATE
// AVAILABLE), computed by compile/vector_ops.cpp.
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

// The vector of VECTOR RANK, SORT ORDER, REORDER or ALLOCATE AVAILABLE: a
// name whose last subscript is a range, the one sorted (allocated along). Its canonical name (through an
// equivalence) and the position in it of the element bound here.
std::optional<std::pair<std::string, std::size_t>> Expander::sorted_range(const ast::Expr& src, NodeId id, Ctx& c,
                                                                        ast::Span sp, const std::string& fname) {
    const auto* v = std::get_if<ast::Name>(&src[id].v);
    const ast::Name* last = v && !v->subscripts.empty() ? std::get_if<ast::Name>(&src[v->subscripts.back()].v) : nullptr;
    std::string d = last ? last->canonical : "";
    if (auto eq = m_.equivalent.find(d); eq != m_.equivalent.end() && !is_dim(d)) d = eq->second;
    if (!last || !is_dim(d)) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp,
              fname + "'s vector is a variable whose last subscript is a subscript range, the one " +
                  (fname == "ALLOCATE AVAILABLE" ? "allocated along" : "sorted") + " (as in x[d])");
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

// INVERT MATRIX(m[..., r, c], n): the element of the inverse of the n x n
// block m[..., r, c] (its leading subscripts bound as usual) at this
// element's positions along the left-hand side's last two subscripts.
// Vensim reads the block and writes the inverse by position, so
// inv[c, r] = INVERT MATRIX(m[r, c], n) lays it out by position too. One
// vensim:INVERT MATRIX call over the n^2 elements (compile/vector_ops.cpp:
// NaN for a singular matrix, which the run reports as E-NONFINITE).
NodeId Expander::invert_matrix(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const ast::Span sp = n.span;
    auto fail = [&](sim::Code code, const std::string& msg) {
        error(code, c, sp, msg);
        c.failed = true;
        return NodeId{0};
    };
    if (x.args.size() != 2)
        return fail(sim::Code::E_ARG_COUNT, "INVERT MATRIX takes 2 arguments (matrix, size), but " +
                                                std::to_string(x.args.size()) + " were given");
    // Copied first: ELMCOUNT(r) is a number once copied.
    const NodeId size_id = copy(src, x.args[1], out, c);
    if (c.failed) return 0;
    const std::optional<double> size = initial_value(out, size_id, 0);
    if (!size || !(*size >= 1) || *size != std::floor(*size))
        return fail(sim::Code::E_VENSIM_SYNTAX,
                    "INVERT MATRIX's size is a whole number of at least 1, written as a number or a constant");
    if (*size > static_cast<double>(max_matrix_size))
        return fail(sim::Code::E_LIMIT, "INVERT MATRIX of a matrix larger than " + std::to_string(max_matrix_size) + " x " +
                                            std::to_string(max_matrix_size) + " (here " + text::number(*size) +
                                            ") is not supported: each element of the inverse is an elimination over "
                                            "the whole matrix at every step (a fixed bound, docs/vensim.md)");
    const std::size_t m = static_cast<std::size_t>(*size);
    // The block's ranges: the matrix's last two subscripts.
    const auto* v = std::get_if<ast::Name>(&src[x.args[0]].v);
    auto range_of = [&](NodeId s) {
        const auto* sn = std::get_if<ast::Name>(&src[s].v);
        std::string d = sn && sn->subscripts.empty() ? sn->canonical : "";
        if (auto eq = m_.equivalent.find(d); eq != m_.equivalent.end() && !is_dim(d)) d = eq->second;
        return is_dim(d) ? d : std::string();
    };
    const std::size_t ns = v ? v->subscripts.size() : 0;
    const std::string rows = ns >= 2 ? range_of(v->subscripts[ns - 2]) : "";
    const std::string cols = ns >= 2 ? range_of(v->subscripts[ns - 1]) : "";
    if (rows.empty() || cols.empty())
        return fail(sim::Code::E_VENSIM_UNSUPPORTED,
                    "INVERT MATRIX's matrix is a variable whose last two subscripts are subscript ranges, its rows "
                    "and columns (as in m[r, c])");
    if (rows == cols)
        return fail(sim::Code::E_VENSIM_SUBSCRIPT,
                    "INVERT MATRIX's matrix names range '" + rows +
                        "' for both its rows and its columns; name an equivalent range for the columns (c <-> r)");
    const Dim& R = m_.dims.at(rows);
    const Dim& C = m_.dims.at(cols);
    if (R.elems.size() != m || C.elems.size() != m)
        return fail(sim::Code::E_VENSIM_SUBSCRIPT, "INVERT MATRIX of size " + std::to_string(m) + ": the matrix's ranges '" +
                                                       R.name + "' and '" + C.name + "' have " +
                                                       std::to_string(R.elems.size()) + " and " +
                                                       std::to_string(C.elems.size()) + " elements");
    // This element's row and column: its positions along the last two
    // subscripts on the left (a range there, or an element of the matrix's).
    const std::size_t nl = c.lhs ? c.lhs->size() : 0;
    auto position = [&](std::size_t j, const Dim& fallback) -> std::optional<std::size_t> {
        const std::string& s = (*c.lhs)[j];
        const Dim& d = is_dim(s) ? m_.dims.at(s) : fallback;
        auto it = std::find(d.elems.begin(), d.elems.end(), c.elems[j]);
        if (d.elems.size() != m || it == d.elems.end()) return std::nullopt;
        return static_cast<std::size_t>(it - d.elems.begin());
    };
    const std::optional<std::size_t> i = nl >= 2 ? position(nl - 2, R) : std::nullopt;
    const std::optional<std::size_t> j = nl >= 2 ? position(nl - 1, C) : std::nullopt;
    if (!i || !j)
        return fail(sim::Code::E_VENSIM_SUBSCRIPT,
                    "INVERT MATRIX gives a matrix: use it in the equation of a variable whose last two subscripts are "
                    "ranges of " + std::to_string(m) + " elements, the inverse's rows and columns");
    std::vector<NodeId> args{out.number(static_cast<double>(*i * m + *j), sp)};
    if (!made(c, 2, sp)) return 0;
    const auto saved = c.bang;
    const auto saved_only = c.bang_only;
    for (std::size_t p = 0; p < m && !c.failed; ++p)
        for (std::size_t q = 0; q < m && !c.failed; ++q) {
            c.bang[rows] = R.elems[p];
            c.bang[cols] = C.elems[q];
            c.bang_only.erase(rows);
            c.bang_only.erase(cols);
            args.push_back(copy(src, x.args[0], out, c));
        }
    c.bang = saved;
    c.bang_only = saved_only;
    if (c.failed) return 0;
    return out.call("vensim:INVERT MATRIX", std::move(args), sp);
}

// ALLOCATE AVAILABLE(request[..., d], pp[..., d, pfirst], available): this
// element's share of `available` among the targets along the request's
// last subscript d (compile/vector_ops.cpp, the meaning XMILE's arrays get
// too). A target's priority profile is pp's 4 elements from pfirst on in
// pfirst's range (Vensim's layout: pp[d, ptype] over ptype, ppriority,
// pwidth, pextra): type (1 rectangular, 2 triangular, 3 normal, 4
// exponential), priority, width, extra (unused by these four types).
NodeId Expander::allocate_available(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const ast::Span sp = n.span;
    auto fail = [&](sim::Code code, const std::string& msg) {
        error(code, c, sp, msg);
        c.failed = true;
        return NodeId{0};
    };
    if (x.args.size() != 3)
        return fail(sim::Code::E_ARG_COUNT, "ALLOCATE AVAILABLE takes 3 arguments (request, priority profile, "
                                            "available), but " + std::to_string(x.args.size()) + " were given");
    auto range = sorted_range(src, x.args[0], c, sp, "ALLOCATE AVAILABLE");
    if (!range) return 0;
    const std::string& d = range->first;  // not a structured binding: clang 14 cannot capture one
    const std::size_t k = range->second;
    const std::vector<std::string>& elems = m_.dims.at(d).elems;
    // The profile's first element, and the range its four are read from.
    const auto* pv = std::get_if<ast::Name>(&src[x.args[1]].v);
    const auto* last = pv && !pv->subscripts.empty() ? std::get_if<ast::Name>(&src[pv->subscripts.back()].v) : nullptr;
    const std::string first = last && last->subscripts.empty() ? last->canonical : "";
    if (first.empty() || is_dim(first) || !is_elem(first))
        return fail(sim::Code::E_VENSIM_SUBSCRIPT,
                    "ALLOCATE AVAILABLE's priority profile is a variable whose last subscript is the profile's first "
                    "element (as in pp[d, ptype], with ptype, ppriority, pwidth, pextra a range)");
    const Dim& P = *elem_root_.at(first);
    const std::size_t at = elem_pos_.at(first) - 1;
    if (at + 4 > P.elems.size())
        return fail(sim::Code::E_VENSIM_SUBSCRIPT, "ALLOCATE AVAILABLE's priority profile is 4 elements of range '" +
                                                       P.name + "' from '" + last->text + "' on; it has " +
                                                       std::to_string(P.elems.size() - at));
    auto with = [&](std::size_t j, NodeId a) {  // argument a with d bound to its j-th element
        const auto saved = c.bang;
        const auto saved_only = c.bang_only;
        c.bang[d] = elems[j];
        c.bang_only.erase(d);
        NodeId r = copy(src, a, out, c);
        c.bang = saved;
        c.bang_only = saved_only;
        return r;
    };
    std::vector<NodeId> args{out.number(static_cast<double>(k), sp)};
    args.push_back(copy(src, x.args[2], out, c));
    for (std::size_t j = 0; j < elems.size() && !c.failed; ++j) args.push_back(with(j, x.args[0]));
    std::vector<NodeId> profiles;
    for (std::size_t j = 0; j < elems.size() && !c.failed; ++j) {
        const NodeId p = with(j, x.args[1]);
        if (c.failed) break;
        // pp[..., pfirst] as copied, then the same name at the next three elements.
        const auto* pn = std::get_if<ast::Name>(&out[p].v);
        if (!pn) return fail(sim::Code::E_VENSIM_SUBSCRIPT, "ALLOCATE AVAILABLE's priority profile is a variable");
        const std::string name = pn->text;
        std::vector<std::string> subs;
        for (NodeId s : pn->subscripts)
            if (const auto* sn = std::get_if<ast::Name>(&out[s].v)) subs.push_back(sn->text);
        if (subs.size() != pn->subscripts.size() || !made(c, 3 * (subs.size() + 1), sp)) return 0;
        profiles.push_back(p);
        for (std::size_t o = 1; o < 4; ++o) {
            std::vector<NodeId> ids;
            for (std::size_t s = 0; s + 1 < subs.size(); ++s) ids.push_back(out.name(subs[s], sp));
            ids.push_back(out.name(P.display[at + o], sp));
            profiles.push_back(out.name(name, sp, std::move(ids)));
        }
    }
    if (c.failed) return 0;
    args.insert(args.end(), profiles.begin(), profiles.end());
    return out.call("vensim:ALLOCATE AVAILABLE", std::move(args), sp);
}

}  // namespace sim::vensim::detail
