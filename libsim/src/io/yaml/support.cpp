// YAML helpers shared by the model reader (model.cpp) and the scenario
// loader (experiment/scenario.cpp): positions, strict keys, typed scalars,
// simulation specs.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "io/yaml/support.hpp"
#include "sim/input.hpp"
#include "sim/model.hpp"
#include "util/text.hpp"

namespace sim::yaml_detail {

Reader::Reader(std::string file, std::string_view text, Diagnostics& diags)
    : file_(std::move(file)), text_(text), diags_(&diags) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

int Reader::char_col(int line, int byte_col) const {
    if (line < 1 || byte_col < 1 || static_cast<std::size_t>(line) > line_starts_.size()) return byte_col;
    const std::size_t ls = line_starts_[static_cast<std::size_t>(line - 1)];
    return columns_.column(text_, ls, ls + static_cast<std::size_t>(byte_col - 1));
}

SourceLoc Reader::at(const YAML::Mark& m) const {
    if (m.line < 0 || m.column < 0) return SourceLoc{file_, 0, 0};
    return SourceLoc{file_, m.line + 1, char_col(m.line + 1, m.column + 1)};
}

SourceLoc mark_loc(std::string_view text, const std::string& file, const YAML::Mark& m) {
    if (m.line < 0 || m.column < 0) return SourceLoc{file, 0, 0};
    std::size_t ls = 0;
    for (int line = 0; line < m.line && ls < text.size(); ++line) {
        const std::size_t nl = text.find('\n', ls);
        if (nl == std::string_view::npos) break;
        ls = nl + 1;
    }
    text::Columns c;
    return SourceLoc{file, m.line + 1, c.column(text, ls, ls + static_cast<std::size_t>(m.column))};
}

SourceLoc Reader::loc(const YAML::Node& n) const {
    if (!n.IsDefined()) return SourceLoc{file_, 0, 0};
    return at(n.Mark());
}

SourceLoc Reader::text_loc(const YAML::Node& n) const {
    if (!n.IsDefined() || !n.IsScalar()) return loc(n);
    const YAML::Mark m = n.Mark();
    // yaml-cpp's marks count bytes: the node's first byte is found from
    // them, and the column converted to characters at the end.
    SourceLoc l{file_, m.line + 1, m.column + 1};
    if (m.line < 0 || m.column < 0 || static_cast<std::size_t>(l.line) > line_starts_.size()) return loc(n);
    const std::size_t ls = line_starts_[static_cast<std::size_t>(l.line - 1)];
    const std::size_t p = ls + static_cast<std::size_t>(l.col - 1);
    if (p >= text_.size()) return loc(n);
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
            l.col = static_cast<int>(i - b) + 1;  // blanks only: bytes = characters
            return l;
        }
    }
    l.col = char_col(l.line, l.col);
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
    const auto v = text::parse_number(n.Scalar());
    if (v) return v.value;
    if (v.status == text::NumberStatus::out_of_range)
        error(sim::Code::E_BAD_NUMBER, text_loc(n), variable,
              std::string(what) + " '" + n.Scalar() + "' " + text::describe(v.status));
    else
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

std::optional<std::pair<int, int>> yaml_too_deep(std::string_view text, std::size_t max_depth) {
    // An upper bound of the nesting yaml-cpp will recurse through, without
    // parsing: per line, the block levels open (the indentation stack) plus
    // the "- " and "? " entries that open on the line, plus the flow
    // collections ([ {) open, outside quotes and comments. Lines inside a
    // block scalar (| or >) are text, not structure.
    std::vector<std::size_t> indents;
    std::size_t flow = 0;
    int line = 0;
    std::size_t pos = 0;
    std::optional<std::size_t> block_scalar;  // indentation of the line that opened it
    char quote = 0;                           // an open quoted scalar (it may span lines)
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view l = text.substr(pos, eol - pos);
        ++line;
        std::size_t indent = 0;
        while (indent < l.size() && l[indent] == ' ') ++indent;
        const bool blank = indent == l.size() || l[indent] == '#' || l[indent] == '\r';
        if (block_scalar) {
            if (blank || indent > *block_scalar) {
                pos = eol + 1;
                continue;
            }
            block_scalar.reset();
        }
        if (blank && !quote) {
            pos = eol + 1;
            continue;
        }
        std::size_t i = indent;
        if (flow == 0 && !quote) {
            while (!indents.empty() && indents.back() >= indent) indents.pop_back();
            indents.push_back(indent);
        }
        std::size_t inline_levels = 0;
        bool at_entry_start = true;
        for (; i < l.size(); ++i) {
            const char c = l[i];
            if (quote) {
                if (c == quote) {
                    if (quote == '\'' && i + 1 < l.size() && l[i + 1] == '\'') ++i;
                    else quote = 0;
                } else if (c == '\\' && quote == '"') {
                    ++i;
                }
                continue;
            }
            if (c == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) break;
            if (c == '"' || c == '\'') {
                quote = c;
                at_entry_start = false;
                continue;
            }
            if (c == '[' || c == '{') {
                ++flow;
            } else if (c == ']' || c == '}') {
                if (flow) --flow;
            } else if (flow == 0 && at_entry_start && (c == '-' || c == '?') &&
                       (i + 1 == l.size() || l[i + 1] == ' ')) {
                ++inline_levels;
                continue;
            } else if (c != ' ') {
                at_entry_start = false;
            }
            if (c == ':' && flow == 0 && (i + 1 == l.size() || l[i + 1] == ' ')) ++inline_levels;
            if (indents.size() + inline_levels + flow > max_depth)
                return std::make_pair(line, static_cast<int>(i) + 1);
        }
        if (indents.size() + inline_levels + flow > max_depth) return std::make_pair(line, static_cast<int>(indent) + 1);
        // A block scalar starts after "key: |" or "- >-" and the like.
        std::string_view t = text::trim(l);
        if (!quote && flow == 0 && !t.empty()) {
            std::size_t k = t.size();
            while (k > 0 && (t[k - 1] == '-' || t[k - 1] == '+' || (t[k - 1] >= '1' && t[k - 1] <= '9'))) --k;
            if (k > 0 && (t[k - 1] == '|' || t[k - 1] == '>') && (k == 1 || t[k - 2] == ' ')) block_scalar = indent;
        }
        if (eol == text.size()) break;
        pos = eol + 1;
    }
    return std::nullopt;
}

