// Compiler phase: equation trees -> resolved nodes. A name becomes a
// variable index exactly once, here; calls are checked against the builtin
// table (lang/builtins.hpp) and lowered by lower.cpp.
#include <type_traits>
#include <variant>

#include "compile/compiler.hpp"

namespace sim::detail {

namespace {

// The key a reference is looked up by: its canonical name, and for
// `a[b, c]` "a[b,c]" (each subscript canonical), which is how the scalar
// variables of a flattened 1-D XMILE array are named.
std::string reference_key(const ast::Expr& e, const ast::Name& n) {
    if (n.subscripts.empty()) return n.canonical;
    std::string key = n.canonical + "[";
    for (std::size_t i = 0; i < n.subscripts.size(); ++i) {
        if (i) key += ',';
        const ast::NodeId s = n.subscripts[i];
        if (const auto* sub = std::get_if<ast::Name>(&e[s].v)) key += reference_key(e, *sub);
        else key += ast::print(e, s);
    }
    return key + "]";
}

// A reference as the user wrote it, for messages.
std::string written(const ast::Expr& e, const ast::Name& n) {
    if (n.subscripts.empty()) return n.text;
    std::string s = n.text + "[";
    for (std::size_t i = 0; i < n.subscripts.size(); ++i) s += (i ? ", " : "") + ast::print(e, n.subscripts[i]);
    return s + "]";
}

}  // namespace

int Compiler::op(Code code, int a, int b, int c) {
    const bool foldable = !op_info(code).timed;
    auto is_num = [&](int i) { return i < 0 || nodes_[static_cast<std::size_t>(i)].kind == RNode::num; };
    if (foldable && is_num(a) && is_num(b) && is_num(c)) {
        auto val = [&](int i) { return i < 0 ? 0.0 : nodes_[static_cast<std::size_t>(i)].value; };
        return num(apply(code, val(a), val(b), val(c), 0.0, 0.0));
    }
    return push({RNode::op, code, 0, 0, a, b, c});
}

// Invariant after: every user element that is neither a lookup nor broken
// has its resolved root(s): `init` (stocks, constants) or `init` = `run`
// (flows, auxiliaries; wrapped in their graphical function and non-negative
// clamp), resolved with the element's bindings; a stock's net rate is a
// hidden flow (`net_flow`). Stateful builtins have added hidden variables
// after the user ones. A variable whose equation fails is reported and
// marked broken.
void Compiler::resolve_equations() {
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const UVar& u = uv_[i];
        for (int k = 0; k < u.count; ++k) {
            const int ci = u.first + k;
            if (v.kind == VarKind::lookup || var(ci).broken) continue;
            const int d = var(ci).definition;
            const ArrayDefinition* def = d >= 0 ? &v.definitions[static_cast<std::size_t>(d)] : nullptr;
            bind_element(ci);
            int e;
            if (def && !def->values.empty()) {
                e = num(def->values[static_cast<std::size_t>(u.value_of[static_cast<std::size_t>(k)])]);
            } else {
                e = resolve_equation(ci, def ? def->equation : v.equation);
            }
            if (e < 0) {
                var(ci).broken = true;
                continue;
            }
            if (v.kind == VarKind::stock) {
                const Equation& rate = def ? def->net_rate : v.net_rate;
                if (rate.parsed() || !rate.empty()) {
                    const int r = resolve_equation(ci, rate);
                    if (r < 0) {
                        var(ci).broken = true;
                        continue;
                    }
                    const int f = add_hidden(Role::aux, VarKind::flow, "net_rate");
                    var(f).run = var(f).init = r;
                    var(ci).net_flow = f;
                }
            }
            switch (v.kind) {
                case VarKind::stock: var(ci).init = e; break;
                case VarKind::constant: var(ci).init = e; break;
                default:
                    if (var(ci).table >= 0) e = table_call(var(ci).table, e);
                    if (v.non_negative && v.kind == VarKind::flow) e = op(Code::nonneg, e);
                    var(ci).init = var(ci).run = e;
                    break;
            }
        }
    }
    binds_.clear();
}

