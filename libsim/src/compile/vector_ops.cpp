// The interpreter's call of the vector functions and their names (the tape
// dump). What they compute is sim/ops_vector.hpp.
#include "compile/vector_ops.hpp"

namespace sim::detail {

double vector_value(const VectorOp& op, const double* s) { return ops::vector_value(op.call(), s); }

const char* to_string(VectorOp::Kind k) {
    switch (k) {
        case VectorOp::sort_order: return "vector_sort_order";
        case VectorOp::rank: return "vector_rank";
        case VectorOp::reorder: return "vector_reorder";
        case VectorOp::elm_map: return "vector_elm_map";
        case VectorOp::select: return "vector_select";
        case VectorOp::xmile_rank: return "rank";
        case VectorOp::allocate_priority: return "allocate_by_priority";
        case VectorOp::allocate_available: return "allocate_available";
        case VectorOp::invert_matrix: return "invert_matrix";
    }
    return "?";
}

}  // namespace sim::detail
