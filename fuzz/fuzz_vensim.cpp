// libFuzzer target: the Vensim .mdl reader (records, subscripts, macros,
// lookups, the per-element tree pass), then compile and run. External data
// files are looked up beside "fuzz.mdl" in the working directory, so a
// GET ... call meets a missing file, never a large one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sim::Diagnostics diags;
    auto spec = sim::parse_vensim(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.mdl", diags, sim_fuzz::limits());
    sim_fuzz::compile_and_run(spec, diags);
    return 0;
}
