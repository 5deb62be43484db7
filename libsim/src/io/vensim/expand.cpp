// The Vensim reader's tree pass: each variable of the .mdl becomes one
// ModelSpec variable per element (`x[a,b]`, the names the compiler looks
// subscripted references up by). For each element the right-hand side's
// tree is copied with
//  - dimension subscripts bound to the element (directly, through a subrange
//    or superrange holding it, or positionally through a mapping `->`);
//  - SUM/PROD/VMIN/VMAX over `d!` unrolled over d's elements;
//  - Vensim functions mapped onto the builtin table (INTEGER, MODULO, STEP,
//    PULSE, PULSE TRAIN to their `vensim:` semantics; SMOOTH N and DELAY N
//    arguments reordered; POWER, LOG, FORECAST, SINH/COSH/TANH, GAME as
//    trees; TIME STEP/INITIAL TIME/FINAL TIME to DT/STARTTIME/STOPTIME and
//    SAVEPER to its value);
//  - each macro call instantiated on its own (Vensim's semantics): the
//    macro's variables copied under `MACRO#k.` with the call's arguments in
//    place of its inputs.
// Copied nodes keep their spans (relative to the definition's text);
// synthesised ones take the span of the construct they stand for.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <unordered_map>

#include "io/vensim/data.hpp"
#include "io/vensim/expand.hpp"
#include "lang/tree.hpp"
#include "util/text.hpp"

namespace sim::vensim {
namespace {

using ast::NodeId;

struct Scope {  // one macro instance
    const Macro* macro = nullptr;
    std::string prefix;  // "MACRO#k."
    std::map<std::string, std::pair<const ast::Expr*, NodeId>> inputs;
    std::set<std::string> locals;
    int depth = 0;
};

struct Ctx {
    const std::vector<std::string>* lhs = nullptr;  // canonical subscripts on the left
    std::vector<std::string> elems;                 // the element bound at each
    std::map<std::string, std::string> bang;         // d (without '!') -> element, inside SUM etc.
    const Scope* scope = nullptr;
    const Equation* eq = nullptr;
    std::string var;  // display name, for messages
    bool failed = false;
};

struct PendingStock {
    std::size_t var;  // index in spec.variables
    Equation rate;
};

class Expander {
public:
    Expander(Parsed& m, ModelSpec& spec, Diagnostics& diags) : m_(m), spec_(spec), diags_(diags) {}

    void run() {
        dimensions();
        controls();
        for (auto& mac : m_.macros) macros_[mac.canonical] = &mac;
        // Group definitions by variable, in order of first appearance.
        std::vector<std::string> order;
        std::map<std::string, std::vector<const Def*>> groups;
        for (const auto& d : m_.defs) {
            if (is_control(d.canonical)) continue;
            auto& g = groups[d.canonical];
            if (g.empty()) order.push_back(d.canonical);
            g.push_back(&d);
        }
        for (const auto& c : order) {
            // Dynamo-style models define DT = TIME STEP: the clock itself.
            const Def& d = *groups[c].front();
            if ((c == "dt" || c == "starttime" || c == "stoptime") && d.subs.empty() && d.kind == Def::Kind::equation &&
                !d.eq.tree.empty()) {
                const auto* nm = std::get_if<ast::Name>(&d.eq.tree[d.eq.tree.root].v);
                const char* same = c == "dt" ? "time_step" : c == "starttime" ? "initial_time" : "final_time";
                if (nm && nm->subscripts.empty() && nm->canonical == same) {
                    diags_.warning(sim::Code::W_VENSIM_IGNORED, d.loc, d.name,
                                   "'" + d.name + "' is defined as " + nm->text + ": it reads as the builtin " + d.name);
                    continue;
                }
            }
            variable(groups[c], nullptr);
        }
        derived_tables();
        stocks();
    }

private:
    Parsed& m_;
    ModelSpec& spec_;
    Diagnostics& diags_;
    std::map<std::string, std::string> elem_display_;  // canonical element -> as written
    std::map<std::string, const Macro*> macros_;
    std::map<std::string, std::size_t> elem_pos_;  // canonical element -> position in the first range listing it
    std::set<std::string> variables_;              // canonical names of the model's variables
    std::unordered_map<std::string, std::size_t> by_name_;  // canonical -> spec variable
    std::vector<PendingStock> pending_;
    std::map<std::string, std::pair<std::string, LookupKind>> derived_;  // derived canonical -> (table canonical, kind)
    std::size_t instances_ = 0;
    std::size_t total_nodes_ = 0;  // nodes of every expanded equation so far
    double saveper_ = 1;
    bool too_many_ = false;

