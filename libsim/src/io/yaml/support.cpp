// YAML helpers shared by the model reader (model.cpp) and the scenario
// loader (experiment/scenario.cpp): positions, strict keys, typed scalars,
// simulation specs.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "io/yaml/support.hpp"
#include "sim/model.hpp"
#include "util/text.hpp"

namespace sim::yaml_detail {

bool read_file(const std::string& path, std::string& out, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open file '" + path + "'";
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        error = "cannot read file '" + path + "'";
        return false;
    }
    out = std::move(ss).str();
    return true;
}

Reader::Reader(std::string file, std::string_view text, Diagnostics& diags)
    : file_(std::move(file)), text_(text), diags_(&diags) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

SourceLoc Reader::loc(const YAML::Node& n) const {
    SourceLoc l{file_, 0, 0};
    if (!n.IsDefined()) return l;
    const YAML::Mark m = n.Mark();
    if (m.line < 0 || m.column < 0) return l;
    l.line = m.line + 1;
    l.col = m.column + 1;
    return l;
}

SourceLoc Reader::text_loc(const YAML::Node& n) const {
    SourceLoc l = loc(n);
    if (l.line == 0 || !n.IsScalar() || static_cast<std::size_t>(l.line) > line_starts_.size()) return l;
    // Marks count lines reliably; columns may count characters, so only the
    // line is used to find the node's first byte (the column is ASCII-safe
    // for the indicator characters checked here when the line is ASCII).
    const std::size_t ls = line_starts_[static_cast<std::size_t>(l.line - 1)];
    const std::size_t p = ls + static_cast<std::size_t>(l.col - 1);
    if (p >= text_.size()) return l;
    const char c = text_[p];
    if (c == '"' || c == '\'') {
        ++l.col;
    } else if (c == '|' || c == '>') {
        // Block scalar: content starts on the next line, at the indentation
        // of its first non-blank line.
        const std::size_t next = static_cast<std::size_t>(l.line);  // 0-based index of next line
        for (std::size_t li = next; li < line_starts_.size(); ++li) {
            std::size_t b = line_starts_[li], i = b;
            while (i < text_.size() && text_[i] == ' ') ++i;
            if (i >= text_.size() || text_[i] == '\n' || text_[i] == '\r') continue;
            l.line = static_cast<int>(next) + 1;
            l.col = static_cast<int>(i - b) + 1;
            return l;
        }
    }
    return l;
}

void Reader::error(sim::Code code, const SourceLoc& at, const std::string& variable,
                   const std::string& message) const {
    diags_->error(code, at, variable, message);
}

void Reader::warning(sim::Code code, const SourceLoc& at, const std::string& variable,
                     const std::string& message) const {
    diags_->warning(code, at, variable, message);
}

const char* type_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "a single value";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Undefined: return "nothing";
    }
    return "?";
}

static std::string join(std::initializer_list<std::string_view> xs) {
    std::string s;
    for (auto x : xs) {
        if (!s.empty()) s += ", ";
        s += x;
    }
    return s;
}

bool Reader::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                        const std::string& variable, std::string_view where) const {
    if (!map.IsMap()) return false;
    std::vector<std::string> cands(allowed.begin(), allowed.end());
    std::map<std::string, SourceLoc> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node k = it->first;  // a copy: `it->` returns a temporary proxy
        const SourceLoc kl = loc(k);
        if (!k.IsScalar()) {
            error(sim::Code::E_YAML_TYPE, kl, variable,
                  std::string("a key in ") + std::string(where) + " is " + type_name(k) +
                      "; keys must be plain names");
            continue;
        }
        const std::string& key = k.Scalar();
        if (auto [pos, fresh] = seen.emplace(key, kl); !fresh) {
            error(sim::Code::E_DUPLICATE, kl, variable,
                  "key '" + key + "' appears twice in " + std::string(where) + " (first at line " +
                      std::to_string(pos->second.line) + "); remove one of them");
            continue;
        }
        if (allowed.size() > 0 &&
            std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
            std::string hint = did_you_mean(key, cands);
            if (hint.empty()) hint = " (allowed: " + join(allowed) + ")";
            // `{equation: MAX(a, b)}`: the comma ends the value in a {...} mapping.
            if (key.find_first_of("()") != std::string::npos)
                hint += "; a comma inside {...} separates entries: quote the equation or write it on its own line";
            error(sim::Code::E_UNKNOWN_KEY, kl, variable,
                  "unknown key '" + key + "' in " + std::string(where) + hint);
        }
    }
    return true;
}

