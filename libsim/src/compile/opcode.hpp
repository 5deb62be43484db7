// The instruction set of the compiled tapes: opcodes, the one description of
// the arithmetic and fused arithmetic codes (decode_arith) and of every other
// code (op_info: how it is shown, which sim/ops.hpp function computes it),
// which the VM, the code generator, the non-finite diagnosis and the tape
// dump all read, and `apply`, the codes' meaning by number. Nothing else
// decodes an opcode.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <string>

#include "sim/ops.hpp"

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
    sinh, cosh, tanh,
    vector,    // b is an index into Program::vector_ops, not a slot (compile/vector_ops.hpp)
    // Vensim's semantics (.mdl models):
    trunc,        // INTEGER: toward zero
    fmod,         // MODULO: a - b * trunc(a / b) (sign of a)
    vstep,        // STEP: a once time + dt/2 > b (uses time, dt)
    vpulse,       // PULSE: 1 while a < time + dt/2 < a + b (b = 0: one dt) (uses time, dt)
    vpulse_train, // PULSE TRAIN without its end: pulses of width b every c from a (uses time, dt)
    quantum,      // QUANTUM: b * trunc(a / b), a if b <= 0
    random01,     // uniform in [0, 1) from (seed a, call b, time): reproducible, no state (uses time)
    random_normal,// standard normal from (seed a, call b, time) (uses time)
    // Fused arithmetic (emitted for nested +,-,*,/ so that a chain is one
    // dispatch with no store/load between its steps); o1..o3 in {add, sub,
    // mul, div} = 0..3, o1 the innermost:
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
constexpr int arith_index(Code c) {
    switch (c) {
        case Code::add: return 0;
        case Code::sub: return 1;
        case Code::mul: return 2;
        case Code::div: return 3;
        default: return -1;
    }
}
constexpr Code fused(Code base, int offset) { return static_cast<Code>(static_cast<int>(base) + offset); }

// --- The one description of arithmetic codes.
// An arithmetic instruction is 1 to 3 steps `acc = lhs op rhs`, where an
// operand is an instruction operand (a..d) or the previous step's result.
// add/sub/mul/div are one step; fused codes two or three. Evaluating the steps
// in order is the instruction's meaning, with exactly the grouping shown in
// the Code comments (so results are the same bit for bit wherever it is used).
enum class Operand : std::uint8_t { a, b, c, d, acc };
struct ArithStep {
    std::uint8_t op;  // 0..3: + - * /
    Operand lhs, rhs;
};
struct ArithForm {
    std::uint8_t steps = 0;  // 0: not an arithmetic code
    ArithStep step[3] = {};
};

constexpr ArithForm decode_arith(Code code) {
    const int k = static_cast<int>(code);
    constexpr int l2 = static_cast<int>(Code::fused_l2), r2 = static_cast<int>(Code::fused_r2),
                  l3 = static_cast<int>(Code::fused_l3), end = static_cast<int>(Code::fused_end);
    using O = Operand;
    auto op = [](int o) { return static_cast<std::uint8_t>(o); };
    ArithForm f;
    if (const int o = arith_index(code); o >= 0) {
        f.steps = 1;
        f.step[0] = {op(o), O::a, O::b};
    } else if (k >= l2 && k < r2) {
        f.steps = 2;
        f.step[0] = {op((k - l2) / 4), O::a, O::b};
        f.step[1] = {op((k - l2) % 4), O::acc, O::c};
    } else if (k >= r2 && k < l3) {
        f.steps = 2;
        f.step[0] = {op((k - r2) / 4), O::b, O::c};
        f.step[1] = {op((k - r2) % 4), O::a, O::acc};
    } else if (k >= l3 && k < end) {
        f.steps = 3;
        f.step[0] = {op((k - l3) / 16), O::a, O::b};
        f.step[1] = {op((k - l3) / 4 % 4), O::acc, O::c};
        f.step[2] = {op((k - l3) % 4), O::acc, O::d};
    }
    return f;
}

inline constexpr const char* arith_symbol[4] = {"+", "-", "*", "/"};

template <int O>
inline double arith(double x, double y) {
    if constexpr (O == 0) return x + y;
    if constexpr (O == 1) return x - y;
    if constexpr (O == 2) return x * y;
    return x / y;
}
inline double arith(int o, double x, double y) {
    return o == 0 ? x + y : o == 1 ? x - y : o == 2 ? x * y : x / y;
}

inline double operand(Operand o, const Instr& in, const double* s, double acc) {
    switch (o) {
        case Operand::a: return s[in.a];
        case Operand::b: return s[in.b];
        case Operand::c: return s[in.c];
        case Operand::d: return s[in.d];
        default: return acc;
    }
}
inline Slot operand_slot(Operand o, const Instr& in) {
    return o == Operand::a ? in.a : o == Operand::b ? in.b : o == Operand::c ? in.c : in.d;
}

