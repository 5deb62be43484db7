// bench/chongqing_hand.hpp once more with its constants, lever settings and
// lookup tables as non-const globals: the compiler can no longer fold them
// (another translation unit might change them), as in libsim's generated
// code, where any constant is a value a run may set. Same equations, same
// results; bench_chongqing_hand times it beside the constexpr version.
#include <utility>
#include <vector>

#define CHONGQING_HAND_CONST inline
#define CHONGQING_HAND_NAMESPACE chongqing_hand_runtime
#include "chongqing_hand.hpp"
#include "chongqing_lanes.hpp"

namespace bench {

// For bench_lanes: the constants it varies.
ChongqingParams chongqing_hand_runtime_params() {
    ChongqingParams p{};
#define CHONGQING_LANES_GET(name) p.name = chongqing_hand_runtime::name;
    CHONGQING_LANES_PARAMS(CHONGQING_LANES_GET)
#undef CHONGQING_LANES_GET
    return p;
}
void chongqing_hand_runtime_set(const ChongqingParams& p) {
#define CHONGQING_LANES_SET(name) chongqing_hand_runtime::name = p.name;
    CHONGQING_LANES_PARAMS(CHONGQING_LANES_SET)
#undef CHONGQING_LANES_SET
}

void chongqing_hand_runtime_run(std::vector<double>& times, std::vector<double>& values) {
    chongqing_hand_runtime::Results r = chongqing_hand_runtime::run();
    times = std::move(r.times);
    values = std::move(r.values);
}

}  // namespace bench
