// Compiler phases on names: declarations, graphical-function tables, stock
// flow lists; and the compiler's diagnostics helpers.
#include <algorithm>

#include "compile/compiler.hpp"
#include "lang/graphical.hpp"
#include "lang/names.hpp"
#include "util/text.hpp"

namespace sim::detail {

std::string article(VarKind k) { return (k == VarKind::aux ? "an " : "a ") + std::string(to_string(k)); }

void Compiler::error(sim::Code code, SourceLoc loc, int var, std::string msg) {
    std::string name = var >= 0 ? vars_[static_cast<std::size_t>(var)].name : std::string();
    diags_.error(code, std::move(loc), std::move(name), std::move(msg));
}

void Compiler::error_at(sim::Code code, std::uint32_t offset, std::string msg) {
    error(code, eq_->at(offset), cur_, std::move(msg));
    failed_ = true;
}

// "; did you mean 'X'?" for the closest user variable (util/text.hpp's
// policy), "" if none is close.
std::string Compiler::suggestion(const std::string& canonical) const {
    auto best = text::closest(canonical, user_names_);
    if (!best) return {};
    for (const auto& v : vars_)
        if (!v.hidden && v.canonical == *best) return "; did you mean '" + v.name + "'?";
    return {};
}

// Invariant after: vars_[i] stands for *uvars_[i]; by_name_ maps
// each canonical name to its first valid declaration; empty, reserved and
// duplicate names are reported and their variables marked broken.
void Compiler::declare() {
    vars_.reserve(uvars_.size());
    user_names_.reserve(uvars_.size());
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const int vi = static_cast<int>(i);
        CVar c;
        c.name = v.name;
        c.canonical = canonical_name(v.name);
        c.kind = v.kind;
        c.role = v.kind == VarKind::stock      ? Role::stock
                 : v.kind == VarKind::constant ? Role::constant
                 : v.kind == VarKind::lookup   ? Role::lookup
                                               : Role::aux;
        c.owner = vi;
        c.loc = v.loc.line > 0 ? v.loc : v.equation.loc;
        c.nonneg = v.non_negative;
        vars_.push_back(c);
        user_names_.push_back(c.canonical);
        if (c.canonical.empty()) {
            error(sim::Code::E_BAD_NAME, c.loc, vi, "a variable has an empty name; give it a name");
            var(vi).broken = true;
            continue;
        }
        if (auto bad = name_problem(v.name)) {
            // Two names differing only by what cannot be seen would look identical.
            var(vi).name = visible_name(v.name);  // also in the message's "variable '...'"
            error(sim::Code::E_BAD_NAME, c.loc, vi,
                  "the name '" + visible_name(v.name) + "' holds " + bad->what + "; remove it (names must be visible text)");
            var(vi).broken = true;
            continue;
        }
        if (c.canonical == "time" || c.canonical == "dt" || c.canonical == "starttime" || c.canonical == "stoptime") {
            // The run's clock: a variable of that name would silently shadow it.
            error(sim::Code::E_RESERVED_NAME, c.loc, vi,
                  "'" + v.name + "' is reserved for the simulation's " +
                      (c.canonical == "time" ? std::string("current time (TIME)") : "time specs (" + v.name + ")") +
                      "; rename the variable");
            var(vi).broken = true;
            continue;
        }
        auto [it, fresh] = by_name_.emplace(c.canonical, vi);
        if (!fresh) {
            const CVar& prev = var(it->second);
            auto pos = [](const SourceLoc& l) {
                if (l.line == 0) return std::string("(no position)");
                return (l.file.empty() ? std::string() : l.file + ":") + std::to_string(l.line) + ":" +
                       std::to_string(l.col);
            };
            error(sim::Code::E_DUPLICATE, c.loc, vi,
                  "'" + v.name + "' at " + pos(c.loc) + " has the same name as '" + prev.name + "' declared at " +
                      pos(prev.loc) + " (names ignore case, spaces and underscores" +
                      (has_non_ascii(v.name) || has_non_ascii(prev.name)
                           ? std::string("; Unicode names are compared after NFC normalisation")
                           : std::string()) +
                      "); rename one of them");
            var(vi).broken = true;
        }
    }
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

// Invariant after: every variable with a graphical function has a table
// (var.table >= 0) or is broken; a lookup without points is reported.
// Runs before equations are resolved, so that equations can call tables.
void Compiler::build_tables() {
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const int vi = static_cast<int>(i);
        if (v.gf && (v.kind == VarKind::lookup || v.kind == VarKind::aux || v.kind == VarKind::flow)) {
            var(vi).table = add_table(*v.gf, vi);
            if (var(vi).table < 0) var(vi).broken = true;
        } else if (v.kind == VarKind::lookup) {
            error(sim::Code::E_LOOKUP_TABLE, var(vi).loc, vi, "lookup has no graphical function (x and y points)");
            var(vi).broken = true;
        }
    }
}

// Invariant after: each stock's inflows and outflows are indices of flow
// variables; an unknown or non-flow name is reported and breaks the stock;
// a non-stock with flow lists is reported.
void Compiler::link_stocks() {
    for (std::size_t i = 0; i < uvars_.size(); ++i) {
        const Variable& v = *uvars_[i];
        const int vi = static_cast<int>(i);
        if (v.kind != VarKind::stock) {
            if (!v.inflows.empty() || !v.outflows.empty())
                error(sim::Code::E_NOT_A_STOCK, var(vi).loc, vi,
                      std::string("only stocks have inflows and outflows; this is a ") + to_string(v.kind));
            continue;
        }
        auto link = [&](const std::vector<std::string>& names, std::vector<int>& out, const char* dir) {
            for (const auto& fname : names) {
                const std::string fc = canonical_name(fname);
                auto it = by_name_.find(fc);
                if (it == by_name_.end()) {
                    error(sim::Code::E_UNKNOWN_NAME, var(vi).loc, vi,
                          std::string("unknown ") + dir + " '" + fname + "'" + suggestion(fc));
                    var(vi).broken = true;
                } else if (var(it->second).kind != VarKind::flow) {
                    error(sim::Code::E_NOT_A_FLOW, var(vi).loc, vi,
                          std::string(dir) + " '" + fname + "' is " + article(var(it->second).kind) +
                              ", not a flow; list only flows as inflows and outflows");
                    var(vi).broken = true;
                } else if (std::find(out.begin(), out.end(), it->second) != out.end()) {
                    // Counted twice, the flow would move its amount twice.
                    error(sim::Code::E_FLOW_LIST, var(vi).loc, vi,
                          std::string(dir) + " '" + fname + "' is listed twice for stock '" + v.name +
                              "'; list each flow once");
                    var(vi).broken = true;
                } else {
                    out.push_back(it->second);
                }
            }
        };
        link(v.inflows, var(vi).inflows, "inflow");
        link(v.outflows, var(vi).outflows, "outflow");
        for (int f : var(vi).inflows)
            if (std::find(var(vi).outflows.begin(), var(vi).outflows.end(), f) != var(vi).outflows.end()) {
                // In and out at once: the flow would cancel itself, silently.
                error(sim::Code::E_FLOW_LIST, var(vi).loc, vi,
                      "flow '" + var(f).name + "' is both an inflow and an outflow of stock '" + v.name +
                          "'; a flow moves material one way: list it once, on the side it flows");
                var(vi).broken = true;
            }
    }
}

}  // namespace sim::detail
