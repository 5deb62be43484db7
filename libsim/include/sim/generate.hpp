// Ahead-of-time code generation: a compiled model's equations written out as
// C++ (a sim::Kernel, sim/kernel.hpp) that libsim's run machinery drives in
// place of the interpreter, with the interpreter's results bit for bit.
//
//   sdsim generate model.yaml --cpp OUTDIR          (the command line)
//   sim_add_model(app models/sir.yaml)              (CMake, installed package)
//   sim::GeneratedCode g = sim::generate_cpp(model, opts);   (the library)
//
// Everything a compiled model does is generated: every operation (written
// from the instruction set's one description, so an operation the generator
// does not know is a compile error in libsim, never a silent gap), lookups,
// non-negative stocks, PREVIOUS, fixed delays, the hidden stocks of
// SMOOTH/DELAY/TREND, the vector functions; the Euler loop is generated
// whole, and RK2/RK4/rk45 drive the generated flow function with the
// interpreter's own steppers.
// Large models are split into several functions (GenerateOptions).
#pragma once

#include <cstddef>
#include <string>

#include "sim/model.hpp"

namespace sim {

struct GenerateOptions {
    // The class and file stem (NAME.hpp, NAME.cpp): a C++ identifier.
    std::string name = "model";
    std::string name_space = "sim_models";
    // The model file's text and path, embedded: the generated class compiles
    // it when constructed (and checks the result against the code). Empty:
    // no class, only the kernel (NAME_kernel()), for attach_kernel.
    std::string source_text, source_path;
    // Models of up to this many slots keep every slot in a local variable
    // in the generated Euler loop, which the C++ compiler keeps in
    // registers (the fastest code; its compile time grows faster than
    // linearly). Larger ones work on the slot vector, with the equations in
    // functions of at most `function_size` instructions.
    std::size_t max_local_slots = 3000;
    std::size_t function_size = 1500;
};

struct GeneratedCode {
    std::string header;       // NAME.hpp
    std::string source;       // NAME.cpp
    std::string fingerprint;  // of the compiled program (sim/kernel.hpp)
    std::size_t functions = 0;  // C++ functions the equations were written in
    bool locals = false;        // whether the Euler loop keeps slots in local variables
};

// The header and source for `model`. The source includes <sim/generated.hpp>,
// <sim/ops.hpp>, <sim/ops_vector.hpp> if the model calls vector functions
// (installed with libsim) and "NAME.hpp"; compile it with
// -ffp-contract=off and without -ffast-math (sim_add_model does), or the
// results are no longer the interpreter's.
GeneratedCode generate_cpp(const Model& model, const GenerateOptions& opts = {});

// One self-contained source with only the kernel (sim/ops.hpp,
// sim/kernel.hpp and, if needed, sim/ops_vector.hpp copied in) and
// `extern "C" const sim::Kernel* sim_kernel()`: what native mode compiles
// into a shared object.
std::string generate_kernel_source(const Model& model, const GenerateOptions& opts = {});

// The fingerprint a kernel for `model` must carry.
std::string program_fingerprint(const Model& model);

}  // namespace sim
