// The compiler driver: ModelSpec -> Program through the named phases of
// compiler.hpp, after the tree pass that adds the levers' variables
// (levers.cpp). The spec is read, not copied: its trees are compiled where
// they are, and the Program keeps a copy without them.
#include "compile/compiler.hpp"

namespace sim::detail {

namespace {

// A copy for Program::spec: everything but the equation's tree. (A field
// added to Variable must be copied here too.)
Variable without_tree(const Variable& v) {
    Variable c;
    c.kind = v.kind;
    c.name = v.name;
    c.loc = v.loc;
    c.equation.text = v.equation.text;
    c.equation.loc = v.equation.loc;
    c.equation.error = v.equation.error;
    c.equation.lines_from_col1 = v.equation.lines_from_col1;
    c.inflows = v.inflows;
    c.outflows = v.outflows;
    c.gf = v.gf;
    c.non_negative = v.non_negative;
    c.units = v.units;
    c.doc = v.doc;
    return c;
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
    // Equations whose text was assigned directly (Equation's invariant
    // allows it) are parsed here, once; everything else was parsed when read.
    std::deque<Variable> parsed_now;
    std::vector<const Variable*> vars;
    vars.reserve(spec.variables.size());
    for (const auto& v : spec.variables) {
        if (v.equation.parsed() || v.equation.empty()) {
            vars.push_back(&v);
        } else {
            parsed_now.push_back(v);
            parsed_now.back().equation = Equation::parse(v.equation.text, v.equation.loc);
            vars.push_back(&parsed_now.back());
        }
    }
    // Lever errors do not stop compilation: the user sees every error at once.
    const std::deque<Variable> levers = lever_variables(spec, local);
    for (const auto& v : levers) vars.push_back(&v);
    std::shared_ptr<Program> p = Compiler(vars, local).compile();
    diags.append(local);
    if (!p || local.has_errors()) return nullptr;
    p->spec.name = spec.name;
    p->spec.file = spec.file;
    p->spec.doc = spec.doc;
    p->spec.specs = spec.specs;
    p->spec.levers = spec.levers;
    for (const Variable* v : vars) p->spec.variables.push_back(without_tree(*v));
    return p;
}

}  // namespace sim::detail
