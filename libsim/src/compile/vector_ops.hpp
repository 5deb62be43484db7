// Functions of whole vectors (VECTOR SORT ORDER, VECTOR RANK, VECTOR
// REORDER, VECTOR ELM MAP, VECTOR SELECT, RANK, ALLOCATE BY PRIORITY,
// ALLOCATE AVAILABLE, INVERT MATRIX): each element of their result is one instruction
// `dst = vector_value(ops[b], s)` (Code::vector) that reads its input
// slots and computes the element asked for. The one authority for their
// meaning, used by the VM and the non-finite diagnosis.
#pragma once

#include <cstdint>
#include <vector>

#include "compile/opcode.hpp"

namespace sim::detail {

struct VectorOp {
    enum Kind : std::uint8_t {
        sort_order,          // a: vector, p0: direction (> 0 ascending); 0-based index of the k-th in sorted order
        rank,                // a: vector, p0: direction; 1-based rank of element k
        reorder,             // a: vector, b: order (0-based indices); a[b[k]]
        elm_map,             // a: vector, p0: offset; a[k + offset] (k: the position named), NaN outside
        select,              // a: selection, b: expression, p0: missing value, p1: action (0..10)
        xmile_rank,          // a: array, p0: n; the 1-based position of the n-th smallest element
        allocate_priority,   // a: request, b: priority, p0: width, p1: supply; the share of element k
        allocate_available,  // a: request, b: profiles (4 per element), p0: available; the share of element k
        invert_matrix,       // a: n x n matrix, row-major; element k (row-major) of its inverse, NaN if singular
    };
    Kind kind = sort_order;
    std::vector<Slot> a, b;
    Slot p0 = 0, p1 = 0;
    std::uint32_t k = 0;
};

double vector_value(const VectorOp& op, const double* s);

const char* to_string(VectorOp::Kind k);

}  // namespace sim::detail
