// The compiler driver: ModelSpec -> Program through the named phases of
// compiler.hpp, after the tree pass that adds the levers' variables
// (levers.cpp). The spec is read, not copied: its trees are compiled where
// they are, and the Program keeps a copy without them.
#include "compile/compiler.hpp"
#include "lang/names.hpp"

namespace sim::detail {

namespace {

Equation text_only(const Equation& e) {
    Equation c;
    c.text = e.text;
    c.loc = e.loc;
    c.error = e.error;
    c.lines_from_col1 = e.lines_from_col1;
    return c;
}

// A copy for Program::spec: everything but the equations' trees. (A field
// added to Variable must be copied here too.)
Variable without_tree(const Variable& v) {
    Variable c;
    c.kind = v.kind;
    c.name = v.name;
    c.loc = v.loc;
    c.equation = text_only(v.equation);
    c.net_rate = text_only(v.net_rate);
    c.dimensions = v.dimensions;
    c.definitions.reserve(v.definitions.size());
    for (const auto& d : v.definitions) {
        ArrayDefinition x;
        x.subscripts = d.subscripts;
        x.except = d.except;
        x.equation = text_only(d.equation);
        x.net_rate = text_only(d.net_rate);
        x.values = d.values;
        x.gf = d.gf;
        x.loc = d.loc;
        c.definitions.push_back(std::move(x));
    }
    c.inflows = v.inflows;
    c.outflows = v.outflows;
    c.gf = v.gf;
    c.non_negative = v.non_negative;
    c.units = v.units;
    c.doc = v.doc;
    c.display = v.display;
    return c;
}

}  // namespace

std::shared_ptr<Program> Compiler::compile(std::span<const std::string> levers) {
    declare_dimensions(dimension_specs_);
    declare();
    build_tables();
    resolve_equations();
    link_stocks();
    mark_literals();
    check_time_args();
    // Per-step loops first: a loop among auxiliaries is an algebraic loop even
    // though it also makes their initial values circular; report it once, as such.
    std::vector<int> run_order = order(false);
    std::vector<int> init_order = order(true);
    if (diags_.has_errors()) return nullptr;

    auto prog = std::make_shared<Program>();
    layout(*prog);
    emit(*prog, init_order, run_order);
    if (diags_.has_errors()) return nullptr;  // more slots than a program can address
    emit_stocks(*prog);
    publish(*prog);
    find_lever_gates(*prog, levers);
    return prog;
}

// Runs look up every name they set or save (an ensemble: each run), so the
// name is not copied when it is already canonical.
const VarInfo* Program::find(std::string_view name) const {
    auto it = is_canonical_ascii(name) ? index.find(name) : index.find(canonical_name(name));
    return it == index.end() ? nullptr : &vars[it->second];
}

std::shared_ptr<const Program> Program::compile(const ModelSpec& spec, Diagnostics& diags) {
    Diagnostics local;
    // Equations whose text was assigned directly (Equation's invariant
    // allows it) are parsed here, once; everything else was parsed when read.
    std::deque<Variable> parsed_now;
    std::vector<const Variable*> vars;
    vars.reserve(spec.variables.size());
    auto unparsed = [](const Equation& e) { return !e.parsed() && !e.empty(); };
    auto parse = [&](Equation& e) {
        if (unparsed(e)) e = Equation::parse(e.text, e.loc);
    };
    for (const auto& v : spec.variables) {
        bool later = unparsed(v.equation) || unparsed(v.net_rate);
        for (const auto& d : v.definitions) later = later || unparsed(d.equation) || unparsed(d.net_rate);
        if (!later) {
            vars.push_back(&v);
        } else {
            parsed_now.push_back(v);
            Variable& c = parsed_now.back();
            parse(c.equation);
            parse(c.net_rate);
            for (auto& d : c.definitions) {
                parse(d.equation);
                parse(d.net_rate);
            }
            vars.push_back(&c);
        }
    }
    // Lever errors do not stop compilation: the user sees every error at once.
    const std::deque<Variable> levers = lever_variables(spec, local);
    for (const auto& v : levers) vars.push_back(&v);
    std::vector<std::string> lever_names;
    for (const auto& l : spec.levers) lever_names.push_back(l.name);
    std::shared_ptr<Program> p = Compiler(vars, spec.dimensions, local).compile(lever_names);
    diags.append(local);
    if (!p || local.has_errors()) return nullptr;
    p->spec.name = spec.name;
    p->spec.file = spec.file;
    p->spec.doc = spec.doc;
    p->spec.specs = spec.specs;
    p->spec.dimensions = spec.dimensions;
    p->spec.levers = spec.levers;
    p->spec.deflator = spec.deflator;
    for (const Variable* v : vars) p->spec.variables.push_back(without_tree(*v));
    return p;
}

}  // namespace sim::detail
