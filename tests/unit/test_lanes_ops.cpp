// The lanes' own operations (sim/kernel.hpp): the generated code's x ^ y
// and graphical functions four runs at a time must give sim::ops::pow's and
// sim::ops::lookup's bits for every lane, or Kernel::euler_lanes would not
// be the interpreter's run bit for bit. The vector pow settles a lane only
// where the correctly rounded result is certain; these tests compare every
// lane's bits with sim::ops::pow over millions of inputs (model-like
// values, wide and extreme ones, integers, every special case) and check
// that the vector computation does settle most lanes of model-like inputs
// (else a pow that always fell back would pass the first check unseen).
// The lookups: every kind, 1 to 70 points (the vector path takes 2 to 64),
// repeated x points (and tables whose points all have one x), inputs on, between and beyond the points, infinities
// and NaN, against sim::ops::lookup's bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sim/ops.hpp"
#include "support.hpp"

#ifdef SIM_TEST_LANES
namespace simtest {
long lanes_pow(const double* x, const double* y, double* out, std::size_t n);
void lanes_lookup(int kind, const double* xs, const double* ys, std::size_t n, const double* x, double* out,
                  std::size_t m);
}  // namespace simtest
#endif

namespace {

#ifdef SIM_TEST_LANES
// The lanes' pow of each (x, y) against sim::ops::pow's bits; the share of
// lanes the vector computation settled, or -1 without it (skipped).
double check_lanes(const std::string& what, const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> out(x.size());
    const long fast = simtest::lanes_pow(x.data(), y.data(), out.data(), x.size());
    if (fast < 0) return -1;
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double want = sim::ops::pow(x[i], y[i]);
        if (std::memcmp(&want, &out[i], sizeof want) != 0) {
            if (++wrong <= 5)
                FAIL_CHECK(what << ": " << std::hexfloat << x[i] << " ^ " << y[i] << " gave " << out[i]
                                << ", sim::ops::pow " << want);
        }
    }
    CHECK_MESSAGE(wrong == 0, what << ": " << wrong << " of " << x.size() << " lanes differ");
    return static_cast<double>(fast) / static_cast<double>(x.size());
}

bool lanes_runnable() {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        simtest::skip("this CPU has no AVX2 and FMA (lanes_avx2.cpp is compiled for both)");
        return false;
    }
    return true;
}

double from_bits(std::uint64_t b) {
    double d;
    std::memcpy(&d, &b, sizeof d);
    return d;
}
#endif

}  // namespace

TEST_CASE("lanes pow: every lane has sim::ops::pow's bits; the vector computation settles most model-like lanes") {
#ifndef SIM_TEST_LANES
    simtest::skip("not built for x86-64 with GCC or Clang (no AVX2 lanes)");
#else
    if (!lanes_runnable()) return;
    std::mt19937_64 g(20261203);
    std::uniform_real_distribution<double> u01(0, 1), sym(-1, 1);
    std::uniform_int_distribution<std::uint64_t> bits;
    const std::size_t n = 400000;
    struct Case {
        std::string what;
        std::function<double()> x, y;
        double min_fast;  // the share of lanes the vector computation must settle
    };
    const std::vector<Case> cases = {
        // what models raise: ratios and indices near 1 to elasticities
        {"ratios ^ elasticities", [&] { return 2 * u01(g); }, [&] { return 3 * sym(g); }, 0.85},
        {"(1 + g) ^ t", [&] { return 1 + 0.1 * u01(g); }, [&] { return 40 * u01(g) - 20; }, 0.65},
        {"wide x", [&] { return std::exp(15 * sym(g)); }, [&] { return 3 * sym(g); }, 0.85},
        {"x near 1", [&] { return 1 + 1e-3 * sym(g); }, [&] { return 10 * sym(g); }, 0.85},
        {"huge and tiny x", [&] { return std::exp(700 * sym(g)); }, [&] { return sym(g); }, 0.85},
        {"integer y", [&] { return 10 * u01(g); }, [&] { return std::round(15 * sym(g)); }, 0.8},
        {"integer x, half-integer y", [&] { return std::round(100 * u01(g)); },
         [&] { return std::round(6 * sym(g)) / 2; }, 0.7},
        {"|y| up to 32", [&] { return 3 * u01(g); }, [&] { return 32 * sym(g); }, 0.3},
        {"any positive x", [&] { return from_bits(bits(g) >> 1); }, [&] { return 3 * sym(g); }, 0.5},
        {"any bits", [&] { return from_bits(bits(g)); }, [&] { return from_bits(bits(g)); }, 0},
    };
    for (const auto& c : cases) {
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = c.x();
            y[i] = c.y();
        }
        const double fast = check_lanes(c.what, x, y);
        if (fast < 0) {
            simtest::skip("this build has no vector pow (SIM_KERNEL_LANES_POW: no FMA or not glibc 2.28+)");
            return;
        }
        CHECK_MESSAGE(fast >= c.min_fast, c.what << ": the vector computation settled " << fast);
        MESSAGE(c.what << ": " << fast << " of the lanes settled by the vector computation");
    }
