// The builtin table (builtins.hpp).
#include "lang/builtins.hpp"

#include <string>
#include <unordered_map>

namespace sim::ast {
namespace {

constexpr BuiltinInfo table[] = {
    {Builtin::abs, "abs", "ABS", 1, 1, "x"},
    {Builtin::min, "min", "MIN", 1, 2, "a, b (or one array)"},
    {Builtin::max, "max", "MAX", 1, 2, "a, b (or one array)"},
    {Builtin::exp, "exp", "EXP", 1, 1, "x"},
    {Builtin::ln, "ln", "LN", 1, 1, "x"},
    {Builtin::log10, "log10", "LOG10", 1, 1, "x"},
    {Builtin::sqrt, "sqrt", "SQRT", 1, 1, "x"},
    {Builtin::sin, "sin", "SIN", 1, 1, "x"},
    {Builtin::cos, "cos", "COS", 1, 1, "x"},
    {Builtin::tan, "tan", "TAN", 1, 1, "x"},
    {Builtin::asin, "arcsin", "ARCSIN", 1, 1, "x"},
    {Builtin::acos, "arccos", "ARCCOS", 1, 1, "x"},
    {Builtin::atan, "arctan", "ARCTAN", 1, 1, "x"},
    {Builtin::int_, "int", "INT", 1, 1, "x"},
    {Builtin::mod, "mod", "MOD", 2, 2, "a, b"},
    {Builtin::pi, "pi", "PI", 0, 0, ""},
    {Builtin::safediv, "safediv", "SAFEDIV", 2, 3, "a, b[, x]"},
    {Builtin::xidz, "xidz", "XIDZ", 3, 3, "a, b, x"},
    {Builtin::zidz, "zidz", "ZIDZ", 2, 2, "a, b"},
    {Builtin::step, "step", "STEP", 2, 2, "height, start"},
    {Builtin::ramp, "ramp", "RAMP", 2, 3, "slope, start[, end]"},
    {Builtin::pulse, "pulse", "PULSE", 2, 3, "magnitude, first_time[, interval]"},
    {Builtin::init, "init", "INIT", 1, 1, "x"},
    {Builtin::init, "initial", "INITIAL", 1, 1, "x"},
    {Builtin::previous, "previous", "PREVIOUS", 1, 2, "x[, initial]"},
    {Builtin::time, "time", "TIME", 0, 0, ""},
    {Builtin::dt, "dt", "DT", 0, 0, ""},
    {Builtin::starttime, "starttime", "STARTTIME", 0, 0, ""},
    {Builtin::stoptime, "stoptime", "STOPTIME", 0, 0, ""},
    {Builtin::smth1, "smth1", "SMTH1", 2, 3, "input, averaging_time[, initial]"},
    {Builtin::smth1, "smooth", "SMOOTH", 2, 2, "input, averaging_time"},
    {Builtin::smth1, "smoothi", "SMOOTHI", 3, 3, "input, averaging_time, initial"},
    {Builtin::smth3, "smth3", "SMTH3", 2, 3, "input, averaging_time[, initial]"},
    {Builtin::smth3, "smooth3", "SMOOTH3", 2, 2, "input, averaging_time"},
    {Builtin::smth3, "smooth3i", "SMOOTH3I", 3, 3, "input, averaging_time, initial"},
    {Builtin::smthn, "smthn", "SMTHN", 3, 4, "input, averaging_time, n[, initial]"},
    {Builtin::delay1, "delay1", "DELAY1", 2, 3, "input, delay_time[, initial]"},
    {Builtin::delay1, "delay1i", "DELAY1I", 3, 3, "input, delay_time, initial"},
    {Builtin::delay3, "delay3", "DELAY3", 2, 3, "input, delay_time[, initial]"},
    {Builtin::delay3, "delay3i", "DELAY3I", 3, 3, "input, delay_time, initial"},
    {Builtin::delayn, "delayn", "DELAYN", 3, 4, "input, delay_time, n[, initial]"},
    {Builtin::delay, "delay", "DELAY", 2, 3, "input, delay_time[, initial]"},
    {Builtin::delay, "delay_fixed", "DELAY FIXED", 3, 3, "input, delay_time, initial"},
    {Builtin::trend, "trend", "TREND", 2, 3, "input, averaging_time[, initial_trend]"},
    {Builtin::if_then_else, "if_then_else", "IF THEN ELSE", 3, 3, "condition, then, else"},
    {Builtin::sinh, "sinh", "SINH", 1, 1, "x"},
    {Builtin::cosh, "cosh", "COSH", 1, 1, "x"},
    {Builtin::tanh, "tanh", "TANH", 1, 1, "x"},
    {Builtin::lookup, "lookup", "LOOKUP", 2, 2, "table, x"},
    {Builtin::sum, "sum", "SUM", 1, 1, "array"},
    {Builtin::prod, "prod", "PROD", 1, 1, "array"},
    {Builtin::vmin, "vmin", "VMIN", 1, 1, "array"},
    {Builtin::vmax, "vmax", "VMAX", 1, 1, "array"},
    {Builtin::mean, "mean", "MEAN", 1, 1000, "array (or values)"},
    {Builtin::stddev, "stddev", "STDDEV", 1, 1, "array"},
    {Builtin::size, "size", "SIZE", 1, 1, "array"},
    {Builtin::elmcount, "elmcount", "ELMCOUNT", 1, 1, "dimension"},
    {Builtin::rank, "rank", "RANK", 2, 2, "array, n"},
    {Builtin::vector_elm_map, "vector_elm_map", "VECTOR ELM MAP", 2, 2, "vector, offset"},
    {Builtin::vector_select, "vector_select", "VECTOR SELECT", 5, 5,
     "selection, expression, missing_value, numerical_action, error_action"},
    {Builtin::vector_sort_order, "vector_sort_order", "VECTOR SORT ORDER", 2, 2, "vector, direction"},
    {Builtin::vector_reorder, "vector_reorder", "VECTOR REORDER", 2, 2, "vector, order"},
    {Builtin::vector_rank, "vector_rank", "VECTOR RANK", 2, 2, "vector, direction"},
    {Builtin::allocate_available, "allocate_available", "ALLOCATE AVAILABLE", 3, 3,
     "request, priority_profile, available"},
    {Builtin::allocate_by_priority, "allocate_by_priority", "ALLOCATE BY PRIORITY", 5, 5,
     "request, priority, size, width, supply"},
    {Builtin::vensim_integer, "vensim:integer", "vensim:INTEGER", 1, 1, "x"},
    {Builtin::vensim_modulo, "vensim:modulo", "vensim:MODULO", 2, 2, "a, b"},
    {Builtin::vensim_step, "vensim:step", "vensim:STEP", 2, 2, "height, start"},
    {Builtin::vensim_pulse, "vensim:pulse", "vensim:PULSE", 2, 2, "start, width"},
    {Builtin::vensim_pulse_train, "vensim:pulse_train", "vensim:PULSE TRAIN", 4, 4, "start, width, interval, end"},
    {Builtin::quantum, "quantum", "QUANTUM", 2, 2, "x, quantum"},
    {Builtin::sample_if_true, "sample_if_true", "SAMPLE_IF_TRUE", 3, 3, "condition, input, initial"},
    {Builtin::active_initial, "active_initial", "ACTIVE INITIAL", 2, 2, "value, initial"},
    {Builtin::vensim_random, "vensim:random", "vensim:RANDOM", 2, 2, "seed, call"},
    {Builtin::vensim_random_normal, "vensim:random_normal", "vensim:RANDOM NORMAL", 2, 2, "seed, call"},
    {Builtin::vensim_delayn, "vensim:delay_n", "vensim:DELAY N", 4, 4, "input, delay_time, n, initial"},
    {Builtin::vensim_invert_matrix, "vensim:invert_matrix", "vensim:INVERT MATRIX", 2,
     1 + vensim_max_matrix * vensim_max_matrix, "position, the n x n elements row by row"},
    {Builtin::vensim_allocate_available, "vensim:allocate_available", "vensim:ALLOCATE AVAILABLE", 7,
     2 + 5 * vensim_max_vector,
     "position, available, the n requests, the n profiles (type, priority, width, extra)"},
};

}  // namespace

std::span<const BuiltinInfo> builtins() { return table; }

bool is_array_function(Builtin b) {
    switch (b) {
        case Builtin::sum: case Builtin::prod: case Builtin::vmin: case Builtin::vmax: case Builtin::mean:
        case Builtin::stddev: case Builtin::size: case Builtin::elmcount: case Builtin::rank:
        case Builtin::vector_elm_map: case Builtin::vector_select: case Builtin::vector_sort_order:
        case Builtin::vector_reorder: case Builtin::vector_rank: case Builtin::allocate_available:
        case Builtin::allocate_by_priority: case Builtin::lookup:
            return true;
        default:
            return false;
    }
}

const BuiltinInfo* find_builtin(std::string_view canonical) {
    static const std::unordered_map<std::string_view, const BuiltinInfo*> index = [] {
        std::unordered_map<std::string_view, const BuiltinInfo*> m;
        for (const auto& b : table) m.emplace(b.canonical, &b);
        return m;
    }();
    auto it = index.find(canonical);
    return it == index.end() ? nullptr : it->second;
}

}  // namespace sim::ast
