// The Vensim reader's tree pass (expand_detail.hpp), calls: SUM, PROD,
// VMIN and VMAX over `d!` unrolled; Vensim's functions mapped onto the
// builtin table or written out as trees; VECTOR LOOKUP unrolled into IFs;
// LOOKUP FORWARD/BACKWARD/EXTRAPOLATE through derived tables; each macro
// call instantiated as variables of its own (`MACRO#k.`). VECTOR SELECT,
// RANK, SORT ORDER, REORDER, INVERT MATRIX and ALLOCATE AVAILABLE:
// expand_vectors.cpp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <set>

#include "io/vensim/expand_detail.hpp"
#include "lang/tree.hpp"

namespace sim::vensim::detail {

// Balanced combination of terms (depth log n).
NodeId Expander::combine(std::vector<NodeId>& terms, std::size_t b, std::size_t e, ast::Expr& out, const std::string& f, ast::Span s) {
    if (e - b == 1) return terms[b];
    std::size_t m = b + (e - b) / 2;
    NodeId l = combine(terms, b, m, out, f, s), r = combine(terms, m, e, out, f, s);
    if (f == "sum") return out.binary(ast::Op::add, l, r, s);
    if (f == "prod") return out.binary(ast::Op::mul, l, r, s);
    return out.call(f == "vmin" ? "MIN" : "MAX", {l, r}, s);
}

NodeId Expander::call(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const std::string& f = x.canonical;
    const ast::Span sp = n.span;
    auto args = [&](std::size_t lo, std::size_t hi) {
        if (x.args.size() < lo || x.args.size() > hi) {
            error(sim::Code::E_ARG_COUNT, c, sp,
                  x.text + " takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                      " arguments, but " + std::to_string(x.args.size()) + " were given");
            c.failed = true;
            return false;
        }
        return true;
    };
    auto arg = [&](std::size_t i) { return copy(src, x.args[i], out, c); };
    auto plain = [&](std::string_view callee) {
        std::vector<NodeId> a;
        for (std::size_t i = 0; i < x.args.size(); ++i) a.push_back(arg(i));
        return out.call(callee, std::move(a), sp);
    };
    static const std::set<std::string> unsupported = {
        "vector_elm_map",
        "allocate_by_priority", "delay_material", "sinteg",
        "get_data_at_time", "get_data_between_times", "find_zero", "a_function_of", "time_base",
        "delay_conveyor", "queue_fifo", "queue_attribute", "shift_if_true", "npv", "npv_with_lag", "npve"};
    if (unsupported.count(f)) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp, "the Vensim function " + x.text + " is not supported");
        c.failed = true;
        return 0;
    }
    if (f == "sum" || f == "prod" || f == "vmin" || f == "vmax") {
        if (!args(1, 1)) return 0;
        std::vector<std::string> ds;
        bangs(src, x.args[0], ds);
        if (ds.empty()) return arg(0);  // nothing to iterate over
        std::vector<NodeId> terms;
        std::map<std::string, std::string> saved = c.bang;
        std::function<void(std::size_t)> rec = [&](std::size_t i) {
            if (c.failed) return;
            if (i == ds.size()) {
                terms.push_back(arg(0));
                return;
            }
            auto it = m_.dims.find(ds[i]);
            if (it == m_.dims.end()) {
                error(sim::Code::E_VENSIM_SUBSCRIPT, c, sp, "'" + ds[i] + "!' is not a subscript range");
                c.failed = true;
                return;
            }
            for (const auto& e : it->second.elems) {
                c.bang[ds[i]] = e;
                rec(i + 1);
            }
        };
        rec(0);
        c.bang = saved;
        if (c.failed) return 0;
        if (terms.empty()) return out.number(0, sp);
        return combine(terms, 0, terms.size(), out, f, sp);
    }
    if (f == "elmcount") {
        if (!args(1, 1)) return 0;
        const auto* nm = std::get_if<ast::Name>(&src[x.args[0]].v);
        std::string d = nm ? nm->canonical : "";
        if (!d.empty() && d.back() == '!') d.pop_back();
        auto it = m_.dims.find(d);
        if (it == m_.dims.end()) {
            error(sim::Code::E_VENSIM_SUBSCRIPT, c, sp, "ELMCOUNT takes a subscript range name");
            c.failed = true;
            return 0;
        }
        return out.number(static_cast<double>(it->second.elems.size()), sp);
    }
    if (f == "integer") return args(1, 1) ? plain("vensim:INTEGER") : 0;
    if (f == "modulo") return args(2, 2) ? plain("vensim:MODULO") : 0;
    if (f == "step") return args(2, 2) ? plain("vensim:STEP") : 0;
    if (f == "pulse") return args(2, 2) ? plain("vensim:PULSE") : 0;
    if (f == "pulse_train") return args(4, 4) ? plain("vensim:PULSE TRAIN") : 0;
    if (f == "power") {
        if (!args(2, 2)) return 0;
        NodeId a = arg(0), b = arg(1);
        return out.binary(ast::Op::pow, a, b, sp);
    }
    if (f == "log") {
        if (!args(2, 2)) return 0;
        NodeId a = arg(0), b = arg(1);
        return out.binary(ast::Op::div, out.call("LN", {a}, sp), out.call("LN", {b}, sp), sp);
    }
    if (f == "sinh" || f == "cosh" || f == "tanh") {
        if (!args(1, 1)) return 0;
        NodeId a = arg(0);
        NodeId a2 = graft(out, a, out, sp);
        NodeId ep = out.call("EXP", {a}, sp);
        NodeId en = out.call("EXP", {out.unary(ast::Op::neg, a2, sp)}, sp);
        if (f == "tanh") {
            NodeId ep2 = graft(out, ep, out, sp), en2 = graft(out, en, out, sp);
            return out.binary(ast::Op::div, out.binary(ast::Op::sub, ep, en, sp),
                              out.binary(ast::Op::add, ep2, en2, sp), sp);
        }
        return out.binary(ast::Op::div, out.binary(f == "sinh" ? ast::Op::sub : ast::Op::add, ep, en, sp),
                          out.number(2, sp), sp);
    }
    if (f == "smooth_n" || f == "delay_n") {
        // Vensim: (input, time, initial, n); the builtins: (input, time, n, initial).
        if (!args(4, 4)) return 0;
        NodeId a = arg(0), b = arg(1), init = arg(2), order = arg(3);
        // A failed copy returns node 0, which need not exist in `out` (found by fuzz_vensim).
        if (c.failed) return 0;
        // Vensim fixes the order at the initial time: a constant
        // expression (of constants, STEP, ...) is evaluated there.
        if (auto v = initial_value(out, order, 0)) order = number(out, *v, out[order].span);
        return out.call(f == "smooth_n" ? "SMTHN" : "vensim:DELAY N", {a, b, order, init}, sp);
    }
    if (f == "forecast") {
        // input * (1 + horizon * TREND(input, average time, 0))
        if (!args(3, 3)) return 0;
        NodeId in = arg(0), avg = arg(1), h = arg(2);
        NodeId in2 = graft(out, in, out, sp);
        NodeId trend = out.call("TREND", {in2, avg, out.number(0, sp)}, sp);
        return out.binary(ast::Op::mul, in,
                          out.binary(ast::Op::add, out.number(1, sp), out.binary(ast::Op::mul, h, trend, sp), sp), sp);
    }
    if (f == "game") return args(1, 1) ? arg(0) : 0;
    if (f == "get_time_value") {
        // GET TIME VALUE(0, offset, 0): the simulation's time plus offset, in
        // model time units (calendar measures are not supported).
        if (!args(3, 3)) return 0;
        const auto* rel = std::get_if<ast::Number>(&src[x.args[0]].v);
        const auto* measure = std::get_if<ast::Number>(&src[x.args[2]].v);
        if (!rel || !measure || measure->value != 0 || rel->value != 0) {
            error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp,
                  "GET TIME VALUE is supported relative to the simulation's time (0) with a measure of 0 (model "
                  "time units), written as numbers: GET TIME VALUE(0, offset, 0)");
            c.failed = true;
            return 0;
        }
        NodeId base = out.name("TIME", sp);
        NodeId off = arg(1);
        return out.binary(ast::Op::add, base, off, sp);
    }
    if (f == "lookup" || f == "lookup_extrapolate" || f == "lookup_forward" || f == "lookup_backward") {
        // A table called by name: LOOKUP(table[a], x) (Vensim's table[a](x)), or with another mode.
        if (!args(2, 2)) return 0;
        const auto* tn = std::get_if<ast::Name>(&src[x.args[0]].v);
        if (!tn) {
            error(sim::Code::E_VENSIM_SYNTAX, c, sp, x.text + ": the first argument is the name of a lookup table");
            c.failed = true;
            return 0;
        }
        NodeId t = copy(src, x.args[0], out, c);
        if (c.failed) return 0;
        if (!std::get_if<ast::Name>(&out[t].v)) {
            error(sim::Code::E_VENSIM_SYNTAX, c, sp, x.text + ": the first argument is the name of a lookup table");
            c.failed = true;
            return 0;
        }
        std::string key = reference_key(out, t);
        NodeId input = arg(1);
        if (f != "lookup") {
            const LookupKind kind = f == "lookup_extrapolate" ? LookupKind::extrapolate : LookupKind::discrete;
            std::string derived = key + (f == "lookup_extrapolate" ? "#extrapolate" : f == "lookup_forward" ? "#forward" : "#backward");
            derived_.emplace(derived, std::make_pair(key, kind));
            key = derived;
        }
        return out.call(key, {input}, sp);
    }
    if (f == "with_lookup") {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp, "WITH LOOKUP inside an expression is not supported: make it a variable of its own");
        c.failed = true;
        return 0;
    }
    if (f == "integ") {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp, "INTEG inside an expression is not supported: make the stock a variable of its own");
        c.failed = true;
        return 0;
    }
    if (f == "random_uniform") {
        if (!args(3, 3)) return 0;
        NodeId lo = arg(0), hi = arg(1), seed = arg(2);
        NodeId lo2 = graft(out, lo, out, sp);
        NodeId u = out.call("vensim:RANDOM", {seed, out.number(static_cast<double>(++random_calls_), sp)}, sp);
        return out.binary(ast::Op::add, lo, out.binary(ast::Op::mul, out.binary(ast::Op::sub, hi, lo2, sp), u, sp), sp);
    }
    if (f == "random_normal") {
        // MIN(MAX(mean + sd * z, min), max), z standard normal
        if (!args(5, 5)) return 0;
        NodeId lo = arg(0), hi = arg(1), mean = arg(2), sd = arg(3), seed = arg(4);
        NodeId z = out.call("vensim:RANDOM NORMAL", {seed, out.number(static_cast<double>(++random_calls_), sp)}, sp);
        NodeId v = out.binary(ast::Op::add, mean, out.binary(ast::Op::mul, sd, z, sp), sp);
        return out.call("MIN", {out.call("MAX", {v, lo}, sp), hi}, sp);
    }
    if (f == "vector_lookup") return vector_lookup(src, n, x, out, c);
    if (f == "vector_select") return vector_select(src, n, x, out, c);
    if (f == "vector_rank" || f == "vector_sort_order" || f == "vector_reorder") return vector_order(src, n, x, out, c);
    if (f == "invert_matrix") return invert_matrix(src, n, x, out, c);
    if (f == "allocate_available") return allocate_available(src, n, x, out, c);
    if (auto it = macros_.find(f); it != macros_.end()) return macro_call(*it->second, src, n, x, out, c);
    return plain(x.text);
}

