// ODR test, translation unit a: every public header, so that two TUs
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

int odr_b();

// Takes the address of inline functions and uses templates in both TUs.
int main() {
    sim::Expected<int> e(1);
    sim::Diagnostics d;
    d.error(sim::Code::E_IO, {}, "", "x");
    return (e.has_value() && *e == 1 && d.has_errors() && odr_b() == 2) ? 0 : 1;
}
