// XMILE loader (.xmile, .stmx): XML via pugixml -> ModelSpec.
//
// Modules are flattened (a variable `v` of module `m` becomes `m.v`; a
// `<connect>`ed input becomes an auxiliary equal to its source) and 1-D arrays
// are flattened into one scalar variable per element (`Var[Elem]`), so the
// compiler only ever sees scalar variables. Names in rewritten equations are
// written in canonical form; names in untouched equations are left as written.
// Anything the loader does not understand is a diagnostic with the XML line and
// column, never silently dropped when it could change the results.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/load.hpp"
#include "sim/model.hpp"

namespace sim {
namespace {

constexpr std::string_view ns_xmile = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0";
constexpr std::string_view ns_xmile_old = "http://www.systemdynamics.org/XMILE";
constexpr std::string_view ns_isee = "http://iseesystems.com/XMILE";
constexpr int max_module_depth = 32;

// Byte offset -> 1-based line and column (columns count UTF-8 code points).
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : text_(text) {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i) {
            // LF, CRLF and a bare CR each end one line.
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
                starts_.push_back(i + 1);
        }
    }
    SourceLoc loc(const std::string& file, std::size_t offset) const {
        offset = std::min(offset, text_.size());
        auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
        std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // >= 1
        std::size_t b = starts_[line - 1];
        int col = 1;
        for (std::size_t i = b; i < offset; ++i)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
        return SourceLoc{file, static_cast<int>(line), col};
    }

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// XMILE writes a line break inside a name as the two characters `\n`.
std::string unescape_name(std::string_view s) {
    std::string r;
    r.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
            r += ' ';
            ++i;
        } else {
            r += s[i];
        }
    }
    return r;
}

// A name reference as written in <inflow>, <connect from=...>: trimmed, unquoted.
std::string ref_name(std::string_view s) {
    std::string t = trim(unescape_name(s));
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    return t;
}

std::optional<double> parse_number(std::string_view s) {
    std::string t = trim(s);
    if (t.empty()) return std::nullopt;
    const char* b = t.data();
    const char* e = t.data() + t.size();
    if (*b == '+') ++b;
    double v = 0;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || p != e) return std::nullopt;
    return v;
}

// The same name characters as the equation parser (parser.cpp).
bool is_ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool is_ident_char(unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '$' || c == '.' || c >= 0x80;
}
bool is_keyword(std::string_view w) {
    std::string l(w);
    for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return l == "if" || l == "then" || l == "else" || l == "and" || l == "or" || l == "not" || l == "mod";
}

// How a flattened canonical name is written back into an equation.
std::string emit_name(const std::string& canonical) {
    bool bare = !canonical.empty() && !std::isdigit(static_cast<unsigned char>(canonical[0]));
    for (unsigned char c : canonical)
        if (!(is_ident_char(c) || c == '[' || c == ']')) bare = false;
    return bare ? canonical : '"' + canonical + '"';
}

struct Dim {
    std::string name;                // display name
    std::vector<std::string> elems;  // display names of the elements
    std::optional<std::size_t> find(std::string_view sub) const {
        std::string c = canonical_name(sub);
        for (std::size_t i = 0; i < elems.size(); ++i)
            if (canonical_name(elems[i]) == c) return i;
        // Positional subscript (1-based), as in `a[2]`.
        if (auto n = parse_number(sub); n && *n >= 1 && *n <= double(elems.size()) && *n == double(std::size_t(*n)))
            return std::size_t(*n) - 1;
        return std::nullopt;
    }
};

struct Behavior {
    bool stock_non_negative = false;
    bool flow_non_negative = false;
};

// Everything needed to rewrite names in one model instance's equations.
struct Scope {
    std::string prefix;            // canonical prefix of flattened names, "" at the root ("m." in module m)
    std::string display_prefix;    // same, as written ("Hares.")
    std::set<std::string> locals;  // canonical names of this model's variables
    std::set<std::string> modules; // canonical names of module instances in this model
    std::map<std::string, const Dim*> arrayed;  // canonical variable name -> its dimension
    std::set<std::string> stock_flows;          // canonical names listed as a stock's inflow or outflow
};

// Where an equation's value is evaluated: a scalar, or element `elem` of `dim`.
struct ElemContext {
    const Dim* dim = nullptr;
    std::size_t elem = 0;
};

class Loader {
public:
    Loader(std::string_view text, std::string file, Diagnostics& diags)
        : text_(text), file_(std::move(file)), diags_(diags), lines_(text) {}

    ModelSpec run();

private:
    std::string_view text_;
    std::string file_;
    Diagnostics& diags_;
    LineIndex lines_;
    pugi::xml_document doc_;
    std::string xmile_prefix_;  // prefix bound to the XMILE namespace, "" if it is the default
    std::map<std::string, Dim> dims_;
    std::map<std::string, pugi::xml_node> models_;  // canonical model name -> <model>
    Behavior behavior_;
    ModelSpec spec_;
    std::set<std::string> defined_;  // canonical flattened names already emitted
    std::vector<std::string> module_stack_;
    std::set<std::string> recovered_;  // undeclared namespace prefixes, declared on the root

    SourceLoc loc(pugi::xml_node n) const {
        auto off = n.offset_debug();
        if (off < 0) return SourceLoc{file_, 0, 0};
        std::size_t o = static_cast<std::size_t>(off);
        // An element's offset is its name; report the '<' before it.
        if (n.type() == pugi::node_element && o > 0 && text_[o - 1] == '<') --o;
        return lines_.loc(file_, o);
    }
    void error(sim::Code code, pugi::xml_node n, std::string var, std::string msg) {
        diags_.error(std::move(code), loc(n), std::move(var), std::move(msg));
    }
    void warning(sim::Code code, pugi::xml_node n, std::string var, std::string msg) {
        diags_.warning(std::move(code), loc(n), std::move(var), std::move(msg));
    }