std::optional<std::string> Reader::scalar(const YAML::Node& n, const SourceLoc& key_loc,
                                          const std::string& variable, std::string_view what) const {
    if (n.IsScalar()) return n.Scalar();
    error(sim::Code::E_YAML_TYPE, n.IsNull() ? key_loc : loc(n), variable,
          std::string(what) + " must be a single value, found " + type_name(n));
    return std::nullopt;
}

std::optional<double> Reader::number(const YAML::Node& n, const SourceLoc& key_loc,
                                     const std::string& variable, std::string_view what) const {
    if (!n.IsScalar()) {
        error(sim::Code::E_BAD_NUMBER, n.IsNull() ? key_loc : loc(n), variable,
              std::string(what) + " must be a number, found " + type_name(n));
        return std::nullopt;
    }
    if (auto v = text::parse_number(n.Scalar())) return v.value;
    error(sim::Code::E_BAD_NUMBER, text_loc(n), variable,
          std::string(what) + " must be a number, found '" + n.Scalar() + "'");
    return std::nullopt;
}

std::optional<bool> Reader::boolean(const YAML::Node& n, const SourceLoc& key_loc,
                                    const std::string& variable, std::string_view what) const {
    if (n.IsScalar()) {
        std::string s;
        for (char c : n.Scalar()) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s == "true" || s == "on" || s == "yes") return true;
        if (s == "false" || s == "off" || s == "no") return false;
    }
    error(sim::Code::E_BAD_BOOL, n.IsScalar() ? text_loc(n) : key_loc, variable,
          std::string(what) + " must be true or false (or on/off), found " +
              (n.IsScalar() ? "'" + n.Scalar() + "'" : std::string(type_name(n))));
    return std::nullopt;
}

// Position of the first byte that is NUL or not valid UTF-8, or npos.
static std::size_t bad_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return i;
        if (c < 0x80) { ++i; continue; }
        std::size_t n = 0;
        unsigned cp = 0;
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1Fu; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0Fu; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07u; }
        else return i;
        if (i + n >= s.size()) return i;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (d & 0x3Fu);
        }
        // Overlong forms, surrogates and code points past U+10FFFF.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return i;
        i += n + 1;
    }
    return std::string_view::npos;
}

std::optional<YAML::Node> parse_document(std::string_view text, const std::string& file,
                                         Diagnostics& diags, std::string_view what) {
    if (auto bad = bad_utf8(text); bad != std::string_view::npos) {
        int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
        auto ls = text.rfind('\n', bad == 0 ? 0 : bad - 1);
        int col = static_cast<int>(ls == std::string_view::npos || bad == 0 ? bad : bad - ls - 1) + 1;
        diags.error(sim::Code::E_ENCODING, {file, line, col}, "",
                    "the file is not UTF-8 text (byte " + std::to_string(bad) +
                        "); save the " + std::string(what) + " as UTF-8 text");
        return std::nullopt;
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        diags.error(sim::Code::E_YAML_SYNTAX, {file, e.mark.line + 1, e.mark.column + 1}, "",
                    "YAML syntax error: " + e.msg + "; check indentation, colons and brackets here");
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags.error(sim::Code::E_YAML_SYNTAX, {file, e.mark.line + 1, e.mark.column + 1}, "",
                    std::string("YAML error: ") + e.what());
        return std::nullopt;
    }
    if (!root.IsDefined() || root.IsNull()) {
        diags.error(sim::Code::E_EMPTY, {file, 1, 1}, "",
                    "the " + std::string(what) + " file is empty; expected a mapping such as 'name: ...'");
        return std::nullopt;
    }
    if (!root.IsMap()) {
        const YAML::Mark m = root.Mark();
        diags.error(sim::Code::E_YAML_TYPE, {file, m.line + 1, m.column + 1}, "",
                    "the top level of a " + std::string(what) + " file must be a mapping (key: value), found " +
                        type_name(root));
        return std::nullopt;
    }
    return root;
}

