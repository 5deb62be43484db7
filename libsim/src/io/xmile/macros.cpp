// XMILE reader: <macro> definitions (XMILE 1.0 section 4.8) and the tree
// pass that expands their calls. See MacroDef in loader.hpp.
//
// Calls are expanded in trees, never in text: an argument is a subtree of
// the caller's equation, copied where the parameter stands. Nodes copied
// from a macro's <eqn> into a caller take the span of the call, so every
// later diagnostic points at the call as written. Recursion is refused when
// the macros are read (check_macro_calls); the nodes made count against
// Limits::operations, and the nesting of calls against Limits::depth.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "io/xmile/loader.hpp"
#include "lang/tree.hpp"
#include "util/call_depth.hpp"
#include "util/text.hpp"

namespace sim::xmile {

struct Loader::MacroCtx {
    const Equation* eq;  // the equation being expanded (positions, the text of arguments)
    const Scope* scope;
    const std::string* var;
    bool arrayed;
    bool failed = false;
};

namespace {

// Points each child id of `n` at f(id).
template <class F>
void remap(ast::Node& n, F&& f) {
    std::visit(
        [&](auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::Name>) {
                for (auto& k : x.subscripts) k = f(k);
            } else if constexpr (std::is_same_v<T, ast::Unary>) {
                x.arg = f(x.arg);
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                x.lhs = f(x.lhs);
                x.rhs = f(x.rhs);
            } else if constexpr (std::is_same_v<T, ast::Call>) {
                for (auto& k : x.args) k = f(k);
            } else if constexpr (std::is_same_v<T, ast::If>) {
                x.cond = f(x.cond);
                x.then_ = f(x.then_);
                x.else_ = f(x.else_);
            }
        },
        n.v);
}

// The copy recurses once per level of the tree it makes: 4 trees as deep as
// the parser allows (ast::max_tree_depth), a few MB of stack at most.
constexpr std::size_t max_expansion_depth = 4 * static_cast<std::size_t>(ast::max_tree_depth);

// Counts a level of the expansion's recursion while in scope.
struct Deeper {
    std::size_t& d;
    explicit Deeper(std::size_t& depth) : d(depth) { ++d; }
    ~Deeper() { --d; }
    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;
};

std::string arguments(std::size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); }

}  // namespace