// The value of a tree at the initial time if it depends only on numbers,
// scalar variables with such equations, arithmetic and STEP; else nullopt.
std::optional<double> Expander::initial_value(const ast::Expr& e, NodeId id, int depth) const {
    // A failed copy's node 0 need not exist (see graft).
    if (depth > 50 || id >= e.nodes.size()) return std::nullopt;
    const auto& n = e[id];
    if (const auto* x = std::get_if<ast::Number>(&n.v)) return x->value;
    if (const auto* x = std::get_if<ast::Unary>(&n.v)) {
        auto a = initial_value(e, x->arg, depth + 1);
        if (!a) return a;
        return x->op == ast::Op::neg ? -*a : *a;
    }
    if (const auto* x = std::get_if<ast::Binary>(&n.v)) {
        auto a = initial_value(e, x->lhs, depth + 1), b = initial_value(e, x->rhs, depth + 1);
        if (!a || !b) return std::nullopt;
        switch (x->op) {
            case ast::Op::add: return *a + *b;
            case ast::Op::sub: return *a - *b;
            case ast::Op::mul: return *a * *b;
            case ast::Op::div: return *a / *b;
            default: return std::nullopt;
        }
    }
    if (const auto* x = std::get_if<ast::Call>(&n.v); x && (x->canonical == "step" || x->canonical == "vensim:step") &&
                                                       x->args.size() == 2) {
        auto h = initial_value(e, x->args[0], depth + 1), t = initial_value(e, x->args[1], depth + 1);
        if (!h || !t) return std::nullopt;
        return spec_.specs.start + spec_.specs.dt / 2 > *t ? *h : 0.0;
    }
    if (const auto* x = std::get_if<ast::Name>(&n.v); x && x->subscripts.empty()) {
        for (const auto& d : m_.defs)
            if (d.canonical == x->canonical && d.subs.empty() && d.kind == Def::Kind::equation && !d.gf &&
                !d.eq.tree.empty())
                return initial_value(d.eq.tree, d.eq.tree.root, depth + 1);
    }
    return std::nullopt;
}

