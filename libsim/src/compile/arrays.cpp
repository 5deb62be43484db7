// Compiler: array functions. Their argument is not resolved once but once
// per element of the dimensions it iterates (`*`, `d!`, a dimension the
// equation does not iterate, an arrayed variable named without
// subscripts), with those dimensions bound in turn:
//  - reductions (SUM, PROD, MIN/MAX with one argument, VMIN, VMAX, MEAN,
//    STDDEV, SIZE) combine the resulting nodes into one expression;
//  - vector functions (VECTOR *, ALLOCATE *, RANK) take their argument as
//    a vector along its last subscript and become Code::vector
//    instructions (compile/vector_ops.hpp), one per element computed;
//  - LOOKUP(table, x) calls the graphical function of the element named;
//  - ELMCOUNT(d) is the number of elements of d.
#include <algorithm>
#include <cmath>

#include "compile/compiler.hpp"
#include "lang/tree.hpp"

namespace sim::detail {

using ast::Builtin;

namespace {

std::string plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// A bound on what array functions may expand to: the product of the
// dimensions one iterates, and the resolved nodes of the whole model.
constexpr std::size_t max_nodes = 50'000'000;

}  // namespace

bool Compiler::check_arity(const ast::Node& n, const ast::BuiltinInfo& b, int count) {
    if (count >= b.min_args && count <= b.max_args) return true;
    std::string expected = b.min_args == b.max_args ? plural(b.min_args, "argument")
                                                    : std::to_string(b.min_args) + " to " + plural(b.max_args, "argument");
    error_at(sim::Code::E_ARG_COUNT, n.span.begin,
             std::string(b.name) + " takes " + expected + " (" + std::string(b.params) + "), but " +
                 std::to_string(count) + (count == 1 ? " was" : " were") + " given");
    return false;
}

// The dimensions `id` iterates inside an array function, in order of
// appearance, each once. Nested array functions iterate their own.
void Compiler::iterated_dims(ast::NodeId id, std::vector<int>& dims) const {
    const ast::Node& node = eq_->tree[id];
    auto add = [&](int d) {
        if (d >= 0 && std::find(dims.begin(), dims.end(), d) == dims.end()) dims.push_back(d);
    };
    if (const auto* x = std::get_if<ast::Name>(&node.v)) {
        auto it = by_name_.find(x->canonical);
        if (it == by_name_.end()) return;
        const UVar& u = uv_[static_cast<std::size_t>(it->second)];
        if (u.dims.empty()) return;
        if (x->subscripts.empty()) {
            for (int d : u.dims) add(d);  // the whole array
            return;
        }
        for (std::size_t k = 0; k < x->subscripts.size() && k < u.dims.size(); ++k) {
            const ast::Node& s = eq_->tree[x->subscripts[k]];
            if (std::holds_alternative<ast::Wildcard>(s.v)) {
                add(u.dims[k]);
            } else if (const auto* sn = std::get_if<ast::Name>(&s.v); sn && sn->subscripts.empty()) {
                const std::string& c = sn->canonical;
                if (!c.empty() && c.back() == '!') {
                    add(dims_.dim(c.substr(0, c.size() - 1)));
                } else if (const int d = dims_.dim(c); d >= 0) {
                    bool mapped = false;
                    if (bound_element(d, d, mapped) == -1) add(d);  // not iterated by the equation
                }
            }
        }
        return;
    }
    if (const auto* c = std::get_if<ast::Call>(&node.v)) {
        if (const auto* b = ast::find_builtin(c->canonical);
            b && (ast::is_array_function(b->id) ||
                  ((b->id == Builtin::min || b->id == Builtin::max) && c->args.size() == 1)))
            return;
    }
    ast::for_each_child(node, [&](ast::NodeId ch) { iterated_dims(ch, dims); });
}

bool Compiler::iterate(ast::NodeId arg, std::vector<int>& out) {
    std::vector<int> dims;
    iterated_dims(arg, dims);
    std::size_t total = 1;
    for (int d : dims) {
        total *= static_cast<std::size_t>(dims_[d].size());
        if (total > max_variable_elements) {
            error_at(sim::Code::E_ARRAY_SIZE, eq_->tree[arg].span.begin,
                     "this array function iterates more than " + std::to_string(max_variable_elements) +
                         " elements (the limit)");
            return false;
        }
    }
    if (nodes_.size() + total > max_nodes) {
        error_at(sim::Code::E_ARRAY_SIZE, eq_->tree[arg].span.begin,
                 "the model's array functions expand to more than " + std::to_string(max_nodes) + " operations (the limit)");
        return false;
    }
    const std::size_t base = binds_.size();
    for (int d : dims) binds_.push_back({d, dims_[d].elems.front()});
    std::vector<std::size_t> idx(dims.size(), 0);
    ++in_array_fn_;
    bool ok = true;
    for (bool more = true; more && ok;) {
        for (std::size_t k = 0; k < dims.size(); ++k) binds_[base + k].elem = dims_[dims[k]].elems[idx[k]];
        const int r = resolve(arg);
        if (r < 0) ok = false;
        out.push_back(r);
        more = false;
        for (std::size_t k = dims.size(); k-- > 0;) {
            if (++idx[k] < static_cast<std::size_t>(dims_[dims[k]].size())) {
                more = true;
                break;
            }
            idx[k] = 0;
        }
    }
    --in_array_fn_;
    binds_.resize(base);
    return ok;
}

// A left fold for short lists (the order Vensim sums in); halves beyond,
// so that long sums stay shallow trees.
int Compiler::fold(Code c, const std::vector<int>& xs, std::size_t begin, std::size_t end) {
    if (end - begin <= 32) {
        int acc = xs[begin];
        for (std::size_t i = begin + 1; i < end; ++i) acc = op(c, acc, xs[i]);
        return acc;
    }
    const std::size_t mid = begin + (end - begin) / 2;
    return op(c, fold(c, xs, begin, mid), fold(c, xs, mid, end));
}

int Compiler::output_position(const ast::Node& n, const char* fname) {
    const CVar& c = var(cur_);
    if (c.user >= 0) {
        const UVar& u = uv_[static_cast<std::size_t>(c.user)];
        if (!u.dims.empty()) return static_cast<int>(c.flat % static_cast<std::size_t>(u.sizes.back()));
    }
    error_at(sim::Code::E_ARRAY_ARG, n.span.begin,
             std::string(fname) + " gives a vector: use it in the equation of an array, whose last dimension selects the element");
    return -1;
}

bool Compiler::vector_arg(ast::NodeId arg, std::vector<int>& out, int& dim, std::uint32_t& base) {
    // The first reference to an arrayed variable, in source order.
    const ast::Name* ref = nullptr;
    const UVar* ru = nullptr;
    std::vector<ast::NodeId> stack{arg};
    while (!stack.empty() && !ref) {
        const ast::NodeId id = stack.back();
        stack.pop_back();
        const ast::Node& node = eq_->tree[id];
        if (const auto* x = std::get_if<ast::Name>(&node.v)) {
            if (auto it = by_name_.find(x->canonical); it != by_name_.end() && !uv_[static_cast<std::size_t>(it->second)].dims.empty()) {
                ref = x;
                ru = &uv_[static_cast<std::size_t>(it->second)];
            }
            continue;
        }
        std::vector<ast::NodeId> kids;
        ast::for_each_child(node, [&](ast::NodeId c) { kids.push_back(c); });
        for (auto k = kids.rbegin(); k != kids.rend(); ++k) stack.push_back(*k);
    }
    if (!ref) {
        error_at(sim::Code::E_ARRAY_ARG, eq_->tree[arg].span.begin,
                 "this argument must be an array (a vector along its last subscript), but it names no arrayed variable");
        return false;
    }
    base = 0;
    dim = ru->dims.back();
    if (!ref->subscripts.empty()) {
        const ast::Node& s = eq_->tree[ref->subscripts.back()];
        if (const auto* sn = std::get_if<ast::Name>(&s.v); sn && sn->subscripts.empty()) {
            const std::string& c = sn->canonical;
            const int d = dims_.dim(!c.empty() && c.back() == '!' ? c.substr(0, c.size() - 1) : c);
            if (d >= 0) {
                // The position the subscript names here (VECTOR ELM MAP's base), if it names one.
                bool mapped = false;
                const int e = bound_element(d, ru->dims.back(), mapped);
                if (e >= 0) base = static_cast<std::uint32_t>(dims_[ru->dims.back()].find(e));
                dim = d;
            } else if (const int e = dims_.elem(c); e >= 0 && dims_[ru->dims.back()].holds(e)) {
                base = static_cast<std::uint32_t>(dims_[ru->dims.back()].find(e));
            }
        }
    }
    const std::size_t n = static_cast<std::size_t>(dims_[dim].size());
    if (nodes_.size() + n > max_nodes) {
        error_at(sim::Code::E_ARRAY_SIZE, eq_->tree[arg].span.begin,
                 "the model's array functions expand to more than " + std::to_string(max_nodes) + " operations (the limit)");
        return false;
    }
    binds_.push_back({dim, 0});
    ++in_array_fn_;
    bool ok = true;
    for (std::size_t i = 0; i < n && ok; ++i) {
        binds_.back().elem = dims_[dim].elems[i];
        const int r = resolve(arg);
        if (r < 0) ok = false;
        out.push_back(r);
    }
    --in_array_fn_;
    binds_.pop_back();
    return ok;
}

int Compiler::array_function(const ast::Node& n, const ast::Call& call, const ast::BuiltinInfo& b) {
    const int count = static_cast<int>(call.args.size());
    if (!check_arity(n, b, count)) return -1;
    const char* fname = b.name.data();
    auto vars_of = [&](const std::vector<int>& xs, const char* what) {
        std::vector<int> r;
        for (int x : xs) r.push_back(as_var(x, what));
        return r;
    };
    switch (b.id) {
        case Builtin::lookup: {
            const auto* t = std::get_if<ast::Name>(&eq_->tree[call.args[0]].v);
            auto it = t ? by_name_.find(t->canonical) : by_name_.end();
            if (it == by_name_.end()) {
                error_at(sim::Code::E_NOT_CALLABLE, eq_->tree[call.args[0]].span.begin,
                         "LOOKUP's first argument must name a graphical function");
                return -1;
            }
            const int ci = reference(eq_->tree[call.args[0]], *t, it->second, true);
            if (ci < 0) return -1;
            if (var(ci).table < 0) {
                error_at(sim::Code::E_NOT_CALLABLE, eq_->tree[call.args[0]].span.begin,
                         "'" + t->text + "' is " + article(var(ci).kind) + ", not a graphical function");
                return -1;
            }
            const int x = resolve(call.args[1]);
            if (x < 0) return -1;
            return table_call(var(ci).table, x);
        }
        case Builtin::elmcount: {
            const auto* d = std::get_if<ast::Name>(&eq_->tree[call.args[0]].v);
            const int dim = d && d->subscripts.empty() ? dims_.dim(d->canonical) : -1;
            if (dim < 0) {
                error_at(sim::Code::E_ARRAY_ARG, eq_->tree[call.args[0]].span.begin, "ELMCOUNT takes the name of a dimension");
                return -1;
            }
            return num(dims_[dim].size());
        }
        case Builtin::sum: case Builtin::prod: case Builtin::vmin: case Builtin::vmax: case Builtin::min:
        case Builtin::max: case Builtin::mean: case Builtin::stddev: case Builtin::size: {
            std::vector<int> xs;
            for (auto a : call.args)
                if (!iterate(a, xs)) return -1;
            const double count_d = static_cast<double>(xs.size());
            switch (b.id) {
                case Builtin::sum: return fold(Code::add, xs, 0, xs.size());
                case Builtin::prod: return fold(Code::mul, xs, 0, xs.size());
                case Builtin::vmin: case Builtin::min: return fold(Code::min, xs, 0, xs.size());
                case Builtin::vmax: case Builtin::max: return fold(Code::max, xs, 0, xs.size());
                case Builtin::size: return num(count_d);
                case Builtin::mean: return op(Code::div, fold(Code::add, xs, 0, xs.size()), num(count_d));
                default: {  // population standard deviation
                    const int mean = as_var(op(Code::div, fold(Code::add, xs, 0, xs.size()), num(count_d)), "mean");
                    std::vector<int> sq;
                    for (int x : xs) {
                        const int d = op(Code::sub, x, ref(mean));
                        sq.push_back(op(Code::mul, d, d));
                    }
                    return op(Code::sqrt, op(Code::div, fold(Code::add, sq, 0, sq.size()), num(count_d)));
                }
            }
        }
        case Builtin::vector_select: {
            std::vector<int> sel, x;
            if (!iterate(call.args[0], sel) || !iterate(call.args[1], x)) return -1;
            if (sel.size() != x.size()) {
                error_at(sim::Code::E_ARRAY_ARG, n.span.begin,
                         "VECTOR SELECT's selection has " + std::to_string(sel.size()) + " elements and its expression " +
                             std::to_string(x.size()) + "; they must iterate the same dimensions");
                return -1;
            }
            const int missing = resolve(call.args[2]), action = resolve(call.args[3]);
            if (missing < 0 || action < 0 || resolve(call.args[4]) < 0) return -1;
            CVec v;
            v.kind = VectorOp::select;
            v.a = vars_of(sel, "vector_in");
            v.b = vars_of(x, "vector_in");
            v.p0 = as_var(missing, "vector_arg");
            v.p1 = as_var(action, "vector_arg");
            return vec_call(std::move(v));
        }
        case Builtin::rank: {
            std::vector<int> xs;
            if (!iterate(call.args[0], xs)) return -1;
            const int nth = resolve(call.args[1]);
            if (nth < 0) return -1;
            CVec v;
            v.kind = VectorOp::xmile_rank;
            v.a = vars_of(xs, "vector_in");
            v.p0 = as_var(nth, "vector_arg");
            return vec_call(std::move(v));
        }
        default: break;
    }
    // Vector functions: element k of a vector computed from whole vectors.
    std::vector<int> a, bvec;
    int dim = -1;
    std::uint32_t base = 0;
    if (!vector_arg(call.args[0], a, dim, base)) return -1;
    CVec v;
    v.a = vars_of(a, "vector_in");
    auto scalar = [&](std::size_t i) {
        const int r = resolve(call.args[i]);
        return r < 0 ? -1 : as_var(r, "vector_arg");
    };
    auto same_size = [&](const std::vector<int>& other, const char* what) {
        if (other.size() == a.size()) return true;
        error_at(sim::Code::E_ARRAY_ARG, n.span.begin,
                 std::string(fname) + ": the " + what + " has " + std::to_string(other.size()) +
                     " elements but the first argument " + std::to_string(a.size()));
        return false;
    };
    switch (b.id) {
        case Builtin::vector_elm_map: {
            v.kind = VectorOp::elm_map;
            v.k = base;
            if ((v.p0 = scalar(1)) < 0) return -1;
            return vec_call(std::move(v));
        }
        case Builtin::vector_sort_order:
        case Builtin::vector_rank: {
            v.kind = b.id == Builtin::vector_rank ? VectorOp::rank : VectorOp::sort_order;
            const int k = output_position(n, fname);
            if (k < 0 || (v.p0 = scalar(1)) < 0) return -1;
            v.k = static_cast<std::uint32_t>(k);
            return vec_call(std::move(v));
        }
        case Builtin::vector_reorder: {
            v.kind = VectorOp::reorder;
            int d2 = -1;
            std::uint32_t b2 = 0;
            if (!vector_arg(call.args[1], bvec, d2, b2) || !same_size(bvec, "order")) return -1;
            const int k = output_position(n, fname);
            if (k < 0) return -1;
            v.b = vars_of(bvec, "vector_in");
            v.k = static_cast<std::uint32_t>(k);
            return vec_call(std::move(v));
        }
        case Builtin::allocate_by_priority: {
            v.kind = VectorOp::allocate_priority;
            int d2 = -1;
            std::uint32_t b2 = 0;
            if (!vector_arg(call.args[1], bvec, d2, b2) || !same_size(bvec, "priority")) return -1;
            const int k = output_position(n, fname);
            if (k < 0 || resolve(call.args[2]) < 0 || (v.p0 = scalar(3)) < 0 || (v.p1 = scalar(4)) < 0) return -1;
            v.b = vars_of(bvec, "vector_in");
            v.k = static_cast<std::uint32_t>(k);
            return vec_call(std::move(v));
        }
        case Builtin::allocate_available: {
            // The priority profiles: for each element of the request's
            // dimension, the four values along the profile's last subscript.
            v.kind = VectorOp::allocate_available;
            binds_.push_back({dim, 0});
            bool ok = true;
            for (int e : dims_[dim].elems) {
                if (!ok) break;
                binds_.back().elem = e;
                std::vector<int> row;
                int d2 = -1;
                std::uint32_t b2 = 0;
                ok = vector_arg(call.args[1], row, d2, b2);
                if (ok && row.size() != 4) {
                    error_at(sim::Code::E_ARRAY_ARG, eq_->tree[call.args[1]].span.begin,
                             "ALLOCATE AVAILABLE's priority profile must have 4 elements along its last dimension "
                             "(type, priority, width, extra), not " + std::to_string(row.size()));
                    ok = false;
                }
                if (ok) bvec.insert(bvec.end(), row.begin(), row.end());
            }
            binds_.pop_back();
            if (!ok) return -1;
            const int k = output_position(n, fname);
            if (k < 0 || (v.p0 = scalar(2)) < 0) return -1;
            v.b = vars_of(bvec, "vector_in");
            v.k = static_cast<std::uint32_t>(k);
            return vec_call(std::move(v));
        }
        default: break;
    }
    error_at(sim::Code::E_INTERNAL, n.span.begin, std::string("array function ") + fname + " is not lowered");
    return -1;
}

}  // namespace sim::detail