int Compiler::resolve_equation(int v, const Equation& eq) {
    cur_ = v;
    eq_ = &eq;
    failed_ = false;
    if (eq.error) {
        error(sim::Code::E_PARSE, eq.at(eq.error->offset), v, eq.error->message);
        return -1;
    }
    if (eq.tree.empty()) {
        error(sim::Code::E_EMPTY_EQUATION, eq_loc(v), v,
              "the equation is empty; write an expression (a number for a constant)");
        return -1;
    }
    int r = resolve(eq.tree.root);
    return failed_ ? -1 : r;
}

int Compiler::resolve(ast::NodeId id) {
    const ast::Node& n = eq_->tree[id];
    return std::visit(
        [&](const auto& x) -> int {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::Number>) {
                return num(x.value);
            } else if constexpr (std::is_same_v<T, ast::Name>) {
                return resolve_name(n, x, id);
            } else if constexpr (std::is_same_v<T, ast::Wildcard>) {
                error_at(sim::Code::E_PARSE, n.span.begin, "'*' stands for every element only as a subscript, as in a[*]");
                return -1;
            } else if constexpr (std::is_same_v<T, ast::Unary>) {
                int a = resolve(x.arg);
                if (a < 0) return -1;
                switch (x.op) {
                    case ast::Op::neg: return op(Code::neg, a);
                    case ast::Op::not_: return op(Code::not_, a);
                    default: return a;
                }
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                int a = resolve(x.lhs);
                int b = resolve(x.rhs);
                if (a < 0 || b < 0) return -1;
                Code c = Code::add;
                switch (x.op) {
                    case ast::Op::add: c = Code::add; break;
                    case ast::Op::sub: c = Code::sub; break;
                    case ast::Op::mul: c = Code::mul; break;
                    case ast::Op::div: c = Code::div; break;
                    case ast::Op::pow: c = Code::pow; break;
                    case ast::Op::mod: c = Code::mod; break;
                    case ast::Op::eq: c = Code::eq; break;
                    case ast::Op::ne: c = Code::ne; break;
                    case ast::Op::lt: c = Code::lt; break;
                    case ast::Op::le: c = Code::le; break;
                    case ast::Op::gt: c = Code::gt; break;
                    case ast::Op::ge: c = Code::ge; break;
                    case ast::Op::and_: c = Code::and_; break;
                    case ast::Op::or_: c = Code::or_; break;
                    default: break;
                }
                return op(c, a, b);
            } else if constexpr (std::is_same_v<T, ast::If>) {
                int c = resolve(x.cond), t = resolve(x.then_), e = resolve(x.else_);
                if (c < 0 || t < 0 || e < 0) return -1;
                if (node(c).kind == RNode::num) return node(c).value != 0 ? t : e;
                return op(Code::select, c, t, e);
            } else {
                return resolve_call(n, x);
            }
        },
        n.v);
}