// Text of an arithmetic instruction's right-hand side with the grouping of
// its steps ("(x + y) * z"), each operand slot written by `name(slot)`.
// False (nothing written) if `in` is not an arithmetic code.
template <class Out, class Name>
bool write_arith(Out& out, const Instr& in, Name&& name) {
    const ArithForm f = decode_arith(in.op);
    if (f.steps == 0) return false;
    std::string acc;
    for (int i = 0; i < f.steps; ++i) {
        const ArithStep& st = f.step[i];
        auto text = [&](Operand o) { return o == Operand::acc ? "(" + acc + ")" : std::string(name(operand_slot(o, in))); };
        std::string lhs = text(st.lhs), rhs = text(st.rhs);
        acc = lhs + " " + arith_symbol[st.op] + " " + rhs;
    }
    out << acc;
    return true;
}

// --- Every other code: how it is shown (the tape dump) and which function of
// sim/ops.hpp computes it (the VM through `apply`, generated code by name).
enum class Form : std::uint8_t { value, prefix, infix, call, lookup, vector, arith };
struct OpInfo {
    Form form;
    const char* text;   // operator symbol or function name, for the dump
    std::uint8_t arity; // operands read: a, b, c in order
    const char* fn;     // its function in sim::ops (nullptr: copy, lookup, vector, arithmetic)
    bool timed;         // also reads TIME and DT (never folded as a constant)
};
// Exhaustive on purpose (no default): a Code added without its description
// here is a -Wswitch warning, and the static_assert below fails.
constexpr OpInfo op_info(Code c) {
    switch (c) {
        case Code::copy: return {Form::value, "", 1, nullptr, false};
        case Code::pow: return {Form::infix, "^", 2, "pow", false};
        case Code::mod: return {Form::call, "mod", 2, "mod", false};
        case Code::neg: return {Form::prefix, "-", 1, "neg", false};
        case Code::not_: return {Form::prefix, "not ", 1, "not_", false};
        case Code::eq: return {Form::infix, "=", 2, "eq", false};
        case Code::ne: return {Form::infix, "<>", 2, "ne", false};
        case Code::lt: return {Form::infix, "<", 2, "lt", false};
        case Code::le: return {Form::infix, "<=", 2, "le", false};
        case Code::gt: return {Form::infix, ">", 2, "gt", false};
        case Code::ge: return {Form::infix, ">=", 2, "ge", false};
        case Code::and_: return {Form::infix, "and", 2, "and_", false};
        case Code::or_: return {Form::infix, "or", 2, "or_", false};
        case Code::select: return {Form::call, "if", 3, "select", false};
        case Code::abs: return {Form::call, "abs", 1, "abs", false};
        case Code::min: return {Form::call, "min", 2, "min", false};
        case Code::max: return {Form::call, "max", 2, "max", false};
        case Code::exp: return {Form::call, "exp", 1, "exp", false};
        case Code::ln: return {Form::call, "ln", 1, "ln", false};
        case Code::log10: return {Form::call, "log10", 1, "log10", false};
        case Code::sqrt: return {Form::call, "sqrt", 1, "sqrt", false};
        case Code::sin: return {Form::call, "sin", 1, "sin", false};
        case Code::cos: return {Form::call, "cos", 1, "cos", false};
        case Code::tan: return {Form::call, "tan", 1, "tan", false};
        case Code::asin: return {Form::call, "arcsin", 1, "asin", false};
        case Code::acos: return {Form::call, "arccos", 1, "acos", false};
        case Code::atan: return {Form::call, "arctan", 1, "atan", false};
        case Code::floor: return {Form::call, "int", 1, "floor", false};
        case Code::safediv: return {Form::call, "safediv", 3, "safediv", false};
        case Code::nonneg: return {Form::call, "nonneg", 1, "nonneg", false};
        case Code::step: return {Form::call, "step", 2, "step", true};
        case Code::ramp: return {Form::call, "ramp", 3, "ramp", true};
        case Code::pulse: return {Form::call, "pulse", 3, "pulse", true};
        case Code::lookup: return {Form::lookup, "lookup", 1, nullptr, false};
        case Code::sinh: return {Form::call, "sinh", 1, "sinh", false};
        case Code::cosh: return {Form::call, "cosh", 1, "cosh", false};
        case Code::tanh: return {Form::call, "tanh", 1, "tanh", false};
        case Code::vector: return {Form::vector, "vector", 0, nullptr, false};
        case Code::trunc: return {Form::call, "integer", 1, "integer", false};
        case Code::fmod: return {Form::call, "modulo", 2, "modulo", false};
        case Code::vstep: return {Form::call, "vensim_step", 2, "vensim_step", true};
        case Code::vpulse: return {Form::call, "vensim_pulse", 2, "vensim_pulse", true};
        case Code::vpulse_train: return {Form::call, "vensim_pulse_train", 3, "vensim_pulse_train", true};
        case Code::quantum: return {Form::call, "quantum", 2, "quantum", false};
        case Code::random01: return {Form::call, "random01", 2, "random01", true};
        case Code::random_normal: return {Form::call, "random_normal", 2, "random_normal", true};
        case Code::add:
        case Code::sub:
        case Code::mul:
        case Code::div:
        case Code::fused_l2:
        case Code::fused_r2:
        case Code::fused_l3:
        case Code::fused_end: break;
    }
    return {Form::arith, "", 0, nullptr, false};  // the fused codes between the named ones too
}

