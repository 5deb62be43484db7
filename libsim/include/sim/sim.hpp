// libsim: everything in one include.
#pragma once

#include "sim/diagnostic.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/native.hpp"
#include "sim/io.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/simulate.hpp"
