// YAML model loader (format: docs/model-format.md) and the YAML helpers the
// scenario loader shares (yaml_support.hpp).
//
// Every problem is reported with file:line:col and loading goes on, so one
// pass shows the user every error. Positions: Variable::loc is its key,
// Equation::loc the first character of the equation text in the file.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/load.hpp"
#include "sim/model.hpp"
#include "io/yaml_experiment.hpp"
#include "io/yaml_support.hpp"

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

static const char* type_name(const YAML::Node& n) {
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
    if (auto v = parse_number(n.Scalar())) return v;
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

std::optional<double> parse_number(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

static std::string lower(std::string_view s) {
    std::string o;
    for (char c : s) o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

// Optimal-string-alignment distance: a swap of neighbours ("nmae") is one edit.
static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string w = lower(word);
    std::size_t best = std::string::npos;
    const std::string* pick = nullptr;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(w, lower(c));
        if (d < best) { best = d; pick = &c; }
    }
    // Close enough: a third of the length (at least 1, at most 3 edits).
    const std::size_t limit = std::clamp<std::size_t>(w.size() / 3, 1, 3);
    if (!pick || best > limit) return {};
    return " (did you mean '" + *pick + "'?)";
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
        if (parse_number(v.IsScalar() ? v.Scalar() : std::string())) specs.save_step = s;
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

namespace sim {
namespace {

using namespace yaml_detail;

class ModelReader {
public:
    ModelReader(const Reader& r, ModelSpec& m) : r_(r), m_(m) {}

    void read(const YAML::Node& root);

private:
    // Adds the variable if its name is new (else E-DUPLICATE); returns it or nullptr.
    Variable* declare(const YAML::Node& key, VarKind kind, const char* section);
    void read_stock(Variable& v, const YAML::Node& key, const YAML::Node& val);
    void read_flow_or_aux(Variable& v, const YAML::Node& key, const YAML::Node& val, bool flow);
    void read_constant(Variable& v, const YAML::Node& key, const YAML::Node& val);
    void read_lookup(Variable& v, const YAML::Node& key, const YAML::Node& val);
    std::optional<GraphicalFunction> read_gf(const std::string& var, const YAML::Node& key, const YAML::Node& val);
    void read_lever(const YAML::Node& key, const YAML::Node& val);
    // The equation text of `val` with the position of its first character.
    std::optional<Equation> equation(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                     std::string_view what);
    std::vector<std::string> names(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                   std::string_view what);
    void text_field(const YAML::Node& map, const char* key, const std::string& var, std::string& dst);
    void bool_field(const YAML::Node& map, const char* key, const std::string& var, bool& dst);

    const Reader& r_;
    ModelSpec& m_;
    std::map<std::string, SourceLoc> declared_;  // canonical name -> first declaration
};

void ModelReader::read(const YAML::Node& root) {
    r_.check_keys(root,
                  {"name", "doc", "sim", "stocks", "flows", "aux", "auxiliaries", "constants", "lookups", "levers",
                   "uncertainties", "correlations", "checks"},
                  "", "the top level of the model");
    text_field(root, "name", "", m_.name);
    text_field(root, "doc", "", m_.doc);

    // Sim specs first: levers default their start to the run's start.
    if (YAML::Node s = get(root, "sim"); s.IsDefined()) {
        m_.specs.loc = r_.loc(get_key(root, "sim"));
        SpecLocs locs;
        read_sim_specs(r_, s, m_.specs, locs);
        check_specs(r_, m_.specs, locs);
    }

    struct Section {
        const char* key;
        VarKind kind;
        const char* what;
    };
    static constexpr Section sections[] = {
        {"stocks", VarKind::stock, "stock"},        {"flows", VarKind::flow, "flow"},
        {"aux", VarKind::aux, "auxiliary"},         {"auxiliaries", VarKind::aux, "auxiliary"},
        {"constants", VarKind::constant, "constant"}, {"lookups", VarKind::lookup, "lookup"},
    };
    for (const auto& sec : sections) {
        YAML::Node node = get(root, sec.key);
        if (!node.IsDefined() || node.IsNull()) continue;
        if (node.IsSequence() && node.size() == 0) continue;  // `flows: []`
        if (!node.IsMap()) {
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(get_key(root, sec.key)), "",
                     std::string("'") + sec.key + "' must be a mapping of " + sec.what + " names to definitions, found " +
                         type_name(node));
            continue;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            Variable* v = declare(it->first, sec.kind, sec.what);
            if (!v) continue;
            switch (sec.kind) {
                case VarKind::stock: read_stock(*v, it->first, it->second); break;
                case VarKind::flow: read_flow_or_aux(*v, it->first, it->second, true); break;
                case VarKind::aux: read_flow_or_aux(*v, it->first, it->second, false); break;
                case VarKind::constant: read_constant(*v, it->first, it->second); break;
                case VarKind::lookup: read_lookup(*v, it->first, it->second); break;
            }
        }
    }

    if (YAML::Node lv = get(root, "levers"); lv.IsDefined() && !lv.IsNull()) {
        if (!lv.IsMap()) {
            if (!(lv.IsSequence() && lv.size() == 0))
                r_.error(sim::Code::E_YAML_TYPE, r_.loc(get_key(root, "levers")), "",
                         std::string("'levers' must be a mapping of lever names to definitions, found ") + type_name(lv));
        } else {
            for (auto it = lv.begin(); it != lv.end(); ++it) read_lever(it->first, it->second);
        }
    }

    // After every variable and lever, which they name.
    read_experiment(r_, root, m_, true);
    finish_experiment(m_, r_.diags());
}

Variable* ModelReader::declare(const YAML::Node& key, VarKind kind, const char* section) {
    const SourceLoc kl = r_.loc(key);
    if (!key.IsScalar() || canonical_name(key.Scalar()).empty()) {
        r_.error(sim::Code::E_BAD_NAME, kl, "",
                 std::string("a ") + section + " needs a name: write 'name: definition'");
        return nullptr;
    }
    const std::string& name = key.Scalar();
    auto [pos, fresh] = declared_.emplace(canonical_name(name), kl);
    if (!fresh) {
        const Variable* first = m_.find(name);
        r_.error(sim::Code::E_DUPLICATE, kl, name,
                 "'" + name + "' is already defined" +
                     (first ? std::string(" as a ") + to_string(first->kind) : std::string()) + " at line " +
                     std::to_string(pos->second.line) +
                     " (names ignore case, spaces and underscores); rename or remove one of them");
        return nullptr;
    }
    Variable v;
    v.kind = kind;
    v.name = name;
    v.loc = kl;
    m_.variables.push_back(std::move(v));
    return &m_.variables.back();
}

std::optional<Equation> ModelReader::equation(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                              std::string_view what) {
    if (!val.IsScalar()) {
        if (!val.IsNull())
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), var,
                     std::string(what) + " must be an equation (text), found " + type_name(val));
        return std::nullopt;
    }
    Equation e;
    e.text = val.Scalar();
    e.loc = r_.text_loc(val);
    (void)key;
    if (e.empty()) return std::nullopt;
    return e;
}

std::vector<std::string> ModelReader::names(const std::string& var, const YAML::Node& key, const YAML::Node& val,
                                            std::string_view what) {
    std::vector<std::string> out;
    if (val.IsNull()) return out;
    if (val.IsScalar()) {  // `inflows: births` for a single flow
        out.push_back(val.Scalar());
        return out;
    }
    if (!val.IsSequence()) {
        r_.error(sim::Code::E_YAML_TYPE, r_.loc(key), var, std::string(what) + " must be a list of flow names, found " + type_name(val));
        return out;
    }
    for (const auto& item : val) {
        if (item.IsScalar() && !canonical_name(item.Scalar()).empty())
            out.push_back(item.Scalar());
        else
            r_.error(sim::Code::E_YAML_TYPE, item.IsNull() ? r_.loc(key) : r_.loc(item), var,
                     std::string(what) + " must list flow names, found " + type_name(item));
    }
    return out;
}

void ModelReader::text_field(const YAML::Node& map, const char* key, const std::string& var, std::string& dst) {
    YAML::Node v = get(map, key);
    if (!v.IsDefined() || v.IsNull()) return;
    if (auto s = r_.scalar(v, r_.loc(get_key(map, key)), var, std::string("'") + key + "'")) dst = *s;
}

void ModelReader::bool_field(const YAML::Node& map, const char* key, const std::string& var, bool& dst) {
    YAML::Node v = get(map, key);
    if (!v.IsDefined()) return;
    if (auto b = r_.boolean(v, r_.loc(get_key(map, key)), var, std::string("'") + key + "'")) dst = *b;
}

void ModelReader::read_stock(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (val.IsScalar()) {  // short form: `name: initial value`
        if (auto e = equation(v.name, key, val, "the initial value")) v.equation = *e;
        return;
    }
    if (!val.IsMap()) {
        if (val.IsNull())
            r_.error(sim::Code::E_MISSING_INITIAL, kl, v.name,
                     "stock '" + v.name + "' has no definition; give at least 'initial: <value>'");
        else
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), v.name,
                     std::string("a stock must be a mapping (initial, inflows, outflows, ...), found ") + type_name(val));
        return;
    }
    r_.check_keys(val, {"initial", "init", "inflows", "outflows", "non_negative", "units", "doc"}, v.name,
                  "the stock '" + v.name + "'");
    YAML::Node init = get(val, "initial");
    YAML::Node init_key = get_key(val, "initial");
    if (YAML::Node alt = get(val, "init"); alt.IsDefined()) {
        if (init.IsDefined())
            r_.error(sim::Code::E_DUPLICATE, r_.loc(get_key(val, "init")), v.name,
                     "both 'initial' and 'init' are given; keep one");
        else {
            init = alt;
            init_key = get_key(val, "init");
        }
    }
    if (init.IsDefined()) {
        if (auto e = equation(v.name, init_key, init, "the initial value")) v.equation = *e;
        else if (init.IsNull() || init.IsScalar())
            r_.error(sim::Code::E_MISSING_INITIAL, r_.loc(init_key), v.name,
                     "stock '" + v.name + "' has an empty initial value; write e.g. 'initial: 0'");
    } else {
        r_.error(sim::Code::E_MISSING_INITIAL, kl, v.name,
                 "stock '" + v.name + "' has no initial value; add 'initial: <value or equation>'");
    }
    if (YAML::Node f = get(val, "inflows"); f.IsDefined()) v.inflows = names(v.name, get_key(val, "inflows"), f, "inflows");
    if (YAML::Node f = get(val, "outflows"); f.IsDefined())
        v.outflows = names(v.name, get_key(val, "outflows"), f, "outflows");
    bool_field(val, "non_negative", v.name, v.non_negative);
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
}

