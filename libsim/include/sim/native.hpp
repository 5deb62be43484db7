// Optional native mode: a model's equations generated as C++, compiled by
// the system C++ compiler into a shared object and loaded with dlopen. Same
// results as the interpreter, bit for bit (no -ffast-math, no FMA
// contraction), at the speed of a hand-written loop. The interpreter stays
// the default; this is for repeated runs of small and medium models, where
// the compiler's time (about a second) is paid back.
//
// Supported: Euler runs of models without PREVIOUS, fixed DELAY or
// non-negative stocks, of up to 20,000 slots (variables, hidden stocks,
// literals and temporaries). The run is prepared exactly as the
// interpreter's (same option checks, errors and step budget); every other run
// (another method, a wall-clock budget, a non-finite value unless
// on_nonfinite is ignore) goes to the interpreter, so run() always gives the
// interpreter's results.
//
//   sim::Diagnostics diags;
//   if (auto n = sim::NativeModel::build(model, diags)) {
//       sim::Results r = n->run();
//   }
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "sim/diagnostic.hpp"
#include "sim/results.hpp"
#include "sim/model.hpp"

namespace sim {

struct NativeOptions {
    std::string compiler = "c++";  // program name or path
    std::string flags = "-O2";     // optimisation flags (-ffp-contract=off is always added)
};

class NativeModel {
public:
    // nullopt with E-NATIVE-UNSUPPORTED (the model uses PREVIOUS, DELAY or
    // non-negative stocks, or is too large) or E-NATIVE-COMPILE (no
    // compiler, or it failed).
    static std::optional<NativeModel> build(const Model& model, Diagnostics& diags, const NativeOptions& o = {});

    // As Model::run (same options, same errors, same results).
    Results run(const RunOptions& opts = {}) const;

    const Model& model() const { return model_; }

    struct Library;  // the loaded shared object

private:
    NativeModel(Model m, std::shared_ptr<const Library> lib) : model_(std::move(m)), lib_(std::move(lib)) {}
    Model model_;
    std::shared_ptr<const Library> lib_;
};

}  // namespace sim
