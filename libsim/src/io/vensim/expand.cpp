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
//
// This file holds the pass itself: dimensions, time settings, each
// variable's definitions and elements, stocks' rates, derived tables and
// data variables. expand_tree.cpp copies an equation's tree for one
// element, expand_calls.cpp translates calls and instantiates macros;
// expand_detail.hpp declares the Expander they share.
#include <cmath>
#include <functional>
#include <set>

#include "io/vensim/data.hpp"
#include "io/vensim/expand.hpp"
#include "io/vensim/expand_detail.hpp"
#include "util/text.hpp"

namespace sim::vensim {
namespace detail {

void Expander::run() {
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

// --- dimensions
void Expander::dimensions() {
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
    for (const auto& [name, d] : m_.dims)
        for (std::size_t i = 0; i < d.elems.size(); ++i) {
            elem_display_.emplace(d.elems[i], d.display[i]);
            const Dim*& r = elem_root_[d.elems[i]];
            if (!r || d.elems.size() > r->elems.size() ||
                (d.elems.size() == r->elems.size() && d.order < r->order)) {
                r = &d;
                elem_pos_[d.elems[i]] = i + 1;
            }
        }
    for (const auto& d : m_.defs) variables_.insert(d.canonical);
}

// --- INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER
void Expander::controls() {
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
std::string Expander::element_name(const std::string& base, const std::vector<std::string>& elems) const {
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
bool Expander::combos(const Def& d, std::vector<std::vector<std::string>>& out) {
    std::vector<std::vector<std::string>> choices;
    return combos(d, out, choices);
}
bool Expander::combos(const Def& d, std::vector<std::vector<std::string>>& out, std::vector<std::vector<std::string>>& choices) {
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

std::string Expander::suggest(const std::string& c) const {
    std::vector<std::string> names;
    for (const auto& [k, v] : m_.dims) names.push_back(k);
    for (const auto& [k, v] : elem_display_) names.push_back(k);
    auto best = text::closest(c, names);
    if (!best) return "";
    auto d = m_.dims.find(*best);
    const std::string& shown = d != m_.dims.end() ? d->second.name : elem_display_.at(*best);
    return "; did you mean '" + shown + "'?";
}

std::size_t Expander::add_var(Variable v) {
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
void Expander::variable(const std::vector<const Def*>& defs, const Scope* scope) {
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
            data = read_data(*d, m_, choices, diags_, data_files_);
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

void Expander::element(const Def& d, const std::vector<std::string>& elems, std::size_t k, const Scope* scope,
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

// Tables for LOOKUP FORWARD/BACKWARD/EXTRAPOLATE: copies of the named table.
void Expander::derived_tables() {
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
void Expander::stocks() {
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

bool Expander::data_element(const DataValues& data, const Def& d, const std::vector<std::string>& elems, Variable& v) {
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

}  // namespace detail

void expand(Parsed& m, ModelSpec& spec, Diagnostics& diags, const Limits& limits) {
    detail::Expander(m, spec, diags, limits).run();
}

}  // namespace sim::vensim