#endif
}

TEST_CASE("lanes pow: special values (zeros, signs, infinities, NaN, subnormals, 1, limits) in every lane position") {
#ifndef SIM_TEST_LANES
    simtest::skip("not built for x86-64 with GCC or Clang (no AVX2 lanes)");
#else
    if (!lanes_runnable()) return;
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const double dmin = std::numeric_limits<double>::min(), dmax = std::numeric_limits<double>::max();
    const double den = std::numeric_limits<double>::denorm_min();
    const std::vector<double> xs = {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 10.0, -3.0, inf, -inf, nan, -nan,
                                    dmin, -dmin, den, 1e-310, dmax, -dmax, std::nextafter(1.0, 0.0),
                                    std::nextafter(1.0, 2.0), 0.70710678118654752, 1.4142135623730951, 1e300,
                                    1e-300, 3.0, 7.5, 1e-3};
    const std::vector<double> ys = {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1.5, 16.0, -16.0,
                                    std::nextafter(16.0, 17.0), 17.0, 100.0, -100.0, 1e10, -1e10, inf, -inf, nan,
                                    den, -den, 1e-300, 0.3333333333333333, 1023.0, -1074.0, 0.25};
    std::vector<double> x, y;
    for (double a : xs)
        for (double b : ys) {
            // each pair in each of the four lane positions, beside ordinary lanes
            for (int pos = 0; pos < 4; ++pos)
                for (int l = 0; l < 4; ++l) {
                    x.push_back(l == pos ? a : 1.5 + l);
                    y.push_back(l == pos ? b : 0.75);
                }
        }
    if (check_lanes("special values", x, y) < 0)
        simtest::skip("this build has no vector pow (SIM_KERNEL_LANES_POW: no FMA or not glibc 2.28+)");
#endif
}

TEST_CASE("lanes lookup: every kind, 1 to 70 points, inputs on, between and beyond the points, NaN: sim::ops::lookup's bits") {
#ifndef SIM_TEST_LANES
    simtest::skip("not built for x86-64 with GCC or Clang (no AVX2 lanes)");
#else
    if (!lanes_runnable()) return;
    std::mt19937_64 g(7);
    std::uniform_real_distribution<double> u(-1, 1);
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    std::size_t compared = 0, wrong = 0;
    for (int kind : {sim::ops::lookup_continuous, sim::ops::lookup_extrapolate, sim::ops::lookup_discrete})
        for (std::size_t n = 1; n <= 70; ++n)
            for (int repeats = 0; repeats < 3; ++repeats) {
                // increasing xs; with repeats 1, some points share an x (a
                // step); with 2, every point has the same x
                std::vector<double> xs(n), ys(n);
                double at = 10 * u(g);
                for (std::size_t k = 0; k < n; ++k) {
                    if (k > 0 && repeats != 2 && !(repeats && k % 3 == 0)) at += 0.1 + std::abs(u(g));
                    xs[k] = at;
                    ys[k] = 100 * u(g);
                }
                std::vector<double> x;
                for (double p : xs) x.insert(x.end(), {p, std::nextafter(p, -inf), std::nextafter(p, inf)});
                for (int k = 0; k < 40; ++k) x.push_back(xs[0] - 1 + (xs[n - 1] - xs[0] + 2) * (u(g) + 1) / 2);
                x.insert(x.end(), {inf, -inf, nan, xs[0] - 1e6, xs[n - 1] + 1e6, 0.0, -0.0});
                while (x.size() % 4) x.push_back(u(g));
                std::vector<double> out(x.size());
                simtest::lanes_lookup(kind, xs.data(), ys.data(), n, x.data(), out.data(), x.size());
                for (std::size_t i = 0; i < x.size(); ++i) {
                    const double want = sim::ops::lookup(kind, xs.data(), ys.data(), n, x[i]);
                    ++compared;
                    if (std::memcmp(&want, &out[i], sizeof want) != 0 && ++wrong <= 5)
                        FAIL_CHECK("kind " << kind << ", " << n << " points, x = " << std::hexfloat << x[i] << ": "
                                           << out[i] << ", sim::ops::lookup " << want);
                }
            }
    CHECK_MESSAGE(wrong == 0, wrong << " of " << compared << " lookups differ");
#endif
}
