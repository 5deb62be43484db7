// XMILE reader: variables (<stock>, <flow>, <aux>), their equations and
// graphical functions. See loader.hpp.
#include <cctype>

#include "io/xmile/loader.hpp"
#include "lang/graphical.hpp"
#include "util/text.hpp"

namespace sim::xmile {

std::vector<double> Loader::read_points(pugi::xml_node pts, const std::string& var, bool& ok) {
    std::string sep = pts.attribute("sep").as_string(",");
    if (sep.empty()) sep = ",";
    std::string s = text_of(pts);
    std::vector<double> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t next = s.find(sep, pos);
        std::string item = s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (auto v = number(item)) {
            out.push_back(*v);
        } else if (!(trimmed(item).empty() && next == std::string::npos && !out.empty())) {  // allow a trailing separator
            error(sim::Code::E_XMILE_GF, pts, var,
                  "<" + std::string(pts.name()) + "> item '" + trimmed(item) + "' is not a number (separator '" + sep + "')");
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
    std::string type = text::lower(g.attribute("type").as_string("continuous"));
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
        auto lo = number(xscale.attribute("min").as_string());
        auto hi = number(xscale.attribute("max").as_string());
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
    if (auto p = check_points(gf.x, gf.y)) {
        if (p->kind == GfProblem::not_increasing)
            error(sim::Code::E_XMILE_GF, xpts ? xpts : g, var,
                  "graphical function x values must increase strictly; x[" + std::to_string(p->index) + "] = " +
                      text::number(gf.x[p->index]) + " follows " + text::number(gf.x[p->index - 1]));
        else
            error(sim::Code::E_XMILE_GF, g, var,
                  "graphical function has " + std::to_string(gf.x.size()) + " x values and " +
                      std::to_string(gf.y.size()) + " y values: give the same number of each (at least one)");
        return std::nullopt;
    }
    return gf;
}

// The equation of an <eqn>, parsed: its text positioned at its first
// non-blank character, with {comments} blanked out (newlines kept so
// positions stay right) and `\n` (XMILE's escaped line break inside names)
// turned into spaces.
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
    return Equation::parse(trimmed(t).empty() ? std::string() : t, std::move(e.loc));
}

void Loader::add_variable(Variable v, pugi::xml_node where) {
    if (over_limit_) return;
    if (spec_.variables.size() >= limits_.variables) {
        error(sim::Code::E_LIMIT, where, v.name,
              "the model has more than " + std::to_string(limits_.variables) +
                  " variables after expanding modules and arrays" + limit_hint(limits_.variables, "--max-variables"));
        over_limit_ = true;
        return;
    }
    std::string c = canonical_name(v.name);
    if (!defined_.insert(c).second) {
        error(sim::Code::E_XMILE_DUPLICATE, where, v.name,
              "variable '" + v.name + "' is defined more than once (names compare without case, spaces and underscores alike): rename one");
        return;
    }
    spec_.variables.push_back(std::move(v));
}

void Loader::read_variable(pugi::xml_node v, const Scope& scope, Behavior beh, const Inputs& inputs) {
    std::string_view kind_tag = tag(v);
    std::string name = unescape_name(v.attribute("name").as_string());
    if (trimmed(name).empty()) {
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
        ast::Expr source;
        source.add(ast::Node{ast::Name{in->second.first, in->second.first, {}}, {}});
        var.equation = Equation::of(std::move(source), loc(in->second.second));
        var.units = trimmed(text_of(child(v, "units")));
        var.doc = trimmed(text_of(child(v, "doc")));
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

    auto flows = [&](const char* which) {
        std::vector<std::string> r;
        for (auto c : v.children()) {
            if (c.type() != pugi::node_element || tag(c) != which) continue;
            std::string f = ref_name(text_of(c));
            r.push_back(scope.locals.count(canonical_name(f)) ? scope.display_prefix + f : f);
        }
        return r;
    };
    Variable var;
    var.kind = kind;
    var.name = display;
    var.loc = loc(v);
    var.non_negative = non_negative;
    var.units = trimmed(text_of(child(v, "units")));
    var.doc = trimmed(text_of(child(v, "doc")));
    if (kind == VarKind::stock) {
        var.inflows = flows("inflow");
        var.outflows = flows("outflow");
    }
    const pugi::xml_node gf_node = child(v, "gf");
    if (gf_node) {
        if (kind == VarKind::stock)
            error(sim::Code::E_XMILE_GF, gf_node, display, "a stock cannot have a graphical function");
        else
            var.gf = read_gf(gf_node, display);
    }
    if (auto dims_node = child(v, "dimensions")) {
        auto dims = read_var_dims(dims_node, display);
        if (!dims) return;
        var.dimensions = std::move(*dims);
        if (!read_elements(v, var, scope)) return;
    } else {
        const pugi::xml_node eqn = child(v, "eqn");
        if (!eqn && !gf_node)
            error(sim::Code::E_XMILE_EQN, v, display, "variable '" + display + "' has no <eqn>: give its equation");
        var.equation = scoped_eqn(eqn, scope, display);
        if (kind == VarKind::aux && !var.gf && number(var.equation.text)) var.kind = VarKind::constant;
    }
    add_variable(std::move(var), v);
}

Equation Loader::scoped_eqn(pugi::xml_node eqn, const Scope& scope, const std::string& var, bool arrayed) {
    Equation e = read_eqn(eqn, var);
    flatten(e, scope, var);
    if (!macros_.empty()) expand_macros(e, scope, var, arrayed);
    return e;
}

}  // namespace sim::xmile
