// Native mode (sim/native.hpp): the generator's self-contained kernel source
// (generate_kernel_source) compiled by the system C++ compiler into a shared
// object, loaded with dlopen and attached to the model (attach_kernel
// checks its fingerprint). Objects are cached by a hash of the generated
// source itself (the program, its fingerprint and the embedded sim/ops.hpp,
// so a libsim whose operations compute differently never reuses an object
// compiled from older code), the compiler and its flags: written to a temporary name and
// renamed into place (processes compiling the same model at once do not
// see half a file), touched when used, and the least recently used deleted
// beyond the size limit.
#include "sim/native.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "sim/generate.hpp"
#include "sim/generated.hpp"
#include "sim/kernel.hpp"
#include "sim/scenario.hpp"

namespace sim {

namespace {

namespace fs = std::filesystem;

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// -mavx2 when lanes are wanted and this machine has AVX2 (x86-64): the
// code then has Kernel::euler_lanes (sim/kernel.hpp); -mfma too where the
// machine has FMA, for the lanes' pow (sim::lanes::pow, which uses it
// explicitly and gives std::pow's bits). The object is made here for this
// machine, and cached under a key that includes the flags. With
// -ffp-contract=off the compiler fuses no multiply and add of the model's
// own arithmetic, so FMA changes no other result.
std::string isa_flags(const NativeOptions& o) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (o.lanes && __builtin_cpu_supports("avx2"))
        return __builtin_cpu_supports("fma") ? " -mavx2 -mfma" : " -mavx2";
#else
    (void)o;
#endif
    return "";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Library {
    void* handle = nullptr;
    ~Library() {
        if (handle) dlclose(handle);
    }
};

// Deletes the least recently used shared objects until the rest total at
// most `max_bytes` (never `keep`, the one just made or used).
void trim_cache(const fs::path& dir, std::uint64_t max_bytes, const fs::path& keep) {
    struct Entry {
        fs::path path;
        fs::file_time_type used;
        std::uint64_t size;
    };
    std::vector<Entry> entries;
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec) || e.path().extension() != ".so") continue;
        const auto size = e.file_size(ec);
        if (ec) continue;
        entries.push_back({e.path(), e.last_write_time(ec), size});
        total += size;
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
    for (const auto& e : entries) {
        if (total <= max_bytes) break;
        if (e.path == keep) continue;
        if (fs::remove(e.path, ec)) total -= e.size;
    }
}

}  // namespace

std::string native_cache_dir() {
    auto env = [](const char* n) -> std::string {
        const char* v = std::getenv(n);
        return v && *v ? v : "";
    };
    if (auto d = env("SDSIM_CACHE_DIR"); !d.empty()) return d;
    if (auto d = env("XDG_CACHE_HOME"); !d.empty()) return d + "/sdsim";
    if (auto d = env("HOME"); !d.empty()) return d + "/.cache/sdsim";
    return "";
}

