// Compiler phases on names: declarations, graphical-function tables, stock
// flow lists; and the compiler's diagnostics helpers.
#include <cstdint>

#include "compile/compiler.hpp"
#include "lang/graphical.hpp"
#include "util/text.hpp"

namespace sim::detail {

std::string article(VarKind k) { return (k == VarKind::aux ? "an " : "a ") + std::string(to_string(k)); }

void Compiler::error(sim::Code code, SourceLoc loc, int var, std::string msg) {
    std::string name = var >= 0 ? vars_[static_cast<std::size_t>(var)].name : std::string();
    diags_.error(code, std::move(loc), std::move(name), std::move(msg));
}

// Elements of one array share their equation: a problem in it is reported
// once, for the first element that meets it.
void Compiler::error_at(sim::Code code, std::uint32_t offset, std::string msg) {
    failed_ = true;
    const int user = cur_ >= 0 ? var(cur_).user : -1;
    if (user >= 0 && !uv_[static_cast<std::size_t>(user)].dims.empty() &&
        !reported_.insert(std::to_string(user) + "|" + std::to_string(reinterpret_cast<std::uintptr_t>(eq_)) + "|" +
                          std::to_string(offset) + "|" + msg)
             .second)
        return;
    error(code, eq_->at(offset), cur_, std::move(msg));
}

SourceLoc Compiler::eq_loc(int c) const {
    const CVar& cv = vars_[static_cast<std::size_t>(c)];
    if (cv.user < 0) return cv.loc;
    const Variable& v = *uvars_[static_cast<std::size_t>(cv.user)];
    const Equation& eq = cv.definition >= 0 ? v.definitions[static_cast<std::size_t>(cv.definition)].equation : v.equation;
    return eq.loc.line > 0 ? eq.loc : cv.loc;
}

// "; did you mean 'X'?" for the closest user variable (util/text.hpp's
// policy), "" if none is close.
std::string Compiler::suggestion(const std::string& canonical) const {
    auto best = text::closest(canonical, user_names_);
    if (!best) return {};
    for (const Variable* v : uvars_)
        if (canonical_name(v->name) == *best) return "; did you mean '" + v->name + "'?";
    return {};
}

// Invariant after: uv_[u] lists the element variables of spec variable u
// (one for a scalar, in order, so that without arrays vars_[i] stands for
// *uvars_[i]); by_name_ maps each canonical name to its first valid
// declaration; empty, reserved and duplicate names, and arrays whose shape
// cannot be determined, are reported and their variables marked broken.
void Compiler::declare() {
    vars_.reserve(uvars_.size());
    user_names_.reserve(uvars_.size());
    uv_.resize(uvars_.size());
    std::size_t total = 0;  // element variables so far (arrays only)
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const int ui = static_cast<int>(i);
        UVar& u = uv_[i];
        CVar c;
        c.name = v.name;
        c.canonical = canonical_name(v.name);
        c.kind = v.kind;
        c.role = v.kind == VarKind::stock      ? Role::stock
                 : v.kind == VarKind::constant ? Role::constant
                 : v.kind == VarKind::lookup   ? Role::lookup
                                               : Role::aux;
        c.user = ui;
        c.loc = v.loc.line > 0 ? v.loc : v.equation.loc;
        c.nonneg = v.non_negative;
        user_names_.push_back(c.canonical);
        u.first = static_cast<int>(vars_.size());
        u.count = 1;
        auto scalar = [&](bool broken) {
            c.owner = static_cast<int>(vars_.size());
            c.broken = broken;
            vars_.push_back(c);
            u.broken = broken;
        };
        if (c.canonical.empty()) {
            scalar(true);
            error(sim::Code::E_BAD_NAME, c.loc, u.first, "a variable has an empty name; give it a name");
            continue;
        }
        if (c.canonical == "time" || c.canonical == "dt" || c.canonical == "starttime" || c.canonical == "stoptime") {
            // The run's clock: a variable of that name would silently shadow it.
            scalar(true);
            error(sim::Code::E_RESERVED_NAME, c.loc, u.first,
                  "'" + v.name + "' is reserved for the simulation's " +
                      (c.canonical == "time" ? std::string("current time (TIME)") : "time specs (" + v.name + ")") +
                      "; rename the variable");
            continue;
        }
        auto [it, fresh] = by_name_.emplace(c.canonical, ui);
        if (!fresh) {
            scalar(true);
            const CVar& prev = var(uv_[static_cast<std::size_t>(it->second)].first);
            auto pos = [](const SourceLoc& l) {
                if (l.line == 0) return std::string("(no position)");
                return (l.file.empty() ? std::string() : l.file + ":") + std::to_string(l.line) + ":" +
                       std::to_string(l.col);
            };
            error(sim::Code::E_DUPLICATE, c.loc, u.first,
                  "'" + v.name + "' at " + pos(c.loc) + " has the same name as '" +
                      uvars_[static_cast<std::size_t>(it->second)]->name + "' declared at " + pos(prev.loc) +
                      " (names ignore case, spaces and underscores); rename one of them");
            continue;
        }
        if (v.dimensions.empty() && v.definitions.empty()) {
            scalar(false);
            continue;
        }
        std::vector<int> def_of, val_of;
        if (!shape(ui, def_of, val_of)) {
            scalar(true);
            continue;
        }
        // Count the elements, within the model's limit, before making them.
        std::size_t n = 0;
        for (int d : def_of) n += d != -2 ? 1 : 0;
        if (n > max_model_elements - total) {
            scalar(true);
            diags_.error(sim::Code::E_ARRAY_SIZE, c.loc, v.name,
                         "the model's arrays have more than " + std::to_string(max_model_elements) +
                             " elements in all (the limit); '" + v.name + "' adds " + std::to_string(n));
            continue;
        }
        total += n;
        if (n != u.flat_size) u.offset_of.assign(u.flat_size, -1);
        u.count = 0;
        for (std::size_t f = 0; f < u.flat_size; ++f) {
            if (def_of[f] == -2) continue;
            CVar e = c;
            e.name = element_name(v, u, f);
            e.canonical = canonical_name(e.name);
            e.flat = static_cast<std::uint32_t>(f);
            e.definition = def_of[f];
            e.owner = static_cast<int>(vars_.size());
            if (def_of[f] >= 0) {
                const SourceLoc& dl = v.definitions[static_cast<std::size_t>(def_of[f])].loc;
                if (dl.line > 0) e.loc = dl;
            }
            if (!u.offset_of.empty()) u.offset_of[f] = u.count;
            if (!val_of.empty()) {
                if (u.value_of.empty()) u.value_of.reserve(n);
                u.value_of.push_back(val_of[f]);
            }
            ++u.count;
            vars_.push_back(std::move(e));
        }
    }
    user_count_ = vars_.size();
}