    // Local name of an XMILE element; "" for vendor elements (isee:..., other namespaces).
    std::string_view tag(pugi::xml_node n) const {
        std::string_view name = n.name();
        auto colon = name.find(':');
        if (colon == std::string_view::npos) return name;
        if (!xmile_prefix_.empty() && name.substr(0, colon) == xmile_prefix_) return name.substr(colon + 1);
        return {};
    }
    pugi::xml_node child(pugi::xml_node n, std::string_view t) const {
        for (auto c : n.children())
            if (c.type() == pugi::node_element && tag(c) == t) return c;
        return {};
    }
    std::string text_of(pugi::xml_node n) const {
        std::string s;
        for (auto c : n.children())
            if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) s += c.value();
        return s;
    }

    void check_prefixes(pugi::xml_node n, std::set<std::string> declared);
    bool check_namespace(pugi::xml_node root);
    void read_specs(pugi::xml_node specs);
    std::optional<double> spec_number(pugi::xml_node n, const char* what);
    void read_dimensions(pugi::xml_node dims);
    Behavior read_behavior(pugi::xml_node b, Behavior base);
    std::optional<bool> read_bool(pugi::xml_node n, const std::string& var);
    std::optional<GraphicalFunction> read_gf(pugi::xml_node gf, const std::string& var);
    std::vector<double> read_points(pugi::xml_node pts, const std::string& var, bool& ok);
    Equation read_eqn(pugi::xml_node eqn, const std::string& var);
    std::string rewrite(const Equation& eq, const Scope& scope, ElemContext ctx, const std::string& var);
    void load_instance(pugi::xml_node model, const std::string& prefix, const std::string& display_prefix,
                       Behavior beh, const std::map<std::string, std::pair<std::string, pugi::xml_node>>& inputs);
    void read_variable(pugi::xml_node v, const Scope& scope, Behavior beh,
                       const std::map<std::string, std::pair<std::string, pugi::xml_node>>& inputs);
    void add_variable(Variable v, pugi::xml_node where);
};

// pugixml ignores namespaces, so an undeclared `isee:` prefix parses fine; XMILE
// tools that do check namespaces reject such files. Recover by declaring the
// prefix on the root and say so.
void Loader::check_prefixes(pugi::xml_node n, std::set<std::string> declared) {
    for (auto a : n.attributes()) {
        std::string_view an = a.name();
        if (an.substr(0, 6) == "xmlns:") declared.insert(std::string(an.substr(6)));
    }
    auto check = [&](std::string_view name, pugi::xml_node where) {
        auto colon = name.find(':');
        if (colon == std::string_view::npos) return;
        std::string p(name.substr(0, colon));
        if (p == "xml" || p == "xmlns" || declared.count(p) || recovered_.count(p)) return;
        recovered_.insert(p);
        std::string uri = p == "isee" ? std::string(ns_isee) : "urn:undeclared:" + p;
        doc_.document_element().append_attribute(("xmlns:" + p).c_str()) = uri.c_str();
        warning(sim::Code::W_XMILE_UNDECLARED_PREFIX, where, "",
                "namespace prefix '" + p + "' is used but never declared; reading it as declared (" + uri +
                    "). Add xmlns:" + p + "=\"" + uri + "\" to the <xmile> element to silence this");
    };
    check(n.name(), n);
    for (auto a : n.attributes()) check(a.name(), n);
    for (auto c : n.children())
        if (c.type() == pugi::node_element) check_prefixes(c, declared);
}

bool Loader::check_namespace(pugi::xml_node root) {
    std::string_view def;
    for (auto a : root.attributes()) {
        std::string_view an = a.name();
        if (an == "xmlns") def = a.value();
        if (an.substr(0, 6) == "xmlns:" && (std::string_view(a.value()) == ns_xmile ||
                                            std::string_view(a.value()) == ns_xmile_old))
            xmile_prefix_ = std::string(an.substr(6));
    }
    std::string_view rn = root.name();
    std::string_view local = rn.substr(rn.find(':') == std::string_view::npos ? 0 : rn.find(':') + 1);
    if (local != "xmile") {
        error(sim::Code::E_XMILE_ROOT, root, "",
              "the root element is <" + std::string(rn) + ">, not <xmile>: this is not an XMILE model file");
        return false;
    }
    if (xmile_prefix_.empty() && def != ns_xmile && def != ns_xmile_old) {
        warning(sim::Code::W_XMILE_NAMESPACE, root, "",
                def.empty() ? std::string("the <xmile> element declares no namespace; reading it as XMILE 1.0 (") +
                                  std::string(ns_xmile) + ")"
                            : "unknown XMILE namespace '" + std::string(def) + "'; reading it as XMILE 1.0 (" +
                                  std::string(ns_xmile) + ")");
    }
    return true;
}

std::optional<double> Loader::spec_number(pugi::xml_node n, const char* what) {
    auto v = parse_number(text_of(n));
    if (!v) error(sim::Code::E_XMILE_SPECS, n, "", std::string("<") + what + "> must be a number, got '" + trim(text_of(n)) + "'");
    return v;
}

