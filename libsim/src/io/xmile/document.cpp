// XMILE reader: the document (namespaces, prefixes, top-level elements) and
// the entry points parse_xmile / load_xmile. See loader.hpp.
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "io/model_size.hpp"
#include "io/xmile/loader.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "util/text.hpp"

namespace sim::xmile {
namespace {

constexpr std::string_view ns_xmile = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0";
constexpr std::string_view ns_xmile_old = "http://www.systemdynamics.org/XMILE";
constexpr std::string_view ns_isee = "http://iseesystems.com/XMILE";

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
        // LF, CRLF and a bare CR each end one line.
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
            starts_.push_back(i + 1);
    }
}

SourceLoc LineIndex::loc(const std::string& file, std::size_t offset) const {
    offset = std::min(offset, text_.size());
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // >= 1
    std::size_t b = starts_[line - 1];
    int col = 1;
    for (std::size_t i = b; i < offset; ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    return SourceLoc{file, static_cast<int>(line), col};
}

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

std::string ref_name(std::string_view s) {
    std::string t(text::trim(unescape_name(s)));
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    return t;
}

SourceLoc Loader::loc(pugi::xml_node n) const {
    auto off = n.offset_debug();
    if (off < 0) return SourceLoc{file_, 0, 0};
    std::size_t o = static_cast<std::size_t>(off);
    // An element's offset is its name; report the '<' before it.
    if (n.type() == pugi::node_element && o > 0 && text_[o - 1] == '<') --o;
    return lines_.loc(file_, o);
}

std::string_view Loader::tag(pugi::xml_node n) const {
    std::string_view name = n.name();
    auto colon = name.find(':');
    if (colon == std::string_view::npos) return name;
    if (!xmile_prefix_.empty() && name.substr(0, colon) == xmile_prefix_) return name.substr(colon + 1);
    return {};
}

pugi::xml_node Loader::child(pugi::xml_node n, std::string_view t) const {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && tag(c) == t) return c;
    return {};
}

std::string Loader::text_of(pugi::xml_node n) const {
    std::string s;
    for (auto c : n.children())
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) s += c.value();
    return s;
}

// The element depth, checked before any traversal (every traversal of the
// document below is either iterative or bounded by this depth).
bool Loader::check_depth(pugi::xml_node root) {
    // Iterative walk: first child, next sibling, back up through parents.
    std::size_t depth = 1;
    pugi::xml_node n = root;
    while (n) {
        if (n.type() == pugi::node_element && depth > limits_.depth) {
            error(sim::Code::E_LIMIT, n, "",
                  "XML elements are nested more than " + std::to_string(limits_.depth) + " deep here" +
                      limit_hint(limits_.depth, "--max-depth"));
            return false;
        }
        if (n.first_child()) {
            n = n.first_child();
            ++depth;
            continue;
        }
        while (n && n != root && !n.next_sibling()) {
            n = n.parent();
            --depth;
        }
        if (!n || n == root) break;
        n = n.next_sibling();
    }
    return true;
}

// pugixml ignores namespaces, so an undeclared `isee:` prefix parses fine; XMILE
// tools that do check namespaces reject such files. Recover by declaring the
// prefix on the root and say so. Iterative: each element sees the prefixes
// declared on it and its ancestors.
void Loader::check_prefixes(pugi::xml_node root) {
    using Declared = std::shared_ptr<const std::set<std::string>>;
    std::vector<std::pair<pugi::xml_node, Declared>> todo{{root, std::make_shared<const std::set<std::string>>()}};
    auto check = [&](std::string_view name, pugi::xml_node where, const std::set<std::string>& declared) {
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
    while (!todo.empty()) {
        auto [n, declared] = todo.back();
        todo.pop_back();
        for (auto a : n.attributes()) {
            std::string_view an = a.name();
            if (an.substr(0, 6) == "xmlns:") {
                auto more = std::make_shared<std::set<std::string>>(*declared);
                more->insert(std::string(an.substr(6)));
                declared = std::move(more);
            }
        }
        check(n.name(), n, *declared);
        for (auto a : n.attributes()) check(a.name(), n, *declared);
        // Children pushed in reverse, so that they are checked in document order.
        std::vector<pugi::xml_node> kids;
        for (auto c : n.children())
            if (c.type() == pugi::node_element) kids.push_back(c);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) todo.emplace_back(*it, declared);
    }
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
    if (!check_depth(root)) return spec_;
    if (!check_namespace(root)) return spec_;
    check_prefixes(root);

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
            if (auto n = child(c, "name")) spec_.name = trimmed(text_of(n));
        } else if (t == "name") {
            if (spec_.name.empty()) spec_.name = trimmed(text_of(c));
        } else if (t == "macro") {
            read_macro(c);
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
    check_macro_calls();
    if (auto n = root_model.attribute("name")) module_stack_.push_back(canonical_name(n.value()));
    load_instance(root_model, "", "", behavior_, {});
    if (!over_limit_) check_model_size(spec_, limits_, diags_);
    return spec_;
}

}  // namespace sim::xmile

namespace sim {

ModelSpec parse_xmile(std::string_view bytes, const std::string& filename, Diagnostics& diags,
                      const Limits& limits) {
    const auto text = decode_text(bytes, filename, TextFormat::xml, diags);
    if (!text) {
        ModelSpec spec;
        spec.file = filename;
        return spec;
    }
    xmile::Loader loader(*text, filename, diags, limits);
    return loader.run();
}

}  // namespace sim