void ModelReader::read_flow_or_aux(Variable& v, const YAML::Node& key, const YAML::Node& val, bool flow) {
    const char* what = flow ? "flow" : "auxiliary";
    sim::Code code = sim::Code::E_MISSING_EQUATION;
    if (val.IsScalar()) {  // short form: `name: equation`
        if (auto e = equation(v.name, key, val, "the equation")) v.equation = *e;
        else r_.error(code, r_.loc(key), v.name, std::string(what) + " '" + v.name + "' has an empty equation");
        return;
    }
    if (!val.IsMap()) {
        if (val.IsNull())
            r_.error(code, r_.loc(key), v.name,
                     std::string(what) + " '" + v.name + "' has no equation; write 'name: <equation>'");
        else
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), v.name,
                     std::string("a ") + what + " must be an equation or a mapping (equation, units, ...), found " +
                         type_name(val));
        return;
    }
    if (flow)
        r_.check_keys(val, {"equation", "non_negative", "units", "doc", "lookup"}, v.name,
                      "the flow '" + v.name + "'");
    else
        r_.check_keys(val, {"equation", "units", "doc", "lookup"}, v.name, "the auxiliary '" + v.name + "'");
    YAML::Node eq = get(val, "equation");
    if (eq.IsDefined()) {
        if (auto e = equation(v.name, get_key(val, "equation"), eq, "the equation")) v.equation = *e;
        else if (eq.IsNull() || eq.IsScalar())
            r_.error(code, r_.loc(get_key(val, "equation")), v.name,
                     std::string(what) + " '" + v.name + "' has an empty equation");
    } else {
        r_.error(code, r_.loc(key), v.name,
                 std::string(what) + " '" + v.name + "' has no equation; add 'equation: <expression>'");
    }
    if (YAML::Node g = get(val, "lookup"); g.IsDefined()) v.gf = read_gf(v.name, get_key(val, "lookup"), g);
    if (flow) bool_field(val, "non_negative", v.name, v.non_negative);
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
}