void Loader::read_specs(pugi::xml_node s) {
    SimSpecs& sp = spec_.specs;
    sp.loc = loc(s);
    sp.time_units = s.attribute("time_units").as_string();
    if (auto n = child(s, "start")) {
        if (auto v = spec_number(n, "start")) sp.start = *v;
    } else {
        error(sim::Code::E_XMILE_SPECS, s, "", "<sim_specs> has no <start>: add <start>0</start>");
    }
    if (auto n = child(s, "stop")) {
        if (auto v = spec_number(n, "stop")) sp.stop = *v;
    } else {
        error(sim::Code::E_XMILE_SPECS, s, "", "<sim_specs> has no <stop>: add the final time, e.g. <stop>100</stop>");
    }
    if (auto n = child(s, "dt")) {
        if (auto v = spec_number(n, "dt")) {
            if (n.attribute("reciprocal").as_bool()) {
                if (*v == 0)
                    error(sim::Code::E_XMILE_SPECS, n, "", "<dt reciprocal=\"true\"> must not be 0 (dt = 1/value)");
                else
                    sp.dt = 1.0 / *v;
            } else {
                sp.dt = *v;
            }
        }
    }  // XMILE default dt is 1, as SimSpecs'
    for (const char* a : {"isee:save_interval", "save_step", "save_interval"}) {
        if (auto at = s.attribute(a)) {
            if (auto v = parse_number(at.value()))
                sp.save_step = *v;
            else
                error(sim::Code::E_XMILE_SPECS, s, "", std::string("attribute ") + a + " must be a number, got '" + at.value() + "'");
        }
    }
    if (auto n = child(s, "save_step")) {
        if (auto v = spec_number(n, "save_step")) sp.save_step = *v;
    }
    if (auto m = s.attribute("method")) {
        std::string name = lower(trim(m.value()));
        if (name == "gear") {
            sp.method = Method::rk45;
            warning(sim::Code::W_XMILE_METHOD, s, "",
                    "integration method 'Gear' is not available; using the adaptive RK45 method instead");
        } else if (auto pm = parse_method(name)) {
            sp.method = *pm;
        } else {
            error(sim::Code::E_XMILE_SPECS, s, "",
                  "unknown integration method '" + std::string(m.value()) + "': use Euler, RK2, RK4 or RK45");
        }
    }
}

void Loader::read_dimensions(pugi::xml_node dims) {
    for (auto d : dims.children()) {
        if (d.type() != pugi::node_element || tag(d).empty()) continue;
        if (tag(d) != "dim") {
            warning(sim::Code::W_XMILE_IGNORED, d, "", "<" + std::string(d.name()) + "> inside <dimensions> is ignored");
            continue;
        }
        Dim dim;
        dim.name = unescape_name(d.attribute("name").as_string());
        for (auto e : d.children())
            if (e.type() == pugi::node_element && tag(e) == "elem")
                dim.elems.push_back(unescape_name(e.attribute("name").as_string()));
        if (dim.elems.empty()) {
            int size = d.attribute("size").as_int(0);
            for (int i = 1; i <= size; ++i) dim.elems.push_back(std::to_string(i));
        }
        if (dim.name.empty() || dim.elems.empty()) {
            error(sim::Code::E_XMILE_ARRAY, d, "",
                  "a <dim> needs a name and either <elem name=...> children or a size attribute");
            continue;
        }
        dims_[canonical_name(dim.name)] = std::move(dim);
    }
}

std::optional<bool> Loader::read_bool(pugi::xml_node n, const std::string& var) {
    std::string t = lower(trim(text_of(n)));
    if (t.empty() || t == "true" || t == "1") return true;
    if (t == "false" || t == "0") return false;
    error(sim::Code::E_XMILE_VALUE, n, var, "<" + std::string(n.name()) + "> must be empty, true or false, got '" + t + "'");
    return std::nullopt;
}

// <behavior><non_negative/></behavior> applies to stocks and flows;
// <behavior><stock><non_negative/></stock></behavior> to one kind.
Behavior Loader::read_behavior(pugi::xml_node b, Behavior base) {
    for (auto c : b.children()) {
        if (c.type() != pugi::node_element || tag(c).empty()) continue;
        std::string_view t = tag(c);
        if (t == "non_negative") {
            if (auto v = read_bool(c, "")) base.stock_non_negative = base.flow_non_negative = *v;
        } else if (t == "stock" || t == "flow") {
            for (auto g : c.children()) {
                if (g.type() != pugi::node_element || tag(g).empty()) continue;
                if (tag(g) == "non_negative") {
                    if (auto v = read_bool(g, ""))
                        (t == "stock" ? base.stock_non_negative : base.flow_non_negative) = *v;
                } else {
                    warning(sim::Code::W_XMILE_IGNORED, g, "", "<" + std::string(g.name()) + "> in <behavior> is ignored");
                }
            }
        } else {
            warning(sim::Code::W_XMILE_IGNORED, c, "", "<" + std::string(c.name()) + "> in <behavior> is ignored");
        }
    }
    return base;
}

std::vector<double> Loader::read_points(pugi::xml_node pts, const std::string& var, bool& ok) {
    std::string sep = pts.attribute("sep").as_string(",");
    if (sep.empty()) sep = ",";
    std::string s = text_of(pts);
    std::vector<double> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t next = s.find(sep, pos);
        std::string item = s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (auto v = parse_number(item)) {
            out.push_back(*v);
        } else if (!(trim(item).empty() && next == std::string::npos && !out.empty())) {  // allow a trailing separator
            error(sim::Code::E_XMILE_GF, pts, var,
                  "<" + std::string(pts.name()) + "> item '" + trim(item) + "' is not a number (separator '" + sep + "')");
            ok = false;
            return {};
        }
        if (next == std::string::npos) break;
        pos = next + sep.size();
    }
    return out;
}

