// The compiler driver: ModelSpec -> Program through the named phases of
// compiler.hpp, after the tree passes that prepare the spec (levers.cpp).
#include "compile/compiler.hpp"

namespace sim::detail {

namespace {

// Equations whose text was assigned directly (Equation's invariant allows
// it) are parsed here, once; everything else was parsed when it was read.
void parse_pending(Equation& e) {
    if (!e.parsed() && !e.empty()) e = Equation::parse(std::move(e.text), std::move(e.loc));
}

}  // namespace

std::shared_ptr<Program> Compiler::compile() {
    declare();
    build_tables();
    resolve_equations();
    link_stocks();
    mark_literals();
    // Per-step loops first: a loop among auxiliaries is an algebraic loop even
    // though it also makes their initial values circular; report it once, as such.
    std::vector<int> run_order = order(false);
    std::vector<int> init_order = order(true);
    if (diags_.has_errors()) return nullptr;

    auto prog = std::make_shared<Program>();
    layout(*prog);
    emit(*prog, init_order, run_order);
    emit_stocks(*prog);
    publish(*prog);
    return prog;
}

const VarInfo* Program::find(std::string_view name) const {
    auto it = index.find(canonical_name(name));
    return it == index.end() ? nullptr : &vars[it->second];
}

std::shared_ptr<const Program> Program::compile(const ModelSpec& spec, Diagnostics& diags) {
    Diagnostics local;
    ModelSpec expanded = spec;
    for (auto& v : expanded.variables) parse_pending(v.equation);
    for (auto& l : expanded.levers) parse_pending(l.cost);
    expand_levers(expanded, local);
    // Lever errors do not stop compilation: the user sees every error at once.
    std::shared_ptr<Program> p = Compiler(expanded, local).compile();
    diags.append(local);
    if (!p || local.has_errors()) return nullptr;
    p->spec = std::move(expanded);
    return p;
}

}  // namespace sim::detail
