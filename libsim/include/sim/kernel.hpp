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
inline constexpr int kernel_abi_version = 3;

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
};

}  // namespace sim
