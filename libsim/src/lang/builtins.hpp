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
    // Vensim's semantics: a .mdl reader maps INTEGER, MODULO, STEP, PULSE and
    // PULSE TRAIN to these `vensim:` names (io/vensim), so a model gets the
    // semantics of the format it was written in.
    vensim_integer, vensim_modulo, vensim_step, vensim_pulse, vensim_pulse_train,
    quantum, sample_if_true, active_initial, vensim_random, vensim_random_normal
};

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