int Compiler::resolve_name(const ast::Node& n, const ast::Name& x, ast::NodeId) {
    if (auto it = by_name_.find(x.canonical); it != by_name_.end()) {
        const int ci = reference(n, x, it->second, false);
        if (ci < 0) return -1;
        if (var(ci).role == Role::lookup) {
            error_at(sim::Code::E_LOOKUP_AS_VALUE, n.span.begin,
                     "'" + x.text + "' is a graphical function; call it with an input, e.g. " + x.text + "(TIME)");
            return -1;
        }
        return ref(ci);
    }
    const std::string key = x.subscripts.empty() ? std::string() : reference_key(eq_->tree, x);
    if (!x.subscripts.empty()) {
        // A scalar variable named with its subscripts ("x[a,b]"), as specs
        // flattened before arrays were in the spec name them.
        if (auto it = by_name_.find(key); it != by_name_.end() && uv_[static_cast<std::size_t>(it->second)].dims.empty()) {
            const int ci = uv_[static_cast<std::size_t>(it->second)].first;
            if (var(ci).role == Role::lookup) {
                error_at(sim::Code::E_LOOKUP_AS_VALUE, n.span.begin,
                         "'" + x.text + "' is a graphical function; call it with an input, e.g. " + x.text + "(TIME)");
                return -1;
            }
            return ref(ci);
        }
    }
    if (x.subscripts.empty()) {
        // A dimension as a value: the position of its element in its family.
        if (const int d = dims_.dim(x.canonical); d >= 0) {
            bool mapped = false;
            const int e = bound_element(d, d, mapped);
            if (e < 0) {
                error_at(sim::Code::E_DIMENSION_MISMATCH, n.span.begin,
                         "dimension '" + x.text + "' is used as a value where the equation does not iterate it");
                return -1;
            }
            return num(1.0 + dims_[dims_[d].family].find(e));
        }
        if (const auto* b = ast::find_builtin(x.canonical); b && b->min_args == 0) {
            std::vector<int> none;
            return builtin(n, *b, none);
        }
    }
    const std::string hint = suggestion(x.subscripts.empty() ? x.canonical : key);
    error_at(sim::Code::E_UNKNOWN_NAME, n.span.begin,
             "unknown name '" + written(eq_->tree, x) + "'" + hint +
                 (hint.empty() ? "; define it or check its spelling" : ""));
    return -1;
}

int Compiler::resolve_call(const ast::Node& n, const ast::Call& call) {
    // A graphical function called by name (it shadows a builtin of the same
    // name; other variables do not, so a variable may be called "trend").
    // An arrayed one is called for the element the equation iterates.
    auto it = by_name_.find(call.canonical);
    const ast::BuiltinInfo* b = ast::find_builtin(call.canonical);
    const bool table_call_by_name =
        it != by_name_.end() && (var(uv_[static_cast<std::size_t>(it->second)].first).table >= 0 || !b);
    // Array functions resolve their arguments themselves (arrays.cpp).
    if (!table_call_by_name && b &&
        (ast::is_array_function(b->id) ||
         ((b->id == ast::Builtin::min || b->id == ast::Builtin::max) && call.args.size() == 1)))
        return array_function(n, call, *b);
    std::vector<int> args;
    bool bad = false;
    for (auto a : call.args) {
        int r = resolve(a);
        if (r < 0) bad = true;
        args.push_back(r);
    }
    if (table_call_by_name) {
        const ast::Name self{call.canonical, call.text, {}};
        const int ci = reference(n, self, it->second, true);
        if (ci < 0) return -1;
        const CVar& target = var(ci);
        if (target.table < 0) {
            error_at(sim::Code::E_NOT_CALLABLE, n.span.begin,
                     "'" + call.text + "' is " + article(target.kind) +
                         ", not a graphical function; only variables with a graphical function can be called");
            return -1;
        }
        if (args.size() != 1) {
            error_at(sim::Code::E_ARG_COUNT, n.span.begin,
                     "graphical function '" + call.text + "' takes 1 argument, but " + std::to_string(args.size()) +
                         " were given");
            return -1;
        }
        if (bad) return -1;
        return table_call(target.table, args[0]);
    }
    if (!b) {
        const std::string hint = suggestion(call.canonical);
        error_at(sim::Code::E_UNKNOWN_FUNCTION, n.span.begin,
                 "unknown function '" + call.text + "'" + hint +
                     (hint.empty() ? "; check the spelling or define a graphical function" : ""));
        return -1;
    }
    if (!check_arity(n, *b, static_cast<int>(args.size()))) return -1;
    if (bad) return -1;
    return builtin(n, *b, args);
}

}  // namespace sim::detail