    // --- dimensions
    void dimensions() {
        // A dimension listed as an element of another stands for its elements.
        for (int round = 0; round < 4; ++round)
            for (auto& [name, d] : m_.dims) {
                std::vector<std::string> e, disp;
                bool changed = false;
                for (std::size_t i = 0; i < d.elems.size(); ++i) {
                    auto it = m_.dims.find(d.elems[i]);
                    if (it != m_.dims.end() && it->first != name) {
                        e.insert(e.end(), it->second.elems.begin(), it->second.elems.end());
                        disp.insert(disp.end(), it->second.display.begin(), it->second.display.end());
                        changed = true;
                    } else {
                        e.push_back(d.elems[i]);
                        disp.push_back(d.display[i]);
                    }
                }
                if (changed) {
                    d.elems = std::move(e);
                    d.display = std::move(disp);
                }
            }
        for (const auto& [alias, target] : m_.equivalent) {
            auto it = m_.dims.find(target);
            if (it == m_.dims.end()) {
                auto jt = m_.dims.find(alias);
                if (jt != m_.dims.end()) {  // written the other way round
                    Dim d = jt->second;
                    d.name = target;
                    m_.dims[target] = d;
                    continue;
                }
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, {m_.file, 0, 0}, "",
                             "equivalence '" + alias + " <-> " + target + "': '" + target + "' is not a subscript range");
                continue;
            }
            Dim d = it->second;
            d.name = alias;
            m_.dims[alias] = d;
        }
        // An element's value (a subscript used as a number) is its position
        // in the largest range listing it (the family's root; the first
        // defined among equals).
        std::map<std::string, const Dim*> root;
        for (const auto& [name, d] : m_.dims)
            for (std::size_t i = 0; i < d.elems.size(); ++i) {
                elem_display_.emplace(d.elems[i], d.display[i]);
                const Dim*& r = root[d.elems[i]];
                if (!r || d.elems.size() > r->elems.size() ||
                    (d.elems.size() == r->elems.size() && d.order < r->order)) {
                    r = &d;
                    elem_pos_[d.elems[i]] = i + 1;
                }
            }
        for (const auto& d : m_.defs) variables_.insert(d.canonical);
    }

    bool is_dim(const std::string& c) const { return m_.dims.count(c) > 0; }
    bool is_elem(const std::string& c) const { return elem_display_.count(c) > 0; }
    static bool contains(const Dim& d, const std::string& e) {
        return std::find(d.elems.begin(), d.elems.end(), e) != d.elems.end();
    }

    // --- INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER
    static bool is_control(const std::string& c) {
        return c == "initial_time" || c == "final_time" || c == "time_step" || c == "saveper";
    }

