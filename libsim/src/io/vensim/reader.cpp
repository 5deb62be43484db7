// parse_vensim / load_vensim: a Vensim .mdl file -> ModelSpec.
//
// 0. The bytes are decoded (sim::decode_text: UTF-8 checked, as for YAML
//    and XMILE).
// 1. The text is split into records (`lhs op rhs ~ units ~ comment |`) up to
//    the sketch section; `:MACRO:` ... `:END OF MACRO:` collect their own.
// 2. Each left-hand side is read (name, subscripts, :EXCEPT:); each right
//    side is parsed once in the Vensim dialect, or read as a lookup table,
//    a list of numbers or external data.
//    What they can inflate (elements of ranges and arrays, macro chains)
//    is counted against sim::Limits before anything is expanded.
// 3. Dimensions are resolved (subranges, numbered ranges, mappings,
//    equivalences), then every variable is expanded element by element by a
//    tree pass (expand.cpp): subscripts bound, array functions unrolled,
//    Vensim functions mapped onto the builtin table, macros instantiated.
//    Right-hand sides: reader_rhs.cpp; the limit checks: reader_limits.cpp;
//    the Reader itself: reader_detail.hpp.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "io/model_size.hpp"
#include "io/vensim/expand.hpp"
#include "io/vensim/reader_detail.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "lang/names.hpp"
#include "lang/tree.hpp"
#include "util/text.hpp"