std::optional<Model> compile_native(const Model& model, Diagnostics& diags, const NativeOptions& o, NativeInfo* info) {
    NativeInfo local;
    NativeInfo& in = info ? *info : local;
    in = {};
    const auto t_gen = std::chrono::steady_clock::now();
    const std::string src = generate_kernel_source(model);
    const double generate_seconds = seconds_since(t_gen);
    const std::string flags = isa_flags(o) + " " + o.flags;  // the caller's last: they win (-mno-fma)
    const std::string key = sha256_hex(src + '\0' + o.compiler + '\0' + flags).substr(0, 32);
    in.generate_seconds = generate_seconds;  // spent on a cache hit too: the key is the source's hash

    // Where the object goes: the cache, or a temporary directory.
    fs::path dir;
    bool temporary = !o.use_cache;
    if (o.use_cache) {
        dir = o.cache_dir.empty() ? native_cache_dir() : o.cache_dir;
        std::error_code ec;
        if (dir.empty() || (fs::create_directories(dir, ec), !fs::is_directory(dir, ec))) {
            diags.error(sim::Code::E_GENERATE, {}, "",
                        "cannot use the cache directory '" + dir.string() +
                            "' for compiled models; set SDSIM_CACHE_DIR to a writable directory");
            return std::nullopt;
        }
    } else {
        const char* tmp = std::getenv("TMPDIR");
        std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/libsim-native-XXXXXX";
        if (!mkdtemp(t.data())) {
            diags.error(sim::Code::E_NATIVE_COMPILE, {}, "", "cannot create a temporary directory for the generated code");
            return std::nullopt;
        }
        dir = t;
    }
    const fs::path so = dir / (key + ".so");
    auto cleanup_temporary = [&] {
        if (!temporary) return;
        std::error_code ec;
        fs::remove_all(dir, ec);
    };

    std::error_code ec;
    for (int attempt = 0;; ++attempt) {
    if (!temporary && fs::exists(so, ec)) {
        in.from_cache = true;
        fs::last_write_time(so, fs::file_time_type::clock::now(), ec);  // used: keep it longest
    } else {
        // Unique names in the directory: several processes, and threads, may
        // compile the same model at once.
        static std::atomic<unsigned> counter{0};
        const std::string stem =
            (dir / (key + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".tmp")).string();
        const std::string src_path = stem + ".cpp", tmp_so = stem + ".so", log = stem + ".log";
        auto remove_temps = [&] {
            for (const auto& f : {src_path, tmp_so, log}) fs::remove(f, ec);
        };
        {
            std::ofstream f(src_path);
            f << src;
            if (!f) {
                remove_temps();
                cleanup_temporary();
                diags.error(sim::Code::E_NATIVE_COMPILE, {}, "", "cannot write the generated code to " + src_path);
                return std::nullopt;
            }
        }
        const std::string cmd = quote(o.compiler) + " " + flags +
                                " -std=c++20 -ffp-contract=off -fno-fast-math -fPIC -shared -o " + quote(tmp_so) +
                                " " + quote(src_path) + " >" + quote(log) + " 2>&1";
        if (o.on_compile) o.on_compile();
        const auto t1 = std::chrono::steady_clock::now();
        const int rc = std::system(cmd.c_str());
        in.compile_seconds = seconds_since(t1);
        if (rc != 0) {
            // The first error the compiler reports (else its first line).
            std::ifstream f(log);
            std::string first, line;
            while (std::getline(f, line)) {
                if (first.empty()) first = line;
                if (line.find("error") != std::string::npos) {
                    first = line;
                    break;
                }
            }
            remove_temps();
            cleanup_temporary();
            // The shell's 127: the compiler could not be run at all.
            const bool missing = WIFEXITED(rc) && WEXITSTATUS(rc) == 127;
            diags.error(missing ? sim::Code::E_ENGINE : sim::Code::E_NATIVE_COMPILE, {}, "",
                        missing ? "no C++ compiler '" + o.compiler +
                                      "' to compile the generated code; install one (Debian: g++) or use the "
                                      "interpreter"
                                : "the C++ compiler '" + o.compiler + "' failed on the generated code" +
                                      (first.empty() ? std::string() : ": " + first) + "; use the interpreter");
            return std::nullopt;
        }
        fs::rename(tmp_so, so, ec);
        remove_temps();
        if (ec) {
            cleanup_temporary();
            diags.error(sim::Code::E_NATIVE_COMPILE, {}, "", "cannot store the compiled model as " + so.string());
            return std::nullopt;
        }
        if (!temporary) trim_cache(dir, o.cache_max_bytes, so);
    }

    auto lib = std::make_shared<Library>();
    lib->handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    using KernelFn = const Kernel* (*)();
    KernelFn get = lib->handle ? reinterpret_cast<KernelFn>(dlsym(lib->handle, "sim_kernel")) : nullptr;
    const char* err = get ? nullptr : dlerror();
    if (!get && in.from_cache && attempt == 0) {  // a damaged cache entry: make it again
        fs::remove(so, ec);
        in = {};
        continue;
    }
    cleanup_temporary();  // the mapping outlives the file
    if (!get) {
        diags.error(sim::Code::E_NATIVE_COMPILE, {}, "",
                    std::string("cannot load the compiled model ") + so.string() + ": " + (err ? err : "no sim_kernel"));
        return std::nullopt;
    }
    in.library = so.string();
    const Kernel* k = get();
    try {
        return attach_kernel(model, *k, lib);
    } catch (const Error& e) {
        diags.append(e.diagnostics());
        return std::nullopt;
    }
    }
}

}  // namespace sim