void ModelReader::read_constant(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    // A constant is a number, or (quoted, or under `equation:`) a constant
    // expression; an unquoted non-number is a typo far more often than an
    // intended expression, so it is an error with a hint.
    auto value = [&](const YAML::Node& n, const YAML::Node& k) {
        if (n.IsScalar() && (!is_plain(n) || parse_number(n.Scalar()))) {
            if (auto e = equation(v.name, k, n, "the value")) v.equation = *e;
            else r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), v.name, "constant '" + v.name + "' has an empty value");
            return;
        }
        if (n.IsScalar())
            r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(n), v.name,
                     "constant '" + v.name + "' has value '" + n.Scalar() +
                         "', which is not a number; write a number, or quote it (\"...\") for a constant expression");
        else
            r_.error(sim::Code::E_BAD_NUMBER, n.IsNull() ? r_.loc(k) : r_.loc(n), v.name,
                     "constant '" + v.name + "' must be a number, found " + type_name(n));
    };
    if (!val.IsMap()) {
        value(val, key);
        return;
    }
    r_.check_keys(val, {"value", "equation", "units", "doc"}, v.name, "the constant '" + v.name + "'");
    YAML::Node n = get(val, "value");
    YAML::Node eq = get(val, "equation");
    if (n.IsDefined() && eq.IsDefined()) {
        r_.error(sim::Code::E_DUPLICATE, r_.loc(get_key(val, "equation")), v.name, "give either 'value' or 'equation', not both");
    } else if (n.IsDefined()) {
        value(n, get_key(val, "value"));
    } else if (eq.IsDefined()) {
        if (auto e = equation(v.name, get_key(val, "equation"), eq, "the equation")) v.equation = *e;
        else if (eq.IsNull() || eq.IsScalar())
            r_.error(sim::Code::E_BAD_NUMBER, r_.loc(get_key(val, "equation")), v.name, "constant '" + v.name + "' has an empty equation");
    } else {
        r_.error(sim::Code::E_BAD_NUMBER, r_.loc(key), v.name, "constant '" + v.name + "' has no value; add 'value: <number>'");
    }
    text_field(val, "units", v.name, v.units);
    text_field(val, "doc", v.name, v.doc);
}

