// Native mode: a model's generated code (sim/generate.hpp) compiled at run
// time by the system C++ compiler into a shared object, loaded with dlopen
// and attached to the model (sim/generated.hpp), so that its runs use it;
// results are the interpreter's, bit for bit. Compiled objects are cached
// by program fingerprint, compiler and flags, so a model is compiled once
// per machine, not once per process. For code compiled into a program ahead
// of time (no compiler at run time), see sim/generated.hpp.
//
//   sim::Diagnostics diags;
//   sim::NativeInfo info;
//   if (auto fast = sim::compile_native(model, diags, {}, &info)) {
//       sim::Results r = fast->run();   // as model.run(), with generated code
//   }
//
// The cache directory is NativeOptions::cache_dir, else $SDSIM_CACHE_DIR,
// else $XDG_CACHE_HOME/sdsim, else $HOME/.cache/sdsim; each entry is one
// shared object (a few hundred KB for a model of a few hundred variables).
// After adding an entry the least recently used ones are deleted until the
// directory's entries total at most cache_max_bytes (docs/performance.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sim/diagnostic.hpp"
#include "sim/model.hpp"
#include "sim/results.hpp"

namespace sim {

struct NativeOptions {
    std::string compiler = "c++";  // program name or path
    std::string flags = "-O2";     // optimisation flags (-std=c++20 -ffp-contract=off are always added),
                                   // after the ISA flags below (so -mno-fma turns off the lanes' vector pow)
    bool use_cache = true;         // false: compile in a temporary directory, keep nothing
    std::string cache_dir;         // "" = the default above
    std::uint64_t cache_max_bytes = 256ull << 20;
    // On x86-64 with AVX2, compile with -mavx2 (and -mfma where the machine
    // has it, for the lanes' pow) so that the code can run four runs of a
    // sim::Batch at once in SIMD lanes (sim/kernel.hpp, KernelLanesRun):
    // results unchanged, bit for bit.
    bool lanes = true;
    // Called just before the C++ compiler starts (never when the cache has
    // the code): a caller can tell a person why the next seconds pass (sdsim
    // does, on a terminal).
    std::function<void()> on_compile;
};

// What compile_native did.
struct NativeInfo {
    double generate_seconds = 0;  // writing the C++
    double compile_seconds = 0;   // the C++ compiler (0 when the cache had it)
    bool from_cache = false;
    std::string library;          // the shared object loaded
};

// `model` with its generated code compiled and attached; nullopt with
// E-ENGINE (no C++ compiler), E-NATIVE-COMPILE (the compiler failed, or the
// object could not be loaded) or E-GENERATE (the cache directory could not
// be written) in `diags`.
std::optional<Model> compile_native(const Model& model, Diagnostics& diags, const NativeOptions& o = {},
                                    NativeInfo* info = nullptr);

// The default cache directory (see above); "" if none can be told.
std::string native_cache_dir();

// The earlier interface to native mode, kept for its users: a model with
// its generated code, compiled without the cache.
class NativeModel {
public:
    static std::optional<NativeModel> build(const Model& model, Diagnostics& diags, NativeOptions o = {}) {
        o.use_cache = false;
        auto m = compile_native(model, diags, o);
        if (!m) return std::nullopt;
        return NativeModel(std::move(*m));
    }
    // As Model::run (same options, same errors, same results).
    Results run(const RunOptions& opts = {}) const { return model_.run(opts); }
    const Model& model() const { return model_; }

private:
    explicit NativeModel(Model m) : model_(std::move(m)) {}
    Model model_;
};

}  // namespace sim