// VECTOR LOOKUP(vector[e], input, xmin, xmax, mode): the elements from e
// to the end of e's range as a table over equally spaced x from xmin to
// xmax: interpolated (mode 0) or held from the point below (any other
// mode), the end values outside. Unrolled into a chain of IFs.
NodeId Expander::vector_lookup(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const ast::Span sp = n.span;
    if (x.args.size() != 5) {
        error(sim::Code::E_ARG_COUNT, c, sp, "VECTOR LOOKUP takes 5 arguments (vector, input, min, max, mode)");
        c.failed = true;
        return 0;
    }
    const auto* v = std::get_if<ast::Name>(&src[x.args[0]].v);
    NodeId first = v ? copy(src, x.args[0], out, c) : 0;
    if (c.failed) return 0;
    const auto* fn = v ? std::get_if<ast::Name>(&out[first].v) : nullptr;
    if (!fn || fn->subscripts.size() != 1) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp, "VECTOR LOOKUP is supported on a one-dimensional vector, as in v[first element]");
        c.failed = true;
        return 0;
    }
    const std::string e0 = std::get<ast::Name>(out[fn->subscripts[0]].v).canonical;
    const Dim* dim = nullptr;
    for (const auto& [k, d] : m_.dims)
        if (contains(d, e0) && (!dim || d.elems.size() > dim->elems.size())) dim = &d;
    if (!dim) {
        error(sim::Code::E_VENSIM_SUBSCRIPT, c, sp, "VECTOR LOOKUP: '" + e0 + "' is not an element of a range");
        c.failed = true;
        return 0;
    }
    auto at = std::find(dim->elems.begin(), dim->elems.end(), e0);
    std::vector<std::string> elems(at, dim->elems.end());
    if (elems.size() > 500) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, c, sp, "VECTOR LOOKUP over more than 500 elements is not supported");
        c.failed = true;
        return 0;
    }
    const std::string vname = fn->text;
    NodeId in = copy(src, x.args[1], out, c), lo = copy(src, x.args[2], out, c), hi = copy(src, x.args[3], out, c);
    NodeId mode = copy(src, x.args[4], out, c);
    if (c.failed) return 0;
    const std::size_t count = elems.size();
    auto value = [&](std::size_t k) {
        return out.name(vname, sp, {out.name(elem_display_.at(elems[k]), sp)});
    };
    auto xk = [&](std::size_t k) {  // xmin + k * (xmax - xmin) / (n - 1)
        if (count == 1) return graft(out, lo, out, sp);
        NodeId width = out.binary(ast::Op::sub, graft(out, hi, out, sp), graft(out, lo, out, sp), sp);
        NodeId frac = out.binary(ast::Op::div, out.number(static_cast<double>(k), sp),
                                 out.number(static_cast<double>(count - 1), sp), sp);
        return out.binary(ast::Op::add, graft(out, lo, out, sp), out.binary(ast::Op::mul, width, frac, sp), sp);
    };
    // From the last segment backwards: IF in <= x_k THEN segment(k) ELSE (rest).
    NodeId result = value(count - 1);
    for (std::size_t k = count - 1; k-- > 0;) {
        // Segment k: between x_k and x_{k+1}.
        NodeId interp = out.binary(
            ast::Op::add, value(k),
            out.binary(ast::Op::mul, out.binary(ast::Op::sub, value(k + 1), value(k), sp),
                       out.binary(ast::Op::div, out.binary(ast::Op::sub, graft(out, in, out, sp), xk(k), sp),
                                  out.binary(ast::Op::sub, xk(k + 1), xk(k), sp), sp),
                       sp),
            sp);
        NodeId seg = out.if_(out.binary(ast::Op::eq, graft(out, mode, out, sp), out.number(0, sp), sp), interp,
                             value(k), sp);
        result = out.if_(out.binary(ast::Op::lt, graft(out, in, out, sp), xk(k + 1), sp), seg, result, sp);
    }
    return out.if_(out.binary(ast::Op::le, graft(out, in, out, sp), xk(0), sp), value(0), result, sp);
}

