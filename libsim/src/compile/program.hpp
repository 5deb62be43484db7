// The compiled form of a model: register-style instruction tapes over one
// dense vector of doubles ("slots"). Built by compile/ (compiler.hpp), run by
// vm.cpp and integrate.cpp. Immutable once built; every run works on its own
// slot copy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/spec.hpp"
#include "sim/results.hpp"
#include "sim/model.hpp"

namespace sim::detail {

using Slot = std::uint32_t;

// Fixed slots at the front of every slot vector.
inline constexpr Slot slot_time = 0, slot_dt = 1, slot_start = 2, slot_stop = 3, first_free_slot = 4;

// Operations. Every instruction is `dst = op(s[a], s[b], s[c])`; unused
// operands point at slot 0 and are ignored.
enum class Code : std::uint8_t {
    copy, add, sub, mul, div, pow, mod, neg, not_,
    eq, ne, lt, le, gt, ge, and_, or_, select,
    abs, min, max, exp, ln, log10, sqrt, sin, cos, tan, asin, acos, atan, floor,
    safediv,   // b == 0 ? c : a / b
    nonneg,    // max(0, a)
    step,      // a = height, b = start (uses time)
    ramp,      // a = slope, b = start, c = end (uses time)
    pulse,     // a = magnitude, b = first time, c = interval (uses time, dt)
    lookup,    // a = input; b is a table index, not a slot
    // Fused arithmetic (emitted for nested +,-,*,/ so that a chain is one
    // dispatch with no store/load between its steps); o1..o3 in {add, sub,
    // mul, div} = 0..3:
    fused_l2,                 // + 4*o1 + o2:          (a o1 b) o2 c
    fused_r2 = fused_l2 + 16,  // + 4*o1 + o2:          a o2 (b o1 c)
    fused_l3 = fused_r2 + 16,  // + 16*o1 + 4*o2 + o3:  ((a o1 b) o2 c) o3 d
    fused_end = fused_l3 + 64,
};

struct Instr {
    Code op;
    Slot dst, a = 0, b = 0, c = 0, d = 0;
};

// Index 0..3 of an arithmetic code in the fused encodings, or -1.
inline int arith_index(Code c) {
    switch (c) {
        case Code::add: return 0;
        case Code::sub: return 1;
        case Code::mul: return 2;
        case Code::div: return 3;
        default: return -1;
    }
}
inline Code fused(Code base, int offset) { return static_cast<Code>(static_cast<int>(base) + offset); }

struct Table {
    LookupKind kind = LookupKind::continuous;
    std::vector<double> x, y;  // x strictly increasing, non-empty
};

double lookup(const Table& t, double x);

// Time comparisons tolerate rounding of start + n*dt.
inline double time_eps(double dt) { return 1e-9 * std::abs(dt); }

// The single authority for each operator's meaning: used by the VM and by the
// constant folder. `lookup` is handled by the callers (it needs a table).
inline double apply(Code op, double a, double b, double c, double time, double dt) {
    switch (op) {
        case Code::copy: return a;
        case Code::add: return a + b;
        case Code::sub: return a - b;
        case Code::mul: return a * b;
        case Code::div: return a / b;
        case Code::pow: return std::pow(a, b);
        case Code::mod: return a - b * std::floor(a / b);  // sign of b (XMILE/Stella)
        case Code::neg: return -a;
        case Code::not_: return a == 0 ? 1.0 : 0.0;
        case Code::eq: return a == b ? 1.0 : 0.0;
        case Code::ne: return a != b ? 1.0 : 0.0;
        case Code::lt: return a < b ? 1.0 : 0.0;
        case Code::le: return a <= b ? 1.0 : 0.0;
        case Code::gt: return a > b ? 1.0 : 0.0;
        case Code::ge: return a >= b ? 1.0 : 0.0;
        case Code::and_: return (a != 0 && b != 0) ? 1.0 : 0.0;
        case Code::or_: return (a != 0 || b != 0) ? 1.0 : 0.0;
        case Code::select: return a != 0 ? b : c;
        case Code::abs: return std::abs(a);
        case Code::min: return std::min(a, b);
        case Code::max: return std::max(a, b);
        case Code::exp: return std::exp(a);
        case Code::ln: return std::log(a);
        case Code::log10: return std::log10(a);
        case Code::sqrt: return std::sqrt(a);
        case Code::sin: return std::sin(a);
        case Code::cos: return std::cos(a);
        case Code::tan: return std::tan(a);
        case Code::asin: return std::asin(a);
        case Code::acos: return std::acos(a);
        case Code::atan: return std::atan(a);
        case Code::floor: return std::floor(a);
        case Code::safediv: return b == 0 ? c : a / b;
        case Code::nonneg: return std::max(0.0, a);
        case Code::step: return time + time_eps(dt) >= b ? a : 0.0;
        case Code::ramp: {
            double e = time_eps(dt);
            if (time + e < b) return 0.0;
            return a * (std::min(time, c) - b);  // c = +inf when no end was given
        }
        case Code::pulse: {
            // XMILE: an impulse of `a` per DT: a/DT during the DT starting at
            // b, repeated every c when c > 0.
            double e = time_eps(dt), x = time - b;
            if (x + e < 0 || dt <= 0) return 0.0;
            if (c > 0) x -= c * std::floor((x + e) / c);
            return x + e < dt ? a / dt : 0.0;
        }
        default: return 0.0;  // lookup and fused codes: handled by the VM
    }
    return 0.0;
}

// A fixed pipeline delay: out(t) = input(t - delay), or its initial value
// while t - delay < start. Updated at accepted steps only.
struct FixedDelay {
    Slot out, input, delay_time;
};

// PREVIOUS(x): out = x at the previous accepted step.
struct Previous {
    Slot out, input;
};

// A user-visible variable.
struct VarInfo {
    std::string name;       // display name
    std::string canonical;
    VarKind kind;
    Slot slot;
    bool settable;          // a constant with a literal value (may be `set`)
};

struct Program {
    // The spec after lever expansion, kept for specs() and run-time reports:
    // equations keep their text and position but not their trees (compiled).
    ModelSpec spec;
    std::vector<double> slots;  // template: fixed slots, literal values; rest 0
    Slot stock_begin = 0, stock_count = 0;  // stocks are slots [begin, begin+count)
    std::vector<Instr> initial_tape;  // computes every initial value
    std::vector<Instr> flow_tape;     // flows and auxiliaries in dependency order
    // Stock derivatives: d[stock] = sum(s[inflow]) - sum(s[outflow]).
    struct Term { std::uint32_t stock; Slot flow; };
    std::vector<Term> inflow_terms, outflow_terms;
    // The same grouped by stock, for Euler: stock_flows[i] lists the inflow
    // slots [in_begin, out_begin) then outflow slots [out_begin, end) in
    // flow_slots, so each stock is updated once per step (one store).
    struct StockFlows { std::uint32_t stock, in_begin, out_begin, end; };
    std::vector<StockFlows> stock_flows;
    std::vector<Slot> flow_slots;
    std::vector<std::uint32_t> nonneg_stocks;  // stock indices
    std::vector<Table> tables;
    std::vector<FixedDelay> delays;
    std::vector<Previous> previous;
    std::vector<VarInfo> vars;  // user-visible, model order
    std::unordered_map<std::string, std::uint32_t> index;  // canonical -> vars[]

