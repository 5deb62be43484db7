// Overrides (sim/overrides.hpp): the one path by which a scenario's `set:`
// and the command line's `--set` change a ModelSpec. A tree pass: the
// target's equation tree is replaced, the text kept only for display.
#include "sim/overrides.hpp"

#include <iterator>
#include <vector>

#include "util/text.hpp"

namespace sim {

namespace {

// In the order of Lever::setting_suffixes.
constexpr LeverSetting::Field fields[] = {LeverSetting::on, LeverSetting::intensity, LeverSetting::start,
                                          LeverSetting::phase_in};
static_assert(std::size(fields) == std::size(Lever::setting_suffixes));

// `name` is L_lever or L_cost of some lever: computed, not settable.
const Lever* generated_by(const ModelSpec& spec, const std::string& canonical) {
    for (const auto& l : spec.levers)
        for (const char* suffix : {"_lever", "_cost"})
            if (canonical_name(l.name + suffix) == canonical) return &l;
    return nullptr;
}

bool apply_setting(ModelSpec& spec, const Override& o, LeverSetting s, Diagnostics& diags) {
    Lever& l = spec.levers[s.lever];
    const SourceLoc& at = o.value.loc;
    auto x = o.value.number_value();
    if (!x) {
        diags.error(sim::Code::E_BAD_NUMBER, at, o.name, "'" + o.name + "' must be a number");
        return false;
    }
    switch (s.field) {
        case LeverSetting::on:
            if (*x != 0 && *x != 1) {
                diags.error(sim::Code::E_BAD_NUMBER, at, o.name, "'" + o.name + "' must be 0 (off) or 1 (on), found " + o.value.text);
                return false;
            }
            l.on = *x == 1;
            return true;
        case LeverSetting::intensity:
            if (*x < 0 || *x > 1) {
                diags.error(sim::Code::E_LEVER_INTENSITY, at, l.name, "lever intensity must be between 0 and 1, found " + o.value.text);
                return false;
            }
            l.intensity = *x;
            return true;
        case LeverSetting::start:
            l.start = *x;
            return true;
        case LeverSetting::phase_in:
            if (*x < 0) {
                diags.error(sim::Code::E_BAD_NUMBER, at, o.name, "lever phase_in must be 0 (a step) or a positive duration");
                return false;
            }
            l.phase_in = *x;
            return true;
    }
    return false;
}

bool apply_one(ModelSpec& spec, const Override& o, Diagnostics& diags) {
    if (o.value.empty()) {
        diags.error(sim::Code::E_BAD_NUMBER, o.value.loc, o.name, "the new value of '" + o.name + "' is empty");
        return false;
    }
    if (auto s = find_lever_setting(spec, o.name)) return apply_setting(spec, o, *s, diags);
    Variable* v = spec.find(o.name);
    if (!v) {
        const std::string c = canonical_name(o.name);
        if (const Lever* l = generated_by(spec, c)) {
            diags.error(sim::Code::E_NOT_CONSTANT, o.name_loc, o.name,
                        "'" + o.name + "' is computed from the settings of lever '" + l->name + "'; set " + l->name +
                            "_on, " + l->name + "_intensity, " + l->name + "_start or " + l->name + "_phase_in");
            return false;
        }
        std::vector<std::string> constants;
        for (const auto& x : spec.variables)
            if (x.kind == VarKind::constant) constants.push_back(x.name);
        auto best = text::closest(o.name, constants);
        diags.error(sim::Code::E_UNKNOWN_PARAM, o.name_loc, o.name,
                    "the model has no constant '" + o.name + "'" + (best ? " (did you mean '" + *best + "'?)" : ""));
        return false;
    }
    // What RunOptions::set accepts too: constants, and auxiliaries and flows
    // that are just a number (a graphical function would still apply to it).
    const bool literal = (v->kind == VarKind::aux || v->kind == VarKind::flow) && !v->gf &&
                         v->equation.number_value().has_value();
    if (v->kind != VarKind::constant && !literal) {
        diags.error(sim::Code::E_NOT_CONSTANT, o.name_loc, o.name,
                    "'" + o.name + "' is a" + (v->kind == VarKind::aux ? "n " : " ") + to_string(v->kind) +
                        ", not a constant; only constants can be set");
        return false;
    }
    if (literal && !o.value.number_value()) {
        diags.error(sim::Code::E_BAD_NUMBER, o.value.loc, o.name,
                    "'" + o.name + "' is " + (v->kind == VarKind::aux ? "an auxiliary" : "a flow") +
                        ": its new value must be a number");
        return false;
    }
    v->equation = o.value;
    return true;
}

}  // namespace

Override command_line_override(std::string name, double value) {
    Override o;
    o.name = std::move(name);
    o.name_loc = SourceLoc{command_line_source, 0, 0};
    o.value = Equation::number(value, o.name_loc);
    return o;
}

std::optional<LeverSetting> find_lever_setting(const ModelSpec& spec, std::string_view name) {
    const std::string c = canonical_name(name);
    for (std::size_t i = 0; i < spec.levers.size(); ++i)
        for (std::size_t k = 0; k < std::size(fields); ++k)
            if (canonical_name(spec.levers[i].name + std::string(Lever::setting_suffixes[k])) == c)
                return LeverSetting{fields[k], i};
    return std::nullopt;
}

bool apply_overrides(ModelSpec& spec, std::span<const Override> overrides, Diagnostics& diags) {
    bool ok = true;
    for (const auto& o : overrides) ok = apply_one(spec, o, diags) && ok;
    return ok;
}

}  // namespace sim