int Compiler::add_table(const GraphicalFunction& gf, int v) {
    const auto& cv = var(v);
    SourceLoc loc = gf.loc.line > 0 ? gf.loc : cv.loc;
    if (auto p = check_points(gf.x, gf.y)) {
        if (p->kind == GfProblem::not_increasing)
            error(sim::Code::E_LOOKUP_TABLE, loc, v,
                  "graphical function x points must be strictly increasing (point " + std::to_string(p->index + 1) +
                      " is not greater than point " + std::to_string(p->index) + ")");
        else
            error(sim::Code::E_LOOKUP_TABLE, loc, v,
                  "graphical function needs as many x as y points and at least one (" +
                      std::to_string(gf.x.size()) + " x, " + std::to_string(gf.y.size()) + " y)");
        return -1;
    }
    tables_.push_back({gf.kind, gf.x, gf.y});
    return static_cast<int>(tables_.size()) - 1;
}

// Invariant after: every element with a graphical function (its
// variable's, or its definition's) has a table (var.table >= 0; elements
// sharing one graphical function share the table) or is broken; a lookup
// element without points is reported. Runs before equations are resolved,
// so that equations can call tables.
void Compiler::build_tables() {
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const UVar& u = uv_[i];
        const bool tabled = v.kind == VarKind::lookup || v.kind == VarKind::aux || v.kind == VarKind::flow;
        int shared = -2;  // the variable's own table, made on first use
        std::vector<int> per_def(v.definitions.size(), -2);
        for (int k = 0; k < u.count; ++k) {
            const int ci = u.first + k;
            if (var(ci).broken) continue;
            const int d = var(ci).definition;
            const bool own = d >= 0 && v.definitions[static_cast<std::size_t>(d)].gf.has_value();
            const GraphicalFunction* gf = own ? &*v.definitions[static_cast<std::size_t>(d)].gf : v.gf ? &*v.gf : nullptr;
            if (gf && tabled) {
                int& slot = own ? per_def[static_cast<std::size_t>(d)] : shared;
                if (slot == -2) slot = add_table(*gf, ci);
                var(ci).table = slot;
                if (slot < 0) var(ci).broken = true;
            } else if (v.kind == VarKind::lookup) {
                error(sim::Code::E_LOOKUP_TABLE, var(ci).loc, ci, "lookup has no graphical function (x and y points)");
                var(ci).broken = true;
            }
        }
    }
}