void Loader::read_macro(pugi::xml_node m) {
    MacroDef mac;
    mac.node = m;
    mac.name = trimmed(unescape_name(m.attribute("name").as_string()));
    mac.canonical = canonical_name(mac.name);
    if (mac.canonical.empty()) {
        error(sim::Code::E_XMILE_NAME, m, "", "<macro> has no name attribute: add name=\"...\", the name it is called by");
        return;
    }
    if (!macro_names_.insert(mac.canonical).second) {
        error(sim::Code::E_XMILE_DUPLICATE, m, mac.name,
              "macro '" + mac.name + "' is defined more than once (names compare without case, spaces and underscores alike)");
        return;
    }
    bool ok = true;
    pugi::xml_node eqn;
    for (auto c : m.children()) {
        if (c.type() != pugi::node_element || tag(c).empty()) continue;
        std::string_view t = tag(c);
        if (t == "parm") {
            MacroParm p;
            p.node = c;
            p.name = trimmed(unescape_name(text_of(c)));
            p.canonical = canonical_name(p.name);
            if (p.canonical.empty()) {
                error(sim::Code::E_XMILE_MACRO, c, mac.name, "<parm> of macro '" + mac.name + "' names no parameter");
                ok = false;
                continue;
            }
            if (std::any_of(mac.parms.begin(), mac.parms.end(), [&](const MacroParm& q) { return q.canonical == p.canonical; })) {
                error(sim::Code::E_XMILE_MACRO, c, mac.name,
                      "macro '" + mac.name + "' has two parameters named '" + p.name + "': rename one");
                ok = false;
                continue;
            }
            if (auto d = c.attribute("default")) {
                // Positioned at the attribute's value in the file text.
                SourceLoc at = loc(c);
                if (c.offset_debug() >= 0) {
                    const std::size_t from = static_cast<std::size_t>(c.offset_debug());
                    const std::size_t close = text_.find('>', from);
                    std::size_t k = text_.find("default", from);
                    if (k != std::string_view::npos && k < close) {
                        k = text_.find_first_of("\"'", k);
                        if (k != std::string_view::npos && k < close) at = lines_.loc(file_, k + 1);
                    }
                }
                p.fallback = Equation::parse(d.value(), at);
                if (p.fallback->error) {
                    diags_.error(sim::Code::E_PARSE, p.fallback->at(p.fallback->error->offset), mac.name,
                                 p.fallback->error->message);
                    ok = false;
                }
            } else if (!mac.parms.empty() && mac.parms.back().fallback) {
                error(sim::Code::E_XMILE_MACRO, c, mac.name,
                      "parameter '" + p.name + "' of macro '" + mac.name +
                          "' has no default but an earlier one has: give it a default=\"...\" or move it before");
                ok = false;
            }
            if (!p.fallback) ++mac.required;
            mac.parms.push_back(std::move(p));
        } else if (t == "eqn") {
            eqn = c;
        } else if (t == "variables") {
            mac.vars = c;
        } else if (t == "sim_specs") {
            error(sim::Code::E_XMILE_UNSUPPORTED, c, mac.name,
                  "<sim_specs> in macro '" + mac.name +
                      "' (a macro run on a time axis of its own) is not supported: remove it to run the macro on the model's");
            ok = false;
        } else if (t != "format" && t != "doc" && t != "views" && t != "view" && t != "display") {
            warning(sim::Code::W_XMILE_IGNORED, c, mac.name, "<" + std::string(c.name()) + "> in <macro> is not understood and is ignored");
        }
    }
    if (!eqn || trimmed(text_of(eqn)).empty()) {
        error(sim::Code::E_XMILE_EQN, eqn ? eqn : m, mac.name,
              "macro '" + mac.name + "' has no <eqn>: give the expression a call returns");
        return;
    }
    mac.eqn = read_eqn(eqn, mac.name);
    if (mac.eqn.error) {
        diags_.error(sim::Code::E_PARSE, mac.eqn.at(mac.eqn.error->offset), mac.name, mac.eqn.error->message);
        ok = false;
    }
    if (ok) macros_.emplace(mac.canonical, std::move(mac));
}

// The macros each macro calls (in its <eqn>, its defaults and its
// variables), then, iteratively, a cycle (refused: an expansion would not
// end) or a chain of calls longer than Limits::depth.
void Loader::check_macro_calls() {
    if (macros_.empty()) return;
    std::vector<const MacroDef*> list;
    std::map<std::string, std::size_t> index;
    for (const auto& [k, mac] : macros_) {
        index.emplace(k, list.size());
        list.push_back(&mac);
    }
    std::vector<std::set<std::size_t>> calls(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto scan = [&](const Equation& e) {
            for (const auto& node : e.tree.nodes)
                if (const auto* c = std::get_if<ast::Call>(&node.v))
                    if (auto it = index.find(c->canonical); it != index.end()) calls[i].insert(it->second);
        };
        scan(list[i]->eqn);
        for (const auto& p : list[i]->parms)
            if (p.fallback) scan(*p.fallback);
        if (!list[i]->vars) continue;
        // Every <eqn> under the variables (<element>s' too); bounded by check_depth.
        std::vector<pugi::xml_node> todo{list[i]->vars};
        while (!todo.empty()) {
            auto n = todo.back();
            todo.pop_back();
            for (auto c : n.children()) {
                if (c.type() != pugi::node_element) continue;
                if (tag(c) == "eqn") scan(Equation::parse(text_of(c)));
                else todo.push_back(c);
            }
        }
    }
    std::set<std::size_t> refused;
    const std::vector<std::size_t> depth =
        util::call_depths(calls, [&](std::size_t j, const std::vector<std::size_t>& path) {
            if (refused.count(j)) return;
            std::string chain;
            bool on = false;
            for (std::size_t s : path) {
                on = on || s == j;
                if (on) chain += list[s]->name + " -> ";
            }
            refused.insert(j);
            error(sim::Code::E_XMILE_MACRO, list[j]->node, list[j]->name,
                  "macro '" + list[j]->name + "' calls itself (" + chain + list[j]->name +
                      "): recursive macros are not supported; write the iteration as a stock and flows");
        });
    for (std::size_t i = 0; i < list.size(); ++i)
        if (depth[i] > limits_.depth && refused.empty()) {
            error(sim::Code::E_LIMIT, list[i]->node, list[i]->name,
                  "macro '" + list[i]->name + "' starts a chain of " + std::to_string(depth[i]) +
                      " macros, each calling the next" + limit_hint(limits_.depth, "--max-depth"));
            refused.insert(i);
            break;
        }
    // Calls of a refused macro stay calls: the load has failed already.
    for (std::size_t i : refused) macros_.erase(list[i]->canonical);
}

