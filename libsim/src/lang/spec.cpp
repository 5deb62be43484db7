// ModelSpec and Equation (sim/spec.hpp): the builder API, name canonical
// form, positions inside equations.
#include "sim/spec.hpp"

#include <utf8proc.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "lang/names.hpp"
#include "util/text.hpp"

namespace sim {

Equation Equation::parse(std::string text, SourceLoc loc) { return parse(std::move(text), std::move(loc), ast::Dialect::xmile); }

Equation Equation::parse(std::string text, SourceLoc loc, ast::Dialect dialect) {
    Equation e;
    e.text = std::move(text);
    e.loc = std::move(loc);
    e.lines_from_col1 = dialect == ast::Dialect::vensim;
    if (e.text.find_first_not_of(" \t\r\n") == std::string::npos) return e;  // blank: reported when compiled
    std::vector<ast::ParseError> errors;
    if (auto tree = ast::parse(e.text, errors, dialect)) {
        e.tree = std::move(*tree);
    } else {
        e.error = errors.empty() ? ast::ParseError{0, "cannot parse the equation"} : std::move(errors.front());
    }
    return e;
}

Equation Equation::of(ast::Expr tree, SourceLoc loc) {
    Equation e;
    e.text = ast::print(tree);
    e.loc = std::move(loc);
    e.tree = std::move(tree);
    return e;
}

Equation Equation::number(double value, SourceLoc loc) {
    ast::Expr t;
    t.number(value);
    Equation e;
    e.text = text::number(value);
    e.loc = std::move(loc);
    e.tree = std::move(t);
    return e;
}

std::optional<double> Equation::number_value() const {
    if (tree.empty()) return std::nullopt;
    ast::NodeId id = tree.root;
    double sign = 1;
    if (const auto* u = std::get_if<ast::Unary>(&tree[id].v); u && (u->op == ast::Op::neg || u->op == ast::Op::pos)) {
        if (u->op == ast::Op::neg) sign = -1;
        id = u->arg;
    }
    if (const auto* n = std::get_if<ast::Number>(&tree[id].v)) return sign * n->value;
    return std::nullopt;
}

SourceLoc Equation::at(std::size_t offset) const {
    SourceLoc l = loc;
    if (l.line == 0) return l;
    std::size_t last_nl = std::string::npos;
    int nl = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n') { ++nl; last_nl = i; }
    l.line += nl;
    if (l.col > 0) {
        const std::size_t end = std::min(offset, text.size());
        if (last_nl == std::string::npos)
            l.col += static_cast<int>(text::characters(std::string_view(text).substr(0, end)));
        else
            l.col = (lines_from_col1 ? 1 : l.col) +
                    static_cast<int>(text::characters(std::string_view(text).substr(last_nl + 1, end - last_nl - 1)));
    }
    return l;
}

const char* to_string(VarKind k) {
    switch (k) {
        case VarKind::stock: return "stock";
        case VarKind::flow: return "flow";
        case VarKind::aux: return "aux";
        case VarKind::constant: return "constant";
        case VarKind::lookup: return "lookup";
    }
    return "?";
}

const char* to_string(LookupKind k) {
    switch (k) {
        case LookupKind::continuous: return "continuous";
        case LookupKind::extrapolate: return "extrapolate";
        case LookupKind::discrete: return "discrete";
    }
    return "?";
}

const char* to_string(Method m) {
    switch (m) {
        case Method::euler: return "euler";
        case Method::rk2: return "rk2";
        case Method::rk4: return "rk4";
        case Method::rk45: return "rk45";
    }
    return "?";
}

std::optional<Method> parse_method(std::string_view s) {
    std::string l;
    for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "euler") return Method::euler;
    if (l == "rk2") return Method::rk2;
    if (l == "rk4") return Method::rk4;
    if (l == "rk45" || l == "dopri5" || l == "dormand-prince") return Method::rk45;
    return std::nullopt;
}

