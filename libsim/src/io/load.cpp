// load_model: picks the loader by file extension.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "sim/load.hpp"

namespace sim {

namespace {

std::string extension(const std::string& path) {
    std::string e = std::filesystem::path(path).extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

// For an unknown extension: XMILE if the first non-blank character is '<'.
bool looks_like_xml(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char c = 0;
    while (in.get(c))
        if (!std::isspace(static_cast<unsigned char>(c)) && c != '\xEF' && c != '\xBB' && c != '\xBF') return c == '<';
    return false;
}

}  // namespace

ModelSpec load_model(const std::string& path, Diagnostics& diags) {
    const std::string ext = extension(path);
    if (ext == ".yaml" || ext == ".yml") return load_yaml(path, diags);
    if (ext == ".xmile" || ext == ".stmx" || ext == ".xml") return load_xmile(path, diags);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        diags.error(sim::Code::E_IO, {path, 0, 0}, "", "cannot open file '" + path + "'; check the path");
        ModelSpec m;
        m.file = path;
        return m;
    }
    // Unknown extension: sniff the content rather than refuse.
    return looks_like_xml(path) ? load_xmile(path, diags) : load_yaml(path, diags);
}

ModelSpec load_model(const std::string& path) {
    Diagnostics diags;
    ModelSpec m = load_model(path, diags);
    if (diags.has_errors()) throw Error(std::move(diags));
    return m;
}

}  // namespace sim
