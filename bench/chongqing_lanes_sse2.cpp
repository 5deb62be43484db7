// bench/chongqing_lanes_impl.hpp for x86-64's baseline SSE2 (the 4 lanes in
// two 128-bit registers).
#define CHONGQING_LANES_ISA sse2
#include "chongqing_lanes_impl.hpp"