// Every code is described: arithmetic by decode_arith, copy, lookup and
// vector by their form, everything else by its sim::ops function.
constexpr bool every_code_described() {
    for (int k = 0; k < static_cast<int>(Code::fused_end); ++k) {
        const Code c = static_cast<Code>(k);
        const OpInfo i = op_info(c);
        const bool arith = decode_arith(c).steps > 0;
        if (arith != (i.form == Form::arith)) return false;
        if (!arith && c != Code::copy && c != Code::lookup && c != Code::vector && i.fn == nullptr) return false;
    }
    return true;
}
static_assert(every_code_described(), "a Code lacks its description in op_info or decode_arith");

using ops::time_eps;

// The single authority for each operator's meaning, by code: dispatches to
// sim/ops.hpp, which generated code calls directly. Used by the VM and the
// constant folder. `lookup` and `vector` are handled by the callers (they need a table or
// a Program::vector_ops entry);
// fused codes by decode_arith and `arith`.
inline double apply(Code op, double a, double b, double c, double time, double dt) {
    if (const int o = arith_index(op); o >= 0) return arith(o, a, b);
    switch (op) {
        case Code::copy: return a;
        case Code::pow: return ops::pow(a, b);
        case Code::mod: return ops::mod(a, b);
        case Code::neg: return ops::neg(a);
        case Code::not_: return ops::not_(a);
        case Code::eq: return ops::eq(a, b);
        case Code::ne: return ops::ne(a, b);
        case Code::lt: return ops::lt(a, b);
        case Code::le: return ops::le(a, b);
        case Code::gt: return ops::gt(a, b);
        case Code::ge: return ops::ge(a, b);
        case Code::and_: return ops::and_(a, b);
        case Code::or_: return ops::or_(a, b);
        case Code::select: return ops::select(a, b, c);
        case Code::abs: return ops::abs(a);
        case Code::min: return ops::min(a, b);
        case Code::max: return ops::max(a, b);
        case Code::exp: return ops::exp(a);
        case Code::ln: return ops::ln(a);
        case Code::log10: return ops::log10(a);
        case Code::sqrt: return ops::sqrt(a);
        case Code::sin: return ops::sin(a);
        case Code::cos: return ops::cos(a);
        case Code::tan: return ops::tan(a);
        case Code::asin: return ops::asin(a);
        case Code::acos: return ops::acos(a);
        case Code::atan: return ops::atan(a);
        case Code::sinh: return ops::sinh(a);
        case Code::cosh: return ops::cosh(a);
        case Code::tanh: return ops::tanh(a);
        case Code::floor: return ops::floor(a);
        case Code::safediv: return ops::safediv(a, b, c);
        case Code::nonneg: return ops::nonneg(a);
        case Code::step: return ops::step(a, b, time, dt);
        case Code::ramp: return ops::ramp(a, b, c, time, dt);
        case Code::pulse: return ops::pulse(a, b, c, time, dt);
        case Code::trunc: return ops::integer(a);
        case Code::fmod: return ops::modulo(a, b);
        case Code::vstep: return ops::vensim_step(a, b, time, dt);
        case Code::vpulse: return ops::vensim_pulse(a, b, time, dt);
        case Code::vpulse_train: return ops::vensim_pulse_train(a, b, c, time, dt);
        case Code::quantum: return ops::quantum(a, b);
        case Code::random01: return ops::random01(a, b, time, dt);
        case Code::random_normal: return ops::random_normal(a, b, time, dt);
        case Code::lookup:
        case Code::vector:
        case Code::add:
        case Code::sub:
        case Code::mul:
        case Code::div:
        case Code::fused_l2:
        case Code::fused_r2:
        case Code::fused_l3:
        case Code::fused_end: break;  // handled by the callers
    }
    return 0.0;
}

}  // namespace sim::detail
