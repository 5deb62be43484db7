// ODR test, translation unit b: every public header, so that two TUs
// including them all link together without duplicate or conflicting
// definitions (built with -Werror: tests/cmake/consumers.cmake).
#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/expected.hpp"
#include "sim/graph.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/native.hpp"
#include "sim/ops.hpp"
#include "sim/ops_vector.hpp"
#include "sim/report.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/sim.hpp"
#include "sim/spec.hpp"
#include "sim/version.hpp"
#include "sim/write.hpp"

int odr_b() {
    sim::Expected<int> e(2);
    sim::Results r;
    return static_cast<int>(r.rows()) + *e;
}