std::optional<GraphicalFunction> Loader::read_gf(pugi::xml_node g, const std::string& var) {
    GraphicalFunction gf;
    gf.loc = loc(g);
    std::string type = lower(g.attribute("type").as_string("continuous"));
    if (type == "continuous") gf.kind = LookupKind::continuous;
    else if (type == "extrapolate") gf.kind = LookupKind::extrapolate;
    else if (type == "discrete") gf.kind = LookupKind::discrete;
    else {
        error(sim::Code::E_XMILE_GF, g, var, "unknown graphical function type '" + type + "': use continuous, extrapolate or discrete");
        return std::nullopt;
    }
    if (g.attribute("discrete").as_bool()) gf.kind = LookupKind::discrete;  // pre-1.0 form
    bool ok = true;
    auto ypts = child(g, "ypts");
    auto xpts = child(g, "xpts");
    auto xscale = child(g, "xscale");
    if (!ypts) {
        error(sim::Code::E_XMILE_GF, g, var, "graphical function has no <ypts>: list its y values, e.g. <ypts>0,0.5,1</ypts>");
        return std::nullopt;
    }
    gf.y = read_points(ypts, var, ok);
    if (!ok) return std::nullopt;
    if (xpts) {
        gf.x = read_points(xpts, var, ok);
        if (!ok) return std::nullopt;
    } else if (xscale) {
        auto lo = parse_number(xscale.attribute("min").as_string());
        auto hi = parse_number(xscale.attribute("max").as_string());
        if (!lo || !hi) {
            error(sim::Code::E_XMILE_GF, xscale, var, "<xscale> needs numeric min and max attributes");
            return std::nullopt;
        }
        std::size_t n = gf.y.size();
        // Evenly spaced points from min to max, as many as there are y values.
        for (std::size_t i = 0; i < n; ++i)
            gf.x.push_back(n == 1 ? *lo : *lo + (*hi - *lo) * double(i) / double(n - 1));
    } else {
        error(sim::Code::E_XMILE_GF, g, var, "graphical function has neither <xpts> nor <xscale min=... max=...>");
        return std::nullopt;
    }
    if (gf.x.size() != gf.y.size() || gf.y.empty()) {
        error(sim::Code::E_XMILE_GF, g, var,
              "graphical function has " + std::to_string(gf.x.size()) + " x values and " + std::to_string(gf.y.size()) +
                  " y values: give the same number of each (at least one)");
        return std::nullopt;
    }
    for (std::size_t i = 1; i < gf.x.size(); ++i) {
        if (!(gf.x[i] > gf.x[i - 1])) {
            error(sim::Code::E_XMILE_GF, xpts ? xpts : g, var,
                  "graphical function x values must increase strictly; x[" + std::to_string(i) + "] = " +
                      std::to_string(gf.x[i]) + " follows " + std::to_string(gf.x[i - 1]));
            return std::nullopt;
        }
    }
    return gf;
}

// The text of an <eqn>, positioned at its first non-blank character, with
// {comments} blanked out (newlines kept so positions stay right) and `\n`
// (XMILE's escaped line break inside names) turned into spaces.
Equation Loader::read_eqn(pugi::xml_node eqn, const std::string& var) {
    Equation e;
    if (!eqn) return e;
    std::string raw = text_of(eqn);
    std::size_t lead = 0;
    while (lead < raw.size() && std::isspace(static_cast<unsigned char>(raw[lead]))) ++lead;
    std::size_t end = raw.size();
    while (end > lead && std::isspace(static_cast<unsigned char>(raw[end - 1]))) --end;
    std::string t = raw.substr(lead, end - lead);
    bool in_quote = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '"') in_quote = !in_quote;
        if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == 'n') {
            t[i] = t[i + 1] = ' ';
            ++i;
        } else if (t[i] == '{' && !in_quote) {
            std::size_t close = t.find('}', i);
            if (close == std::string::npos) {
                error(sim::Code::E_XMILE_COMMENT, eqn, var, "comment '{' in the equation is never closed: add the closing '}'");
                close = t.size() - 1;
            }
            for (std::size_t j = i; j <= close; ++j)
                if (t[j] != '\n') t[j] = ' ';
            i = close;
        }
    }
    e.text = trim(t).empty() ? std::string() : t;
    // Position from the raw file text: entities and CRLF make the decoded text
    // shorter than the source, so count in the source itself.
    pugi::xml_node first;
    for (auto c : eqn.children())
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) { first = c; break; }
    if (first && first.offset_debug() >= 0) {
        std::size_t o = static_cast<std::size_t>(first.offset_debug());
        while (o < text_.size() && std::isspace(static_cast<unsigned char>(text_[o]))) ++o;
        e.loc = lines_.loc(file_, o);
    } else {
        e.loc = loc(eqn);
    }
    return e;
}