std::optional<GraphicalFunction> ModelReader::read_gf(const std::string& var, const YAML::Node& key,
                                                      const YAML::Node& val) {
    GraphicalFunction gf;
    gf.loc = r_.loc(key);
    std::vector<SourceLoc> at;  // position of each point, for order errors
    bool ok = true;
    auto read_points = [&](const YAML::Node& pts, const YAML::Node& pkey) {
        if (!pts.IsSequence()) {
            if (!pts.IsNull())
                r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(pts), var,
                         std::string("'points' must be a list of [x, y] pairs, found ") + type_name(pts));
            ok = pts.IsNull() && ok;
            (void)pkey;
            return;
        }
        for (const auto& p : pts) {
            if (!p.IsSequence() || p.size() != 2) {
                r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(p), var, "each lookup point must be a pair [x, y]");
                ok = false;
                continue;
            }
            auto x = r_.number(p[0], r_.loc(p), var, "a lookup x value");
            auto y = r_.number(p[1], r_.loc(p), var, "a lookup y value");
            if (!x || !y) { ok = false; continue; }
            gf.x.push_back(*x);
            gf.y.push_back(*y);
            at.push_back(r_.loc(p));
        }
    };
    auto read_column = [&](const YAML::Node& col, const char* name, std::vector<double>& dst) {
        if (!col.IsSequence()) {
            r_.error(sim::Code::E_LOOKUP_FORM, col.IsNull() ? r_.loc(key) : r_.loc(col), var,
                     std::string("'") + name + "' must be a list of numbers, found " + type_name(col));
            ok = false;
            return;
        }
        for (const auto& c : col) {
            auto x = r_.number(c, r_.loc(col), var, std::string("a lookup ") + name + " value");
            if (!x) { ok = false; continue; }
            dst.push_back(*x);
            if (name[0] == 'x') at.push_back(r_.loc(c));
        }
    };

    if (val.IsSequence()) {  // short form: the points themselves
        read_points(val, key);
    } else if (val.IsMap()) {
        r_.check_keys(val, {"points", "x", "y", "kind", "units", "doc"}, var, "the lookup '" + var + "'");
        YAML::Node pts = get(val, "points"), xs = get(val, "x"), ys = get(val, "y");
        if (pts.IsDefined() && (xs.IsDefined() || ys.IsDefined())) {
            r_.error(sim::Code::E_LOOKUP_FORM, r_.loc(get_key(val, xs.IsDefined() ? "x" : "y")), var,
                     "give the lookup either as 'points' or as 'x' and 'y', not both");
            ok = false;
        } else if (pts.IsDefined()) {
            read_points(pts, get_key(val, "points"));
        } else if (xs.IsDefined() || ys.IsDefined()) {
            if (!xs.IsDefined() || !ys.IsDefined()) {
                r_.error(sim::Code::E_LOOKUP_SIZE, r_.loc(get_key(val, xs.IsDefined() ? "x" : "y")), var,
                         std::string("the lookup has '") + (xs.IsDefined() ? "x" : "y") + "' but no '" +
                             (xs.IsDefined() ? "y" : "x") + "'; give both, of the same length");
                ok = false;
            } else {
                read_column(xs, "x", gf.x);
                read_column(ys, "y", gf.y);
                if (ok && gf.x.size() != gf.y.size()) {
                    r_.error(sim::Code::E_LOOKUP_SIZE, r_.loc(get_key(val, "y")), var,
                             "the lookup has " + std::to_string(gf.x.size()) + " x values but " +
                                 std::to_string(gf.y.size()) + " y values; they must pair up");
                    ok = false;
                }
            }
        }
        if (YAML::Node k = get(val, "kind"); k.IsDefined()) {
            if (auto s = r_.scalar(k, r_.loc(get_key(val, "kind")), var, "'kind'")) {
                const std::string l = canonical_name(*s);
                if (l == "continuous" || l == "interpolate") gf.kind = LookupKind::continuous;
                else if (l == "extrapolate") gf.kind = LookupKind::extrapolate;
                else if (l == "discrete") gf.kind = LookupKind::discrete;
                else {
                    r_.error(sim::Code::E_LOOKUP_KIND, r_.text_loc(k), var,
                             "unknown lookup kind '" + *s + "'; use continuous, extrapolate or discrete" +
                                 did_you_mean(*s, {"continuous", "extrapolate", "discrete"}));
                    ok = false;
                }
            }
        }
    } else {
        r_.error(sim::Code::E_LOOKUP_EMPTY, val.IsNull() ? r_.loc(key) : r_.loc(val), var,
                 "lookup '" + var + "' has no points; give 'points: [[x1, y1], [x2, y2], ...]'");
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
    if (gf.x.empty()) {
        r_.error(sim::Code::E_LOOKUP_EMPTY, gf.loc, var,
                 "lookup '" + var + "' has no points; give 'points: [[x1, y1], [x2, y2], ...]'");
        return std::nullopt;
    }
    for (std::size_t i = 1; i < gf.x.size(); ++i) {
        if (!(gf.x[i] > gf.x[i - 1])) {
            std::ostringstream o;
            o << "lookup x values must be strictly increasing, but point " << i + 1 << " has x = " << gf.x[i]
              << " after x = " << gf.x[i - 1] << "; sort the points and remove repeated x";
            r_.error(sim::Code::E_LOOKUP_ORDER, i < at.size() ? at[i] : gf.loc, var, o.str());
            return std::nullopt;
        }
    }
    return gf;
}

