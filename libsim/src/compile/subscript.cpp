// Compiler: references to arrays. An element's equation is resolved with
// its bindings (the element each dimension of the equation stands for);
// a reference `x[s1, ..., sn]` picks the element of x each subscript names:
// an element, a position, a dimension bound by the equation (directly,
// through a mapping, or a dimension sharing the bound element), or, inside
// an array function, a dimension that function iterates (`*`, `d!`).
// sim/spec.hpp states the semantics; every problem is reported at the
// reference.
#include <algorithm>
#include <cmath>

#include "compile/compiler.hpp"
#include "util/text.hpp"

namespace sim::detail {

// Invariant after: binds_ holds, for each dimension k of element c's
// variable, (dimension, element) and, where c's definition names another
// dimension or subrange at k, (that dimension, element) too.
void Compiler::bind_element(int c) {
    binds_.clear();
    const CVar& cv = var(c);
    if (cv.user < 0) return;
    const UVar& u = uv_[static_cast<std::size_t>(cv.user)];
    if (u.dims.empty()) return;
    const std::vector<int> t = tuple(u, cv.flat);
    for (std::size_t k = 0; k < t.size(); ++k) binds_.push_back({u.dims[k], t[k]});
    if (cv.definition < 0) return;
    const ArrayDefinition& def = uvars_[static_cast<std::size_t>(cv.user)]->definitions[static_cast<std::size_t>(cv.definition)];
    for (std::size_t k = 0; k < t.size() && k < def.subscripts.size(); ++k) {
        const int s = dims_.dim(canonical_name(def.subscripts[k]));
        if (s >= 0 && s != u.dims[k]) binds_.push_back({s, t[k]});
    }
}

int Compiler::find_binding(int dim) const {
    for (auto b = binds_.rbegin(); b != binds_.rend(); ++b)
        if (b->dim == dim) return b->elem;
    return -1;
}

// The element dimension `s` stands for here, as an element of `target`:
// its binding; else the element a mapping gives for a bound dimension;
// else a bound element that `s` holds (subranges, equivalent dimensions).
// -1: `s` is not iterated here; -2: it is, but its element is not in
// `target` (nor mapped into it).
int Compiler::bound_element(int s, int target, bool& mapped) const {
    int e = find_binding(s);
    for (auto b = binds_.rbegin(); e < 0 && b != binds_.rend(); ++b) {
        auto m = dims_.mapped(b->dim, b->elem, s);
        if (m.size() == 1) e = m.front();
    }
    for (auto b = binds_.rbegin(); e < 0 && b != binds_.rend(); ++b)
        if (dims_[s].holds(b->elem)) e = b->elem;
    if (e < 0) return -1;
    if (dims_[target].holds(e)) return e;
    auto m = dims_.mapped(s, e, target);
    if (m.size() == 1) {
        mapped = true;
        return m.front();
    }
    return -2;
}

// Element id for subscript `s` at position k of user variable u, or -1
// (reported).
int Compiler::subscript_element(ast::NodeId s, int ui, std::size_t k) {
    const UVar& u = uv_[static_cast<std::size_t>(ui)];
    const int target = u.dims[k];
    const DimInfo& td = dims_[target];
    const ast::Node& sn = eq_->tree[s];
    const std::string& vname = uvars_[static_cast<std::size_t>(ui)]->name;
    const std::string where = "position " + std::to_string(k + 1) + " of '" + vname + "' (over [" + dims_text(u) + "])";
    auto in_target = [&](int from, int e, const std::string& written) -> int {
        if (td.holds(e)) return e;
        if (from >= 0) {
            auto m = dims_.mapped(from, e, target);
            if (m.size() == 1) return m.front();
        }
        error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                 "'" + written + "' stands for '" + dims_.elem_name(e) + "' here, which is not an element of '" + td.name +
                     "' at " + where);
        return -1;
    };
    if (std::holds_alternative<ast::Wildcard>(sn.v)) {
        const int e = in_array_fn_ > 0 ? find_binding(target) : -1;
        if (e < 0)
            error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                     "'*' stands for every element of '" + td.name +
                         "' only in the argument of an array function (SUM, MEAN, MAX, ...)");
        return e;
    }
    if (const auto* x = std::get_if<ast::Name>(&sn.v); x && x->subscripts.empty()) {
        const std::string& c = x->canonical;
        if (!c.empty() && c.back() == '!') {  // Vensim's `d!`: the dimension an array function iterates
            const std::string dc = c.substr(0, c.size() - 1);
            const int d = dims_.dim(dc);
            if (d < 0) {
                error_at(sim::Code::E_UNKNOWN_DIMENSION, sn.span.begin, "'" + x->text + "': '" + dc + "' is not a dimension");
                return -1;
            }
            const int e = in_array_fn_ > 0 ? find_binding(d) : -1;
            if (e < 0) {
                error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                         "'" + x->text + "' iterates '" + dims_[d].name +
                             "' only in the argument of an array function (SUM, PROD, VMIN, VMAX, ...)");
                return -1;
            }
            return in_target(d, e, x->text);
        }
        if (const int d = dims_.dim(c); d >= 0) {
            bool mapped = false;
            const int e = bound_element(d, target, mapped);
            if (e == -1) {
                error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                         "dimension '" + x->text + "' at " + where + " is not one this equation iterates" +
                             (binds_.empty() ? std::string(" (the equation is not arrayed)") : std::string()) +
                             "; name an element, e.g. " + vname + "[" + dims_.elem_name(td.elems.front()) + "]");
                return -1;
            }
            if (e == -2) {
                bool m2 = false;
                int be = find_binding(d);
                if (be < 0) be = bound_element(d, d, m2);
                error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                         "'" + x->text + "' stands for '" + (be >= 0 ? dims_.elem_name(be) : std::string("?")) +
                             "' here, which is not an element of '" + td.name + "' at " + where +
                             " (and no mapping relates the two)");
                return -1;
            }
            return e;
        }
        if (const int e = dims_.elem(c); e >= 0) return in_target(-1, e, x->text);
        std::vector<std::string> names;
        for (int e : td.elems) names.push_back(canonical_name(dims_.elem_name(e)));
        auto best = text::closest(c, names);
        error_at(sim::Code::E_UNKNOWN_ELEMENT, sn.span.begin,
                 "'" + x->text + "' at " + where + " is neither an element of '" + td.name + "' nor a dimension" +
                     (best ? "; did you mean '" + dims_.elem_name(dims_.elem(*best)) + "'?" : std::string()));
        return -1;
    }
    // A position: a number, or an expression that folds to one.
    const int r = resolve(s);
    if (r < 0) return -1;
    if (node(r).kind != RNode::num) {
        error_at(sim::Code::E_DIMENSION_MISMATCH, sn.span.begin,
                 "a subscript must be an element, a dimension or a constant position; this one changes during the run");
        return -1;
    }
    const double p = node(r).value;
    if (!(p >= 1 && p <= td.size() && p == std::floor(p))) {
        error_at(sim::Code::E_SUBSCRIPT_RANGE, sn.span.begin,
                 "subscript " + text::number(p) + " at " + where + " is outside 1.." + std::to_string(td.size()));
        return -1;
    }
    return td.elems[static_cast<std::size_t>(p) - 1];
}

