// libFuzzer target: the XMILE loader, then compile and run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sim::Diagnostics diags;
    auto spec = sim::parse_xmile(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.xmile", diags, sim_fuzz::limits());
    sim_fuzz::compile_and_run(spec, diags);
    return 0;
}
