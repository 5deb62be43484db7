// A lane type for bench/chongqing_hand.hpp: four runs' values side by side
// (run-major state: one V4 per model value, lane l holding run l's), with the
// operations the hand translation uses, each giving in every lane the bits
// the double code gives for that run:
// - + - * / and unary minus elementwise (IEEE, so per lane the scalar's
//   result; compile without -ffast-math and with -ffp-contract=off so no FMA
//   is formed);
// - comparisons give a mask M4; if_(mask, a, b) selects per lane (both sides
//   computed);
// - min_ / max_ as std::min / std::max (what the hand code calls: the first
//   operand when they compare equal or either is NaN), ops_min / ops_max /
//   ops_nonneg as sim::ops::min / max / nonneg (NaN stays NaN), for what
//   libsim's generated code would need;
// - pow_, log_, exp_: glibc's scalar std::pow / std::log / std::exp once per
//   lane (a vector pow would change bits).
//
// Everything is in an unnamed namespace: each translation unit that includes
// this (one compiled with -mavx2, one for plain SSE2) gets its own copy,
// never one of the other instruction set chosen by the linker.
#pragma once

#include <cmath>

namespace lanes {
namespace {

constexpr int width = 4;

// With AVX, one 256-bit vector; without (x86-64's baseline SSE2), two
// 128-bit ones: GCC 12 lowers 256-bit vector compares and selects to
// scalar compare-and-branch code there, but handles 128-bit ones natively.
#ifdef __AVX__
typedef double d4 __attribute__((vector_size(32)));
typedef long long m4 __attribute__((vector_size(32)));
#define LANES_PARTS 1
#else
typedef double d4 __attribute__((vector_size(16)));  // two lanes, twice
typedef long long m4 __attribute__((vector_size(16)));
#define LANES_PARTS 2
#endif
constexpr int parts = LANES_PARTS;
constexpr int per_part = width / parts;
#undef LANES_PARTS

struct M4 {
    m4 m[parts];  // per lane all ones (true) or 0
};
inline M4 operator!(M4 a) {
    M4 r;
    for (int k = 0; k < parts; ++k) r.m[k] = ~a.m[k];
    return r;
}
// No lane set.
inline bool none(M4 a) {
    m4 any = a.m[0];
    for (int k = 1; k < parts; ++k) any |= a.m[k];
    long long bits = 0;
    for (int i = 0; i < per_part; ++i) bits |= any[i];
    return bits == 0;
}

#define LANES_BINARY(op)                                                       \
    friend V4 operator op(V4 a, V4 b) {                                        \
        V4 r;                                                                  \
        for (int k = 0; k < parts; ++k) r.v[k] = a.v[k] op b.v[k];             \
        return r;                                                              \
    }
#define LANES_COMPARE(op)                                                      \
    friend M4 operator op(V4 a, V4 b) {                                        \
        M4 r;                                                                  \
        for (int k = 0; k < parts; ++k) r.m[k] = a.v[k] op b.v[k];             \
        return r;                                                              \
    }

struct V4 {
    d4 v[parts];
    V4() = default;  // uninitialised, as double; V4{} and value-initialisation give 0
    constexpr V4(double x) : V4(x, x, x, x) {}  // NOLINT: implicit, as a double literal in the model code
#ifdef __AVX__
    constexpr V4(double a, double b, double c, double d) : v{d4{a, b, c, d}} {}
#else
    constexpr V4(double a, double b, double c, double d) : v{d4{a, b}, d4{c, d}} {}
#endif
    double operator[](int i) const { return v[i / per_part][i % per_part]; }
    void set(int i, double x) { v[i / per_part][i % per_part] = x; }

    LANES_BINARY(+)
    LANES_BINARY(-)
    LANES_BINARY(*)
    LANES_BINARY(/)
    friend V4 operator-(V4 a) {
        V4 r;
        for (int k = 0; k < parts; ++k) r.v[k] = -a.v[k];
        return r;
    }
    V4& operator+=(V4 b) { return *this = *this + b; }
    V4& operator-=(V4 b) { return *this = *this - b; }

    LANES_COMPARE(<)
    LANES_COMPARE(<=)
    LANES_COMPARE(>)
    LANES_COMPARE(>=)
    LANES_COMPARE(==)

    // Per lane c ? a : b.
    friend V4 if_(M4 c, V4 a, V4 b) {
        V4 r;
        for (int k = 0; k < parts; ++k)
            r.v[k] = reinterpret_cast<d4>((c.m[k] & reinterpret_cast<m4>(a.v[k])) |
                                          (~c.m[k] & reinterpret_cast<m4>(b.v[k])));
        return r;
    }
    // std::min(a, b) is b < a ? b : a; std::max(a, b) is a < b ? b : a.
    friend V4 min_(V4 a, V4 b) { return if_(b < a, b, a); }
    friend V4 max_(V4 a, V4 b) { return if_(a < b, b, a); }
    // sim::ops::min, max, nonneg.
    friend V4 ops_min(V4 a, V4 b) { return if_(b < a, b, if_(b == b, a, b)); }
    friend V4 ops_max(V4 a, V4 b) { return if_(b > a, b, if_(b == b, a, b)); }
    friend V4 ops_nonneg(V4 a) { return if_(a > 0.0, a, if_(a == a, V4(0.0), a)); }

    friend V4 pow_(V4 a, V4 b) {
        V4 r;
        for (int i = 0; i < width; ++i) r.set(i, std::pow(a[i], b[i]));
        return r;
    }
    friend V4 log_(V4 a) {
        V4 r;
        for (int i = 0; i < width; ++i) r.set(i, std::log(a[i]));
        return r;
    }
    friend V4 exp_(V4 a) {
        V4 r;
        for (int i = 0; i < width; ++i) r.set(i, std::exp(a[i]));
        return r;
    }

    // chongqing_hand.hpp's withheld and take_back, per lane: a non-negative
    // stock's next value when its outflows (already times dt) may take more
    // than it holds (NaN counts as negative there, as in the scalar code).
    friend V4 withheld(V4& next, V4 outflow_total) {
        const M4 short_ = !(next >= 0.0);
        if (none(short_)) return V4(0.0);
        const V4 w = if_(short_, if_(outflow_total > 0.0, min_(1.0, -next / outflow_total), 0.0), 0.0);
        next = if_(short_, 0.0, next);
        return w;
    }
    friend void take_back(V4& stock, V4 w, double step, V4 flow) {
        const M4 some = w > 0.0;
        if (none(some)) return;
        stock = if_(some, stock - step * max_(0.0, flow) * w, stock);
    }
};

#undef LANES_BINARY
#undef LANES_COMPARE

}  // namespace
}  // namespace lanes