// The element variable a reference to user variable u names, or -1
// (reported; an array that could not be declared fails silently: it was
// reported where it is declared).
int Compiler::reference(const ast::Node& n, const ast::Name& x, int ui, bool as_table) {
    const UVar& u = uv_[static_cast<std::size_t>(ui)];
    const Variable& v = *uvars_[static_cast<std::size_t>(ui)];
    if (u.broken) {
        failed_ = true;
        return -1;
    }
    if (u.dims.empty()) {
        if (!x.subscripts.empty()) {
            error_at(sim::Code::E_DIMENSION_MISMATCH, n.span.begin,
                     "'" + x.text + "' is not an array but is used with subscripts; drop them or declare its dimensions");
            return -1;
        }
        return u.first;
    }
    std::vector<int> elems(u.dims.size(), -1);
    if (x.subscripts.empty()) {
        for (std::size_t k = 0; k < u.dims.size(); ++k) {
            bool mapped = false;
            int e = in_array_fn_ > 0 ? find_binding(u.dims[k]) : bound_element(u.dims[k], u.dims[k], mapped);
            if (e < 0) {
                error_at(sim::Code::E_DIMENSION_MISMATCH, n.span.begin,
                         std::string(as_table ? "graphical function '" : "'") + x.text + "' is an array over [" +
                             dims_text(u) + "], used without subscripts where '" + dims_[u.dims[k]].name +
                             "' is not iterated; name the element, e.g. " + v.name + "[" +
                             dims_.elem_name(dims_[u.dims[k]].elems.front()) + (u.dims.size() > 1 ? ", ..." : "") + "]");
                return -1;
            }
            elems[k] = e;
        }
    } else {
        if (x.subscripts.size() != u.dims.size()) {
            error_at(sim::Code::E_DIMENSION_MISMATCH, n.span.begin,
                     "'" + x.text + "' has " + std::to_string(u.dims.size()) + " dimension" +
                         (u.dims.size() == 1 ? "" : "s") + " [" + dims_text(u) + "] but is used with " +
                         std::to_string(x.subscripts.size()) + " subscript" + (x.subscripts.size() == 1 ? "" : "s"));
            return -1;
        }
        for (std::size_t k = 0; k < u.dims.size(); ++k) {
            elems[k] = subscript_element(x.subscripts[k], ui, k);
            if (elems[k] < 0) return -1;
        }
    }
    std::size_t flat = 0;
    std::string name = v.name + "[";
    for (std::size_t k = 0; k < u.dims.size(); ++k) {
        flat = flat * static_cast<std::size_t>(u.sizes[k]) + static_cast<std::size_t>(dims_[u.dims[k]].find(elems[k]));
        name += (k ? "," : "") + dims_.elem_name(elems[k]);
    }
    const int off = u.element(flat);
    if (off < 0) {
        error_at(sim::Code::E_UNKNOWN_ELEMENT, n.span.begin,
                 "'" + name + "]' is not defined: the definitions of '" + v.name + "' do not cover it");
        return -1;
    }
    return u.first + off;
}

}  // namespace sim::detail
