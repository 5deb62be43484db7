// libFuzzer target: the scenario loader. It reads files, so each input is
// written to a scenario file in a private directory beside a fixed model
// with levers (model.yaml) and a second scenario (base.yaml) that inputs may
// extend; then the scenario's model is compiled and run.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "fuzz_common.hpp"

namespace {

const char* const model_yaml = R"(name: fuzz base
sim: {start: 0, stop: 10, dt: 0.5}
stocks:
  x: {initial: 100, outflows: [draining]}
flows:
  draining: x * rate * (1 - subsidy_lever)
aux:
  tax_effect: tax_lever * 2
constants:
  rate: 0.5
levers:
  subsidy: {title: Subsidy, start: 2, intensity: 0.5, phase_in: 1, cost: subsidy_lever * 3}
  tax: {title: Tax, start: 0}
)";

const char* const base_yaml = R"(name: base
model: model.yaml
levers:
  tax: on
)";

std::string dir() {
    static std::string d = [] {
        char tmpl[] = "/tmp/sim_fuzz_scenario.XXXXXX";
        const char* made = mkdtemp(tmpl);
        if (!made) std::abort();
        std::string p(made);
        std::ofstream(p + "/model.yaml") << model_yaml;
        std::ofstream(p + "/base.yaml") << base_yaml;
        return p;
    }();
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = dir() + "/scenario.yaml";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    sim::Diagnostics diags;
    sim::Scenario sc = sim::load_scenario(path, diags, sim_fuzz::limits());
    sim_fuzz::compile_and_run(sc.model, diags, sc.run);
    return 0;
}
