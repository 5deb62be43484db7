// load_model and parse_model: pick the loader by file extension, or by
// content for an unknown extension; load_yaml, load_xmile: read the file
// once (sim::read_input) and parse it.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "sim/input.hpp"
#include "sim/load.hpp"

namespace sim {

namespace {

std::string extension(const std::string& path) {
    std::string e = std::filesystem::path(path).extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

// For an unknown extension: XMILE if the first non-blank character (after a
// byte-order mark; a NUL byte of UTF-16 is skipped too) is '<'.
bool looks_like_xml(std::string_view text) {
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)) && c != '\xEF' && c != '\xBB' && c != '\xBF' &&
            c != '\xFF' && c != '\xFE' && c != '\0')
            return c == '<';
    return false;
}


}  // namespace

ModelSpec load_model(const std::string& path, Diagnostics& diags, const Limits& limits) {
    auto in = read_input(path, diags, limits);
    if (!in) {
        ModelSpec m;
        m.file = path;
        return m;
    }
    return parse_model(in->bytes, path, diags, limits);
}

ModelSpec parse_model(std::string_view text, const std::string& path, Diagnostics& diags, const Limits& limits) {
    const std::string ext = extension(path);
    if (ext == ".yaml" || ext == ".yml") return parse_yaml(text, path, diags, limits);
    if (ext == ".xmile" || ext == ".stmx" || ext == ".xml") return parse_xmile(text, path, diags, limits);
    return looks_like_xml(text) ? parse_xmile(text, path, diags, limits) : parse_yaml(text, path, diags, limits);
}

ModelSpec load_yaml(const std::string& path, Diagnostics& diags, const Limits& limits) {
    auto in = read_input(path, diags, limits);
    if (!in) {
        ModelSpec m;
        m.file = path;
        return m;
    }
    return parse_yaml(in->bytes, path, diags, limits);
}

ModelSpec load_xmile(const std::string& path, Diagnostics& diags, const Limits& limits) {
    auto in = read_input(path, diags, limits);
    if (!in) {
        ModelSpec m;
        m.file = path;
        return m;
    }
    return parse_xmile(in->bytes, path, diags, limits);
}

ModelSpec load_model(const std::string& path) {
    Diagnostics diags;
    ModelSpec m = load_model(path, diags);
    if (diags.has_errors()) throw Error(std::move(diags));
    return m;
}

}  // namespace sim