// Invariant after: each stock element's inflows and outflows are indices
// of flow elements (the element of an arrayed flow that its own subscripts
// select: the same element, or one found as for an unsubscripted
// reference), then its net-rate flow if any; an unknown or non-flow name
// is reported and breaks the stock; a non-stock with flow lists is reported.
void Compiler::link_stocks() {
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const UVar& u = uv_[i];
        for (int k = 0; k < u.count; ++k) {
            const int ci = u.first + k;
            if (v.kind != VarKind::stock) {
                if (k == 0 && (!v.inflows.empty() || !v.outflows.empty()))
                    error(sim::Code::E_NOT_A_STOCK, var(ci).loc, ci,
                          std::string("only stocks have inflows and outflows; this is a ") + to_string(v.kind));
                continue;
            }
            auto link = [&](const std::vector<std::string>& names, std::vector<int>& out, const char* dir) {
                for (const auto& fname : names) {
                    const std::string fc = canonical_name(fname);
                    auto it = by_name_.find(fc);
                    if (it == by_name_.end()) {
                        if (k == 0)
                            error(sim::Code::E_UNKNOWN_NAME, var(ci).loc, ci,
                                  std::string("unknown ") + dir + " '" + fname + "'" + suggestion(fc));
                        var(ci).broken = true;
                        continue;
                    }
                    const Variable& fv = *uvars_[static_cast<std::size_t>(it->second)];
                    const UVar& fu = uv_[static_cast<std::size_t>(it->second)];
                    if (fv.kind != VarKind::flow) {
                        if (k == 0)
                            error(sim::Code::E_NOT_A_FLOW, var(ci).loc, ci,
                                  std::string(dir) + " '" + fname + "' is " + article(fv.kind) +
                                      ", not a flow; list only flows as inflows and outflows");
                        var(ci).broken = true;
                        continue;
                    }
                    if (fu.broken) {
                        var(ci).broken = true;
                        continue;
                    }
                    if (fu.dims.empty() && u.dims.empty()) {
                        out.push_back(fu.first);
                        continue;
                    }
                    // The flow element this stock element takes: the flow's
                    // dimensions bound from the stock element's.
                    bind_element(ci);
                    int f = -1;
                    std::string why;
                    if (fu.dims.empty()) {
                        why = "flow '" + fname + "' is not arrayed but stock '" + v.name + "' is over [" + dims_text(u) +
                              "]; give the flow the stock's dimensions";
                    } else {
                        std::size_t flat = 0;
                        for (std::size_t p = 0; p < fu.dims.size() && why.empty(); ++p) {
                            bool mapped = false;
                            const int e = bound_element(fu.dims[p], fu.dims[p], mapped);
                            if (e < 0)
                                why = "flow '" + fname + "' is over [" + dims_text(fu) + "] but stock '" + v.name +
                                      "' is over [" + dims_text(u) + "]: no element of '" + dims_[fu.dims[p]].name +
                                      "' corresponds to " + var(ci).name;
                            else
                                flat = flat * static_cast<std::size_t>(fu.sizes[p]) +
                                       static_cast<std::size_t>(dims_[fu.dims[p]].find(e));
                        }
                        if (why.empty()) {
                            const int off = fu.element(flat);
                            if (off < 0) why = "flow '" + fname + "' has no element for stock " + var(ci).name;
                            else f = fu.first + off;
                        }
                    }
                    binds_.clear();
                    if (f < 0) {
                        error(sim::Code::E_DIMENSION_MISMATCH, var(ci).loc, ci, why);
                        var(ci).broken = true;
                        continue;
                    }
                    out.push_back(f);
                }
            };
            link(v.inflows, var(ci).inflows, "inflow");
            link(v.outflows, var(ci).outflows, "outflow");
            if (var(ci).net_flow >= 0) var(ci).inflows.push_back(var(ci).net_flow);
        }
    }
}

}  // namespace sim::detail