    bool has_events() const { return !delays.empty() || !previous.empty() || !nonneg_stocks.empty(); }
    const VarInfo* find(std::string_view name) const;

    // Compiles `spec` (levers included); nullptr if any error was added.
    static std::shared_ptr<const Program> compile(const ModelSpec& spec, Diagnostics& diags);
    static Model make_model(std::shared_ptr<const Program> p) { return Model(std::move(p)); }
};

// levers.cpp: the variables every lever of `spec` adds (see sim::Lever),
// their equations built as trees; expand_levers appends them to `spec`.
std::deque<Variable> lever_variables(const ModelSpec& spec, Diagnostics& diags);
void expand_levers(ModelSpec& spec, Diagnostics& diags);

// vm.cpp
void run_tape(const Program& p, const std::vector<Instr>& tape, double* s);
void derivatives(const Program& p, const double* s, double* d);

// integrate.cpp: runs with validated specs; `s` is the prepared slot vector
// (overrides applied, nothing evaluated yet); `cols` the saved slots.
// `opts` supplies the run-time checks (on_nonfinite, max_steps,
// max_wall_seconds); its other fields are already folded into `specs`/`s`.
Results integrate(const Program& p, const SimSpecs& specs, std::vector<double> s,
                  const std::vector<Slot>& cols, std::vector<std::string> names,
                  const RunOptions& opts = {});

}  // namespace sim::detail
