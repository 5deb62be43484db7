// The VM's inner loop, inline so that the Euler loop can keep its pointers in
// registers: one switch dispatch per instruction, no allocation, no lookup.
#pragma once

#include "compile/program.hpp"

namespace sim::detail {

namespace {
template <int O>
inline double ar(double x, double y) {
    if constexpr (O == 0) return x + y;
    if constexpr (O == 1) return x - y;
    if constexpr (O == 2) return x * y;
    return x / y;
}
constexpr int code(Code base, int offset) { return static_cast<int>(base) + offset; }
constexpr int code(Code c) { return static_cast<int>(c); }
}  // namespace

// Cases for the fused codes, one per operator combination.
#define SIM_L2(o1, o2)                                               \
    case code(Code::fused_l2, 4 * (o1) + (o2)):                     \
        s[in.dst] = ar<o2>(ar<o1>(s[in.a], s[in.b]), s[in.c]); \
        break;
#define SIM_R2(o1, o2)                                               \
    case code(Code::fused_r2, 4 * (o1) + (o2)):                     \
        s[in.dst] = ar<o2>(s[in.a], ar<o1>(s[in.b], s[in.c])); \
        break;
#define SIM_L3(o1, o2, o3)                                                          \
    case code(Code::fused_l3, 16 * (o1) + 4 * (o2) + (o3)):                        \
        s[in.dst] = ar<o3>(ar<o2>(ar<o1>(s[in.a], s[in.b]), s[in.c]), s[in.d]); \
        break;
#define SIM_4(M, ...) M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3)
#define SIM_L2_ROW(o1) SIM_4(SIM_L2, o1)
#define SIM_R2_ROW(o1) SIM_4(SIM_R2, o1)
#define SIM_L3_ROW2(o1, o2) SIM_4(SIM_L3, o1, o2)
#define SIM_L3_ROW(o1) SIM_L3_ROW2(o1, 0) SIM_L3_ROW2(o1, 1) SIM_L3_ROW2(o1, 2) SIM_L3_ROW2(o1, 3)
#define SIM_ALL(ROW) ROW(0) ROW(1) ROW(2) ROW(3)

inline void exec(const Instr* it, const Instr* end, double* s, const Table* tables) {
    const double t = s[slot_time], dt = s[slot_dt];
    for (; it != end; ++it) {
        const Instr& in = *it;
        switch (static_cast<int>(in.op)) {
            // The common arithmetic is spelled out so that it compiles to a
            // single load/op/store per case.
            case code(Code::copy): s[in.dst] = s[in.a]; break;
            case code(Code::add): s[in.dst] = s[in.a] + s[in.b]; break;
            case code(Code::sub): s[in.dst] = s[in.a] - s[in.b]; break;
            case code(Code::mul): s[in.dst] = s[in.a] * s[in.b]; break;
            case code(Code::div): s[in.dst] = s[in.a] / s[in.b]; break;
            case code(Code::lookup): s[in.dst] = lookup(tables[in.b], s[in.a]); break;
            SIM_ALL(SIM_L2_ROW)
            SIM_ALL(SIM_R2_ROW)
            SIM_ALL(SIM_L3_ROW)
            default: s[in.dst] = apply(in.op, s[in.a], s[in.b], s[in.c], t, dt); break;
        }
    }
}

#undef SIM_L2
#undef SIM_R2
#undef SIM_L3
#undef SIM_4
#undef SIM_L2_ROW
#undef SIM_R2_ROW
#undef SIM_L3_ROW2
#undef SIM_L3_ROW
#undef SIM_ALL

}  // namespace sim::detail
