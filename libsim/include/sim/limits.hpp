// Resource limits: every resource an input can inflate is bounded before it
// is spent (docs/reliability.md, "Limits"). One struct, passed to the
// readers (load_model, load_scenario, read_input) and the compiler; the
// memory budget of a run is RunOptions::max_memory. Each limit has an sdsim
// option of the same meaning, named in the error that reports it (E-LIMIT).
//
//   sim::Limits lim;                 // the defaults
//   lim.input_bytes = 1 << 30;       // sdsim ... --max-input 1G
//   auto spec = sim::load_model("big.xmile", diags, lim);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

struct Limits {
    // Bytes of one input file (model, scenario, data file). --max-input
    std::uint64_t input_bytes = std::uint64_t{64} << 20;
    // Nesting depth of any input structure: XML elements, YAML collections,
    // module instances inside one another, Vensim macros calling macros. --max-depth
    std::size_t depth = 200;
    // Variables of a model after modules and arrays are expanded. --max-variables
    std::size_t variables = 1'000'000;
    // Elements of one dimension or one arrayed variable. --max-elements
    std::size_t array_elements = 1'000'000;
    // Module instances in one model (all levels), calls of XMILE macros with
    // <variables> included. --max-modules
    std::size_t module_instances = 10'000;
    // Expression nodes made while expanding a Vensim model's macros and
    // unrolled array functions, or an XMILE model's macros (all equations,
    // macro arguments included; about 100 bytes each). --max-operations
    std::size_t operations = 5'000'000;
};

// The default memory budget of a run or an experiment (RunOptions::max_memory
// when unset): half of the smallest of physical memory, the address-space
// limit (RLIMIT_AS) and the cgroup's memory.max; at least
// min_memory_budget. It asks the system (three calls and a file read), so a
// caller checking a need below min_memory_budget can skip it.
inline constexpr std::uint64_t min_memory_budget = std::uint64_t{64} << 20;
std::uint64_t default_memory_budget();

// "64 MiB", "1.5 GiB", "312 bytes": for messages.
std::string format_bytes(std::uint64_t bytes);

// A size as written on the command line: a whole number of bytes with an
// optional binary suffix k, M, G or T (case-insensitive, optional trailing
// "B" or "iB"): "65536", "64M", "1.5G". nullopt if malformed, zero or out of range.
std::optional<std::uint64_t> parse_size(std::string_view s);

// The tail of every E-LIMIT message: "; the limit is N (raise it with OPTION)".
std::string limit_hint(std::uint64_t limit, std::string_view option);

}  // namespace sim