namespace {

// Where a second YAML document starts in `text`, if there is one. Not
// YAML::LoadAll: yaml-cpp 0.7's parser can return the same empty document
// forever on some malformed input (",}" found by fuzz_yaml), and LoadAll
// loops on it; here only two documents are asked for, and a "second" one
// that starts where the first did is that loop, not a document.
// `last`: where the last document started; `content`: its first node.
class DocumentStarts : public YAML::EventHandler {
public:
    std::optional<YAML::Mark> last, content;
    void OnDocumentStart(const YAML::Mark& m) override {
        last = m;
        content.reset();
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& m) {
        if (!content) content = m;
    }
};

std::optional<YAML::Mark> second_document(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    if (!parser.HandleNextDocument(starts) || !starts.last) return std::nullopt;
    const int first = starts.last->pos;
    starts.last.reset();
    if (!parser.HandleNextDocument(starts) || !starts.last || starts.last->pos <= first) return std::nullopt;
    // Its first node (an empty document after '---': the separator itself).
    return starts.content && starts.content->pos >= 0 ? starts.content : starts.last;
}

// Whether a line starts with "---" or "...": only a document marker there
// can begin a second document, so without one the second parse (as costly as
// the first) is not needed. Errs on the side of yes.
bool has_document_marker(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        if (text.compare(pos, 3, "---") == 0 || text.compare(pos, 3, "...") == 0) return true;
        pos = text.find('\n', pos);
        if (pos == std::string_view::npos) break;
        ++pos;
    }
    return false;
}

// Anything but blank lines, comments and document markers.
bool has_content(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view t = text::trim(text.substr(pos, eol - pos));
        if (!t.empty() && t[0] != '#' && t != "---" && t != "..." && t != "null" && t != "~") return true;
        pos = eol + 1;
    }
    return false;
}

}  // namespace

namespace {
// The document a parse with `keep` made last on this thread (is_scenario_text
// asking whether a file is a scenario), for the parse of the same text that
// follows it (the model or scenario reader): taken by the next parse,
// whichever text that is, so it never outlives it.
struct KeptDocument {
    std::string text;
    YAML::Node root;
};
thread_local std::optional<KeptDocument> kept_document;
thread_local std::size_t yaml_loads = 0;
}  // namespace

std::size_t documents_parsed() { return yaml_loads; }

std::optional<YAML::Node> parse_document(std::string_view text, const std::string& file,
                                         Diagnostics& diags, std::string_view what, const Limits& limits, bool keep) {
    std::optional<KeptDocument> kept = std::move(kept_document);
    kept_document.reset();
    if (auto bad = invalid_utf8(text); bad != std::string_view::npos) {
        // Callers decode first (decode_text); this is the last line of defence.
        diags.error(sim::Code::E_ENCODING, {file, 0, 0}, "",
                    "the " + std::string(what) + " text is not valid UTF-8 (byte " + std::to_string(bad) + ")");
        return std::nullopt;
    }
    if (auto deep = yaml_too_deep(text, limits.depth)) {
        diags.error(sim::Code::E_LIMIT, {file, deep->first, deep->second}, "",
                    "the YAML is nested more than " + std::to_string(limits.depth) +
                        " levels deep here" + limit_hint(limits.depth, "--max-depth"));
        return std::nullopt;
    }
    YAML::Node root;
    std::optional<YAML::Mark> second;
    if (kept && kept->text == text) {
        root = std::move(kept->root);  // parsed without a finding (no second document either)
    } else try {
        const std::string buffer(text);
        ++yaml_loads;
        root = YAML::Load(buffer);
        if (has_document_marker(buffer)) second = second_document(buffer);
    } catch (const YAML::ParserException& e) {
        diags.error(sim::Code::E_YAML_SYNTAX, mark_loc(text, file, e.mark), "",
                    "YAML syntax error: " + e.msg + "; check indentation, colons and brackets here");
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags.error(sim::Code::E_YAML_SYNTAX, mark_loc(text, file, e.mark), "",
                    std::string("YAML error: ") + e.what());
        return std::nullopt;
    }
    if (second) {
        // A second document would be ignored: nothing in it could take effect.
        const YAML::Mark& m = *second;
        diags.error(sim::Code::E_YAML_SYNTAX, {file, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0}, "",
                    "a second YAML document (after '---' or '...') in the " + std::string(what) +
                        " file; a " + std::string(what) + " file holds one document: remove the separator "
                        "or put the second document in a file of its own");
        return std::nullopt;
    }
    if ((!root.IsDefined() || root.IsNull()) && has_content(text)) {
        // yaml-cpp reads some malformed text (a stray ',' or '}' at the top) as nothing.
        diags.error(sim::Code::E_YAML_SYNTAX, {file, 1, 1}, "",
                    "YAML syntax error: the " + std::string(what) +
                        " file is not readable as YAML (e.g. a stray ',' or '}' at the top level); expected a "
                        "mapping such as 'name: ...'");
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
    if (keep) kept_document = KeptDocument{std::string(text), root};
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
