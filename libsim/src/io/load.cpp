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

// For an unknown extension: a Vensim .mdl starts with {UTF-8} (or another
// encoding marker) or has `~` ... `|` records and no YAML-looking first line.
bool looks_like_vensim(std::string_view text) {
    std::size_t p = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") p = 3;
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
    if (text.substr(p, 1) == "{") {
        std::size_t close = text.find('}', p);
        if (close == std::string_view::npos || close - p > 32) return false;
        const std::string_view marker = text.substr(p + 1, close - p - 1);  // {UTF-8}
        return marker.find_first_of(": \t\n,") == std::string_view::npos && text.find('|') != std::string_view::npos;
    }
    const std::size_t tilde = text.find('~'), bar = text.find('|');
    return tilde != std::string_view::npos && bar != std::string_view::npos && tilde < bar &&
           text.find("\\\\\\---///") != std::string_view::npos;
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
    if (ext == ".mdl") return parse_vensim(text, path, diags, limits);
    if (looks_like_xml(text)) return parse_xmile(text, path, diags, limits);
    if (looks_like_vensim(text)) return parse_vensim(text, path, diags, limits);
    return parse_yaml(text, path, diags, limits);
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