// Rewrites the names of an equation for flattening: names local to a module
// instance get its prefix; arrayed names get an explicit element. Text that
// needs no change is copied unchanged.
std::string Loader::rewrite(const Equation& eq, const Scope& scope, ElemContext ctx, const std::string& var) {
    const std::string& t = eq.text;
    std::string out;
    out.reserve(t.size());
    auto fail = [&](std::size_t at, sim::Code code, std::string msg) {
        diags_.error(std::move(code), eq.at(at), var, std::move(msg));
    };
    std::size_t i = 0;
    while (i < t.size()) {
        unsigned char c = static_cast<unsigned char>(t[i]);
        std::size_t start = i;
        std::string written;
        if (c == '"') {
            std::size_t close = t.find('"', i + 1);
            if (close == std::string::npos) {  // let the equation parser report it
                out.append(t, i, std::string::npos);
                break;
            }
            written = t.substr(i + 1, close - i - 1);
            i = close + 1;
        } else if (std::isdigit(c) || (c == '.' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1])))) {
            // A number, including exponents (1e-5), copied as is.
            while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '.')) {
                if ((t[i] == 'e' || t[i] == 'E') && i + 1 < t.size() && (t[i + 1] == '+' || t[i + 1] == '-')) ++i;
                ++i;
            }
            out.append(t, start, i - start);
            continue;
        } else if (is_ident_start(c)) {
            auto word_end = [&](std::size_t p) {
                while (p < t.size() && is_ident_char(static_cast<unsigned char>(t[p]))) ++p;
                return p;
            };
            i = word_end(i);
            if (is_keyword(std::string_view(t).substr(start, i - start))) {
                out.append(t, start, i - start);
                continue;
            }
            // `isee:name(...)`: a vendor function (but not Vensim's `a:AND:b`).
            if (i + 1 < t.size() && t[i] == ':' && is_ident_start(static_cast<unsigned char>(t[i + 1]))) {
                std::size_t e = word_end(i + 1);
                if (!(e < t.size() && t[e] == ':' && is_keyword(std::string_view(t).substr(i + 1, e - i - 1)))) {
                    fail(start, sim::Code::E_XMILE_UNSUPPORTED,
                         "vendor function '" + t.substr(start, e - start) +
                             "' is not supported: rewrite the equation with standard XMILE builtins");
                    out.append(t, start, e - start);
                    i = e;
                    continue;
                }
            }
            // Like the parser, words separated by blanks form one name until a keyword.
            for (;;) {
                std::size_t q = i;
                while (q < t.size() && (t[q] == ' ' || t[q] == '\t' || t[q] == '\n' || t[q] == '\r')) ++q;
                if (q >= t.size() || !is_ident_start(static_cast<unsigned char>(t[q]))) break;
                std::size_t we = word_end(q);
                if (is_keyword(std::string_view(t).substr(q, we - q))) break;
                i = we;
            }
            written = t.substr(start, i - start);
        } else {
            out += t[i++];
            continue;
        }
        // A name: look past blanks for '(' (a call) or '[' (subscripts).
        std::size_t j = i;
        while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r')) ++j;
        std::string canon = canonical_name(written);
        bool local = scope.locals.count(canon) > 0;
        if (!local && !scope.prefix.empty()) {
            auto dot = canon.find('.');
            if (dot != std::string::npos && scope.modules.count(canon.substr(0, dot))) local = true;
        }
        std::string flat = local ? scope.prefix + canon : canon;
        auto arr = scope.arrayed.find(canon);
        if (j < t.size() && t[j] == '(') {
            // A call: a local graphical function gets the prefix; builtins stay.
            if (local && !scope.prefix.empty()) out += emit_name(flat);
            else out.append(t, start, i - start);
            continue;
        }
        std::vector<std::string> subs;
        std::size_t after = i;
        if (j < t.size() && t[j] == '[') {
            std::size_t close = t.find(']', j);
            if (close == std::string::npos) {  // the equation parser reports it
                out.append(t, start, std::string::npos);
                break;
            }
            std::string inside = t.substr(j + 1, close - j - 1);
            std::size_t p = 0;
            while (true) {
                std::size_t q = inside.find(',', p);
                subs.push_back(trim(inside.substr(p, q == std::string::npos ? std::string::npos : q - p)));
                if (q == std::string::npos) break;
                p = q + 1;
            }
            after = close + 1;
        }
        if (arr == scope.arrayed.end()) {
            if (!subs.empty() && local) {
                fail(start, sim::Code::E_XMILE_ARRAY,
                     "'" + written + "' has no <dimensions> but is used with a subscript: declare its dimension or drop the subscript");
                out.append(t, start, after - start);
                i = after;
                continue;
            }
            if (local && !scope.prefix.empty()) out += emit_name(flat);
            else out.append(t, start, i - start);
            continue;
        }
        // An arrayed variable: pick the element.
        const Dim& dim = *arr->second;
        std::optional<std::size_t> elem;
        if (subs.size() > 1) {
            fail(start, sim::Code::E_XMILE_UNSUPPORTED,
                 "'" + written + "' has " + std::to_string(subs.size()) + " subscripts: only 1-D arrays are supported");
        } else if (subs.size() == 1) {
            const std::string& s = subs[0];
            if (canonical_name(s) == canonical_name(dim.name)) {
                if (ctx.dim == &dim) elem = ctx.elem;
                else
                    fail(start, sim::Code::E_XMILE_ARRAY,
                         "'" + written + "[" + s + "]' names the whole dimension outside an equation over '" + dim.name +
                             "': give an element, e.g. " + written + "[" + dim.elems.front() + "]");
            } else if (s == "*") {
                fail(start, sim::Code::E_XMILE_UNSUPPORTED,
                     "'" + written + "[*]': whole-array references and array builtins (SUM, MEAN, ...) are not supported");
            } else if (auto k = dim.find(s)) {
                elem = *k;
            } else {
                fail(start, sim::Code::E_XMILE_ARRAY,
                     "'" + s + "' is not an element of dimension '" + dim.name + "' (used in '" + written + "[" + s + "]')");
            }
        } else if (ctx.dim == &dim) {
            elem = ctx.elem;  // apply-to-all: the same element
        } else {
            fail(start, sim::Code::E_XMILE_UNSUPPORTED,
                 "arrayed variable '" + written +
                     "' is used without a subscript outside an equation over its dimension; give an element, e.g. " +
                     written + "[" + dim.elems.front() + "]");
        }
        if (elem) out += emit_name(flat + "[" + canonical_name(dim.elems[*elem]) + "]");
        else out.append(t, start, after - start);
        i = after;
    }
    return out;
}

void Loader::add_variable(Variable v, pugi::xml_node where) {
    std::string c = canonical_name(v.name);
    if (!defined_.insert(c).second) {
        error(sim::Code::E_XMILE_DUPLICATE, where, v.name,
              "variable '" + v.name + "' is defined more than once (names compare without case, spaces and underscores alike): rename one");
        return;
    }
    spec_.variables.push_back(std::move(v));
}

bool is_number_literal(std::string_view s) { return parse_number(s).has_value(); }

