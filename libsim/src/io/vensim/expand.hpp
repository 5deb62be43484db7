// The Vensim reader's tree pass (expand.cpp): every variable expanded
// element by element into the ModelSpec.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "io/vensim/reader.hpp"
#include "sim/limits.hpp"

namespace sim::vensim {

// What records.cpp/reader.cpp read from a file.
struct Parsed {
    std::map<std::string, Dim> dims;                 // by canonical name
    std::map<std::string, std::string> equivalent;   // alias -> dimension (canonical)
    std::vector<Def> defs;                           // in file order
    std::vector<Macro> macros;
    std::string file;
};

// Fills `spec` (variables, sim specs) from `m`; every problem is a located
// diagnostic.
void expand(Parsed& m, ModelSpec& spec, Diagnostics& diags, const Limits& limits);

// Node `id` of `eq`'s tree as an equation of its own (its text, position,
// and subtree with spans rebased).
Equation sub_equation(const Equation& eq, ast::NodeId id);

}  // namespace sim::vensim
