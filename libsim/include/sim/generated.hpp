// Models compiled ahead of time. `sdsim generate MODEL --cpp OUTDIR` (or
// sim::generate_cpp, sim/generate.hpp, or the CMake function
// sim_add_model(target model.yaml)) writes a header and a source holding a
// class derived from sim::Model: the model file's text, compiled when the
// object is made, plus the model's equations as C++ (a sim::Kernel), which
// every run then uses instead of the interpreter. No compiler is needed at
// run time; results are the interpreter's, bit for bit.
//
//   #include "sir.hpp"              // generated
//   sim_models::sir model;          // throws sim::Error if libsim compiles the
//                                   // model differently from the generated code
//   sim::RunOptions o;
//   o.set = {{"contact_rate", 8}};  // constants and lever settings, at run time
//   sim::Results r = model.run(o);  // also sim::compare(model, ...), run_ensemble, Batch
#pragma once

#include <memory>

#include "sim/kernel.hpp"
#include "sim/model.hpp"

namespace sim {

// The model of `kernel.source_text`, compiled, with the kernel attached.
// Throws sim::Error: the text's diagnostics if it does not compile, or
// E-GENERATED-MISMATCH if the kernel was generated for another program (a
// different libsim version compiles the model differently, or the kernel's
// ABI differs): regenerate the code.
Model model_from_kernel(const Kernel& kernel);

// `model` with `kernel` attached: its runs use the kernel. `keep` is held as
// long as any copy of the model lives (e.g. the loaded shared object that
// holds the kernel). Throws E-GENERATED-MISMATCH as above.
Model attach_kernel(const Model& model, const Kernel& kernel, std::shared_ptr<const void> keep = {});

// True if `model` has generated code with SIMD lanes (Kernel::euler_lanes),
// which sim::Batch uses for Euler runs: the model has no PREVIOUS, fixed
// delays or vector functions, and the code was compiled with AVX (native
// mode: on a machine with AVX2).
bool kernel_has_lanes(const Model& model);

}  // namespace sim