void Loader::read_variable(pugi::xml_node v, const Scope& scope, Behavior beh,
                           const std::map<std::string, std::pair<std::string, pugi::xml_node>>& inputs) {
    std::string_view kind_tag = tag(v);
    std::string name = unescape_name(v.attribute("name").as_string());
    if (trim(name).empty()) {
        error(sim::Code::E_XMILE_NAME, v, "", "<" + std::string(kind_tag) + "> has no name attribute: add name=\"...\"");
        return;
    }
    std::string display = scope.display_prefix + name;
    std::string canon = canonical_name(name);

    // A module input bound by <connect>: an auxiliary equal to its source.
    if (auto in = inputs.find(canon); in != inputs.end()) {
        if (child(v, "dimensions")) {
            error(sim::Code::E_XMILE_UNSUPPORTED, v, display, "arrayed module inputs are not supported");
            return;
        }
        Variable var;
        var.kind = VarKind::aux;
        var.name = display;
        var.loc = loc(v);
        var.equation.text = emit_name(in->second.first);
        var.equation.loc = loc(in->second.second);
        var.units = trim(text_of(child(v, "units")));
        var.doc = trim(text_of(child(v, "doc")));
        add_variable(std::move(var), v);
        return;
    }

    VarKind kind = kind_tag == "stock" ? VarKind::stock : kind_tag == "flow" ? VarKind::flow : VarKind::aux;
    if (kind == VarKind::aux && scope.stock_flows.count(canon)) {
        // Vensim exports (xmutil) write flows as <aux>; a stock's inflow or outflow is a flow.
        kind = VarKind::flow;
        warning(sim::Code::W_XMILE_AUX_AS_FLOW, v, display,
                "'" + name + "' is declared as <aux> but a stock lists it as an inflow or outflow; reading it as a <flow>");
    }

    // Children: read, ignore (display only) or refuse (would change results).
    std::optional<bool> nn;
    for (auto c : v.children()) {
        if (c.type() != pugi::node_element || tag(c).empty()) continue;
        std::string_view t = tag(c);
        if (t == "eqn" || t == "inflow" || t == "outflow" || t == "units" || t == "doc" || t == "dimensions" ||
            t == "element" || t == "gf")
            continue;
        if (t == "non_negative") {
            if (kind == VarKind::aux)
                warning(sim::Code::W_XMILE_IGNORED, c, display, "<non_negative> applies only to stocks and flows; ignored here");
            else
                nn = read_bool(c, display);
        } else if (t == "conveyor" || t == "queue" || t == "leak" || t == "leak_integers" || t == "overflow" ||
                   t == "multiplier" || t == "event_poster") {
            error(sim::Code::E_XMILE_UNSUPPORTED, c, display,
                  "<" + std::string(c.name()) + "> (conveyors, queues, ovens and their flows) is not supported");
            return;
        } else if (t == "range" || t == "scale" || t == "format" || t == "display" || t == "label") {
            continue;  // presentation only
        } else {
            warning(sim::Code::W_XMILE_IGNORED, c, display, "<" + std::string(c.name()) + "> is not understood and is ignored");
        }
    }

    bool non_negative = false;
    if (kind == VarKind::stock) non_negative = nn.value_or(beh.stock_non_negative);
    if (kind == VarKind::flow) non_negative = nn.value_or(beh.flow_non_negative);

    auto flows = [&](const char* which, ElemContext ctx) {
        std::vector<std::string> r;
        for (auto c : v.children()) {
            if (c.type() != pugi::node_element || tag(c) != which) continue;
            std::string f = ref_name(text_of(c));
            std::string fc = canonical_name(f);
            std::string flat = scope.locals.count(fc) ? scope.display_prefix + f : f;
            if (auto a = scope.arrayed.find(fc); a != scope.arrayed.end()) {
                if (ctx.dim == a->second) flat += "[" + a->second->elems[ctx.elem] + "]";
                else {
                    error(sim::Code::E_XMILE_ARRAY, c, display,
                          "flow '" + f + "' is arrayed over '" + a->second->name + "' but stock '" + name +
                              "' is not arrayed over it");
                    continue;
                }
            }
            r.push_back(flat);
        }
        return r;
    };
    auto base = [&]() {
        Variable var;
        var.kind = kind;
        var.loc = loc(v);
        var.non_negative = non_negative;
        var.units = trim(text_of(child(v, "units")));
        var.doc = trim(text_of(child(v, "doc")));
        return var;
    };
    auto finish = [&](Variable& var, pugi::xml_node eqn_node, pugi::xml_node gf_node, ElemContext ctx) {
        if (!eqn_node && !gf_node) {
            error(sim::Code::E_XMILE_EQN, v, var.name, "variable '" + var.name + "' has no <eqn>: give its equation");
        }
        var.equation = read_eqn(eqn_node, var.name);
        if (!var.equation.empty()) var.equation.text = rewrite(var.equation, scope, ctx, var.name);
        if (gf_node) {
            if (kind == VarKind::stock)
                error(sim::Code::E_XMILE_GF, gf_node, var.name, "a stock cannot have a graphical function");
            else
                var.gf = read_gf(gf_node, var.name);
        }
        if (kind == VarKind::aux && !var.gf && is_number_literal(var.equation.text)) var.kind = VarKind::constant;
    };

    auto dims_node = child(v, "dimensions");
    if (!dims_node) {
        Variable var = base();
        var.name = display;
        if (kind == VarKind::stock) {
            var.inflows = flows("inflow", {});
            var.outflows = flows("outflow", {});
        }
        finish(var, child(v, "eqn"), child(v, "gf"), {});
        add_variable(std::move(var), v);
        return;
    }
    auto it = scope.arrayed.find(canon);
    if (it == scope.arrayed.end()) return;  // its <dimensions> was reported while collecting names
    const Dim& dim = *it->second;
    std::vector<pugi::xml_node> elem_nodes(dim.elems.size());
    for (auto e : v.children()) {
        if (e.type() != pugi::node_element || tag(e) != "element") continue;
        std::string sub = unescape_name(e.attribute("subscript").as_string());
        if (sub.find(',') != std::string::npos) {
            error(sim::Code::E_XMILE_UNSUPPORTED, e, display, "element subscript '" + sub + "' has several parts: only 1-D arrays are supported");
            continue;
        }
        if (auto k = dim.find(sub)) elem_nodes[*k] = e;
        else error(sim::Code::E_XMILE_ARRAY, e, display, "'" + sub + "' is not an element of dimension '" + dim.name + "'");
    }
    for (std::size_t k = 0; k < dim.elems.size(); ++k) {
        Variable var = base();
        var.name = display + "[" + dim.elems[k] + "]";
        ElemContext ctx{&dim, k};
        if (kind == VarKind::stock) {
            var.inflows = flows("inflow", ctx);
            var.outflows = flows("outflow", ctx);
        }
        pugi::xml_node eqn = child(v, "eqn"), gf = child(v, "gf");
        if (elem_nodes[k]) {
            if (auto en = child(elem_nodes[k], "eqn")) eqn = en;
            if (auto eg = child(elem_nodes[k], "gf")) gf = eg;
            var.loc = loc(elem_nodes[k]);
        }
        finish(var, eqn, gf, ctx);
        add_variable(std::move(var), elem_nodes[k] ? elem_nodes[k] : v);
    }
}