YAML::Node get(const YAML::Node& map, std::string_view key) {
    if (map.IsMap())
        for (auto it = map.begin(); it != map.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node get_key(const YAML::Node& map, std::string_view key) {
    if (map.IsMap())
        for (auto it = map.begin(); it != map.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
    return YAML::Node(YAML::NodeType::Undefined);
}

bool is_plain(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto best = text::closest(word, candidates);
    return best ? " (did you mean '" + *best + "'?)" : std::string();
}

void read_sim_specs(const Reader& r, const YAML::Node& map, SimSpecs& specs, SpecLocs& locs) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
        r.error(sim::Code::E_YAML_TYPE, r.loc(map), "",
                std::string("'sim' must be a mapping (start, stop, dt, ...), found ") + type_name(map));
        return;
    }
    r.check_keys(map, {"start", "stop", "dt", "save_step", "method", "time_units", "atol", "rtol"}, "",
                 "the sim specs");
    auto num = [&](const char* key, double& dst, SourceLoc& at) {
        YAML::Node v = get(map, key);
        if (!v.IsDefined()) return;
        at = v.IsScalar() ? r.text_loc(v) : r.loc(get_key(map, key));
        if (auto x = r.number(v, r.loc(get_key(map, key)), "", std::string("sim ") + key)) dst = *x;
    };
    num("start", specs.start, locs.start);
    num("stop", specs.stop, locs.stop);
    num("dt", specs.dt, locs.dt);
    num("atol", specs.atol, locs.atol);
    num("rtol", specs.rtol, locs.rtol);
    if (YAML::Node v = get(map, "save_step"); v.IsDefined()) {
        double s = 0;
        SourceLoc at;
        num("save_step", s, at);
        locs.save_step = at;
        if (text::parse_number(v.IsScalar() ? v.Scalar() : std::string())) specs.save_step = s;
    }
    if (YAML::Node v = get(map, "method"); v.IsDefined()) {
        if (auto s = r.scalar(v, r.loc(get_key(map, "method")), "", "sim method")) {
            if (auto m = parse_method(*s)) specs.method = *m;
            else
                r.error(sim::Code::E_BAD_METHOD, r.text_loc(v), "",
                        "unknown integration method '" + *s + "'; use euler, rk2, rk4 or rk45");
        }
    }
    if (YAML::Node v = get(map, "time_units"); v.IsDefined()) {
        if (auto s = r.scalar(v, r.loc(get_key(map, "time_units")), "", "time_units")) specs.time_units = *s;
    }
}

bool check_specs(const Reader& r, const SimSpecs& s, const SpecLocs& locs) {
    // sim::validate_specs (simulate.cpp) is the one authority on valid specs;
    // here its findings are moved from the `sim:` key to the offending value.
    Diagnostics found;
    const bool ok = validate_specs(s, found);
    for (Diagnostic d : found.items()) {
        const SourceLoc* at = nullptr;
        if (d.code == sim::Code::E_DT) at = &locs.dt;
        else if (d.code == sim::Code::E_STOP) at = &locs.stop;
        else if (d.code == sim::Code::E_SAVE_STEP) at = &locs.save_step;
        else if (d.code == sim::Code::E_TOLERANCE) at = locs.rtol.line > 0 ? &locs.rtol : &locs.atol;
        else if (d.code == sim::Code::E_SPECS) at = &locs.start;
        d.loc = at && at->line > 0 ? *at : s.loc;
        if (d.loc.file.empty()) d.loc.file = r.file();
        r.diags().add(std::move(d));
    }
    return ok;
}

}  // namespace sim::yaml_detail
