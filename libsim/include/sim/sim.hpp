// libsim: everything in one include.
#pragma once

#include "sim/diagnostic.hpp"
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
