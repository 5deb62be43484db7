// The VM's inner loop, inline so that the Euler loop can keep its pointers in
// registers: one switch dispatch per instruction, no allocation, no lookup.
// The arithmetic cases are generated from decode_arith (compile/opcode.hpp):
// the macros below only enumerate code numbers; what each code computes, and
// in which grouping, comes from that one description at compile time.
#pragma once

#include <utility>

#include "run/vm.hpp"

namespace sim::detail {

template <Operand O>
inline double vm_operand(const double* s, const Instr& in, double acc) {
    if constexpr (O == Operand::a) return s[in.a];
    if constexpr (O == Operand::b) return s[in.b];
    if constexpr (O == Operand::c) return s[in.c];
    if constexpr (O == Operand::d) return s[in.d];
    return acc;
}

// The value of arithmetic code K: its steps in order, each one operation.
template <int K, std::size_t... I>
inline double vm_arith(const double* s, const Instr& in, std::index_sequence<I...>) {
    constexpr ArithForm f = decode_arith(static_cast<Code>(K));
    double acc = 0;
    ((acc = arith<f.step[I].op>(vm_operand<f.step[I].lhs>(s, in, acc), vm_operand<f.step[I].rhs>(s, in, acc))), ...);
    return acc;
}
template <int K>
inline double vm_arith(const double* s, const Instr& in) {
    static_assert(decode_arith(static_cast<Code>(K)).steps > 0);
    return vm_arith<K>(s, in, std::make_index_sequence<decode_arith(static_cast<Code>(K)).steps>{});
}

constexpr int vm_code(Code c) { return static_cast<int>(c); }
static_assert(vm_code(Code::fused_end) - vm_code(Code::fused_l2) == 96, "fused cases below enumerate 96 codes");

#define SIM_ARITH(K) \
    case (K): s[in.dst] = vm_arith<(K)>(s, in); break;
#define SIM_ARITH4(K) SIM_ARITH(K) SIM_ARITH((K) + 1) SIM_ARITH((K) + 2) SIM_ARITH((K) + 3)
#define SIM_ARITH16(K) SIM_ARITH4(K) SIM_ARITH4((K) + 4) SIM_ARITH4((K) + 8) SIM_ARITH4((K) + 12)
#define SIM_ARITH32(K) SIM_ARITH16(K) SIM_ARITH16((K) + 16)

inline void exec(const Instr* it, const Instr* end, double* s, const Table* tables, const VectorOp* vops) {
    const double t = s[slot_time], dt = s[slot_dt];
    for (; it != end; ++it) {
        const Instr& in = *it;
        switch (static_cast<int>(in.op)) {
            case vm_code(Code::copy): s[in.dst] = s[in.a]; break;
            case vm_code(Code::lookup): s[in.dst] = lookup(tables[in.b], s[in.a]); break;
            case vm_code(Code::vector): s[in.dst] = vector_value(vops[in.b], s); break;
            // The commonest other codes, dispatched here rather than through
            // apply's second switch (a call the compiler does not inline):
            // the same sim::ops functions, so the same results.
            case vm_code(Code::pow): s[in.dst] = ops::pow(s[in.a], s[in.b]); break;
            case vm_code(Code::ln): s[in.dst] = ops::ln(s[in.a]); break;
            case vm_code(Code::exp): s[in.dst] = ops::exp(s[in.a]); break;
            case vm_code(Code::neg): s[in.dst] = ops::neg(s[in.a]); break;
            case vm_code(Code::select): s[in.dst] = ops::select(s[in.a], s[in.b], s[in.c]); break;
            case vm_code(Code::min): s[in.dst] = ops::min(s[in.a], s[in.b]); break;
            case vm_code(Code::max): s[in.dst] = ops::max(s[in.a], s[in.b]); break;
            case vm_code(Code::nonneg): s[in.dst] = ops::nonneg(s[in.a]); break;
            case vm_code(Code::gt): s[in.dst] = ops::gt(s[in.a], s[in.b]); break;
            case vm_code(Code::lt): s[in.dst] = ops::lt(s[in.a], s[in.b]); break;
            case vm_code(Code::ge): s[in.dst] = ops::ge(s[in.a], s[in.b]); break;
            case vm_code(Code::le): s[in.dst] = ops::le(s[in.a], s[in.b]); break;
            SIM_ARITH(vm_code(Code::add))
            SIM_ARITH(vm_code(Code::sub))
            SIM_ARITH(vm_code(Code::mul))
            SIM_ARITH(vm_code(Code::div))
            SIM_ARITH32(vm_code(Code::fused_l2))  // fused_l2 and fused_r2
            SIM_ARITH32(vm_code(Code::fused_l3))
            SIM_ARITH32(vm_code(Code::fused_l3) + 32)
            default: s[in.dst] = apply(in.op, s[in.a], s[in.b], s[in.c], t, dt); break;
        }
    }
}

#undef SIM_ARITH
#undef SIM_ARITH4
#undef SIM_ARITH16
#undef SIM_ARITH32

}  // namespace sim::detail