    void controls() {
        std::map<std::string, const Def*> ctl;
        std::map<std::string, const Def*> scalars;
        for (const auto& d : m_.defs) {
            if (is_control(d.canonical)) ctl[d.canonical] = &d;
            else if (d.subs.empty() && d.kind == Def::Kind::equation && !d.gf) scalars.emplace(d.canonical, &d);
        }
        std::set<std::string> busy;
        std::function<std::optional<double>(const Equation&, NodeId)> eval;
        std::function<std::optional<double>(const std::string&)> value = [&](const std::string& c) -> std::optional<double> {
            const Def* d = nullptr;
            if (auto it = ctl.find(c); it != ctl.end()) d = it->second;
            else if (auto jt = scalars.find(c); jt != scalars.end()) d = jt->second;
            if (!d || d->eq.tree.empty() || busy.count(c)) return std::nullopt;
            busy.insert(c);
            auto v = eval(d->eq, d->eq.tree.root);
            busy.erase(c);
            return v;
        };
        eval = [&](const Equation& eq, NodeId id) -> std::optional<double> {
            const auto& n = eq.tree[id];
            if (const auto* x = std::get_if<ast::Number>(&n.v)) return x->value;
            if (const auto* x = std::get_if<ast::Name>(&n.v)) return x->subscripts.empty() ? value(x->canonical) : std::nullopt;
            if (const auto* x = std::get_if<ast::Unary>(&n.v)) {
                auto a = eval(eq, x->arg);
                if (!a) return a;
                return x->op == ast::Op::neg ? -*a : *a;
            }
            if (const auto* x = std::get_if<ast::Binary>(&n.v)) {
                auto a = eval(eq, x->lhs), b = eval(eq, x->rhs);
                if (!a || !b) return std::nullopt;
                switch (x->op) {
                    case ast::Op::add: return *a + *b;
                    case ast::Op::sub: return *a - *b;
                    case ast::Op::mul: return *a * *b;
                    case ast::Op::div: return *a / *b;
                    case ast::Op::pow: return std::pow(*a, *b);
                    default: return std::nullopt;
                }
            }
            return std::nullopt;
        };
        auto get = [&](const char* c, const char* shown, double fallback, bool required) {
            auto it = ctl.find(c);
            if (it == ctl.end()) {
                if (required)
                    diags_.error(sim::Code::E_SPECS, {m_.file, 0, 0}, "",
                                 std::string("the model has no ") + shown + ": add `" + shown + " = <number>`");
                return fallback;
            }
            auto v = value(c);
            if (!v || !std::isfinite(*v)) {
                diags_.error(sim::Code::E_SPECS, it->second->loc, shown,
                             std::string(shown) + " must be a number or an expression of numbers and other time settings");
                return fallback;
            }
            return *v;
        };
        spec_.specs.start = get("initial_time", "INITIAL TIME", 0, true);
        spec_.specs.stop = get("final_time", "FINAL TIME", 100, true);
        spec_.specs.dt = get("time_step", "TIME STEP", 1, true);
        saveper_ = get("saveper", "SAVEPER", spec_.specs.dt, false);
        spec_.specs.save_step = saveper_;
        spec_.specs.method = Method::euler;
        if (auto it = ctl.find("time_step"); it != ctl.end()) {
            spec_.specs.loc = it->second->loc;
            spec_.specs.time_units = it->second->units;
        }
    }

    // --- variables
    void error(Code code, const Ctx& c, ast::Span span, std::string msg) {
        diags_.error(code, c.eq ? c.eq->at(span) : SourceLoc{m_.file, 0, 0}, c.var, std::move(msg));
    }

    std::string element_name(const std::string& base, const std::vector<std::string>& elems) const {
        if (elems.empty()) return base;
        std::string s = base + "[";
        for (std::size_t i = 0; i < elems.size(); ++i) {
            if (i) s += ',';
            auto it = elem_display_.find(elems[i]);
            s += it != elem_display_.end() ? it->second : elems[i];
        }
        return s + "]";
    }

