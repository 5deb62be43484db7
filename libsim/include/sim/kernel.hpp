// The interface between libsim and the C++ its code generator writes for a
// model (`sdsim generate`, sim/generate.hpp): a Kernel is a table of
// functions over the model's slot vector, the compiled Program's layout
// written out as C++. libsim prepares every run (options, errors, the time
// grid, events, saving) and calls these functions to evaluate; nothing in
// them reports, and only the vector functions allocate (their working
// vectors, as in the interpreter: sim/ops_vector.hpp). Only the standard library is included, so a
// generated source compiles without libsim's sources (native mode copies
// this header and sim/ops.hpp into the file it compiles).
//
// A kernel matches exactly one compiled Program: `fingerprint` is the
// Program's (slot layout, tapes, stock terms, tables, events) and libsim
// refuses to attach a kernel whose fingerprint or ABI version differs.
#pragma once

namespace sim {

// Bumped whenever KernelRun, Kernel or what the generated functions must do
// changes; part of every fingerprint.
inline constexpr int kernel_abi_version = 4;

// One call of Kernel::euler: Euler steps to grid points k_begin .. k_end-1,
// doing at each what the interpreter's Euler driver and its grid-point
// observer do (stock update, non-negative limits, TIME, PREVIOUS and fixed
// delays, the flow tape, saving every save_every points). Fields marked
// in/out are read at entry and written back at exit, so that a run can be
// taken in several calls (the wall-clock budget is checked between them).
struct KernelRun {
    double* s;               // the slot vector (in/out)
    long k_begin, k_end;
    double start, dt;        // grid point k is at start + k * dt
    long save_every;
    long until;              // grid points to the next saved row (in/out)
    const unsigned* cols;    // saved slots, in column order
    unsigned long ncols;
    int all_columns;         // nonzero: cols are every user variable in model order
    double* out_t;           // where the next saved row goes (in/out)
    double* out_v;           // (in/out)
    double* latch;           // PREVIOUS: each input at the last grid point (in/out)
    double* const* history;  // fixed delays: history[i][j] = input at point j
    const double* delay_initial;  // each delay's output before its input arrives
    unsigned long recorded;  // points in every history (in/out)
    double* scratch;         // stock_count doubles the kernel may use
    double bad;              // (in/out) sum of x * 0 over the non-negative stocks after each step
                             // and over every value saved that a step can change: not 0 once one
                             // was not finite (the other stocks, once not finite, stay so, and the
                             // host checks them; the columns a step cannot change were checked in
                             // the first row, which the host saves)
    unsigned long failed_delay;  // (out) 0, or 1 + the index of the fixed delay whose time was
                                 // negative at grid point s[0] (time s[0]): the kernel stopped
                                 // there, before that point's outputs, and the host reports it
};

// One saved row of n columns: out[j] = s[cols[j]]; adds the values times 0
// to `bad` (0 unless one is not finite), in two sums so that a wide row is
// not one chain of dependent adds; returns where the next row goes.
inline double* save_columns(double* out, const double* s, const unsigned* cols, unsigned long n, double& bad) {
    double z0 = 0, z1 = 0;
    unsigned long j = 0;
    for (; j + 2 <= n; j += 2) {
        const double a = s[cols[j]], b = s[cols[j + 1]];
        out[j] = a;
        out[j + 1] = b;
        z0 += a * 0.0;
        z1 += b * 0.0;
    }
    if (j < n) {
        const double a = s[cols[j]];
        out[j] = a;
        z0 += a * 0.0;
    }
    bad += z0 + z1;
    return out + n;
}

// Runs in SIMD lanes (sim::Batch): Kernel::euler_lanes takes the Euler
// steps of kernel_lanes runs of one model at once, each lane one run with
// its own slot vector and rows, computing in every lane the bits
// Kernel::euler computes for that run. It exists only for models without
// PREVIOUS, fixed delays and vector functions whose state fits in local
// variables, and only when the generated source was compiled with AVX
// (native mode adds -mavx2 on a machine that has it); otherwise it is null.
inline constexpr int kernel_lanes = 4;

struct KernelLanesRun {
    double* s[kernel_lanes];  // each lane's slot vector (in/out)
    long k_begin, k_end;
    double start, dt;
    long save_every;
    long until;               // (in/out), the same for every lane
    const unsigned* cols;
    unsigned long ncols;
    int all_columns;
    double* out_t[kernel_lanes];  // (in/out)
    double* out_v[kernel_lanes];  // (in/out)
    double bad[kernel_lanes];     // (in/out) as KernelRun::bad, per lane
};

struct Kernel {
    int abi;                  // kernel_abi_version of the generator
    const char* fingerprint;  // the Program's (hex SHA-256)
    const char* model_name;
    const char* source_text;  // the model file the code was generated from ("" if none)
    const char* source_path;  // its path, for diagnostics
    unsigned long slot_count;
    void (*initial)(double* s);  // the initial-value tape
    void (*flows)(double* s);    // the flow tape at TIME = s[0]
    void (*euler)(KernelRun& run);
    void (*euler_lanes)(KernelLanesRun& run);  // null: none (see KernelLanesRun)
};

}  // namespace sim