namespace {

bool blank_byte(unsigned char c) {
    return c == ' ' || c == '_' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Non-ASCII names: NFC first (so that "é" precomposed and "e" + U+0301 are
// one name), then every Unicode space separator (no-break space, ideographic
// space, ...) is a blank like ' '. Bytes that are not valid UTF-8 are kept as
// they are (the readers refuse such text before it gets here).
std::string canonical_unicode(std::string_view name) {
    utf8proc_uint8_t* nfc = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                                static_cast<utf8proc_ssize_t>(name.size()), &nfc,
                                static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::string_view s = name;
    std::string normal;
    if (n >= 0 && nfc) {
        normal.assign(reinterpret_cast<const char*>(nfc), static_cast<std::size_t>(n));
        s = normal;
    }
    std::free(nfc);
    std::string out;
    out.reserve(s.size());
    bool sep = false;
    std::size_t i = 0;
    while (i < s.size()) {
        utf8proc_int32_t cp = -1;
        auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
        if (len <= 0) {  // not UTF-8: the byte as it is
            if (sep && !out.empty()) out += '_';
            sep = false;
            out += s[i++];
            continue;
        }
        const bool blank = cp < 0x80 ? blank_byte(static_cast<unsigned char>(cp))
                                     : utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
        if (blank) {
            sep = true;
        } else {
            if (sep && !out.empty()) out += '_';
            sep = false;
            if (cp < 0x80) out += static_cast<char>(std::tolower(cp));
            else out.append(s.substr(i, static_cast<std::size_t>(len)));
        }
        i += static_cast<std::size_t>(len);
    }
    return out;
}

}  // namespace

std::string canonical_name(std::string_view name) {
    // Surrounding blanks and quotes, as often as they nest: canonical_name is
    // idempotent (the printer relies on it).
    std::size_t b = 0, e = name.size();
    for (;;) {
        while (b < e && std::isspace(static_cast<unsigned char>(name[b]))) ++b;
        while (e > b && std::isspace(static_cast<unsigned char>(name[e - 1]))) --e;
        if (e - b < 2 || name[b] != '"' || name[e - 1] != '"') break;
        ++b;
        --e;
    }
    for (std::size_t i = b; i < e; ++i)
        if (static_cast<unsigned char>(name[i]) >= 0x80) return canonical_unicode(name.substr(b, e - b));
    std::string out;
    out.reserve(e - b);
    bool sep = false;
    for (std::size_t i = b; i < e; ++i) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        if (blank_byte(c)) {
            sep = true;
            continue;
        }
        if (sep && !out.empty()) out += '_';
        sep = false;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);  // ASCII: no locale
    }
    return out;
}

bool is_canonical_ascii(std::string_view n) {
    if (n.empty() || n.front() == '_' || n.back() == '_') return false;
    char prev = 0;
    for (char ch : n) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || (c >= 'A' && c <= 'Z') || c == '"' || std::isspace(c)) return false;
        if (c == '_' && prev == '_') return false;
        prev = ch;
    }
    return true;
}

std::optional<NameProblem> name_problem(std::string_view name) {
    std::size_t i = 0;
    while (i < name.size()) {
        utf8proc_int32_t cp = -1;
        auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(name.data() + i),
                                    static_cast<utf8proc_ssize_t>(name.size() - i), &cp);
        if (len <= 0) return NameProblem{i, "a byte that is not UTF-8 text"};
        const auto cat = utf8proc_category(cp);
        const bool space = cp < 0x80 && blank_byte(static_cast<unsigned char>(cp));
        if (cp == 0) return NameProblem{i, "a NUL character"};
        if (cat == UTF8PROC_CATEGORY_CC && !space)
            return NameProblem{i, "the control character " + code_point(cp)};
        if (cat == UTF8PROC_CATEGORY_CF)
            return NameProblem{i, "the invisible character " + code_point(cp) +
                                      " (a format character such as a zero-width space or a direction mark)"};
        i += static_cast<std::size_t>(len);
    }
    return std::nullopt;
}