void Loader::expand_macros(Equation& eq, const Scope& scope, const std::string& var, bool arrayed) {
    if (eq.tree.empty() || over_limit_) return;
    const bool any = std::any_of(eq.tree.nodes.begin(), eq.tree.nodes.end(), [&](const ast::Node& n) {
        const auto* c = std::get_if<ast::Call>(&n.v);
        return c && macros_.count(c->canonical);
    });
    if (!any) return;
    MacroCtx c{&eq, &scope, &var, arrayed};
    ast::Expr out;
    const ast::NodeId root = mx_copy(eq.tree, eq.tree.root, out, c, nullptr, std::nullopt);
    if (c.failed) return;
    out.root = root;
    ast::compact(out);
    // Later stages walk trees recursively: bound the depth the expansion made.
    std::vector<std::uint32_t> depth(out.nodes.size(), 1);
    for (ast::NodeId i = 0; i < out.nodes.size(); ++i) {
        ast::for_each_child(out[i], [&](ast::NodeId k) { depth[i] = std::max(depth[i], depth[k] + 1); });
        if (depth[i] > static_cast<std::uint32_t>(ast::max_tree_depth)) {
            diags_.error(sim::Code::E_XMILE_MACRO, eq.at(eq.tree[eq.tree.root].span), var,
                         "the equation, its macro calls expanded, is more than " + std::to_string(ast::max_tree_depth) +
                             " operations deep");
            return;
        }
    }
    eq.tree = std::move(out);
}

// Counts one node made; false (reported once, c.failed) over Limits::operations
// or when the copy recurses deeper than trees may be (expansions nest: an
// instance's equations are expanded inside its caller's, so all count).
bool Loader::mx_made(MacroCtx& c, ast::Span at) {
    if (mx_depth_ > max_expansion_depth) {
        diags_.error(sim::Code::E_XMILE_MACRO, c.eq->at(at), *c.var,
                     "macro calls nest more than " + std::to_string(max_expansion_depth) +
                         " operations deep here (arguments and macros inside one another)");
        c.failed = true;
        return false;
    }
    if (++made_ <= limits_.operations) return true;
    if (!operations_reported_)
        diags_.error(sim::Code::E_LIMIT, c.eq->at(at), *c.var,
                     "the model's macro calls expand to too many operations" +
                         limit_hint(limits_.operations, "--max-operations"));
    operations_reported_ = true;
    c.failed = true;
    return false;
}

