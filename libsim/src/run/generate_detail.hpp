// The code generator's two files (private to run/):
//   generate.cpp         generate_cpp, generate_kernel_source: the files
//                        around the kernel, the fingerprint, the checks of
//                        names and of what can be generated;
//   generate_kernel.cpp  the kernel itself: constants, tables, the initial
//                        and flow functions, the Euler loop (two shapes).
#pragma once

#include <cstddef>
#include <string>

#include "compile/program.hpp"
#include "sim/generate.hpp"

namespace sim::detail {

// One line of a comment: no newlines, no "*/" issues (line comments only).
std::string comment_text(std::string s);

// The kernel's C++ text: constants, tables, the functions, the Kernel object
// named `kernel_var` (file-local); whether every slot is a local of the Euler
// loop, and how many functions the slot-vector shape has.
struct KernelCode {
    std::string text;
    bool locals = false;
    std::size_t functions = 0;
};
KernelCode kernel_code(const Program& p, const GenerateOptions& o, const std::string& kernel_var,
                       const std::string& source_text, const std::string& source_path, const std::string& fingerprint);

}  // namespace sim::detail
