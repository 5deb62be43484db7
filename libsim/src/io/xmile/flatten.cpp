// XMILE reader: the tree pass that flattens modules and 1-D arrays in one
// equation. Names local to a module instance are renamed to their flattened
// name (`m.v`); a reference to an arrayed variable gets an explicit element
// subscript (the element of the equation being flattened for apply-to-all
// references and for the dimension's name; the element named or numbered
// otherwise). Nodes keep their spans, so every diagnostic, here or in the
// compiler, points at the name as written.
#include "io/xmile/loader.hpp"
#include "lang/tree.hpp"

namespace sim::xmile {

namespace {

class Flattener {
public:
    Flattener(Equation& eq, const Scope& scope, ElemContext ctx, const std::string& var, Diagnostics& diags)
        : eq_(eq), t_(eq.tree), scope_(scope), ctx_(ctx), var_(var), diags_(diags) {}

    void run() {
        const ast::NodeId root = t_.root;
        visit(root);
        t_.root = root;  // Expr::add made each added subscript the root
        if (grew_) ast::compact(t_);
    }

private:
    Equation& eq_;
    ast::Expr& t_;
    const Scope& scope_;
    ElemContext ctx_;
    const std::string& var_;
    Diagnostics& diags_;
    bool grew_ = false;

    void fail(ast::NodeId at, sim::Code code, std::string msg) {
        diags_.error(code, eq_.at(t_[at].span), var_, std::move(msg));
    }

    // A node as written (its text in the equation), for messages.
    std::string source(ast::NodeId id) const {
        const ast::Span s = t_[id].span;
        if (s.end > s.begin && s.end <= eq_.text.size()) return eq_.text.substr(s.begin, s.end - s.begin);
        return ast::print(t_, id);
    }

    bool is_local(const std::string& canon) const {
        if (scope_.locals.count(canon)) return true;
        if (scope_.prefix.empty()) return false;
        auto dot = canon.find('.');
        return dot != std::string::npos && scope_.modules.count(canon.substr(0, dot)) > 0;
    }

    // `isee:name`: the lexer reads a namespace-qualified name as one word.
    bool vendor(ast::NodeId id, const std::string& text) {
        if (text.find(':') == std::string::npos) return false;
        fail(id, sim::Code::E_XMILE_UNSUPPORTED,
             "vendor function '" + text + "' is not supported: rewrite the equation with standard XMILE builtins");
        return true;
    }

    // Pre-order, children in source order: diagnostics come out left to
    // right. Subscripts are element and dimension names, not visited.
    void visit(ast::NodeId id) {
        if (std::holds_alternative<ast::Name>(t_[id].v)) {
            name(id);
            return;
        }
        if (auto* c = std::get_if<ast::Call>(&t_[id].v)) {
            if (!vendor(id, c->text) && is_local(c->canonical) && !scope_.prefix.empty())
                c->canonical = scope_.prefix + c->canonical;
        }
        std::vector<ast::NodeId> children;
        ast::for_each_child(t_[id], [&](ast::NodeId c) { children.push_back(c); });
        for (ast::NodeId c : children) visit(c);
    }

    std::optional<std::size_t> element(const Dim& dim, ast::NodeId sub) const {
        if (const auto* n = std::get_if<ast::Name>(&t_[sub].v); n && n->subscripts.empty()) return dim.find(n->canonical);
        if (const auto* x = std::get_if<ast::Number>(&t_[sub].v)) return dim.find(text::number(x->value));
        return std::nullopt;
    }

    void name(ast::NodeId id) {
        auto& n = std::get<ast::Name>(t_[id].v);
        if (vendor(id, n.text)) return;
        const std::string written = n.text;
        const bool local = is_local(n.canonical);
        const std::string flat = local ? scope_.prefix + n.canonical : n.canonical;
        auto arr = scope_.arrayed.find(n.canonical);
        if (arr == scope_.arrayed.end()) {
            if (local && !n.subscripts.empty()) {
                fail(id, sim::Code::E_XMILE_ARRAY,
                     "'" + written +
                         "' has no <dimensions> but is used with a subscript: declare its dimension or drop the subscript");
            } else if (local) {
                n.canonical = flat;
            }
            return;
        }
        // An arrayed variable: pick the element.
        const Dim& dim = *arr->second;
        const std::vector<ast::NodeId> subs = n.subscripts;
        std::optional<std::size_t> elem;
        if (subs.size() > 1) {
            fail(id, sim::Code::E_XMILE_UNSUPPORTED,
                 "'" + written + "' has " + std::to_string(subs.size()) + " subscripts: only 1-D arrays are supported");
        } else if (subs.size() == 1) {
            const ast::NodeId s = subs[0];
            const std::string s_text = source(s);
            const auto* sn = std::get_if<ast::Name>(&t_[s].v);
            if (sn && sn->subscripts.empty() && sn->canonical == canonical_name(dim.name)) {
                if (ctx_.dim == &dim) elem = ctx_.elem;
                else
                    fail(id, sim::Code::E_XMILE_ARRAY,
                         "'" + written + "[" + s_text + "]' names the whole dimension outside an equation over '" +
                             dim.name + "': give an element, e.g. " + written + "[" + dim.elems.front() + "]");
            } else if (std::holds_alternative<ast::Wildcard>(t_[s].v)) {
                fail(id, sim::Code::E_XMILE_UNSUPPORTED,
                     "'" + written +
                         "[*]': whole-array references and array builtins (SUM, MEAN, ...) are not supported");
            } else if (auto k = element(dim, s)) {
                elem = *k;
            } else {
                fail(id, sim::Code::E_XMILE_ARRAY,
                     "'" + s_text + "' is not an element of dimension '" + dim.name + "' (used in '" + written + "[" +
                         s_text + "]')");
            }
        } else if (ctx_.dim == &dim) {
            elem = ctx_.elem;  // apply-to-all: the same element
        } else {
            fail(id, sim::Code::E_XMILE_UNSUPPORTED,
                 "arrayed variable '" + written +
                     "' is used without a subscript outside an equation over its dimension; give an element, e.g. " +
                     written + "[" + dim.elems.front() + "]");
        }
        if (!elem) return;
        // The element subscript is synthesised: it takes the reference's span.
        const std::string& e = dim.elems[*elem];
        const ast::NodeId sub = t_.add(ast::Node{ast::Name{canonical_name(e), e, {}}, t_[id].span});
        auto& ref = std::get<ast::Name>(t_[id].v);  // add() may have moved the arena
        ref.canonical = flat;
        ref.subscripts = {sub};
        grew_ = true;
    }
};

}  // namespace

void Loader::flatten(Equation& eq, const Scope& scope, ElemContext ctx, const std::string& var) {
    if (eq.tree.empty()) return;
    Flattener(eq, scope, ctx, var, diags_).run();
}

}  // namespace sim::xmile