// A copy of `from`'s subtree at `id` into `out` (which may be `from`),
// spans kept or, with `at`, all set to it.
ast::NodeId Loader::mx_graft(const ast::Expr& from, ast::NodeId id, ast::Expr& out, MacroCtx& c,
                             std::optional<ast::Span> at) {
    Deeper level(mx_depth_);
    if (c.failed || !mx_made(c, at.value_or(from[id].span))) return 0;
    ast::Node n = from[id];  // a copy: `out` may be `from` and grow
    if (at) n.span = *at;
    remap(n, [&](ast::NodeId k) { return mx_graft(from, k, out, c, at); });
    return c.failed ? 0 : out.add(std::move(n));
}

// Copies `src`'s subtree at `id` into `out`, expanding macro calls; names
// bound in `b` (a macro's parameters) become copies of their arguments.
ast::NodeId Loader::mx_copy(const ast::Expr& src, ast::NodeId id, ast::Expr& out, MacroCtx& c, const Bindings* b,
                            std::optional<ast::Span> at) {
    if (c.failed) return 0;
    Deeper level(mx_depth_);
    const ast::Node& n = src[id];
    const ast::Span span = at.value_or(n.span);
    if (const auto* x = std::get_if<ast::Name>(&n.v); x && b && x->subscripts.empty()) {
        if (auto it = b->find(x->canonical); it != b->end()) return mx_graft(out, it->second, out, c, std::nullopt);
    }
    if (const auto* x = std::get_if<ast::Call>(&n.v)) {
        if (auto it = macros_.find(x->canonical); it != macros_.end())
            return mx_call(it->second, src, n, *x, out, c, b, at);
    }
    if (!mx_made(c, span)) return 0;
    ast::Node copy = n;
    copy.span = span;
    // Subscripts are element and dimension names, never parameters.
    const Bindings* kids = std::holds_alternative<ast::Name>(n.v) ? nullptr : b;
    remap(copy, [&](ast::NodeId k) { return mx_copy(src, k, out, c, kids, at); });
    return c.failed ? 0 : out.add(std::move(copy));
}

ast::NodeId Loader::mx_call(const MacroDef& mac, const ast::Expr& src, const ast::Node& n, const ast::Call& x,
                            ast::Expr& out, MacroCtx& c, const Bindings* b, std::optional<ast::Span> at) {
    const ast::Span span = at.value_or(n.span);
    auto fail = [&](sim::Code code, std::string msg) {
        diags_.error(code, c.eq->at(span), *c.var, std::move(msg));
        c.failed = true;
        return ast::NodeId{0};
    };
    if (x.args.size() < mac.required || x.args.size() > mac.parms.size()) {
        std::string takes = mac.required == mac.parms.size()
                                ? arguments(mac.parms.size())
                                : "from " + std::to_string(mac.required) + " to " + arguments(mac.parms.size());
        return fail(sim::Code::E_XMILE_MACRO, "macro '" + mac.name + "' takes " + takes + ", but " +
                                                   std::to_string(x.args.size()) + (x.args.size() == 1 ? " was" : " were") +
                                                   " given");
    }
    if (std::find(macro_stack_.begin(), macro_stack_.end(), mac.canonical) != macro_stack_.end())
        return fail(sim::Code::E_XMILE_MACRO, "macro '" + mac.name + "' calls itself: recursive macros are not supported");
    if (macro_stack_.size() >= limits_.depth)
        return fail(sim::Code::E_LIMIT, "macros call macros more than " + std::to_string(limits_.depth) + " deep here" +
                                            limit_hint(limits_.depth, "--max-depth"));
    // The arguments, in the caller's context.
    std::vector<ast::NodeId> args;
    for (ast::NodeId a : x.args) args.push_back(mx_copy(src, a, out, c, b, at));
    if (c.failed) return 0;

    if (!mac.vars) {
        // An expression: the <eqn> with the arguments in place of the parameters.
        Bindings bound;
        macro_stack_.push_back(mac.canonical);
        for (std::size_t i = 0; i < mac.parms.size() && !c.failed; ++i) {
            const auto& p = mac.parms[i];
            bound[p.canonical] = i < args.size() ? args[i] : mx_copy(p.fallback->tree, p.fallback->tree.root, out, c, &bound, span);
        }
        const ast::NodeId r = c.failed ? 0 : mx_copy(mac.eqn.tree, mac.eqn.tree.root, out, c, &bound, span);
        macro_stack_.pop_back();
        return r;
    }

    // A stock-flow structure: an instance of the macro's variables per call.
    if (c.arrayed)
        return fail(sim::Code::E_XMILE_UNSUPPORTED,
                    "macro '" + mac.name +
                        "' has <variables> (an instance of them per call); calling it from an arrayed variable is not supported");
    if (macro_instances_ + module_instances_ >= limits_.module_instances) {
        over_limit_ = true;
        return fail(sim::Code::E_LIMIT, "the model has more than " + std::to_string(limits_.module_instances) +
                                            " module and macro instances (each call of a macro with <variables> is one)" +
                                            limit_hint(limits_.module_instances, "--max-modules"));
    }
    const std::string k = "#" + std::to_string(++macro_instances_) + ".";
    std::vector<Equation> inputs;
    for (ast::NodeId a : args) {
        // Positions of the argument are in the caller's equation.
        Equation e;
        e.text = c.eq->text;
        e.loc = c.eq->loc;
        e.lines_from_col1 = c.eq->lines_from_col1;
        e.tree.root = mx_graft(out, a, e.tree, c, std::nullopt);
        inputs.push_back(std::move(e));
    }
    if (c.failed) return 0;
    macro_stack_.push_back(mac.canonical);
    const Scope inst = load_macro_instance(mac, c.scope->prefix + mac.canonical + k, c.scope->display_prefix + mac.name + k,
                                           std::move(inputs), *c.var);
    Equation result = mac.eqn;
    flatten(result, inst, *c.var);
    expand_macros(result, inst, *c.var, false);
    macro_stack_.pop_back();
    return mx_graft(result.tree, result.tree.root, out, c, span);
}

