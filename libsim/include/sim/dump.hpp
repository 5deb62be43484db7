// A compiled model's program in readable form, for debugging (as simlin
// prints its bytecode): the slot layout (slot -> variable, literal values),
// the initial tape, the flow tape, the stock derivatives, tables, fixed
// delays and PREVIOUS, one instruction per line with its operands named:
//
//   s14 = (s9 + s10) + s11   # total_population = (susceptible + infected) + recovered
//
// The format is for people, not for parsing; docs/architecture.md
// ("Running") describes it.
//
//   auto model = sim::Model::compile(sim::load_model("models/classic/sir.yaml"));
//   sim::dump_program(model, std::cout);
#pragma once

#include <iosfwd>

#include "sim/model.hpp"

namespace sim {

void dump_program(const Model& model, std::ostream& out);

}  // namespace sim
