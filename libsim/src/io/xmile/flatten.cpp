// XMILE reader: the tree pass that flattens modules in one equation. Names
// local to a module instance are renamed to their flattened name (`m.v`);
// subscripts (element and dimension names) are left as written, for the
// compiler to resolve. Nodes keep their spans, so every diagnostic, here or
// in the compiler, points at the name as written.
#include "io/xmile/loader.hpp"
#include "lang/tree.hpp"

namespace sim::xmile {

namespace {

class Flattener {
public:
    Flattener(Equation& eq, const Scope& scope, const std::string& var, Diagnostics& diags)
        : eq_(eq), t_(eq.tree), scope_(scope), var_(var), diags_(diags) {}

    void run() { visit(t_.root); }

private:
    Equation& eq_;
    ast::Expr& t_;
    const Scope& scope_;
    const std::string& var_;
    Diagnostics& diags_;

    void fail(ast::NodeId at, sim::Code code, std::string msg) {
        diags_.error(code, eq_.at(t_[at].span), var_, std::move(msg));
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

    void name(ast::NodeId id) {
        auto& n = std::get<ast::Name>(t_[id].v);
        if (vendor(id, n.text)) return;
        if (is_local(n.canonical)) n.canonical = scope_.prefix + n.canonical;
    }
};

}  // namespace

void Loader::flatten(Equation& eq, const Scope& scope, const std::string& var) {
    if (eq.tree.empty()) return;
    Flattener(eq, scope, var, diags_).run();
}

}  // namespace sim::xmile