Scope Loader::load_macro_instance(const MacroDef& mac, const std::string& prefix, const std::string& display_prefix,
                                  std::vector<Equation> args, const std::string& var) {
    Scope scope = collect_scope(mac.vars, prefix, display_prefix);
    std::set<std::string> parms;
    for (const auto& p : mac.parms) parms.insert(p.canonical);
    // A variable named as a parameter and without an equation declares its
    // kind (xmutil writes the inflow of a macro's stock so).
    std::map<std::string, pugi::xml_node> declared;
    for (auto v : mac.vars.children()) {
        if (v.type() != pugi::node_element || tag(v).empty()) continue;
        std::string cn = canonical_name(unescape_name(v.attribute("name").as_string()));
        if (!parms.count(cn)) continue;
        if (tag(v) == "stock" || !trimmed(text_of(child(v, "eqn"))).empty() || child(v, "gf")) {
            error(sim::Code::E_XMILE_MACRO, v, mac.name,
                  "<" + std::string(tag(v)) + " name=\"" + v.attribute("name").as_string() + "\"> in macro '" + mac.name +
                      "' has the name of one of its parameters: rename it");
            continue;
        }
        declared[cn] = v;
    }
    scope.locals.insert(parms.begin(), parms.end());
    for (std::size_t i = 0; i < mac.parms.size(); ++i) {
        const auto& p = mac.parms[i];
        auto d = declared.find(p.canonical);
        Variable v;
        v.kind = (d != declared.end() && tag(d->second) == "flow") || scope.stock_flows.count(p.canonical) ? VarKind::flow
                                                                                                              : VarKind::aux;
        v.name = display_prefix + p.name;
        v.loc = loc(p.node);
        if (i < args.size()) {
            v.equation = std::move(args[i]);
        } else {
            v.equation = *p.fallback;
            flatten(v.equation, scope, var);
            expand_macros(v.equation, scope, var, false);
        }
        add_variable(std::move(v), p.node);
    }
    load_variables(mac.vars, scope, behavior_, {}, parms);
    return scope;
}

}  // namespace sim::xmile
