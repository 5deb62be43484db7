// Lever expansion, a tree pass: each policy lever becomes ordinary model
// variables (documented on sim::Lever) before compilation, so scenarios can
// `set` them. The trees are built directly, never as text to parse: a
// lever's name is whatever its declaration says (`land-use` included), and
// every generated equation is positioned at the lever's declaration.
#include "compile/program.hpp"
#include "util/text.hpp"

namespace sim::detail {

namespace {

// L_on * L_intensity * IF L_phase_in > 0
//     THEN MIN(1, MAX(0, (TIME - L_start) / L_phase_in)) ELSE STEP(1, L_start)
// A step at L_start when the phase-in is not positive (also if a scenario
// sets L_phase_in to 0 at run time).
ast::Expr lever_tree(const std::string& lever) {
    using ast::Op;
    ast::Expr t;
    auto name = [&](const char* suffix) { return t.name(lever + suffix); };
    const auto on = name("_on");
    const auto intensity = name("_intensity");
    const auto scale = t.binary(Op::mul, on, intensity);
    const auto positive = t.binary(Op::gt, name("_phase_in"), t.number(0));
    const auto elapsed = t.binary(Op::sub, t.name("TIME"), name("_start"));
    const auto share = t.binary(Op::div, elapsed, name("_phase_in"));
    const auto zero = t.number(0);
    const auto upper = t.call("MAX", {zero, share});
    const auto one = t.number(1);
    const auto ramp = t.call("MIN", {one, upper});
    const auto one_step = t.number(1);
    const auto step = t.call("STEP", {one_step, name("_start")});
    const auto phased = t.if_(positive, ramp, step);
    t.binary(Op::mul, scale, phased);
    return t;
}

}  // namespace

std::deque<Variable> lever_variables(const ModelSpec& spec, Diagnostics& diags) {
    std::deque<Variable> out;
    for (const Lever& l : spec.levers) {
        if (!(l.intensity >= 0.0 && l.intensity <= 1.0)) {
            diags.error(sim::Code::E_LEVER_INTENSITY, l.loc, l.name,
                        "lever intensity " + text::number(l.intensity) + " is outside [0, 1]; use a value from 0 to 1");
        }
        auto add = [&](std::string_view suffix, VarKind kind, Equation eq) -> Variable& {
            Variable v;
            v.kind = kind;
            v.name = l.name + std::string(suffix);
            v.loc = l.loc;
            v.equation = std::move(eq);
            out.push_back(std::move(v));
            return out.back();
        };
        const double settings[] = {l.on ? 1.0 : 0.0, l.intensity, l.start, l.phase_in};
        for (std::size_t k = 0; k < std::size(settings); ++k)
            add(Lever::setting_suffixes[k], VarKind::constant, Equation::number(settings[k], l.loc)).doc =
                "lever " + l.name;
        add("_lever", VarKind::aux, Equation::of(lever_tree(l.name), l.loc)).doc = l.description;
        if (!l.cost.empty()) {
            // Text assigned directly to the cost (Equation's invariant allows it) is parsed here.
            Variable& cv = add("_cost", VarKind::aux,
                               l.cost.parsed() ? l.cost : Equation::parse(l.cost.text, l.cost.loc));
            cv.loc = l.cost.loc.line ? l.cost.loc : l.loc;
            cv.units = l.cost_units;
        }
    }
    return out;
}

void expand_levers(ModelSpec& spec, Diagnostics& diags) {
    for (auto& v : lever_variables(spec, diags)) spec.variables.push_back(std::move(v));
}

}  // namespace sim::detail
