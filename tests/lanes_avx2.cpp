// The lanes' own pow and lookup (sim::lanes::pow and sim::lanes::lookup in
// sim/kernel.hpp) as generated code compiled with -mavx2 -mfma gets them,
// for tests/unit/test_lanes_ops.cpp, which calls these only after checking
// that the CPU has AVX2 and FMA.
#include <cstddef>

#include "sim/kernel.hpp"
#include "sim/ops.hpp"

namespace simtest {

// out[i] = x[i] ^ y[i] through sim::lanes::pow<sim::ops::pow>, four at a
// time (n a multiple of 4); returns how many lanes the vector computation
// settled (the others went to sim::ops::pow), or -1 when this build has no
// vector pow (SIM_KERNEL_LANES_POW: no FMA, or not glibc 2.28 or later).
long lanes_pow(const double* x, const double* y, double* out, std::size_t n) {
#ifdef SIM_KERNEL_LANES_POW
    long fast = 0;
    for (std::size_t i = 0; i + 4 <= n; i += 4) {
        const sim::lanes::V4 a(x[i], x[i + 1], x[i + 2], x[i + 3]), b(y[i], y[i + 1], y[i + 2], y[i + 3]);
        const sim::lanes::V4 r = sim::lanes::pow<sim::ops::pow>(a, b);
        sim::lanes::m4 ok;
        (void)sim::lanes::pow4::fast(a.v, b.v, ok);
        for (int l = 0; l < 4; ++l) {
            out[i + l] = r[l];
            fast += ok[l] != 0;
        }
    }
    return fast;
#else
    (void)x, (void)y, (void)out, (void)n;
    return -1;
#endif
}

// out[i] = the table (kind, xs, ys, n) at x[i] through
// sim::lanes::lookup<sim::ops::lookup>, four at a time (m a multiple of 4).
void lanes_lookup(int kind, const double* xs, const double* ys, std::size_t n, const double* x, double* out,
                  std::size_t m) {
    for (std::size_t i = 0; i + 4 <= m; i += 4) {
        const sim::lanes::V4 r = sim::lanes::lookup<sim::ops::lookup>(
            kind, xs, ys, n, sim::lanes::V4(x[i], x[i + 1], x[i + 2], x[i + 3]));
        for (int l = 0; l < 4; ++l) out[i + l] = r[l];
    }
}

}  // namespace simtest
