// The non-finite check's diagnosis (observers.hpp). Runs only after a cheap
// test failed: the tapes are walked in evaluation order over the values of
// the last evaluation (Euler) or of a re-evaluation at the last accepted
// grid point (Runge-Kutta), and the first user variable holding a
// non-finite value is reported with its equation, and whether one of its
// divisions had a zero divisor (E-DIV-ZERO rather than E-NONFINITE) or one
// of its INVERT MATRIX calls a singular matrix.
#include <cmath>
#include <unordered_map>

#include "run/observers.hpp"
#include "util/text.hpp"

namespace sim::detail {
namespace {

// True if `in` divides by a zero divisor in the current slot values.
bool divides_by_zero(const Instr& in, const double* s) {
    if (in.op == Code::mod) return s[in.b] == 0;
    const ArithForm f = decode_arith(in.op);
    double acc = 0;
    for (int i = 0; i < f.steps; ++i) {
        const ArithStep& st = f.step[i];
        const double lhs = operand(st.lhs, in, s, acc), rhs = operand(st.rhs, in, s, acc);
        if (st.op == 3 && rhs == 0) return true;
        acc = arith(st.op, lhs, rhs);
    }
    return false;
}

const char* sign_text(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf"; }

}  // namespace

NonFiniteCheck::Culprit NonFiniteCheck::find(const double* s, bool initial, bool hidden) const {
    std::unordered_map<Slot, std::size_t> var_of;
    for (std::size_t i = 0; i < p_.vars.size(); ++i) var_of.emplace(p_.vars[i].slot, i);
    Culprit c;
    // Variables no tape writes (constants, folded values): only at the start.
    if (initial) {
        std::vector<char> written(p_.slots.size(), 0);
        for (const auto* tape : {&p_.initial_tape, &p_.flow_tape})
            for (const auto& in : *tape) written[in.dst] = 1;
        for (const auto& v : p_.vars)
            if (!written[v.slot] && v.kind != VarKind::stock && !std::isfinite(s[v.slot])) {
                c.var = &v;
                return c;
            }
    }
    // Parts of equations computed elsewhere: values hoisted out of the flow
    // tape (Program::hoisted, computed once by the initial tape) and shared
    // sub-expressions (Program::shared, computed in the flow tape at their
    // first use), by the slot they write: the tape and its range.
    struct Part {
        const std::vector<Instr>* tape;
        std::uint32_t begin, end;
    };
    std::unordered_map<Slot, Part> part_at;
    for (const auto& h : p_.hoisted) part_at.emplace(h.dst, Part{&p_.initial_tape, h.begin, h.end});
    for (const auto& h : p_.shared) part_at.emplace(h.dst, Part{&p_.flow_tape, h.begin, h.end});
    // The findings of instructions [first, last] of `tape` (the equation of
    // a bad variable), and of the parts computed elsewhere that they read.
    auto examine = [&](const std::vector<Instr>& tape, std::size_t first, std::size_t last, bool follow) {
        for (std::size_t j = first; j <= last; ++j) {
            const Instr& in = tape[j];
            c.div0 = c.div0 || divides_by_zero(in, s);
            c.singular = c.singular || (in.op == Code::vector && std::isnan(s[in.dst]) &&
                                        p_.vector_ops[in.b].kind == VectorOp::invert_matrix);
            if (!follow || in.op == Code::lookup || in.op == Code::vector) continue;
            for (Slot x : {in.a, in.b, in.c, in.d}) {
                const auto part = part_at.find(x);
                if (part == part_at.end() || var_of.count(x)) continue;
                for (std::size_t k = part->second.begin; k < part->second.end; ++k)
                    c.div0 = c.div0 || divides_by_zero((*part->second.tape)[k], s);
            }
        }
    };
    auto walk = [&](const std::vector<Instr>& tape) {
        std::size_t first = 0;  // first instruction of the current variable
        for (std::size_t i = 0; i < tape.size() && !c.var; ++i) {
            auto it = var_of.find(tape[i].dst);
            if (it == var_of.end()) continue;
            if (!std::isfinite(s[tape[i].dst])) {
                c.var = &p_.vars[it->second];
                examine(tape, first, i, true);
            }
            first = i + 1;
        }
    };
    if (initial) {
        for (const auto& v : p_.vars)  // a stock whose initial value is not finite
            if (v.kind == VarKind::stock && !std::isfinite(s[v.slot])) {
                walk(p_.initial_tape);
                if (!c.var) c.var = &v;
                return c;
            }
    }
    // An auxiliary computed once per run (hoisted whole), in evaluation order.
    for (const auto& h : p_.hoisted) {
        auto it = var_of.find(h.dst);
        if (it == var_of.end() || std::isfinite(s[h.dst])) continue;
        c.var = &p_.vars[it->second];
        if (h.end > h.begin) examine(p_.initial_tape, h.begin, h.end - 1, false);
        return c;
    }
    walk(p_.flow_tape);
    if (c.var || !hidden || p_.stock_owner.size() != p_.stock_count) return c;
    // Every user variable is finite: a stock hidden inside an SMTH, DELAY
    // or TREND went bad (its flow divided by a zero time, say). Reported as
    // its owner's, with the findings of the instructions of its flows (each
    // from after the last instruction writing another variable, user or
    // hidden, to the one writing the flow). Only when no user stock went
    // bad: that is an overflow, reported as the stock's (report()).
    for (const auto& v : p_.vars)
        if (v.kind == VarKind::stock && !std::isfinite(stock_after(v, s))) return c;
    auto named = [&](Slot x) { return x < p_.slot_names.size() && !p_.slot_names[x].empty(); };
    for (std::uint32_t i = 0; i < p_.stock_count; ++i) {
        const Slot owner = p_.stock_owner[i];
        const double after = stock_after(i, s);
        if (owner == Program::no_owner || std::isfinite(after)) continue;
        const auto it = var_of.find(owner);
        if (it == var_of.end()) continue;
        c.var = &p_.vars[it->second];
        c.hidden = true;
        c.hidden_value = after;
        for (const auto& g : p_.stock_flows) {
            if (g.stock != i) continue;
            for (auto j = g.in_begin; j < g.end; ++j) {
                const Slot f = p_.flow_slots[j];
                std::size_t first = 0;
                for (std::size_t k = 0; k < p_.flow_tape.size(); ++k) {
                    if (p_.flow_tape[k].dst == f) {
                        examine(p_.flow_tape, first, k, true);
                        break;
                    }
                    if (named(p_.flow_tape[k].dst)) first = k + 1;
                }
            }
        }
        return c;
    }
    return c;
}

Diagnostic NonFiniteCheck::describe(const Culprit& c, const double* s, bool initial) const {
    using text::number;
    const double t = s[slot_time];
    Diagnostic d;
    d.severity = warn_ ? Severity::warning : Severity::error;
    d.code = c.div0 ? sim::Code::E_DIV_ZERO : sim::Code::E_NONFINITE;
    d.loc = loc_;
    std::string what;
    if (!c.var) {
        what = "a value became NaN or infinite at time " + number(t) +
               " in a stock hidden inside SMTH/DELAY/TREND; check the inputs of those functions";
    } else {
        d.variable = c.var->name;
        const Variable* v = c.var->variable < p_.spec.variables.size() ? &p_.spec.variables[c.var->variable] : nullptr;
        std::string eq;
        if (v) {
            const Equation& e = c.var->equation(p_.spec);
            d.loc = e.empty() ? v->loc : e.loc;
            eq = e.text;
            while (!eq.empty() && (eq.back() == '\n' || eq.back() == ' ')) eq.pop_back();
            if (eq.size() > 120) eq = eq.substr(0, 117) + "...";
        }
        const double val = c.hidden ? c.hidden_value : c.overflow ? stock_after(*c.var, s) : s[c.var->slot];
        const std::string vs = sign_text(val);
        if (c.overflow && std::isnan(val)) {
            // Finite flows overflow to an infinity, not to NaN: a flow was
            // NaN at a time inside the step that only the method evaluated
            // (rk45's own steps, which are not the grid's).
            what = "the stock became NaN in the step from time " + number(t) +
                   " although its flows were finite at the grid points: a flow was NaN at a time between them that "
                   "the integration method evaluated; run with --method euler (or rk4) and a smaller dt to find it";
        } else if (c.overflow) {
            what = "the stock became " + vs + " in the step from time " + number(t) +
                   " although its flows were finite there: it overflowed; check for runaway growth or use a "
                   "smaller dt";
        } else if (c.hidden) {
            what = c.div0 ? "division by zero at time " + number(t) + " made a stock hidden inside its SMTH/DELAY/TREND " +
                                vs + " in '" + eq + "'; guard the divisor or use SAFEDIV(a, b, value if b is 0)"
                          : "a stock hidden inside its SMTH/DELAY/TREND became " + vs + " at time " + number(t) + " in '" +
                                eq + "'; check the inputs of those functions";
        } else if (c.singular) {
            what = "INVERT MATRIX of a singular matrix (no inverse) at time " + number(t) + " makes the value NaN in '" +
                   eq + "'";
        } else if (c.div0) {
            what = "division by zero at time " + number(t) + " makes the value " + vs + " in '" + eq +
                   "'; guard the divisor or use SAFEDIV(a, b, value if b is 0)";
        } else if (initial && c.var->kind == VarKind::stock) {
            what = "the initial value is " + vs + " in '" + eq + "'";
        } else {
            what = "the value is " + vs + " at time " + number(t) + " in '" + eq + "'";
        }
    }
    d.message = what + (warn_ ? " (the run went on: --on-nonfinite=warn)"
                              : " (--on-nonfinite=warn reports this and goes on)");
    return d;
}

// A stock's value after the failed step (or now, when no step failed).
double NonFiniteCheck::stock_after(std::uint32_t i, const double* s) const {
    return stocks_after_.empty() ? s[p_.stock_begin + i] : stocks_after_[i];
}
double NonFiniteCheck::stock_after(const VarInfo& v, const double* s) const { return stock_after(v.slot - p_.stock_begin, s); }

bool NonFiniteCheck::report(const double* s, bool initial, bool last_try) {
    Culprit c = find(s, initial, last_try);
    if (!c.var && !last_try) return false;
    if (!c.var) {
        // Every flow and auxiliary is finite here: a stock overflowed in
        // the step, or (Runge-Kutta) went bad at an intermediate stage.
        c.overflow = true;
        for (const auto& v : p_.vars)
            if (v.kind == VarKind::stock && !std::isfinite(stock_after(v, s))) {
                c.var = &v;
                break;
            }
    }
    Diagnostic d = describe(c, s, initial);
    if (warn_) {
        warnings_.push_back(std::move(d));
        on_ = false;
        return true;
    }
    Diagnostics ds;
    ds.add(std::move(d));
    throw Error(std::move(ds));
}

void NonFiniteCheck::stocks_went_bad(double* s, long k, const double* x_prev) {
    double* stocks = s + p_.stock_begin;
    stocks_after_.assign(stocks, stocks + p_.stock_count);
    if (x_prev) {
        // The stages see t_{k-1}, the midpoint and t_k: a pole at t_k
        // (e.g. 1 / (3 - TIME)) shows only in the last.
        const double t0 = grid_.at(k - 1);
        const double at[] = {t0, t0 + 0.5 * grid_.dt, grid_.at(k)};
        for (int i = 0; i < 3; ++i) {
            std::copy(x_prev, x_prev + p_.stock_count, stocks);
            s[slot_time] = at[i];
            run_tape(p_, p_.flow_tape, s);
            if (report(s, false, i == 2)) break;
        }
    } else {
        report(s, false);
    }
    std::copy(stocks_after_.begin(), stocks_after_.end(), stocks);  // warn: go on as computed
}

}  // namespace sim::detail