    // Every element combination of a left-hand side, :EXCEPT: removed, in
    // row-major order (the last subscript varies fastest).
    bool combos(const Def& d, std::vector<std::vector<std::string>>& out) {
        std::vector<std::vector<std::string>> choices;
        return combos(d, out, choices);
    }
    bool combos(const Def& d, std::vector<std::vector<std::string>>& out, std::vector<std::vector<std::string>>& choices) {
        for (const auto& s : d.subs) {
            if (auto it = m_.dims.find(s); it != m_.dims.end()) choices.push_back(it->second.elems);
            else if (is_elem(s)) choices.push_back({s});
            else {
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, d.loc, d.name,
                             "'" + s + "' is neither a subscript range nor an element of one" +
                                 suggest(s));
                return false;
            }
        }
        std::size_t total = 1;
        for (const auto& c : choices) {
            total *= std::max<std::size_t>(c.size(), 1);
            if (total > max_elements) {
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, d.loc, d.name,
                             "more than " + std::to_string(max_elements) + " elements");
                return false;
            }
        }
        std::vector<std::string> cur(choices.size());
        std::function<void(std::size_t)> rec = [&](std::size_t i) {
            if (i == choices.size()) {
                for (const auto& ex : d.except) {
                    bool all = ex.size() == cur.size();
                    for (std::size_t j = 0; all && j < ex.size(); ++j) {
                        if (auto it = m_.dims.find(ex[j]); it != m_.dims.end()) all = contains(it->second, cur[j]);
                        else all = ex[j] == cur[j];
                    }
                    if (all) return;
                }
                out.push_back(cur);
                return;
            }
            for (const auto& e : choices[i]) {
                cur[i] = e;
                rec(i + 1);
            }
        };
        rec(0);
        return true;
    }

    std::string suggest(const std::string& c) const {
        std::vector<std::string> names;
        for (const auto& [k, v] : m_.dims) names.push_back(k);
        for (const auto& [k, v] : elem_display_) names.push_back(k);
        auto best = text::closest(c, names);
        if (!best) return "";
        auto d = m_.dims.find(*best);
        const std::string& shown = d != m_.dims.end() ? d->second.name : elem_display_.at(*best);
        return "; did you mean '" + shown + "'?";
    }

    std::size_t add_var(Variable v) {
        if (spec_.variables.size() >= max_elements) {
            if (!too_many_)
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, v.loc, v.name,
                             "the model expands to more than " + std::to_string(max_elements) + " variables");
            too_many_ = true;
            return spec_.variables.size();
        }
        by_name_.emplace(canonical_name(v.name), spec_.variables.size());
        spec_.variables.push_back(std::move(v));
        return spec_.variables.size() - 1;
    }

    // All definitions of one variable (or of one macro variable in `scope`).
    void variable(const std::vector<const Def*>& defs, const Scope* scope) {
        const bool arrayed = !defs.front()->subs.empty();
        if (!arrayed && defs.size() > 1) {
            diags_.error(sim::Code::E_DUPLICATE, defs[1]->loc, defs[1]->name,
                         "'" + defs[1]->name + "' is defined twice (first at line " + std::to_string(defs[0]->loc.line) +
                             ")");
        }
        for (const Def* d : defs) {
            if (too_many_) return;
            if (!d->subs.empty() == !arrayed) {
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, d->loc, d->name,
                             "'" + d->name + "' is defined both with and without subscripts");
                continue;
            }
            if (!arrayed && d != defs.front()) continue;
            std::vector<std::vector<std::string>> cs, choices;
            if (arrayed) {
                if (scope) {
                    diags_.error(sim::Code::E_VENSIM_UNSUPPORTED, d->loc, d->name, "subscripted variables inside a macro are not supported");
                    return;
                }
                if (!combos(*d, cs, choices)) continue;
            } else {
                cs.emplace_back();
            }
            std::shared_ptr<const DataValues> data;
            if (d->kind == Def::Kind::data) {
                data = read_data(*d, m_, choices, diags_);
                if (!data) continue;
            }
            if (d->kind == Def::Kind::values && d->values.size() != cs.size()) {
                diags_.error(sim::Code::E_VENSIM_SUBSCRIPT, d->loc, d->name,
                             "'" + d->name + "' lists " + std::to_string(d->values.size()) + " values for " +
                                 std::to_string(cs.size()) + " elements");
                continue;
            }
            for (std::size_t k = 0; k < cs.size(); ++k) element(*d, cs[k], k, scope, data.get());
        }
    }

    void element(const Def& d, const std::vector<std::string>& elems, std::size_t k, const Scope* scope,
                 const DataValues* data) {
        Variable v;
        v.name = (scope ? scope->prefix : std::string()) + element_name(d.name, elems);
        v.loc = d.loc;
        v.units = d.units;
        v.doc = d.doc;
        Ctx c;
        c.lhs = &d.subs;
        c.elems = elems;
        c.scope = scope;
        c.var = v.name;
        switch (d.kind) {
            case Def::Kind::lookup:
                v.kind = VarKind::lookup;
                v.gf = d.gf;
                break;
            case Def::Kind::values:
                v.kind = VarKind::constant;
                v.equation = Equation::number(d.values[k], d.loc);
                break;
            case Def::Kind::data:
                if (!data_element(*data, d, elems, v)) return;
                break;
            case Def::Kind::stock: {
                v.kind = VarKind::stock;
                v.equation = rebuilt(d.init, c);
                Equation rate = rebuilt(d.eq, c);
                if (c.failed) return;
                std::size_t at = add_var(std::move(v));
                if (at < spec_.variables.size()) pending_.push_back({at, std::move(rate)});
                return;
            }
            case Def::Kind::equation:
                v.equation = rebuilt(d.eq, c);
                if (d.gf) {
                    v.gf = d.gf;
                    v.kind = VarKind::aux;
                } else {
                    v.kind = v.equation.number_value() ? VarKind::constant : VarKind::aux;
                }
                break;
        }
        if (c.failed) return;
        add_var(std::move(v));
    }

    // `eq` with its tree rebuilt for the element in `c`.
    Equation rebuilt(const Equation& eq, Ctx& c) {
        Equation out;
        out.text = eq.text;
        out.loc = eq.loc;
        out.lines_from_col1 = eq.lines_from_col1;
        out.error = eq.error;
        if (eq.tree.empty()) return out;
        c.eq = &eq;
        NodeId root = copy(eq.tree, eq.tree.root, out.tree, c);
        if (!c.failed) {
            // Unrolled array functions and macro arguments grow trees: bound
            // their size (memory) and depth (later stages recurse).
            total_nodes_ += out.tree.nodes.size();
            std::vector<std::uint32_t> depth(out.tree.nodes.size(), 1);
            std::uint32_t deepest = 0;
            for (NodeId i = 0; i < out.tree.nodes.size(); ++i) {
                ast::for_each_child(out.tree[i], [&](NodeId k) { depth[i] = std::max(depth[i], depth[k] + 1); });
                deepest = std::max(deepest, depth[i]);
            }
            if (total_nodes_ > max_total_nodes || deepest > static_cast<std::uint32_t>(ast::max_tree_depth)) {
                error(sim::Code::E_VENSIM_SUBSCRIPT, c, out.tree[root].span,
                      total_nodes_ > max_total_nodes
                          ? "the model's equations expand (arrays, macros) to more than " + std::to_string(max_total_nodes) + " operations"
                          : "the expanded equation is more than " + std::to_string(ast::max_tree_depth) + " operations deep");
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
    NodeId number(ast::Expr& out, double v, ast::Span s) {
        NodeId n = out.number(std::abs(v), s);
        return v < 0 ? out.unary(ast::Op::neg, n, s) : n;
    }

    // Copies node `id` of `src` (and its subtree) into `out` for context `c`.
    NodeId copy(const ast::Expr& src, NodeId id, ast::Expr& out, Ctx& c) {
        if (c.failed) return 0;
        if (total_nodes_ + out.nodes.size() > max_total_nodes) {
            error(sim::Code::E_VENSIM_SUBSCRIPT, c, src[id].span,
                  "the model's equations expand (arrays, macros) to more than " + std::to_string(max_total_nodes) + " operations");
            c.failed = true;
            return 0;
        }
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
    std::optional<std::string> bind(const std::string& d, const Ctx& c) const {
        if (auto it = c.bang.find(d); it != c.bang.end()) return it->second;
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

    NodeId name(const ast::Expr& src, const ast::Node& n, const ast::Name& x, ast::Expr& out, Ctx& c) {
        std::string canon = x.canonical;
        std::string text = x.text;
        if (x.subscripts.empty()) {
            if (c.scope) {
                if (auto it = c.scope->inputs.find(canon); it != c.scope->inputs.end())
                    return graft(*it->second.first, it->second.second, out, n.span);
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
    NodeId graft(const ast::Expr& from, NodeId id, ast::Expr& out, ast::Span s) {
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
    void bangs(const ast::Expr& src, NodeId id, std::vector<std::string>& out) const {
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

    // Balanced combination of terms (depth log n).
    NodeId combine(std::vector<NodeId>& terms, std::size_t b, std::size_t e, ast::Expr& out, const std::string& f, ast::Span s) {
        if (e - b == 1) return terms[b];
        std::size_t m = b + (e - b) / 2;
        NodeId l = combine(terms, b, m, out, f, s), r = combine(terms, m, e, out, f, s);
        if (f == "sum") return out.binary(ast::Op::add, l, r, s);
        if (f == "prod") return out.binary(ast::Op::mul, l, r, s);
        return out.call(f == "vmin" ? "MIN" : "MAX", {l, r}, s);
    }

    NodeId call(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
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
            "vector_select", "vector_elm_map", "vector_sort_order", "vector_reorder", "vector_rank",
            "allocate_available", "allocate_by_priority", "invert_matrix", "delay_material", "sinteg",
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
            // Vensim fixes the order at the initial time: a constant
            // expression (of constants, STEP, ...) is evaluated there.
            if (auto v = initial_value(out, order, 0)) order = number(out, *v, out[order].span);
            return out.call(f == "smooth_n" ? "SMTHN" : "DELAYN", {a, b, order, init}, sp);
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
        if (auto it = macros_.find(f); it != macros_.end()) return macro_call(*it->second, src, n, x, out, c);
        return plain(x.text);
    }

    std::size_t random_calls_ = 0;

    // The value of a tree at the initial time if it depends only on numbers,
    // scalar variables with such equations, arithmetic and STEP; else nullopt.
    std::optional<double> initial_value(const ast::Expr& e, NodeId id, int depth) const {
        if (depth > 50) return std::nullopt;
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
    NodeId vector_lookup(const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
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

    static std::string reference_key(const ast::Expr& e, NodeId id) {
        const auto& n = std::get<ast::Name>(e[id].v);
        if (n.subscripts.empty()) return n.canonical;
        std::string k = n.canonical + "[";
        for (std::size_t i = 0; i < n.subscripts.size(); ++i) {
            if (i) k += ',';
            k += std::get<ast::Name>(e[n.subscripts[i]].v).canonical;
        }
        return k + "]";
    }

    NodeId macro_call(const Macro& mac, const ast::Expr& src, const ast::Node& n, const ast::Call& x, ast::Expr& out, Ctx& c) {
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

    // Tables for LOOKUP FORWARD/BACKWARD/EXTRAPOLATE: copies of the named table.
    void derived_tables() {
        for (const auto& [name, what] : derived_) {
            auto it = by_name_.find(what.first);
            if (it == by_name_.end() || !spec_.variables[it->second].gf) continue;  // the compiler reports the call
            Variable v = spec_.variables[it->second];
            v.kind = VarKind::lookup;
            v.name = v.name + name.substr(name.rfind('#'));
            GraphicalFunction& gf = *v.gf;
            gf.kind = what.second;
            if (name.size() > 8 && name.compare(name.size() - 8, 8, "#forward") == 0 && gf.x.size() > 1) {
                // LOOKUP FORWARD: y of the next point for x in (x[i-1], x[i]], as a
                // backward (discrete) table whose points move just past the previous x.
                std::vector<double> x = gf.x;
                for (std::size_t i = gf.x.size() - 1; i >= 1; --i) x[i] = std::nextafter(gf.x[i - 1], INFINITY);
                gf.x = x;
            }
            add_var(std::move(v));
        }
    }

    // Each stock's rate: a sum of flows (Vensim's rate variables), or a flow
    // of its own when it is any other expression.
    void stocks() {
        for (auto& p : pending_) {
            Variable& stock = spec_.variables[p.var];
            std::vector<std::pair<std::size_t, bool>> terms;  // variable, inflow?
            bool simple = !p.rate.tree.empty();
            std::function<void(NodeId, bool)> walk = [&](NodeId id, bool positive) {
                if (!simple) return;
                const auto& n = p.rate.tree[id];
                if (const auto* b = std::get_if<ast::Binary>(&n.v); b && (b->op == ast::Op::add || b->op == ast::Op::sub)) {
                    walk(b->lhs, positive);
                    walk(b->rhs, b->op == ast::Op::add ? positive : !positive);
                } else if (const auto* u = std::get_if<ast::Unary>(&n.v); u && u->op == ast::Op::neg) {
                    walk(u->arg, !positive);
                } else if (std::get_if<ast::Name>(&n.v)) {
                    auto it = by_name_.find(reference_key(p.rate.tree, id));
                    if (it == by_name_.end()) {
                        simple = false;
                        return;
                    }
                    const Variable& f = spec_.variables[it->second];
                    if (f.kind == VarKind::stock || f.kind == VarKind::lookup) simple = false;
                    for (const auto& t : terms)
                        if (t.first == it->second) simple = false;
                    terms.emplace_back(it->second, positive);
                } else {
                    simple = false;
                }
            };
            if (simple) walk(p.rate.tree.root, true);
            if (simple) {
                for (auto [vi, in] : terms) {
                    Variable& f = spec_.variables[vi];
                    f.kind = VarKind::flow;
                    (in ? stock.inflows : stock.outflows).push_back(f.name);
                }
                continue;
            }
            Variable flow;
            flow.kind = VarKind::flow;
            flow.name = stock.name + " net flow";
            flow.loc = p.rate.loc;
            flow.equation = std::move(p.rate);
            flow.doc = "the rate of " + stock.name + " (its INTEG's first argument)";
            stock.inflows.push_back(flow.name);
            add_var(std::move(flow));
        }
    }

    bool data_element(const DataValues& data, const Def& d, const std::vector<std::string>& elems, Variable& v) {
        const DataSeries* s = data.find(elems);
        if (!s) {
            diags_.error(sim::Code::E_VENSIM_DATA, d.loc, v.name, "the data for element '" + v.name + "' was not found");
            return false;
        }
        if (s->constant) {
            v.kind = VarKind::constant;
            v.equation = Equation::number(s->y.empty() ? 0 : s->y[0], d.loc);
            return true;
        }
        GraphicalFunction gf;
        gf.x = s->x;
        gf.y = s->y;
        gf.loc = d.loc;
        gf.kind = LookupKind::continuous;
        if (!data.lookup && (d.data_mode == "hold_backward" || d.data_mode == "raw")) gf.kind = LookupKind::discrete;
        if (!data.lookup && d.data_mode == "look_forward" && gf.x.size() > 1) {
            // The next value from just past each point (see derived_tables).
            gf.kind = LookupKind::discrete;
            std::vector<double> x = gf.x;
            for (std::size_t i = gf.x.size() - 1; i >= 1; --i) x[i] = std::nextafter(gf.x[i - 1], INFINITY);
            gf.x = x;
        }
        v.gf = gf;
        if (data.lookup) {
            v.kind = VarKind::lookup;
            return true;
        }
        // Data over time: the table of time.
        ast::Expr t;
        t.name("TIME");
        v.kind = VarKind::aux;
        v.equation = Equation::of(std::move(t), d.loc);
        return true;
    }
};

}  // namespace

void expand(Parsed& m, ModelSpec& spec, Diagnostics& diags) { Expander(m, spec, diags).run(); }

}  // namespace sim::vensim
