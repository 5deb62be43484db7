// libFuzzer target: the equation parser and printer (parse(print(e)) must
// give e back), then the compiler and VM on a small model whose auxiliary `y`
// has the fuzzed equation (so names a, b, x, TIME and any builtin resolve).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/expr.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<sim::ast::ParseError> errors;
    auto expr = sim::ast::parse(text, errors);
    if (!expr) return 0;
    // The printer may add parentheses (around an IF inside an operation), so
    // only the nesting limit may refuse what it prints.
    std::vector<sim::ast::ParseError> again;
    auto back = sim::ast::parse(sim::ast::print(*expr), again);
    if (back ? !sim::ast::same(*back, *expr) : again.at(0).message.find("nested more than") == std::string::npos)
        __builtin_trap();
    sim::ModelSpec m;
    m.name = "fuzz";
    m.specs.stop = 4;
    m.specs.dt = 0.5;
    m.add_stock("x", "1", {"f"});
    m.add_flow("f", "y * 0.01");
    m.add_constant("a", 2);
    m.add_constant("b", 0.5);
    m.add_lookup("g", {0, 1, 2}, {0, 1, 4});
    m.add_aux("y", std::string(text));
    sim::Diagnostics diags;
    sim_fuzz::compile_and_run(m, diags);
    return 0;
}
