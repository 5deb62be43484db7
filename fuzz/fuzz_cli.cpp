// libFuzzer target: the command-line parser of sdsim (cli/dispatch.cpp and
// each command's option checks). The input is split at NUL bytes into at
// most 24 arguments; CommandLine::parse must either accept them or throw a
// usage error (sdsim::Usage), never crash, hang or run a command: nothing is
// executed, so no file is read or written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../cli/common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args{"sdsim"};
    std::string cur;
    for (std::size_t i = 0; i < size && args.size() < 25; ++i) {
        if (data[i] == 0) {
            args.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(data[i]);
        }
    }
    if (args.size() < 25 && (!cur.empty() || size == 0)) args.push_back(cur);
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
        sdsim::CommandLine cl;
        sdsim::Parsed p = cl.parse(static_cast<int>(argv.size()), argv.data());
        (void)p;
    } catch (const sdsim::Usage&) {
    }
    return 0;
}