namespace sim {

namespace vensim::detail {

void Reader::run() {
    split();
    for (const auto& r : records_) record(r);
    // Limits (--max-elements) checked on counts before expand() makes a
    // single element; the variables after expansion (--max-variables).
    if (!within_limits()) return;
    Parsed m;
    m.dims = std::move(dims_);
    m.equivalent = std::move(equivalent_);
    m.defs = std::move(defs_);
    m.macros = std::move(macros_);
    m.file = t_.file();
    expand(m, spec_, diags_, limits_);
    check_model_size(spec_, limits_, diags_);
}

// --- 1. records
void Reader::split() {
    const std::size_t n = s_.size();
    std::size_t p = 0;
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) p = 3;
    p = skip_ws(s_, p, n);
    if (starts_with_ci(s_, p, "{UTF-8}")) p += 7;
    int macro = -1;
    while (true) {
        p = skip_ws(s_, p, n);
        if (p >= n) break;
        if (s_[p] == '\\') {  // the sketch (\\\---///, some files \\---///): ignored
            std::size_t q = p;
            while (q < n && s_[q] == '\\') ++q;
            if (s_.compare(q, 6, "---///") == 0) break;
        }
        if (starts_with_ci(s_, p, ":MACRO:")) {
            if (macro >= 0) error(sim::Code::E_VENSIM_MACRO, p, "", "a macro inside a macro: close the first with :END OF MACRO:");
            macro = macro_header(p + 7);
            p = s_.find('\n', p);
            if (p == std::string::npos) p = n;
            continue;
        }
        if (starts_with_ci(s_, p, ":END OF MACRO:")) {
            if (macro < 0) error(sim::Code::E_VENSIM_MACRO, p, "", ":END OF MACRO: without :MACRO:");
            macro = -1;
            p += 14;
            continue;
        }
        // One record: fields separated by '~' up to '|', quotes respected.
        Record r{p, std::string::npos, {}, {}, macro};
        std::vector<std::size_t> tildes;
        std::size_t q = p;
        bool closed = false;
        while (q < n) {
            char c = s_[q];
            if (c == '"' && tildes.empty()) {
                std::size_t e = past_quoted(s_, q, n);
                if (e == std::string_view::npos) break;
                q = e;
                continue;
            }
            if (c == '~') tildes.push_back(q);
            if (c == '\\' && s_.compare(q, 9, "\\\\\\---///") == 0) break;  // the sketch: never inside a record
            if (c == '|') {
                closed = true;
                break;
            }
            ++q;
        }
        if (!closed) {
            error(sim::Code::E_VENSIM_SYNTAX, p, "",
                  "this record does not end with '|' (a Vensim record is `name = equation ~ units ~ comment |`)");
            break;
        }
        r.eq_end = tildes.empty() ? q : tildes[0];
        if (tildes.size() >= 1) {
            std::size_t ue = tildes.size() >= 2 ? tildes[1] : q;
            r.units = trim(std::string_view(s_).substr(tildes[0] + 1, ue - tildes[0] - 1));
            // Units may carry a range: "Minutes [0,?]".
            if (auto b = r.units.find('['); b != std::string::npos) r.units = trim(r.units.substr(0, b));
        }
        if (tildes.size() >= 2) {
            std::size_t de = tildes.size() >= 3 ? tildes[2] : q;
            r.doc = trim(std::string_view(s_).substr(tildes[1] + 1, de - tildes[1] - 1));
        }
        records_.push_back(std::move(r));
        p = q + 1;
    }
    if (macro >= 0)
        diags_.error(sim::Code::E_VENSIM_MACRO, macros_[static_cast<std::size_t>(macro)].loc, "",
                     "macro '" + macros_[static_cast<std::size_t>(macro)].name + "' has no :END OF MACRO:");
}

// `NAME(in1, in2 : out1)`: returns the macro's index.
int Reader::macro_header(std::size_t p) {
    std::size_t eol = s_.find('\n', p);
    if (eol == std::string::npos) eol = s_.size();
    p = skip_ws(s_, p, eol);
    std::size_t open = s_.find('(', p);
    Macro m;
    m.loc = t_.at(p);
    if (open == std::string::npos || open > eol) {
        error(sim::Code::E_VENSIM_MACRO, p, "", "a macro header is `:MACRO: NAME(input, ...)`");
        m.name = trim(std::string_view(s_).substr(p, eol - p));
    } else {
        m.name = trim(std::string_view(s_).substr(p, open - p));
        std::size_t close = s_.find(')', open);
        if (close == std::string::npos || close > eol) close = eol;
        std::string args(s_.substr(open + 1, close - open - 1));
        if (auto colon = args.find(':'); colon != std::string::npos) {
            error(sim::Code::E_VENSIM_UNSUPPORTED, open, m.name,
                  "macro outputs after ':' (more than one output) are not supported");
            args = args.substr(0, colon);
        }
        std::stringstream ss(args);
        std::string a;
        while (std::getline(ss, a, ','))
            if (!trim(a).empty()) m.inputs.push_back(canonical_name(trim(a)));
    }
    m.canonical = canonical_name(m.name);
    macros_.push_back(std::move(m));
    return static_cast<int>(macros_.size()) - 1;
}

// --- 2. one record
void Reader::record(const Record& r) {
    std::size_t p = skip_ws(s_, r.begin, r.eq_end);
    const std::size_t e = r.eq_end;
    if (p >= e) return;  // an empty record
    if (s_[p] == '*') return;  // a group header (****** .Name ******)
    if (starts_with_ci(s_, p, ":GRAPH") || starts_with_ci(s_, p, ":TEST INPUT") ||
        starts_with_ci(s_, p, ":THE CONDITION") || starts_with_ci(s_, p, ":IMPLIES")) {
        diags_.warning(sim::Code::W_VENSIM_IGNORED, t_.at(p), "", "a Vensim reality check or graph definition: ignored");
        return;
    }
    // The name.
    Def d;
    const std::size_t name_at = p;
    if (s_[p] == '"') {
        std::size_t q = past_quoted(s_, p, e);
        if (q == std::string_view::npos) {
            error(sim::Code::E_VENSIM_SYNTAX, p, "", "unterminated quoted name: add the closing '\"'");
            return;
        }
        // Unescaped as the expression lexer does (\" and \\), so that
        // the definition and its references have one canonical name.
        for (std::size_t i = p + 1; i + 1 < q; ++i) {
            if (s_[i] == '\\' && i + 2 < q && (s_[i + 1] == '"' || s_[i + 1] == '\\')) ++i;
            d.name += s_[i];
        }
        p = q;
    } else {
        std::size_t q = p;
        while (q < e && !std::strchr("[=:(<~", s_[q])) ++q;
        d.name = trim(std::string_view(s_).substr(p, q - p));
        // Names with line breaks (continued lines) read as one run of blanks.
        p = q;
    }
    d.canonical = canonical_name(d.name);
    d.loc = t_.at(name_at);
    d.units = r.units;
    d.doc = r.doc;
    if (d.canonical.empty()) {
        error(sim::Code::E_VENSIM_SYNTAX, name_at, "", "expected a variable name at the start of the record");
        return;
    }
    p = skip_ws(s_, p, e);
    if (p < e && s_[p] == '[') {
        if (!subscript_list(p, e, d.subs, d.name)) return;
        p = skip_ws(s_, p, e);
    }
    while (starts_with_ci(s_, p, ":EXCEPT:")) {
        p = skip_ws(s_, p + 8, e);
        for (;;) {
            std::vector<std::string> ex;
            if (p >= e || s_[p] != '[') {
                error(sim::Code::E_VENSIM_SYNTAX, p, d.name, ":EXCEPT: is followed by subscript lists, as in :EXCEPT: [a]");
                return;
            }
            if (!subscript_list(p, e, ex, d.name)) return;
            d.except.push_back(std::move(ex));
            p = skip_ws(s_, p, e);
            if (p < e && s_[p] == ',') {
                p = skip_ws(s_, p + 1, e);
                continue;
            }
            break;
        }
    }
    if (starts_with_ci(s_, p, ":THE CONDITION:") || starts_with_ci(s_, p, ":TEST INPUT:")) {
        diags_.warning(sim::Code::W_VENSIM_IGNORED, t_.at(name_at), d.name, "a Vensim reality check: ignored");
        return;
    }
    // Data keywords (`x :INTERPOLATE:`) only say how data is read.
    for (std::string_view kw : {":INTERPOLATE:", ":RAW:", ":HOLD BACKWARD:", ":LOOK FORWARD:"})
        if (starts_with_ci(s_, p, kw)) {
            d.data_mode = canonical_name(kw.substr(1, kw.size() - 2));
            p = skip_ws(s_, p + kw.size(), e);
        }
    if (p >= e) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, name_at, d.name,
              "a data variable without an equation (its values come from a .vdf data file) is not supported: "
              "give it an equation or use GET DIRECT DATA");
        return;
    }
    if (s_.compare(p, 3, "<->") == 0) {
        std::string other = trim(std::string_view(s_).substr(p + 3, e - p - 3));
        if (!d.subs.empty() || other.empty())
            error(sim::Code::E_VENSIM_SYNTAX, p, d.name, "an equivalence is `A <-> B` with two dimension names");
        else equivalent_[d.canonical] = canonical_name(other);
        return;
    }
    if (s_[p] == ':' && !(p + 1 < e && s_[p + 1] == '=')) {
        if (!d.subs.empty()) {
            error(sim::Code::E_VENSIM_SYNTAX, p, d.name, "unexpected ':' after a subscripted name");
            return;
        }
        if (r.macro >= 0) {
            error(sim::Code::E_VENSIM_UNSUPPORTED, p, d.name, "a subscript range defined inside a macro is not supported");
            return;
        }
        dimension(d, p + 1, e);
        return;
    }
    if (s_[p] == '(') {
        // A lookup read from a file: name( GET XLS LOOKUPS(...) ), the same
        // definition as name = GET XLS LOOKUPS(...).
        const std::size_t in = skip_ws(s_, p + 1, e);
        if (starts_with_ci(s_, in, "GET ") || starts_with_ci(s_, in, "GET_")) {
            std::size_t close = e;
            while (close > in && is_space(s_[close - 1])) --close;
            const std::size_t call = s_.find('(', in);
            const bool lookups = call < close && canonical_name(std::string_view(s_).substr(in, call - in)).ends_with("_lookups");
            if (!lookups || s_[close - 1] != ')') {
                error(sim::Code::E_VENSIM_SYNTAX, in, d.name,
                      "a lookup read from a file is written name( GET XLS LOOKUPS('file', 'sheet', 'row or column', 'cell') )");
                return;
            }
            if (!right_side(d, in, close - 1)) return;
            add(std::move(d), r.macro);
            return;
        }
        // A lookup: name(table).
        std::string err;
        std::size_t err_at = 0;
        auto gf = parse_table(std::string_view(s_).substr(p, e - p), err, err_at);
        if (!gf) {
            error(sim::Code::E_VENSIM_SYNTAX, p + err_at, d.name, "lookup '" + d.name + "': " + err);
            return;
        }
        gf->loc = t_.at(p);
        d.kind = Def::Kind::lookup;
        d.gf = std::move(gf);
        add(std::move(d), r.macro);
        return;
    }
    std::size_t rhs;
    if (s_.compare(p, 2, ":=") == 0) rhs = p + 2;
    else if (s_.compare(p, 2, "==") == 0) rhs = p + 2;
    else if (s_[p] == '=') rhs = p + 1;
    else {
        error(sim::Code::E_VENSIM_SYNTAX, p, d.name,
              std::string("expected '=', ':', '(' or '<->' after the name, found '") + s_[p] + "'");
        return;
    }
    rhs = skip_ws(s_, rhs, e);
    std::size_t rhs_end = e;
    while (rhs_end > rhs && is_space(s_[rhs_end - 1])) --rhs_end;
    if (rhs >= rhs_end) {
        error(sim::Code::E_EMPTY_EQUATION, p, d.name, "the equation after '=' is empty");
        return;
    }
    if (!right_side(d, rhs, rhs_end)) return;
    add(std::move(d), r.macro);
}