std::string code_point(std::int32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

std::string visible_name(std::string_view name) {
    std::string out;
    std::size_t i = 0;
    while (i < name.size()) {
        utf8proc_int32_t cp = -1;
        auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(name.data() + i),
                                    static_cast<utf8proc_ssize_t>(name.size() - i), &cp);
        if (len <= 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "<%02X>", static_cast<unsigned char>(name[i]));
            out += buf;
            ++i;
            continue;
        }
        const auto cat = utf8proc_category(cp);
        if ((cat == UTF8PROC_CATEGORY_CC && cp != ' ') || cat == UTF8PROC_CATEGORY_CF) out += "<" + code_point(cp) + ">";
        else out.append(name.substr(i, static_cast<std::size_t>(len)));
        i += static_cast<std::size_t>(len);
    }
    return out;
}

static Variable& push(std::deque<Variable>& vs, VarKind k, std::string name, Equation eq) {
    Variable v;
    v.kind = k;
    v.name = std::move(name);
    v.equation = std::move(eq);
    vs.push_back(std::move(v));
    return vs.back();
}

Variable& ModelSpec::add_stock(std::string name, std::string initial, std::vector<std::string> inflows,
                               std::vector<std::string> outflows) {
    Variable& v = push(variables, VarKind::stock, std::move(name), Equation::parse(std::move(initial)));
    v.inflows = std::move(inflows);
    v.outflows = std::move(outflows);
    return v;
}

Variable& ModelSpec::add_flow(std::string name, std::string equation) {
    return push(variables, VarKind::flow, std::move(name), Equation::parse(std::move(equation)));
}

Variable& ModelSpec::add_aux(std::string name, std::string equation) {
    return push(variables, VarKind::aux, std::move(name), Equation::parse(std::move(equation)));
}

Variable& ModelSpec::add_constant(std::string name, double value) {
    return push(variables, VarKind::constant, std::move(name), Equation::number(value));
}

Variable& ModelSpec::add_lookup(std::string name, std::vector<double> x, std::vector<double> y, LookupKind kind) {
    Variable& v = push(variables, VarKind::lookup, std::move(name), {});
    v.gf = GraphicalFunction{kind, std::move(x), std::move(y), {}};
    return v;
}

Lever& ModelSpec::add_lever(std::string name, std::string title) {
    Lever l;
    l.name = std::move(name);
    l.title = std::move(title);
    levers.push_back(std::move(l));
    return levers.back();
}

namespace {
// canonical_name(stored) == c, without making a string when `stored` is
// canonical already (most names: find is called once per name a file
// mentions, over every variable).
bool same_name(const std::string& stored, const std::string& c) {
    return is_canonical_ascii(stored) ? stored == c : canonical_name(stored) == c;
}
}  // namespace

Variable* ModelSpec::find(std::string_view name) {
    auto c = canonical_name(name);
    for (auto& v : variables)
        if (same_name(v.name, c)) return &v;
    return nullptr;
}

const Variable* ModelSpec::find(std::string_view name) const {
    return const_cast<ModelSpec*>(this)->find(name);
}

const Variable* ModelSpec::find_or_array(std::string_view name) const {
    if (const Variable* v = find(name)) return v;
    const auto b = name.find('[');
    return b == std::string_view::npos ? nullptr : find(name.substr(0, b));
}

Display ModelSpec::display_of(std::string_view name) const {
    if (const Variable* v = find(name)) return sim::display_of(*v, name, false);
    const Variable* a = find_or_array(name);
    return a ? sim::display_of(*a, name, true) : Display{};
}

Display display_of(const Variable& v, std::string_view column, bool element) {
    Display d = v.display;
    if (d.units.empty() && d.scale == 1) d.units = v.units;
    if (const auto b = column.find('['); element && b != std::string_view::npos) {
        // an element: name the element after the array's title
        const std::string sub(column.substr(b));
        if (!d.title.empty()) d.title += " " + sub;
        if (!d.title_zh.empty()) d.title_zh += " " + sub;
    }
    return d;
}

Lever* ModelSpec::find_lever(std::string_view name) {
    auto c = canonical_name(name);
    for (auto& l : levers)
        if (same_name(l.name, c)) return &l;
    return nullptr;
}

}  // namespace sim
