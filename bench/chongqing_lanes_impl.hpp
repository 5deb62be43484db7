// The body of chongqing_lanes_avx2.cpp and chongqing_lanes_sse2.cpp:
// bench/chongqing_hand.hpp compiled with the lane type of bench/lanes.hpp as
// its number type (every constant then a run-time lane value, as in
// chongqing_hand_runtime.cpp), in an unnamed namespace, and the entry points
// declared in chongqing_lanes.hpp, named with the suffix CHONGQING_LANES_ISA.
//
// chongqing_lanes_avx2.cpp is compiled with -mavx2 as a whole (a
// `#pragma GCC target("avx2")` region gave GCC 12 friend functions without
// it, called with the other ABI for 256-bit values: wrong results). So that
// no AVX2 code can reach the rest of the program through an inline function
// the linker merges across translation units, everything here is internal
// (unnamed namespaces), the results are written to the caller's buffers,
// and a build is checked (the standard library's inline functions used here,
// std::vector<double>'s for the times, must all have been inlined) with
//   nm -C bench/CMakeFiles/bench_lanes.dir/chongqing_lanes_avx2.cpp.o | grep -E ' [WVu] '
// which must list nothing but DW.ref.__gxx_personality_v0.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "chongqing_lanes.hpp"
#include "lanes.hpp"

#define CHONGQING_HAND_CONST inline
#define CHONGQING_HAND_NAMESPACE /* unnamed */
#define CHONGQING_HAND_REAL lanes::V4
#define CHONGQING_HAND_IF(c, a, b) if_(c, a, b)
#include "chongqing_hand.hpp"

#define CHONGQING_LANES_CAT2(a, b) a##_##b
#define CHONGQING_LANES_CAT(a, b) CHONGQING_LANES_CAT2(a, b)

namespace bench {

static_assert(lanes_width == lanes::width);

void CHONGQING_LANES_CAT(chongqing_lanes_run, CHONGQING_LANES_ISA)(const ChongqingParams* p, double* const* times,
                                                                    double* const* values) {
#define CHONGQING_LANES_SET(name) name = lanes::V4(p[0].name, p[1].name, p[2].name, p[3].name);
    CHONGQING_LANES_PARAMS(CHONGQING_LANES_SET)
#undef CHONGQING_LANES_SET
    const Results r = run();
    for (int l = 0; l < lanes::width; ++l) std::copy(r.times.begin(), r.times.end(), times[l]);
    const std::size_t n = r.values.size();
    for (std::size_t i = 0; i < n; ++i) {
        const lanes::V4 x = r.values[i];
        values[0][i] = x[0];
        values[1][i] = x[1];
        values[2][i] = x[2];
        values[3][i] = x[3];
    }
}

void CHONGQING_LANES_CAT(chongqing_lanes_ops, CHONGQING_LANES_ISA)(const double* a, const double* b, std::size_t n,
                                                                    double* out) {
    for (std::size_t i = 0; i + lanes::width <= n; i += lanes::width) {
        const lanes::V4 x(a[i], a[i + 1], a[i + 2], a[i + 3]), y(b[i], b[i + 1], b[i + 2], b[i + 3]);
        const lanes::V4 r[lanes_ops] = {min_(x, y),     max_(x, y),    ops_min(x, y),
                                        ops_max(x, y), ops_nonneg(x), if_(x < y, x, y)};
        for (int k = 0; k < lanes_ops; ++k)
            for (int l = 0; l < lanes::width; ++l) out[k * n + i + l] = r[k][l];
    }
}

}  // namespace bench