void Reader::add(Def d, int macro) {
    if (macro >= 0) macros_[static_cast<std::size_t>(macro)].defs.push_back(std::move(d));
    else defs_.push_back(std::move(d));
}

// `[a, b!, c]` at p; p moves past ']'.
bool Reader::subscript_list(std::size_t& p, std::size_t e, std::vector<std::string>& out, const std::string& var) {
    std::size_t close = s_.find(']', p);
    if (close == std::string::npos || close >= e) {
        error(sim::Code::E_VENSIM_SYNTAX, p, var, "the subscript list '[' is not closed with ']'");
        return false;
    }
    std::string_view inner = std::string_view(s_).substr(p + 1, close - p - 1);
    std::size_t at = p + 1;
    for (;;) {
        std::size_t comma = inner.find(',');
        std::string item = trim(inner.substr(0, comma));
        if (item.empty()) {
            error(sim::Code::E_VENSIM_SYNTAX, at, var, "empty subscript: write an element or dimension name");
            return false;
        }
        out.push_back(canonical_name(item));
        if (comma == std::string_view::npos) break;
        at += comma + 1;
        inner = inner.substr(comma + 1);
    }
    p = close + 1;
    return true;
}

// A subscript range or element name must be visible text, as a
// variable's (the compiler checks those): E-BAD-NAME, where it is written.
bool Reader::visible(const std::string& name, SourceLoc at, const std::string& range) {
    const auto bad = name_problem(name);
    if (!bad) return true;
    // Exact for a name written on one line.
    at.col += static_cast<int>(text::characters(std::string_view(name).substr(0, bad->offset)));
    diags_.error(sim::Code::E_BAD_NAME, at, visible_name(range),
                 "the name '" + visible_name(name) + "' holds " + bad->what + "; remove it (names must be visible text)");
    return false;
}

