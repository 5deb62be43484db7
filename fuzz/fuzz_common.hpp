// Shared by the libFuzzer targets: compile and run a loaded model under tight
// budgets, so that every input exercises the compiler and the VM too, and no
// input can make a run long or large; and the loaders' limits for fuzzing.
#pragma once

#include <sim/sim.hpp>

namespace sim_fuzz {

// The loaders' limits for fuzzing: small enough that no input can make the
// expansion itself long (a 500-byte .mdl declaring a 900,000-element array
// within the default limits took over 10 s under ASan: a libFuzzer timeout,
// not a bug); inputs over them must be refused with E-LIMIT, which is
// fuzzed too.
inline sim::Limits limits() {
    sim::Limits l;
    l.variables = 20'000;
    l.array_elements = 20'000;
    l.operations = 200'000;  // a macro doubling its argument: 4 s at the default 5,000,000 in Release
    return l;
}

inline void compile_and_run(const sim::ModelSpec& spec, sim::Diagnostics& diags, sim::RunOptions opts = {}) {
    if (diags.has_errors()) return;
    auto model = sim::Model::compile(spec, diags);
    if (!model) return;
    opts.max_steps = 2000;
    opts.max_wall_seconds = 2.0;
    opts.on_nonfinite = sim::NonFinite::error;
    try {
        sim::Results r = model->run(opts);
        (void)r;
    } catch (const sim::Error&) {
        // Bad specs, a budget or a non-finite value: diagnostics, not crashes.
    }
}

}  // namespace sim_fuzz
