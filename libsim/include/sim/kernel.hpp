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
// Graphical functions (F: sim::ops::lookup).
template <double (*F)(int, const double*, const double*, decltype(sizeof 0), double)>
__attribute__((noinline)) V4 lookup(int kind, const double* xs, const double* ys, decltype(sizeof 0) n, V4 x) {
    return V4(F(kind, xs, ys, n, x.v[0]), F(kind, xs, ys, n, x.v[1]), F(kind, xs, ys, n, x.v[2]),
              F(kind, xs, ys, n, x.v[3]));
}

}  // namespace
}  // namespace sim::lanes
#endif
