// libFuzzer target: the scenario `extends:` resolver. The input is split at
// NUL bytes into up to four scenario files written to a private directory
//   a.yaml  b.yaml  sub/c.yaml  sub/d.yaml
// beside fixed neighbours that `extends:` and `model:` may name: model.yaml
// (a valid model with levers), link.yaml (a symbolic link to a.yaml),
// loop.yaml (a link to itself), dir.yaml (a directory), fifo.yaml (a FIFO
// nobody writes to: reading it would hang) and missing.yaml (absent).
// sim::load_scenario("a.yaml") is then compiled and run: every chain must
// end in a scenario or a located diagnostic (cycle, not found, not a regular
// file, too deep), never a crash or a hang.
#include <sys/stat.h>
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
constants:
  rate: 0.5
levers:
  subsidy: {title: Subsidy, start: 2, intensity: 0.5}
)";

std::string dir() {
    static std::string d = [] {
        char tmpl[] = "/tmp/sim_fuzz_extends.XXXXXX";
        const char* made = mkdtemp(tmpl);
        if (!made) std::abort();
        std::string p(made);
        ::mkdir((p + "/sub").c_str(), 0700);
        ::mkdir((p + "/dir.yaml").c_str(), 0700);
        std::ofstream(p + "/model.yaml") << model_yaml;
        if (::symlink("a.yaml", (p + "/link.yaml").c_str()) != 0) std::abort();
        if (::symlink("loop.yaml", (p + "/loop.yaml").c_str()) != 0) std::abort();
        if (::mkfifo((p + "/fifo.yaml").c_str(), 0600) != 0) std::abort();
        return p;
    }();
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const char* const names[] = {"a.yaml", "b.yaml", "sub/c.yaml", "sub/d.yaml"};
    const std::string d = dir();
    std::size_t part = 0, begin = 0;
    for (std::size_t i = 0; i <= size && part < 4; ++i) {
        if (i == size || data[i] == 0) {
            std::ofstream out(d + "/" + names[part], std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(data + begin), static_cast<std::streamsize>(i - begin));
            ++part;
            begin = i + 1;
        }
    }
    for (; part < 4; ++part) ::unlink((d + "/" + names[part]).c_str());
    sim::Diagnostics diags;
    sim::Limits limits = sim_fuzz::limits();
    limits.depth = 16;  // keeps chains short; longer ones must be refused with E-LIMIT
    sim::Scenario sc = sim::load_scenario(d + "/a.yaml", diags, limits);
    sim_fuzz::compile_and_run(sc.model, diags, sc.run);
    return 0;
}
