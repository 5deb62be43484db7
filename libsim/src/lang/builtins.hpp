// The one table of builtin functions: canonical name, display name, arity
// and parameter names. The resolver (compile/resolve.cpp) checks calls
// against it and lowers each id; the printer writes display names from it.
// Adding a builtin: docs/architecture.md, "How to add a builtin".
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sim::ast {

enum class Builtin : std::uint8_t {
    abs, min, max, exp, ln, log10, sqrt, sin, cos, tan, asin, acos, atan, int_, mod, pi,
    safediv, xidz, zidz, step, ramp, pulse, init, previous, time, dt, starttime, stoptime,
    smth1, smth3, smthn, delay1, delay3, delayn, delay, trend, if_then_else,
    // XMILE: hyperbolic functions, a table called by reference.
    sinh, cosh, tanh, lookup,
    // Array functions (compile/arrays.cpp): reductions over the dimensions
    // their argument iterates, and functions of whole vectors.
    sum, prod, vmin, vmax, mean, stddev, size, elmcount, rank,
    vector_elm_map, vector_select, vector_sort_order, vector_reorder, vector_rank,
    allocate_available, allocate_by_priority,
    // Vensim's semantics: a .mdl reader maps INTEGER, MODULO, STEP, PULSE and
    // PULSE TRAIN to these `vensim:` names (io/vensim), so a model gets the
    // semantics of the format it was written in.
    vensim_integer, vensim_modulo, vensim_step, vensim_pulse, vensim_pulse_train,
    quantum, sample_if_true, active_initial, vensim_random, vensim_random_normal,
    // The .mdl reader's unrolled INVERT MATRIX and ALLOCATE AVAILABLE: one
    // element each, its position first, then every scalar it reads
    // (io/vensim/expand_vectors.cpp; compile/vector_ops.hpp).
    vensim_invert_matrix, vensim_allocate_available,
    // Vensim's DELAY N (input, delay time, order, initial): DELAYN whose stage
    // k drains with the delay time of k steps before (compile/lower.cpp).
    vensim_delayn
};

// The .mdl reader's bounds on those two (io/vensim/reader.hpp), which their
// argument counts follow: an n x n matrix, n targets.
inline constexpr int vensim_max_matrix = 32;
inline constexpr int vensim_max_vector = 500;

// True for the array functions (their argument is iterated, not resolved once).
bool is_array_function(Builtin b);

struct BuiltinInfo {
    Builtin id;
    std::string_view canonical;  // how calls name it (sim::canonical_name form)
    std::string_view name;       // display name, e.g. "DELAY FIXED"
    int min_args, max_args;
    std::string_view params;     // for messages: "input, delay_time[, initial]"
};

// Every builtin, aliases included (SMOOTH and SMTH1 share an id).
std::span<const BuiltinInfo> builtins();

// The builtin called `canonical`, or nullptr.
const BuiltinInfo* find_builtin(std::string_view canonical);

}  // namespace sim::ast
