// libsim: everything of the core library in one include (the report
// writers are a library of their own: sim/report.hpp, target sim::report).
#pragma once

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/dump.hpp"
#include "sim/expected.hpp"
#include "sim/expr.hpp"
#include "sim/load.hpp"
#include "sim/spec.hpp"
#include "sim/native.hpp"
#include "sim/overrides.hpp"
#include "sim/version.hpp"
#include "sim/write.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/model.hpp"
#include "sim/sampling.hpp"
#include "sim/ensemble.hpp"
#include "sim/sensitivity.hpp"
#include "sim/robustness.hpp"
#include "sim/calibrate.hpp"
#include "sim/checks.hpp"