void ModelReader::read_lookup(Variable& v, const YAML::Node& key, const YAML::Node& val) {
    v.gf = read_gf(v.name, key, val);
    if (val.IsMap()) {
        text_field(val, "units", v.name, v.units);
        text_field(val, "doc", v.name, v.doc);
    }
}

void ModelReader::read_lever(const YAML::Node& key, const YAML::Node& val) {
    const SourceLoc kl = r_.loc(key);
    if (!key.IsScalar() || canonical_name(key.Scalar()).empty()) {
        r_.error(sim::Code::E_BAD_NAME, kl, "", "a lever needs a name: write 'name: {title: ..., ...}'");
        return;
    }
    const std::string& name = key.Scalar();
    if (m_.find_lever(name)) {
        r_.error(sim::Code::E_DUPLICATE, kl, name, "lever '" + name + "' is defined twice; rename or remove one of them");
        return;
    }
    Lever l;
    l.name = name;
    l.loc = kl;
    l.start = m_.specs.start;  // default: active from the start of the run
    if (!val.IsMap()) {
        if (!val.IsNull())
            r_.error(sim::Code::E_YAML_TYPE, r_.loc(val), name,
                     std::string("a lever must be a mapping (title, start, phase_in, ...), found ") + type_name(val));
        m_.levers.push_back(std::move(l));
        return;
    }
    r_.check_keys(val,
                  {"title", "section", "changes", "description", "doc", "start", "phase_in", "intensity", "on", "cost",
                   "cost_units"},
                  name, "the lever '" + name + "'");
    text_field(val, "title", name, l.title);
    text_field(val, "section", name, l.section);
    text_field(val, "doc", name, l.description);
    text_field(val, "description", name, l.description);
    text_field(val, "changes", name, l.description);
    text_field(val, "cost_units", name, l.cost_units);
    bool_field(val, "on", name, l.on);
    auto num = [&](const char* k, double& dst) {
        YAML::Node n = get(val, k);
        if (!n.IsDefined()) return;
        if (auto x = r_.number(n, r_.loc(get_key(val, k)), name, std::string("lever ") + k)) dst = *x;
    };
    num("start", l.start);
    num("phase_in", l.phase_in);
    if (YAML::Node n = get(val, "intensity"); n.IsDefined()) {
        if (auto x = r_.number(n, r_.loc(get_key(val, "intensity")), name, "lever intensity")) {
            if (*x < 0 || *x > 1)
                r_.error(sim::Code::E_LEVER_INTENSITY, r_.text_loc(n), name,
                         "lever intensity must be between 0 and 1, found " + n.Scalar());
            else
                l.intensity = *x;
        }
    }
    if (l.phase_in < 0)
        r_.error(sim::Code::E_BAD_NUMBER, r_.text_loc(get(val, "phase_in")), name,
                 "lever phase_in must be 0 (a step) or a positive duration");
    if (YAML::Node c = get(val, "cost"); c.IsDefined() && !c.IsNull()) {
        if (auto e = equation(name, get_key(val, "cost"), c, "the lever cost")) l.cost = *e;
    }
    m_.levers.push_back(std::move(l));
}

}  // namespace

ModelSpec parse_yaml(std::string_view text, const std::string& filename, Diagnostics& diags) {
    ModelSpec m;
    m.file = filename;
    auto root = parse_document(text, filename, diags, "model");
    if (!root) return m;
    Reader r(filename, text, diags);
    try {
        ModelReader(r, m).read(*root);
    } catch (const YAML::Exception& e) {  // defensive: every access above is type-checked
        diags.error(sim::Code::E_YAML_SYNTAX, {filename, e.mark.line + 1, e.mark.column + 1}, "",
                    std::string("YAML error: ") + e.what());
    }
    return m;
}

ModelSpec load_yaml(const std::string& path, Diagnostics& diags) {
    std::string text, err;
    if (!read_file(path, text, err)) {
        diags.error(sim::Code::E_IO, {path, 0, 0}, "", err + "; check the path");
        ModelSpec m;
        m.file = path;
        return m;
    }
    return parse_yaml(text, path, diags);
}

}  // namespace sim
