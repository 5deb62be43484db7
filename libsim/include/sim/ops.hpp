// The meaning of every operation a compiled model performs, as inline
// functions: the one authority that the interpreter (the VM and the constant
// folder, through detail::apply), the event observers and the C++ written by
// the code generator (sim/generated.hpp) all call, so that an interpreted and
// a generated run compute the same values bit for bit. Only the standard
// library is included: generated code compiled without libsim's sources
// needs nothing else. Changing what a function computes changes results.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__GLIBC__) && defined(__x86_64__)
#include <dlfcn.h>
#endif

namespace sim::ops {

// Time comparisons tolerate the rounding of start + n*dt.
inline double time_eps(double dt) { return 1e-9 * std::abs(dt); }

// std::pow's own computation, without the wrapper that only sets errno. On
// x86-64 glibc, pow() is a wrapper around __ieee754_pow that sets errno on
// overflow and underflow; the same computation is exported as the
// compatibility symbol __pow_finite@GLIBC_2.15 (what -ffast-math builds
// called before glibc 2.31), which returns the same value for every input
// (tests/unit/test_builtins.cpp compares the bits) at ~15% less time per call.
// Found on the first call through a pointer (constant-initialised, so usable
// from any static initialiser); std::pow where it is not there.
namespace pow_entry {
using Fn = double (*)(double, double);
inline double standard(double a, double b) { return std::pow(a, b); }
#if defined(__GLIBC__) && defined(__x86_64__)
inline double first(double a, double b);
inline std::atomic<Fn> fn{&first};
inline Fn find() {
    Fn f = &standard;
    if (void* libm = ::dlopen("libm.so.6", RTLD_LAZY | RTLD_NOLOAD)) {  // loaded already: std::pow is in it
        if (void* sym = ::dlvsym(libm, "__pow_finite", "GLIBC_2.15")) f = reinterpret_cast<Fn>(sym);
        ::dlclose(libm);
    }
    return f;
}
inline double first(double a, double b) {
    const Fn f = find();
    fn.store(f, std::memory_order_relaxed);
    return f(a, b);
}
inline double call(double a, double b) { return fn.load(std::memory_order_relaxed)(a, b); }
#else
inline double call(double a, double b) { return std::pow(a, b); }
#endif
}  // namespace pow_entry

// x ^ 1 is x exactly (what std::pow returns, without its cost: models write
// unit elasticities as settable constants, so the compiler cannot fold them).
inline double pow(double a, double b) { return b == 1.0 ? a : pow_entry::call(a, b); }
inline double mod(double a, double b) { return a - b * std::floor(a / b); }  // sign of b (XMILE/Stella)
inline double neg(double a) { return -a; }
inline double not_(double a) { return a == 0 ? 1.0 : 0.0; }
inline double eq(double a, double b) { return a == b ? 1.0 : 0.0; }
inline double ne(double a, double b) { return a != b ? 1.0 : 0.0; }
inline double lt(double a, double b) { return a < b ? 1.0 : 0.0; }
inline double le(double a, double b) { return a <= b ? 1.0 : 0.0; }
inline double gt(double a, double b) { return a > b ? 1.0 : 0.0; }
inline double ge(double a, double b) { return a >= b ? 1.0 : 0.0; }
inline double and_(double a, double b) { return (a != 0 && b != 0) ? 1.0 : 0.0; }
inline double or_(double a, double b) { return (a != 0 || b != 0) ? 1.0 : 0.0; }
inline double select(double a, double b, double c) { return a != 0 ? b : c; }
inline double abs(double a) { return std::abs(a); }
// MIN and MAX: std::min/std::max's choice between two numbers (a when they
// compare equal, so MAX(0, -0) is 0), but a NaN on either side gives NaN:
// std::max(0.0, NaN) is 0, so a 0/0 inside MAX(0, ...) would vanish silently
// instead of being reported (E-DIV-ZERO / E-NONFINITE), while MAX(NaN, 0)
// kept it. PySD's numpy minimum/maximum propagate a NaN the same way.
inline double min(double a, double b) { return b < a ? b : (b == b ? a : b); }
inline double max(double a, double b) { return b > a ? b : (b == b ? a : b); }
inline double exp(double a) { return std::exp(a); }
inline double ln(double a) { return std::log(a); }
inline double log10(double a) { return std::log10(a); }
inline double sqrt(double a) { return std::sqrt(a); }
inline double sin(double a) { return std::sin(a); }
inline double cos(double a) { return std::cos(a); }
inline double tan(double a) { return std::tan(a); }
inline double asin(double a) { return std::asin(a); }
inline double acos(double a) { return std::acos(a); }
inline double atan(double a) { return std::atan(a); }
inline double sinh(double a) { return std::sinh(a); }
inline double cosh(double a) { return std::cosh(a); }
inline double tanh(double a) { return std::tanh(a); }
inline double floor(double a) { return std::floor(a); }
inline double safediv(double a, double b, double c) { return b == 0 ? c : a / b; }
// A non-negative flow: max(0, a), but a NaN stays NaN (std::max(0.0, NaN) is 0:
// a 0/0 in a non-negative flow would vanish silently instead of being reported).
inline double nonneg(double a) { return a > 0 ? a : (a == a ? 0.0 : a); }

// Vensim's semantics (.mdl models).
inline double integer(double a) { return std::trunc(a); }         // INTEGER: toward zero
inline double modulo(double a, double b) { return std::fmod(a, b); }  // MODULO: sign of a
inline double quantum(double a, double b) { return b <= 0 ? a : b * std::trunc(a / b); }
// STEP: `height` once t + dt/2 > start.
inline double vensim_step(double height, double start, double t, double dt) { return t + dt / 2 > start ? height : 0.0; }
// PULSE: 1 while start < t + dt/2 < start + width (width 0: one dt).
inline double vensim_pulse(double start, double width, double t, double dt) {
    const double m = t + dt / 2, w = width == 0 ? dt : width;
    return m > start && m < start + w ? 1.0 : 0.0;
}
// PULSE TRAIN without its end: pulses of `width` every `interval` from `start`.
inline double vensim_pulse_train(double start, double width, double interval, double t, double dt) {
    const double m = t + dt / 2;
    if (!(m > start)) return 0.0;
    const double first = interval > 0 ? start + interval * std::floor((m - start) / interval) : start;
    return m < first + (width == 0 ? dt : width) ? 1.0 : 0.0;
}

// A uniform draw in [0, 1) that depends only on its inputs (splitmix64 of
// their bits): the same seed, call and time give the same number in every
// run, on every thread and in generated code.
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
inline double random01(double seed, double call, double t, double /*dt*/) { return random_unit(seed, call, t, 0); }
// A standard normal draw: Box-Muller on two independent uniform draws.
inline double random_normal(double seed, double call, double t, double /*dt*/) {
    const double u1 = 1.0 - random_unit(seed, call, t, 1), u2 = random_unit(seed, call, t, 2);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Operations of time: `t` is TIME, `dt` the time step.
inline double step(double height, double start, double t, double dt) {
    return t + time_eps(dt) >= start ? height : 0.0;
}
inline double ramp(double slope, double start, double end, double t, double dt) {
    if (t + time_eps(dt) < start) return 0.0;
    return slope * (std::min(t, end) - start);  // end = +inf when none was given
}
// XMILE: an impulse of `magnitude` per DT: magnitude/DT during the DT
// starting at `first`, repeated every `interval` when it is > 0.
inline double pulse(double magnitude, double first, double interval, double t, double dt) {
    double e = time_eps(dt), x = t - first;
    if (x + e < 0 || dt <= 0) return 0.0;
    if (interval > 0) x -= interval * std::floor((x + e) / interval);
    return x + e < dt ? magnitude / dt : 0.0;
}

// Graphical functions. `kind` is sim::LookupKind as a number; xs strictly
// increasing, n >= 1 points.
inline constexpr int lookup_continuous = 0, lookup_extrapolate = 1, lookup_discrete = 2;

// The index of the first x greater than v (std::upper_bound).
inline std::size_t upper_index(const double* xs, std::size_t n, double v) {
    return static_cast<std::size_t>(std::upper_bound(xs, xs + n, v) - xs);
}

inline double lookup(int kind, const double* xs, const double* ys, std::size_t n, double x) {
    if (n == 1) return ys[0];
    if (std::isnan(x)) return x;
    if (kind == lookup_discrete) {
        // Value of the last point whose x <= input; the first y below the range.
        const std::size_t i = upper_index(xs, n, x);
        return i == 0 ? ys[0] : ys[i - 1];
    }
    std::size_t i;  // segment [i, i+1]
    if (x <= xs[0]) {
        if (kind == lookup_continuous) return ys[0];
        i = 0;
    } else if (x >= xs[n - 1]) {
        if (kind == lookup_continuous) return ys[n - 1];
        i = n - 2;
    } else {
        i = upper_index(xs, n, x) - 1;
    }
    const double x0 = xs[i], x1 = xs[i + 1];
    return ys[i] + (ys[i + 1] - ys[i]) * (x - x0) / (x1 - x0);
}

// A fixed pipeline delay's output at grid time t: the input recorded at
// t - delay_time (history[j] holds the input at start + j*dt, `recorded`
// values so far), linear between two recorded points, and `initial` while
// t - delay_time is before the start.
inline double delay_output(const double* history, std::size_t recorded, double t, double start, double dt,
                           double delay_time, double initial) {
    const double eps = time_eps(dt);
    const double when = t - delay_time;
    if (when < start - eps) return initial;
    const double pos = (when - start) / dt;
    const double j = std::floor(pos + 1e-9);
    const auto idx = static_cast<std::size_t>(std::max(0.0, j));
    const double frac = pos - j;
    if (idx + 1 >= recorded || std::abs(frac) <= 1e-9) return history[std::min(idx, recorded - 1)];
    return history[idx] + (history[idx + 1] - history[idx]) * frac;
}

}  // namespace sim::ops