std::string Expander::reference_key(const ast::Expr& e, NodeId id) {
    const auto& n = std::get<ast::Name>(e[id].v);
    if (n.subscripts.empty()) return n.canonical;
    std::string k = n.canonical + "[";
    for (std::size_t i = 0; i < n.subscripts.size(); ++i) {
        if (i) k += ',';
        k += std::get<ast::Name>(e[n.subscripts[i]].v).canonical;
    }
    return k + "]";
}

NodeId Expander::macro_call(const Macro& mac, const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
    const int depth = c.scope ? c.scope->depth + 1 : 1;
    if (depth > max_macro_depth || instances_ >= max_macro_instances) {
        error(sim::Code::E_VENSIM_MACRO, c, n.span,
              "macro '" + mac.name + "' expands more than " + std::to_string(max_macro_depth) +
                  " levels deep (a macro calling itself?) or more than " + std::to_string(max_macro_instances) + " times");
        c.failed = true;
        return 0;
    }
    if (x.args.size() != mac.inputs.size()) {
        error(sim::Code::E_VENSIM_MACRO, c, n.span,
              "macro '" + mac.name + "' takes " + std::to_string(mac.inputs.size()) +
                  (mac.inputs.size() == 1 ? " argument, but " : " arguments, but ") +
                  std::to_string(x.args.size()) + " were given");
        c.failed = true;
        return 0;
    }
    // The arguments, in the caller's context, in an arena of their own.
    auto args = std::make_shared<ast::Expr>();
    Scope s;
    s.macro = &mac;
    s.depth = depth;
    s.prefix = mac.name + "#" + std::to_string(++instances_) + ".";
    std::vector<NodeId> roots;
    for (NodeId a : x.args) roots.push_back(copy(src, a, *args, c));
    if (c.failed) return 0;
    for (std::size_t i = 0; i < roots.size(); ++i) s.inputs[mac.inputs[i]] = {args.get(), roots[i]};
    for (const auto& d : mac.defs) s.locals.insert(d.canonical);
    if (!s.locals.count(mac.canonical)) {
        error(sim::Code::E_VENSIM_MACRO, c, n.span, "macro '" + mac.name + "' does not define its output '" + mac.name + "'");
        c.failed = true;
        return 0;
    }
    std::map<std::string, std::vector<const Def*>> groups;
    std::vector<std::string> order;
    for (const auto& d : mac.defs) {
        auto& g = groups[d.canonical];
        if (g.empty()) order.push_back(d.canonical);
        g.push_back(&d);
    }
    for (const auto& k : order) variable(groups[k], &s);
    return out.name(s.prefix + mac.name, n.span);
}

}  // namespace sim::vensim::detail
