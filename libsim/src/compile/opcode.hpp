// The instruction set of the compiled tapes: opcodes, their meaning (apply)
// and the one description of the arithmetic and fused arithmetic codes
// (decode_arith), which the VM, the native code generator, the non-finite
// diagnosis and the tape dump all read. Nothing else decodes an opcode.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <string>

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

// --- Every other code: how it is shown (the tape dump).
enum class Form : std::uint8_t { value, prefix, infix, call, lookup, vector, arith };
struct OpInfo {
    Form form;
    const char* text;   // operator symbol or function name
    std::uint8_t arity; // operands read: a, b, c in order
};
constexpr OpInfo op_info(Code c) {
    switch (c) {
        case Code::copy: return {Form::value, "", 1};
        case Code::pow: return {Form::infix, "^", 2};
        case Code::mod: return {Form::call, "mod", 2};
        case Code::neg: return {Form::prefix, "-", 1};
        case Code::not_: return {Form::prefix, "not ", 1};
        case Code::eq: return {Form::infix, "=", 2};
        case Code::ne: return {Form::infix, "<>", 2};
        case Code::lt: return {Form::infix, "<", 2};
        case Code::le: return {Form::infix, "<=", 2};
        case Code::gt: return {Form::infix, ">", 2};
        case Code::ge: return {Form::infix, ">=", 2};
        case Code::and_: return {Form::infix, "and", 2};
        case Code::or_: return {Form::infix, "or", 2};
        case Code::select: return {Form::call, "if", 3};
        case Code::abs: return {Form::call, "abs", 1};
        case Code::min: return {Form::call, "min", 2};
        case Code::max: return {Form::call, "max", 2};
        case Code::exp: return {Form::call, "exp", 1};
        case Code::ln: return {Form::call, "ln", 1};
        case Code::log10: return {Form::call, "log10", 1};
        case Code::sqrt: return {Form::call, "sqrt", 1};
        case Code::sin: return {Form::call, "sin", 1};
        case Code::cos: return {Form::call, "cos", 1};
        case Code::tan: return {Form::call, "tan", 1};
        case Code::asin: return {Form::call, "arcsin", 1};
        case Code::acos: return {Form::call, "arccos", 1};
        case Code::atan: return {Form::call, "arctan", 1};
        case Code::floor: return {Form::call, "int", 1};
        case Code::safediv: return {Form::call, "safediv", 3};
        case Code::nonneg: return {Form::call, "nonneg", 1};
        case Code::step: return {Form::call, "step", 2};
        case Code::ramp: return {Form::call, "ramp", 3};
        case Code::pulse: return {Form::call, "pulse", 3};
        case Code::lookup: return {Form::lookup, "lookup", 1};
        case Code::sinh: return {Form::call, "sinh", 1};
        case Code::cosh: return {Form::call, "cosh", 1};
        case Code::tanh: return {Form::call, "tanh", 1};
        case Code::vector: return {Form::vector, "vector", 0};
        case Code::trunc: return {Form::call, "integer", 1};
        case Code::fmod: return {Form::call, "modulo", 2};
        case Code::vstep: return {Form::call, "vensim_step", 2};
        case Code::vpulse: return {Form::call, "vensim_pulse", 2};
        case Code::vpulse_train: return {Form::call, "vensim_pulse_train", 3};
        case Code::quantum: return {Form::call, "quantum", 2};
        case Code::random01: return {Form::call, "random01", 2};
        case Code::random_normal: return {Form::call, "random_normal", 2};
        default: return {Form::arith, "", 0};
    }
}

// Time comparisons tolerate rounding of start + n*dt.
inline double time_eps(double dt) { return 1e-9 * std::abs(dt); }

// A uniform draw in [0, 1) that depends only on its inputs (splitmix64 of
// their bits): the same seed, call and time give the same number in every
// run, on every thread and in native mode.
inline double random_unit(double seed, double call, double time, std::uint64_t stream) {
    auto bits = [](double v) {
        std::uint64_t u;
        std::memcpy(&u, &v, sizeof u);
        return u;
    };
    auto mix = [](std::uint64_t z) {
        z += 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    std::uint64_t h = mix(bits(seed) ^ mix(bits(call) ^ mix(bits(time) ^ mix(stream))));
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// The single authority for each operator's meaning: used by the VM, the
// native code's callback and the constant folder. `lookup` is handled by the
// callers (it needs a table); fused codes by decode_arith and `arith`.
inline double apply(Code op, double a, double b, double c, double time, double dt) {
    if (const int o = arith_index(op); o >= 0) return arith(o, a, b);
    switch (op) {
        case Code::copy: return a;
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
        case Code::sinh: return std::sinh(a);
        case Code::cosh: return std::cosh(a);
        case Code::tanh: return std::tanh(a);
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
        case Code::trunc: return std::trunc(a);
        case Code::fmod: return std::fmod(a, b);
        case Code::vstep: return time + dt / 2 > b ? a : 0.0;
        case Code::vpulse: {
            const double t = time + dt / 2, width = b == 0 ? dt : b;
            return t > a && t < a + width ? 1.0 : 0.0;
        }
        case Code::vpulse_train: {
            const double t = time + dt / 2;
            if (!(t > a)) return 0.0;
            const double first = c > 0 ? a + c * std::floor((t - a) / c) : a;
            return t < first + (b == 0 ? dt : b) ? 1.0 : 0.0;
        }
        case Code::quantum: return b <= 0 ? a : b * std::trunc(a / b);
        case Code::random01: return random_unit(a, b, time, 0);
        case Code::random_normal: {
            // Box-Muller on two independent uniform draws.
            const double u1 = 1.0 - random_unit(a, b, time, 1), u2 = random_unit(a, b, time, 2);
            return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        }
        default: return 0.0;  // lookup, vector and fused codes: handled by the callers
    }
    return 0.0;
}

}  // namespace sim::detail