// Emits the variables of one model instance. `inputs`: canonical local name ->
// (canonical flattened source name, the <connect> element).
void Loader::load_instance(pugi::xml_node model, const std::string& prefix, const std::string& display_prefix,
                           Behavior beh, const std::map<std::string, std::pair<std::string, pugi::xml_node>>& inputs) {
    if (auto b = child(model, "behavior")) beh = read_behavior(b, beh);
    // Pre-1.0 Stella files (version 10) put the variables directly in <model>.
    auto vars = child(model, "variables");
    if (!vars) vars = model;
    Scope scope;
    scope.prefix = prefix;
    scope.display_prefix = display_prefix;
    for (auto v : vars.children()) {
        if (v.type() != pugi::node_element) continue;
        std::string_view t = tag(v);
        std::string c = canonical_name(unescape_name(v.attribute("name").as_string()));
        if (t == "stock")
            for (auto f : v.children())
                if (f.type() == pugi::node_element && (tag(f) == "inflow" || tag(f) == "outflow"))
                    scope.stock_flows.insert(canonical_name(ref_name(text_of(f))));
        if (t == "stock" || t == "flow" || t == "aux" || t == "gf") {
            scope.locals.insert(c);
            if (auto d = child(v, "dimensions")) {
                std::vector<pugi::xml_node> ds;
                for (auto x : d.children())
                    if (x.type() == pugi::node_element && tag(x) == "dim") ds.push_back(x);
                if (ds.size() != 1) {
                    error(sim::Code::E_XMILE_UNSUPPORTED, d, v.attribute("name").as_string(),
                          ds.empty() ? std::string("<dimensions> lists no <dim>")
                                     : std::to_string(ds.size()) + "-D arrays are not supported: only 1-D arrays are");
                    continue;
                }
                auto found = dims_.find(canonical_name(unescape_name(ds[0].attribute("name").as_string())));
                if (found == dims_.end()) {
                    error(sim::Code::E_XMILE_ARRAY, ds[0], v.attribute("name").as_string(),
                          std::string("unknown dimension '") + ds[0].attribute("name").as_string() +
                              "': declare it in the top-level <dimensions>");
                    continue;
                }
                if (t == "gf") {
                    error(sim::Code::E_XMILE_UNSUPPORTED, v, v.attribute("name").as_string(), "arrayed standalone <gf> is not supported");
                    continue;
                }
                scope.arrayed[c] = &found->second;
            }
        } else if (t == "module") {
            scope.modules.insert(c);
        }
    }
    for (auto v : vars.children()) {
        if (v.type() != pugi::node_element || tag(v).empty()) continue;  // vendor elements (isee:dependencies, ...)
        std::string_view t = tag(v);
        if (t == "stock" || t == "flow" || t == "aux") {
            read_variable(v, scope, beh, inputs);
        } else if (t == "gf") {
            std::string name = unescape_name(v.attribute("name").as_string());
            if (trim(name).empty()) {
                error(sim::Code::E_XMILE_NAME, v, "", "<gf> directly in <variables> needs a name attribute to be callable");
                continue;
            }
            Variable var;
            var.kind = VarKind::lookup;
            var.name = display_prefix + name;
            var.loc = loc(v);
            var.gf = read_gf(v, var.name);
            var.units = trim(text_of(child(v, "units")));
            var.doc = trim(text_of(child(v, "doc")));
            if (var.gf) add_variable(std::move(var), v);
        } else if (t == "module") {
            std::string name = unescape_name(v.attribute("name").as_string());
            std::string c = canonical_name(name);
            if (v.attribute("resource")) {
                error(sim::Code::E_XMILE_UNSUPPORTED, v, name, "modules from another file (resource=...) are not supported");
                continue;
            }
            auto m = models_.find(c);
            if (m == models_.end()) {
                error(sim::Code::E_XMILE_MODULE, v, display_prefix + name,
                      "module '" + name + "' has no <model name=\"" + name + "\"> in this file");
                continue;
            }
            if (std::find(module_stack_.begin(), module_stack_.end(), c) != module_stack_.end() ||
                module_stack_.size() >= max_module_depth) {
                error(sim::Code::E_XMILE_MODULE, v, display_prefix + name, "module '" + name + "' contains itself");
                continue;
            }
            std::map<std::string, std::pair<std::string, pugi::xml_node>> sub_inputs;
            for (auto cn : v.children()) {
                if (cn.type() != pugi::node_element || tag(cn).empty()) continue;
                if (tag(cn) == "display") continue;  // diagram position (legacy files)
                if (tag(cn) != "connect") {
                    warning(sim::Code::W_XMILE_IGNORED, cn, display_prefix + name, "<" + std::string(cn.name()) + "> in <module> is ignored");
                    continue;
                }
                std::string to = ref_name(cn.attribute("to").as_string());
                std::string from = ref_name(cn.attribute("from").as_string());
                // `to` names a variable of the module (optionally as module.var);
                // `from` a variable of this model (".var" or "var") or of a sibling module ("other.var").
                std::string toc = canonical_name(to);
                if (toc.rfind(c + ".", 0) == 0) toc = toc.substr(c.size() + 1);
                if (!from.empty() && from[0] == '.') from = from.substr(1);
                if (toc.empty() || from.empty()) {
                    error(sim::Code::E_XMILE_MODULE, cn, display_prefix + name, "<connect> needs both to=\"...\" and from=\"...\"");
                    continue;
                }
                sub_inputs[toc] = {prefix + canonical_name(from), cn};
            }
            // Every connected input must exist in the module's model.
            std::set<std::string> names;
            auto mv = child(m->second, "variables");
            if (!mv) mv = m->second;  // legacy: variables directly in <model>
            for (auto x : mv.children())
                    if (x.type() == pugi::node_element) names.insert(canonical_name(unescape_name(x.attribute("name").as_string())));
            for (auto& [to, src] : sub_inputs)
                if (!names.count(to))
                    error(sim::Code::E_XMILE_MODULE, src.second, display_prefix + name,
                          "<connect to=\"" + std::string(src.second.attribute("to").as_string()) + "\">: model '" + name +
                              "' has no such variable");
            module_stack_.push_back(c);
            load_instance(m->second, prefix + c + ".", display_prefix + name + ".", beh, sub_inputs);
            module_stack_.pop_back();
        } else if (t == "group" || t == "display" || t == "views" || t == "variables" || t == "behavior" ||
                   t == "sim_specs" || t == "name" || t == "interface") {
            continue;  // diagram and grouping (or, for a legacy <model>, read elsewhere)
        } else {
            error(sim::Code::E_XMILE_UNSUPPORTED, v, v.attribute("name").as_string(),
                  "<" + std::string(v.name()) + "> in <" + vars.name() + "> is not supported");
        }
    }
}

