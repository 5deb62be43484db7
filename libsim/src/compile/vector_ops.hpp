// Functions of whole vectors (VECTOR SORT ORDER, VECTOR RANK, VECTOR
// REORDER, VECTOR ELM MAP, VECTOR SELECT, RANK, ALLOCATE BY PRIORITY,
// ALLOCATE AVAILABLE, INVERT MATRIX): each element of their result is one instruction
// `dst = vector_value(ops[b], s)` (Code::vector) that reads its input
// slots and computes the element asked for. What each computes is
// sim/ops_vector.hpp, the one authority the VM, the non-finite diagnosis
// and generated code (run/generate_kernel.cpp) all call.
#pragma once

#include <cstdint>
#include <vector>

#include "compile/opcode.hpp"
#include "sim/ops_vector.hpp"

namespace sim::detail {

struct VectorOp {
    using Kind = ops::VectorKind;  // the inputs each kind reads: sim/ops_vector.hpp
    using enum ops::VectorKind;
    Kind kind = sort_order;
    std::vector<Slot> a, b;
    Slot p0 = 0, p1 = 0;
    std::uint32_t k = 0;

    ops::VectorCall call() const { return {kind, a.data(), a.size(), b.data(), b.size(), p0, p1, k}; }
};

// The interpreter's call (vector_ops.cpp: out of line, so that the VM's
// dispatch loop stays small).
double vector_value(const VectorOp& op, const double* s);

const char* to_string(VectorOp::Kind k);

}  // namespace sim::detail
