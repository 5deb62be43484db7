// Lever expansion: each policy lever becomes ordinary model variables
// (documented on sim::Lever) before compilation, so scenarios can `set` them.
#include <cstdio>

#include "compile/program.hpp"

namespace sim::detail {

namespace {
std::string num(double v) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf, static_cast<std::size_t>(n));
}
}  // namespace

ModelSpec expand_levers(const ModelSpec& spec, Diagnostics& diags) {
    ModelSpec out = spec;
    for (const Lever& l : spec.levers) {
        if (!(l.intensity >= 0.0 && l.intensity <= 1.0)) {
            diags.error(sim::Code::E_LEVER_INTENSITY, l.loc, l.name,
                        "lever intensity " + num(l.intensity) + " is outside [0, 1]; use a value from 0 to 1");
        }
        const std::string c = canonical_name(l.name);
        auto add_const = [&](const char* suffix, double v) {
            Variable& var = out.add_constant(l.name + suffix, v);
            var.loc = l.loc;
            var.equation.loc = l.loc;
            var.doc = "lever " + l.name;
        };
        add_const("_on", l.on ? 1.0 : 0.0);
        add_const("_intensity", l.intensity);
        add_const("_start", l.start);
        add_const("_phase_in", l.phase_in);
        // A step at L_start when the phase-in is not positive (also if a
        // scenario sets L_phase_in to 0 at run time).
        Variable& lv = out.add_aux(
            l.name + "_lever",
            c + "_on * " + c + "_intensity * IF " + c + "_phase_in > 0 THEN MIN(1, MAX(0, (TIME - " + c +
                "_start) / " + c + "_phase_in)) ELSE STEP(1, " + c + "_start)");
        lv.loc = l.loc;
        lv.doc = l.description;
        if (!l.cost.empty()) {
            Variable& cv = out.add_aux(l.name + "_cost", l.cost.text);
            cv.equation = l.cost;
            cv.loc = l.cost.loc.line ? l.cost.loc : l.loc;
            cv.units = l.cost_units;
        }
    }
    return out;
}

}  // namespace sim::detail