ModelSpec Loader::run() {
    spec_.file = file_;
    pugi::xml_parse_result r = doc_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r) {
        diags_.error(sim::Code::E_XML_SYNTAX, lines_.loc(file_, static_cast<std::size_t>(std::max<std::ptrdiff_t>(r.offset, 0))), "",
                     std::string("the file is not well-formed XML (") + r.description() +
                         "): fix the XML at this position");
        return spec_;
    }
    auto root = doc_.document_element();
    if (!root) {
        diags_.error(sim::Code::E_XML_SYNTAX, lines_.loc(file_, 0), "", "the file holds no XML element: it is not an XMILE model");
        return spec_;
    }
    if (!check_namespace(root)) return spec_;
    check_prefixes(root, {});

    pugi::xml_node root_model, specs;
    for (auto c : root.children()) {
        if (c.type() != pugi::node_element || tag(c).empty()) continue;
        std::string_view t = tag(c);
        if (t == "model") {
            // The root model is the one without a name (else the first one);
            // named models are the definitions of modules.
            std::string n = unescape_name(c.attribute("name").as_string());
            if (!root_model || (n.empty() && root_model.attribute("name"))) root_model = c;
            if (!n.empty()) models_[canonical_name(n)] = c;
        } else if (t == "sim_specs") {
            specs = c;
        } else if (t == "dimensions") {
            read_dimensions(c);
        } else if (t == "behavior") {
            behavior_ = read_behavior(c, behavior_);
        } else if (t == "header") {
            if (auto n = child(c, "name")) spec_.name = trim(text_of(n));
        } else if (t == "name") {
            if (spec_.name.empty()) spec_.name = trim(text_of(c));
        } else if (t == "macro") {
            error(sim::Code::E_XMILE_UNSUPPORTED, c, c.attribute("name").as_string(),
                  "<macro> is not supported: expand the macro into ordinary variables");
        } else if (t == "data") {
            warning(sim::Code::W_XMILE_IGNORED, c, "", "<data> (import/export of data files) is ignored");
        }
        // model_units, style, prefs, equation_prefs, default_format: presentation or units only.
    }
    if (specs) {
        // Checked as a run would check them, so that `sdsim check` reports
        // dt <= 0, stop < start, ... (at <sim_specs>) like the YAML loader.
        const std::size_t before = diags_.error_count();
        read_specs(specs);
        if (diags_.error_count() == before) validate_specs(spec_.specs, diags_);
    } else error(sim::Code::E_XMILE_SPECS, root, "", "the file has no <sim_specs>: add <sim_specs> with <start>, <stop> and <dt>");
    if (!root_model) {
        error(sim::Code::E_XMILE_MODEL, root, "", "the file has no <model>");
        return spec_;
    }
    if (spec_.name.empty()) spec_.name = root_model.attribute("name").as_string();
    if (spec_.name.empty()) {
        std::string stem = file_.substr(file_.find_last_of("/\\") == std::string::npos ? 0 : file_.find_last_of("/\\") + 1);
        spec_.name = stem.substr(0, stem.rfind('.'));
    }
    if (auto n = root_model.attribute("name")) module_stack_.push_back(canonical_name(n.value()));
    load_instance(root_model, "", "", behavior_, {});
    return spec_;
}

}  // namespace

ModelSpec parse_xmile(std::string_view text, const std::string& filename, Diagnostics& diags) {
    Loader loader(text, filename, diags);
    return loader.run();
}

ModelSpec load_xmile(const std::string& path, Diagnostics& diags) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags.error(sim::Code::E_IO, SourceLoc{path, 0, 0}, "", "cannot open '" + path + "': check the path and permissions");
        ModelSpec spec;
        spec.file = path;
        return spec;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_xmile(ss.str(), path, diags);
}

}  // namespace sim