// The lane type of Kernel::euler_lanes, for generated code compiled with
// AVX (GCC and Clang vector extensions): one 256-bit vector of four runs'
// values. + - * / and negation are elementwise IEEE operations, so each lane
// gets the bits the double code gets (no FMA: compiled with
// -ffp-contract=off). The functions below are the sim::ops functions of the
// same names, per lane, with exactly their choices (NaN included); every
// other operation the generated code calls per lane through sim::ops.
// In an unnamed namespace: each translation unit has its own copy, so that
// code compiled with AVX never stands in for code compiled without.
#if defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
#define SIM_KERNEL_LANES 1
#include <cmath>
namespace sim::lanes {
namespace {

typedef double d4 __attribute__((vector_size(32)));
typedef long long m4 __attribute__((vector_size(32)));

struct V4 {
    d4 v;
    V4() = default;
    constexpr V4(double x) : v{x, x, x, x} {}  // NOLINT: implicit, as a double in the model's code
    constexpr V4(double a, double b, double c, double d) : v{a, b, c, d} {}
    explicit constexpr V4(d4 x) : v(x) {}
    double operator[](int l) const { return v[l]; }
    void set(int l, double x) { v[l] = x; }
    friend V4 operator+(V4 a, V4 b) { return V4(a.v + b.v); }
    friend V4 operator-(V4 a, V4 b) { return V4(a.v - b.v); }
    friend V4 operator*(V4 a, V4 b) { return V4(a.v * b.v); }
    friend V4 operator/(V4 a, V4 b) { return V4(a.v / b.v); }
    friend V4 operator-(V4 a) { return V4(-a.v); }
    V4& operator+=(V4 b) { v += b.v; return *this; }
    V4& operator-=(V4 b) { v -= b.v; return *this; }
};

// Per lane c ? a : b (c all ones or 0 per lane).
inline V4 pick(m4 c, V4 a, V4 b) {
    return V4(reinterpret_cast<d4>((c & reinterpret_cast<m4>(a.v)) | (~c & reinterpret_cast<m4>(b.v))));
}
inline V4 bit(m4 c) { return pick(c, V4(1.0), V4(0.0)); }
inline bool any(m4 c) { return (c[0] | c[1] | c[2] | c[3]) != 0; }

// Slot i of the four slot vectors, and back; out[l][j] = x's lane l. (The
// generated code never indexes a lane with a variable: that would keep the
// value in memory.)
inline V4 load(double* const* s, unsigned long i) { return V4(s[0][i], s[1][i], s[2][i], s[3][i]); }
inline void put(double* const* out, unsigned long j, V4 x) {
    out[0][j] = x.v[0];
    out[1][j] = x.v[1];
    out[2][j] = x.v[2];
    out[3][j] = x.v[3];
}
inline bool any_negative(V4 x) { return any(x.v < V4(0.0).v); }

inline V4 neg(V4 a) { return -a; }
inline V4 eq(V4 a, V4 b) { return bit(a.v == b.v); }
inline V4 ne(V4 a, V4 b) { return bit(a.v != b.v); }
inline V4 lt(V4 a, V4 b) { return bit(a.v < b.v); }
inline V4 le(V4 a, V4 b) { return bit(a.v <= b.v); }
inline V4 gt(V4 a, V4 b) { return bit(a.v > b.v); }
inline V4 ge(V4 a, V4 b) { return bit(a.v >= b.v); }
inline V4 select(V4 a, V4 b, V4 c) { return pick(a.v != V4(0.0).v, b, c); }
inline V4 min(V4 a, V4 b) { return pick(b.v < a.v, b, pick(b.v == b.v, a, b)); }
inline V4 max(V4 a, V4 b) { return pick(b.v > a.v, b, pick(b.v == b.v, a, b)); }
inline V4 nonneg(V4 a) { return pick(a.v > V4(0.0).v, a, pick(a.v == a.v, V4(0.0), a)); }

// Every other operation: its sim::ops function F once per lane (out of
// line: one copy per function, not one per use, which keeps the generated
// code small and quick to compile; F's cost dominates the call's).
template <double (*F)(double)>
__attribute__((noinline)) V4 map1(V4 a) {
    return V4(F(a.v[0]), F(a.v[1]), F(a.v[2]), F(a.v[3]));
}
template <double (*F)(double, double)>
__attribute__((noinline)) V4 map2(V4 a, V4 b) {
    return V4(F(a.v[0], b.v[0]), F(a.v[1], b.v[1]), F(a.v[2], b.v[2]), F(a.v[3], b.v[3]));
}
template <double (*F)(double, double, double)>
__attribute__((noinline)) V4 map3(V4 a, V4 b, V4 c) {
    return V4(F(a.v[0], b.v[0], c.v[0]), F(a.v[1], b.v[1], c.v[1]), F(a.v[2], b.v[2], c.v[2]),
              F(a.v[3], b.v[3], c.v[3]));
}
// Operations of time (TIME t, the time step dt).
template <double (*F)(double, double, double, double)>
__attribute__((noinline)) V4 timed2(V4 a, V4 b, double t, V4 dt) {
    return V4(F(a.v[0], b.v[0], t, dt.v[0]), F(a.v[1], b.v[1], t, dt.v[1]), F(a.v[2], b.v[2], t, dt.v[2]),
              F(a.v[3], b.v[3], t, dt.v[3]));
}
template <double (*F)(double, double, double, double, double)>
__attribute__((noinline)) V4 timed3(V4 a, V4 b, V4 c, double t, V4 dt) {
    return V4(F(a.v[0], b.v[0], c.v[0], t, dt.v[0]), F(a.v[1], b.v[1], c.v[1], t, dt.v[1]),
              F(a.v[2], b.v[2], c.v[2], t, dt.v[2]), F(a.v[3], b.v[3], c.v[3], t, dt.v[3]));
}
// Graphical functions (F: sim::ops::lookup). Tables of 2 to 64 points four
// lanes at once, with sim::ops::lookup's choices and arithmetic: the
// segment by counting the points at or below x (what its upper_bound finds
// in the sorted xs), the ends by its comparisons, then its interpolation,
// operation for operation; discrete tables the last point at or below x
// (the first below the range); NaN gives x. Larger tables: F once per
// lane. (kind: 0 continuous, 1 extrapolate, 2 discrete, as
// sim::ops::lookup_continuous, _extrapolate and _discrete;
// generate_kernel.cpp checks that they are.)
template <double (*F)(int, const double*, const double*, decltype(sizeof 0), double)>
__attribute__((noinline)) V4 lookup(int kind, const double* xs, const double* ys, decltype(sizeof 0) n, V4 x) {
    if (kind < 0 || kind > 2 || n < 2 || n > 64)
        return V4(F(kind, xs, ys, n, x.v[0]), F(kind, xs, ys, n, x.v[1]), F(kind, xs, ys, n, x.v[2]),
                  F(kind, xs, ys, n, x.v[3]));
    m4 count{};
    for (decltype(sizeof 0) k = 0; k < n; ++k) count -= (V4(xs[k]).v <= x.v);  // a true lane is -1
    const m4 number = x.v == x.v;
    if (kind == 2) {  // the last point at or below x; the first below the range
        const m4 at = count - 1, i = number & (at & (at >= 0));
        return pick(number, V4(ys[i[0]], ys[i[1]], ys[i[2]], ys[i[3]]), x);
    }
    const m4 below = x.v <= V4(xs[0]).v, above = x.v >= V4(xs[n - 1]).v;
    const long long last = static_cast<long long>(n) - 2;
    // the segment [i, i+1]: 0 below, n-2 above, else the count less one (a
    // NaN lane: 0, its value is x)
    const m4 seg = number & ~below & ((above & last) | (~above & (count - 1)));
    const int i0 = static_cast<int>(seg[0]), i1 = static_cast<int>(seg[1]), i2 = static_cast<int>(seg[2]),
              i3 = static_cast<int>(seg[3]);
    const V4 x0(xs[i0], xs[i1], xs[i2], xs[i3]), x1(xs[i0 + 1], xs[i1 + 1], xs[i2 + 1], xs[i3 + 1]);
    const V4 y0(ys[i0], ys[i1], ys[i2], ys[i3]), y1(ys[i0 + 1], ys[i1 + 1], ys[i2 + 1], ys[i3 + 1]);
    V4 r = y0 + (y1 - y0) * (x - x0) / (x1 - x0);
    if (kind == 0) r = pick(below, V4(ys[0]), pick(above, V4(ys[n - 1]), r));
    return pick(number, r, x);
}

// x ^ y per lane: the bits of F (sim::ops::pow, std::pow's computation)
// for every lane, four lanes at a time where they can be had without F.
// Compiled with FMA against glibc 2.28 or later (whose pow is ARM's
// algorithm), x ^ y is computed for four lanes at once to about 2^-60
// relative error (a table-driven log in two doubles, times y, then exp; the
// tables are made on first use from long-double log and exp2, nothing is
// copied from a C library). glibc documents its pow's error as 0.511 ULP
// for the exp step plus the log's relative error of 1.5 * 2^-68 times
// |y ln x| (times 2^53, in ULP): where x ^ y lies further than that beyond
// half an ULP from every double but one, glibc's pow returns that double,
// the correctly rounded result. So a lane keeps the vector result only
// where its computed value is further from the midpoint between two doubles
// than glibc's excess plus this computation's own error (`margin` below,
// each part taken a third larger or more), with x a positive normal number,
// |y| <= 16, |y ln x| <= 700 and a result that is not a power of two; 1 ^ y,
// x ^ 0 and x ^ 1 are exact. Every other lane (about 3 in 100 on a model's
// arguments, and every special case) is F's, called for that lane alone.
// tests/unit/test_lanes_ops.cpp compares the bits with F's over millions of
// arguments and every special value, and checks that the vector path does
// settle most lanes. Without FMA, or not on glibc: F once per lane.
#if defined(__FMA__) && defined(__AVX2__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 28))
#define SIM_KERNEL_LANES_POW 1
namespace pow4 {

struct Tables {
    static constexpr int n = 128;  // subintervals of the log and the exp
    // log: x = 2^k z, z in [0x1.69555p-1, 0x1.69555p0) in n subintervals,
    // each with a c near its centre whose 1/c has few bits (so that
    // z/c - 1 is exact with FMA): invc = 1/c, log(c) = logc + logctail
    // with logc a multiple of 2^-43 (so that k ln2hi + logc is exact).
    // One row per subinterval: invc, logc, logctail, 0 (a lane loads one).
    alignas(32) double log[n][4];
    // exp: 2^(j/n) = bits(exp[j][1] + (j << 45)) * (1 + exp[j][0]) (exp[j][1]
    // holds bits).
    alignas(16) double exp[n][2];
    Tables() {
        constexpr unsigned long long off = 0x3fe6955500000000ULL;
        auto as_double = [](unsigned long long b) {
            double d;
            __builtin_memcpy(&d, &b, sizeof d);
            return d;
        };
        for (int i = 0; i < n; ++i) {
            const double lo = as_double(off + (static_cast<unsigned long long>(i) << 45));
            const double hi = as_double(off + (static_cast<unsigned long long>(i + 1) << 45));
            const double centre = 0.5 * (lo + hi);
            const double invc =
                centre < 1 ? std::nearbyint(n / centre) / n : std::nearbyint(2 * n / centre) / (2 * n);
            const long double l = -std::log(static_cast<long double>(invc));
            const double logc = std::nearbyint(static_cast<double>(l) * 0x1p43) * 0x1p-43;
            log[i][0] = invc;
            log[i][1] = logc;
            log[i][2] = static_cast<double>(l - static_cast<long double>(logc));
            log[i][3] = 0;
        }
        for (int j = 0; j < n; ++j) {
            const long double e = std::exp2(static_cast<long double>(j) / n);
            const double h = static_cast<double>(e);
            unsigned long long b;
            __builtin_memcpy(&b, &h, sizeof b);
            b -= static_cast<unsigned long long>(j) << 45;
            exp[j][0] = static_cast<double>((e - h) / h);
            __builtin_memcpy(&exp[j][1], &b, sizeof b);
        }
    }
};
__attribute__((always_inline)) inline const Tables& tables() {
    static const Tables t;
    return t;
}

typedef unsigned long long u4 __attribute__((vector_size(32)));  // bits: wrapping arithmetic
// (Compiler builtins, not <immintrin.h>: that header alone would add half
// a second to every compilation of generated code.)
typedef double d2 __attribute__((vector_size(16)));
__attribute__((always_inline)) inline d4 fma(d4 a, d4 b, d4 c) { return __builtin_ia32_vfmaddpd256(a, b, c); }
inline d4 as_d4(u4 x) { return reinterpret_cast<d4>(x); }
inline u4 as_u4(d4 x) { return reinterpret_cast<u4>(x); }
inline m4 as_m4(u4 x) { return reinterpret_cast<m4>(x); }
__attribute__((always_inline)) inline d4 abs(d4 x) { return as_d4(as_u4(x) & 0x7fffffffffffffffULL); }
// Rows i[0..3] of a table of rows of W doubles, one vector each.
template <class V, int W>
__attribute__((always_inline)) inline void rows(const double (*t)[W], u4 i, V& r0, V& r1, V& r2, V& r3) {
    static_assert(sizeof(V) == W * sizeof(double));
    __builtin_memcpy(&r0, t[i[0]], sizeof(V));
    __builtin_memcpy(&r1, t[i[1]], sizeof(V));
    __builtin_memcpy(&r2, t[i[2]], sizeof(V));
    __builtin_memcpy(&r3, t[i[3]], sizeof(V));
}
// Rows i[0..3] of the log table, transposed: invc, logc, logctail.
__attribute__((always_inline)) inline void log_rows(const Tables& T, u4 i, d4& invc, d4& logc, d4& logctail) {
    d4 r0, r1, r2, r3;
    rows(T.log, i, r0, r1, r2, r3);
    const d4 a = __builtin_shufflevector(r0, r1, 0, 4, 2, 6), b = __builtin_shufflevector(r0, r1, 1, 5, 3, 7);
    const d4 c = __builtin_shufflevector(r2, r3, 0, 4, 2, 6), d = __builtin_shufflevector(r2, r3, 1, 5, 3, 7);
    invc = __builtin_shufflevector(a, c, 0, 1, 4, 5);
    logctail = __builtin_shufflevector(a, c, 2, 3, 6, 7);
    logc = __builtin_shufflevector(b, d, 0, 1, 4, 5);
}
// Rows j[0..3] of the exp table, transposed: tail, bits.
__attribute__((always_inline)) inline void exp_rows(const Tables& T, u4 j, d4& tail, u4& bits) {
    d2 e0, e1, e2, e3;
    rows(T.exp, j, e0, e1, e2, e3);
    const d4 a = __builtin_shufflevector(e0, e2, 0, 1, 2, 3), b = __builtin_shufflevector(e1, e3, 0, 1, 2, 3);
    tail = __builtin_shufflevector(a, b, 0, 4, 2, 6);
    bits = reinterpret_cast<u4>(__builtin_shufflevector(a, b, 1, 5, 3, 7));
}

// x ^ y for four lanes; `ok`: the lanes whose result is glibc's pow's.
__attribute__((always_inline)) inline d4 fast(d4 x, d4 y, m4& ok) {
    const Tables& T = tables();
    constexpr double ln2hi = 0x1.62e42fefa3800p-1, ln2lo = 0x1.ef35793c76730p-45;
    // log x = k ln2 + log c + log1p(r), r = z/c - 1, |r| < 0.0068; in two
    // doubles, lhi + ltail.
    const u4 ix = as_u4(x);
    const u4 tmp = ix - 0x3fe6955500000000ULL;
    const u4 i = (tmp >> 45) & (Tables::n - 1);
    const u4 kb = (tmp + 0x4000000000000000ULL) >> 52;  // k + 1024
    const d4 z = as_d4(ix - (tmp & (0xfffULL << 52)));
    const d4 kd = as_d4(kb + 0x4338000000000000ULL) - (0x1.8p52 + 1024);
    d4 invc, logc, logctail;
    log_rows(T, i, invc, logc, logctail);
    const d4 r = fma(z, invc, d4{} - 1.0);  // exact
    const d4 t1 = fma(kd, d4{} + ln2hi, logc);  // exact
    const d4 t2 = t1 + r;
    const d4 lo1 = fma(kd, d4{} + ln2lo, logctail);
    const d4 lo2 = t1 - t2 + r;
    const d4 ar = -0.5 * r;
    const d4 ar2 = r * ar;  // -r^2/2
    const d4 hi = t2 + ar2;
    const d4 lo3 = fma(ar, r, -ar2);
    const d4 lo4 = t2 - hi + ar2;
    // r^3/3 - r^4/4 + ... + r^9/9 (the rest below 2^-72), by Estrin's scheme
    const d4 r2 = r * r, r4 = r2 * r2;
    const d4 p = r2 * r *
                 fma(r4, fma(d4{} + 1.0 / 9, r2, fma(d4{} - 1.0 / 8, r, d4{} + 1.0 / 7)),
                     fma(r2, fma(d4{} - 1.0 / 6, r, d4{} + 1.0 / 5), fma(d4{} - 1.0 / 4, r, d4{} + 1.0 / 3)));
    const d4 lo = ((lo1 + lo2) + (lo3 + lo4)) + p;
    const d4 lhi = hi + lo;
    const d4 ltail = hi - lhi + lo;
    // y log x = ehi + elo
    const d4 ehi = y * lhi;
    const d4 elo = fma(y, ltail, fma(y, lhi, -ehi));
    // exp(ehi + elo) = 2^(q + j/n) exp(rr), |rr| <= ln2 / 2n, rr = rhi + rlo
    // with rhi exact (Sterbenz)
    constexpr double n_ln2 = 0x1.71547652b82fep0 * Tables::n;
    constexpr double ln2hi_n = 0x1.62e42fefa0000p-8, ln2lo_n = 0x1.cf79abc9e3b3ap-47;
    d4 kk = fma(ehi, d4{} + n_ln2, d4{} + 0x1.8p52);
    const u4 ki = as_u4(kk);  // round(ehi n / ln2) in the low bits
    kk -= 0x1.8p52;
    const d4 rhi = fma(kk, d4{} - ln2hi_n, ehi);  // exact
    const d4 rlo = fma(kk, d4{} - ln2lo_n, elo);
    const d4 rr = rhi + rlo;
    const u4 j = ki & (Tables::n - 1);
    d4 tail;
    u4 sbits;
    exp_rows(T, j, tail, sbits);
    const d4 scale = as_d4(sbits + (ki << 45));
    // exp(rr) - 1 - rr = rr^2/2 + ... + rr^6/720 (the rest below 2^-71), by Estrin's scheme
    const d4 s2 = rr * rr;
    const d4 poly = s2 * fma(s2, fma(d4{} + 1.0 / 720, s2, fma(d4{} + 1.0 / 120, rr, d4{} + 1.0 / 24)),
                             fma(d4{} + 1.0 / 6, rr, d4{} + 0.5));
    // x ^ y = scale * (1 + rhi + rest), |rest| < 2^-17
    const d4 rest = (fma(tail, rr, tail) + rlo) + poly;
    const d4 res = fma(scale, rhi + rest, scale);
    // x ^ y - res (scale - res is exact: Sterbenz)
    const d4 off = fma(scale, rhi, scale - res) + scale * rest;
    const u4 rb = as_u4(res);
    const d4 ulp = as_d4(rb & 0x7ff0000000000000ULL) * 0x1p-52;
    // How near a midpoint between two doubles x ^ y may be, in ULP, for
    // res to be glibc's: glibc's documented error bound beyond 1/2 ULP
    // (0.511 ULP for its exp, the relative error 1.5 * 2^-68 of its log
    // times |y ln x| times 2^53) plus this computation's (the tables' 2^-63
    // relative error of exp2 and 2^-65 absolute of log c times |y|), each
    // taken a third larger or more.
    const d4 margin = 0.015 + abs(ehi) * 0x1p-14 + abs(y) * 0x1p-11;
    const m4 sx = as_m4(ix);  // x's bits as signed: a negative x is negative
    ok = (sx > 0x000fffffffffffffLL) & (sx < 0x7ff0000000000000LL) & (abs(y) <= 16.0) & (abs(ehi) <= 700.0) &
         (abs(off) < (0.5 - margin) * ulp) & as_m4((rb & 0x000fffffffffffffULL) != 0);
    return res;
}

}  // namespace pow4

template <double (*F)(double, double)>
__attribute__((noinline)) V4 pow_lanes(V4 a, V4 b, V4 r, m4 ok) {
    for (int l = 0; l < 4; ++l)
        if (!ok[l]) r.v[l] = F(a.v[l], b.v[l]);
    return r;
}
template <double (*F)(double, double)>
__attribute__((noinline)) V4 pow(V4 a, V4 b) {
    m4 ok;
    V4 r(pow4::fast(a.v, b.v, ok));
    // Exact whatever the other operand (C's pow, and sim::ops::pow for
    // y = 1): 1 ^ y = 1, x ^ 0 = 1 (NaN included), x ^ 1 = x. Models raise
    // 1 often (a lever off, a ratio at its initial value).
    const m4 one = (a.v == 1.0) | (b.v == 0.0), same = b.v == 1.0;
    r = pick(one, V4(1.0), pick(same, a, r));
    ok |= one | same;
    if (__builtin_ia32_movmskpd256(reinterpret_cast<d4>(ok)) != 0xf) return pow_lanes<F>(a, b, r, ok);
    return r;
}
#else
template <double (*F)(double, double)>
inline V4 pow(V4 a, V4 b) {
    return map2<F>(a, b);
}
#endif

}  // namespace
}  // namespace sim::lanes
#endif
