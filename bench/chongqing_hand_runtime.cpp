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

namespace bench {

void chongqing_hand_runtime_run(std::vector<double>& times, std::vector<double>& values) {
    chongqing_hand_runtime::Results r = chongqing_hand_runtime::run();
    times = std::move(r.times);
    values = std::move(r.values);
}

}  // namespace bench