// `Dim: a, b, (p1-p5), Sub -> Map` (p after the ':').
void Reader::dimension(const Def& d, std::size_t p, std::size_t e) {
    if (!visible(d.name, d.loc, d.name)) return;
    Dim dim;
    dim.name = d.name;
    dim.loc = d.loc;
    std::size_t arrow = s_.find("->", p);
    std::size_t body_end = arrow != std::string::npos && arrow < e ? arrow : e;
    std::string_view body = std::string_view(s_).substr(p, body_end - p);
    if (starts_with_ci(s_, skip_ws(s_, p, e), "GET ")) {
        error(sim::Code::E_VENSIM_UNSUPPORTED, p, d.name, "subscript ranges read from a file (GET ... SUBSCRIPT) are not supported");
        return;
    }
    std::size_t i = 0;
    while (i < body.size()) {
        std::size_t j = i;
        int depth = 0;
        while (j < body.size() && !(body[j] == ',' && depth == 0)) {
            if (body[j] == '(') ++depth;
            if (body[j] == ')') --depth;
            ++j;
        }
        std::string item = trim(body.substr(i, j - i));
        const std::size_t item_at = p + i + std::min(body.substr(i, j - i).find_first_not_of(" \t\r\n"), j - i);
        i = j + 1;
        if (item.empty()) continue;
        if (item.front() == '(') {
            // (p1-p5): a numbered range.
            std::string inner = trim(std::string_view(item).substr(1, item.size() - (item.back() == ')' ? 2 : 1)));
            std::size_t dash = inner.find('-');
            auto split = [](const std::string& x, std::string& prefix, long& num) {
                std::size_t k = x.size();
                while (k > 0 && std::isdigit(static_cast<unsigned char>(x[k - 1]))) --k;
                if (k == x.size() || x.size() - k > 9) return false;
                prefix = x.substr(0, k);
                num = std::stol(x.substr(k));
                return true;
            };
            std::string pa, pb;
            long a = 0, b = 0;
            if (dash == std::string::npos || !split(trim(inner.substr(0, dash)), pa, a) ||
                !split(trim(inner.substr(dash + 1)), pb, b) || canonical_name(pa) != canonical_name(pb) || b < a) {
                error(sim::Code::E_VENSIM_SYNTAX, p, d.name, "a numbered range is written (p1-p5): '" + item + "' is not one");
                return;
            }
            if (static_cast<std::size_t>(b - a + 1) > limits_.array_elements) {
                error(sim::Code::E_LIMIT, p, d.name,
                      "numbered range '" + item + "' has " + std::to_string(b - a + 1) + " elements" +
                          limit_hint(limits_.array_elements, "--max-elements"));
                return;
            }
            // All numbered ranges together too: 300 ranges of 100,000 in 7 KB
            // made 30,000,000 names (2 GB, 2 minutes) before any other check.
            const bool reported = numbered_elements_ > limits_.array_elements;  // once is enough
            numbered_elements_ += static_cast<std::uint64_t>(b - a + 1);
            if (numbered_elements_ > limits_.array_elements) {
                if (reported) return;
                error(sim::Code::E_LIMIT, p, d.name,
                      "the numbered ranges up to '" + item + "' have " + std::to_string(numbered_elements_) +
                          " elements together" + limit_hint(limits_.array_elements, "--max-elements"));
                return;
            }
            if (static_cast<std::size_t>(b - a + 1) > max_dim_size) {
                error(sim::Code::E_VENSIM_SUBSCRIPT, p, d.name,
                      "numbered range '" + item + "' has more than " + std::to_string(max_dim_size) + " elements");
                return;
            }
            for (long k = a; k <= b; ++k) {
                dim.display.push_back(trim(pa) + std::to_string(k));
                dim.elems.push_back(canonical_name(dim.display.back()));
            }
            continue;
        }
        if (!visible(item, t_.at(item_at), d.name)) return;
        dim.display.push_back(item);
        dim.elems.push_back(canonical_name(item));
    }
    if (arrow != std::string::npos && arrow < e) {
        std::string_view target = std::string_view(s_).substr(arrow + 2, e - arrow - 2);
        std::string tt = trim(target);
        if (!tt.empty() && tt.front() == '(') {
            // -> (Target: x, y, z): positional onto Target.
            std::size_t colon = tt.find(':');
            tt = trim(tt.substr(1, (colon == std::string::npos ? tt.size() - 1 : colon) - 1));
        }
        std::stringstream ss(tt);
        std::string one;
        while (std::getline(ss, one, ','))
            if (!trim(one).empty()) dim.maps_to.push_back(canonical_name(trim(one)));
    }
    if (dim.elems.empty()) {
        error(sim::Code::E_VENSIM_SYNTAX, p, d.name, "subscript range '" + d.name + "' has no elements");
        return;
    }
    if (dims_.count(d.canonical)) {
        error(sim::Code::E_DUPLICATE, d.loc.line ? p : p, d.name, "subscript range '" + d.name + "' is defined twice");
        return;
    }
    dim.order = dims_.size();
    dims_[d.canonical] = std::move(dim);
}

}  // namespace vensim::detail

ModelSpec parse_vensim(std::string_view bytes, const std::string& filename, Diagnostics& diags, const Limits& limits) {
    ModelSpec spec;
    spec.file = filename;
    spec.name = std::filesystem::path(filename).stem().string();
    // UTF-8 checked (a byte-order mark dropped, UTF-16/32 with one
    // converted, anything else E-ENCODING at the byte), as for YAML and XMILE.
    auto text = decode_text(bytes, filename, TextFormat::vensim, diags);
    if (!text) return spec;
    vensim::Text t(std::move(*text), filename);
    vensim::detail::Reader(t, diags, spec, limits).run();
    return spec;
}

ModelSpec load_vensim(const std::string& path, Diagnostics& diags, const Limits& limits) {
    auto in = read_input(path, diags, limits);
    if (!in) {
        ModelSpec m;
        m.file = path;
        return m;
    }
    return parse_vensim(in->bytes, path, diags, limits);
}

}  // namespace sim
