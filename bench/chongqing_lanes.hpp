// Four runs of the hand translation of Chongqing (bench/chongqing_hand.hpp)
// in the lanes of bench/lanes.hpp, against the same translation run one at a
// time (chongqing_hand_runtime.cpp), for bench_lanes: the constants they
// vary and the entry points of the translation units involved.
#pragma once

#include <cstddef>
#include <vector>

namespace bench {

// The constants a run of bench_lanes sets: elasticities, the exponents of
// the model's pow calls.
#define CHONGQING_LANES_PARAMS(X)                                                                              \
    X(consolidation_elasticity)                                                                                \
    X(wage_infrastructure_elasticity) X(operating_infrastructure_elasticity) X(service_infrastructure_elasticity) \
        X(processing_infrastructure_elasticity) X(landing_land_elasticity) X(landing_infrastructure_elasticity)   \
            X(county_supply_landing_elasticity)

struct ChongqingParams {
#define CHONGQING_LANES_FIELD(name) double name;
    CHONGQING_LANES_PARAMS(CHONGQING_LANES_FIELD)
#undef CHONGQING_LANES_FIELD
};

// chongqing_hand_runtime.cpp: the one-at-a-time path (the hand loop with
// run-time constants): the constants' current values, setting them, a run.
ChongqingParams chongqing_hand_runtime_params();
void chongqing_hand_runtime_set(const ChongqingParams& p);
void chongqing_hand_runtime_run(std::vector<double>& times, std::vector<double>& values);

// chongqing_lanes_avx2.cpp (call only where __builtin_cpu_supports("avx2"))
// and chongqing_lanes_sse2.cpp: four runs at once, run l with the constants
// p[l], filling times[l] (chongqing_hand::rows values) and values[l] (rows x
// cols, row-major) as chongqing_hand_runtime_run does.
constexpr int lanes_width = 4;
void chongqing_lanes_run_avx2(const ChongqingParams* p, double* const* times, double* const* values);
void chongqing_lanes_run_sse2(const ChongqingParams* p, double* const* times, double* const* values);

// The lane type's choices on n pairs (a[i], b[i]), n a multiple of 4, for
// the check against the scalar functions: out[k * n + i] is, for k = 0..5,
// min_, max_ (std::min/max), ops_min, ops_max (sim::ops::min/max),
// ops_nonneg(a) and if_(a < b, a, b).
constexpr int lanes_ops = 6;
void chongqing_lanes_ops_avx2(const double* a, const double* b, std::size_t n, double* out);
void chongqing_lanes_ops_sse2(const double* a, const double* b, std::size_t n, double* out);

}  // namespace bench
