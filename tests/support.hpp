// Helpers shared by the unit tests in tests/unit/: scratch directories,
// source positions computed from raw text, and diagnostic lookup by code.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/native.hpp"

namespace simtest {

// Two vectors hold the same bytes (bit-for-bit equality, NaN payloads and
// signed zeros included). memcmp is not given the null pointers of empty
// vectors, even for no bytes (UBSan reports that).
template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Marks the current test case as skipped because `reason` (a missing tool);
// the caller returns right after. Under ctest the case shows as "Skipped"
// (tests/main.cpp), never as passed.
void skip(const std::string& reason);

#ifdef SIM_BINARY_DIR  // the unit tests' build tree
// `model` with its generated code, compiled at -O1 by the system compiler
// (cached in the build tree), or nullopt after skip() when there is no C++
// compiler on the PATH (the caller returns).
inline std::optional<sim::Model> with_generated_code(const sim::Model& model) {
    if (std::system("c++ --version >/dev/null 2>&1") != 0) {
        skip("no C++ compiler (c++) on the PATH");
        return std::nullopt;
    }
    sim::Diagnostics d;
    sim::NativeOptions o;
    o.cache_dir = std::string(SIM_BINARY_DIR) + "/test-native-cache";
    o.flags = "-O1";
    auto gen = sim::compile_native(model, d, o);
    REQUIRE_MESSAGE(gen, d.str());
    return gen;
}
#endif

// A scratch directory under the system temporary directory, unique to this
// process and object, removed with everything in it on destruction.
struct TempDir {
    std::filesystem::path root;

    explicit TempDir(const std::string& name) {
        static std::atomic<unsigned> counter{0};
        root = std::filesystem::temp_directory_path() /
               (name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(root);
        std::filesystem::create_directories(root);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path operator/(const std::string& rel) const { return root / rel; }

    // Writes `text` to `rel` (whose directory must exist); returns its path.
    std::string write(const std::string& rel, const std::string& text) const {
        const auto p = root / rel;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
};

// 1-based line and column of the first occurrence of `needle` in `text` at or
// after `from`, computed from the raw text (independently of any loader);
// the column counts characters.
inline std::pair<int, int> line_col(const std::string& text, const std::string& needle, std::size_t from = 0) {
    auto p = text.find(needle, from);
    REQUIRE_MESSAGE(p != std::string::npos, needle);
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(p), '\n'));
    auto ls = p == 0 ? std::string::npos : text.rfind('\n', p - 1);
    const std::size_t start = ls == std::string::npos ? 0 : ls + 1;
    int col = 1;  // columns count characters (UTF-8 lead bytes), as every reader reports them
    for (std::size_t i = start; i < p; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
    return {line, col};
}

// The same as a SourceLoc in `file`.
inline sim::SourceLoc loc_of(const std::string& file, const std::string& text, const std::string& needle,
                             std::size_t from = 0) {
    sim::SourceLoc l;
    l.file = file;
    std::tie(l.line, l.col) = line_col(text, needle, from);
    return l;
}

// The `nth` (0-based) diagnostic with `code`, or nullptr.
inline const sim::Diagnostic* find_code(const sim::Diagnostics& d, sim::Code code, std::size_t nth = 0) {
    for (const auto& x : d.items())
        if (x.code == code && nth-- == 0) return &x;
    return nullptr;
}

inline std::size_t count_code(const sim::Diagnostics& d, sim::Code code) {
    std::size_t n = 0;
    for (const auto& x : d.items()) n += x.code == code;
    return n;
}

}  // namespace simtest

// Diagnostic codes print by their display name in failed checks.
template <>
struct doctest::StringMaker<sim::Code> {
    static doctest::String convert(sim::Code c) { return sim::name(c); }
};

// Checks that two SourceLocs name the same file, line and column.
#define CHECK_AT(loc, expected)    \
    do {                           \
        auto l_ = (loc);           \
        auto e_ = (expected);      \
        CHECK(l_.file == e_.file); \
        CHECK(l_.line == e_.line); \
        CHECK(l_.col == e_.col);   \
    } while (0)
