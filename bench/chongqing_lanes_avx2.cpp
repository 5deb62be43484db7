// bench/chongqing_lanes_impl.hpp for AVX2 (4 lanes in one 256-bit register);
// compiled with -mavx2 (bench/CMakeLists.txt); bench_lanes calls it only
// where __builtin_cpu_supports("avx2").
#define CHONGQING_LANES_ISA avx2
#include "chongqing_lanes_impl.hpp"
