// Model: compile entry points, accessors, run options and spec validation.
#include <charconv>
#include <cmath>

#include "compile/program.hpp"

namespace sim {

namespace {
// Shortest round-trip form: 0.3, not 0.29999999999999999.
std::string num(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}
}  // namespace

std::optional<Model> Model::compile(const ModelSpec& spec, Diagnostics& diags) {
    auto p = detail::Program::compile(spec, diags);
    if (!p) return std::nullopt;
    return Model(std::move(p));
}

Model Model::compile(const ModelSpec& spec) {
    Diagnostics diags;
    auto m = compile(spec, diags);
    if (!m) throw Error(std::move(diags));
    return *m;
}

const SimSpecs& Model::specs() const { return prog_->spec.specs; }

const ModelSpec& Model::spec() const { return prog_->spec; }

std::optional<VarKind> Model::kind(std::string_view name) const {
    const auto* v = prog_->find(name);
    if (!v) return std::nullopt;
    return v->kind;
}

std::vector<std::string> Model::variable_names() const {
    std::vector<std::string> out;
    out.reserve(prog_->vars.size());
    for (const auto& v : prog_->vars) out.push_back(v.name);
    return out;
}

bool Model::has_variable(std::string_view name) const { return prog_->find(name) != nullptr; }

bool Model::is_constant(std::string_view name) const {
    const auto* v = prog_->find(name);
    return v && (v->kind == VarKind::constant || v->settable);
}

bool validate_specs(const SimSpecs& s, Diagnostics& diags) {
    std::size_t before = diags.error_count();
    if (!std::isfinite(s.start) || !std::isfinite(s.stop))
        diags.error(sim::Code::E_SPECS, s.loc, "", "start and stop times must be finite numbers");
    if (!(s.dt > 0) || !std::isfinite(s.dt))
        diags.error(sim::Code::E_DT, s.loc, "", "dt is " + num(s.dt) + "; the time step must be a positive number");
    if (s.stop < s.start)
        diags.error(sim::Code::E_STOP, s.loc, "",
                    "stop time " + num(s.stop) + " is before start time " + num(s.start) +
                        "; make stop greater than or equal to start");
    if (s.save_step) {
        double ss = *s.save_step;
        if (!(ss > 0) || !std::isfinite(ss)) {
            diags.error(sim::Code::E_SAVE_STEP, s.loc, "", "save step is " + num(ss) + "; it must be a positive number");
        } else if (s.dt > 0 && std::isfinite(s.dt)) {
            double r = ss / s.dt, k = std::round(r);
            if (k < 1 || std::abs(r - k) > 1e-9 * std::max(1.0, r))
                diags.error(sim::Code::E_SAVE_STEP, s.loc, "",
                            "save step " + num(ss) + " is not a whole multiple of dt " + num(s.dt) +
                                "; use dt, 2*dt, 3*dt, ...");
        }
    }
    if (s.method == Method::rk45) {
        if (!(s.rtol > 0) || !std::isfinite(s.rtol) || !(s.atol >= 0) || !std::isfinite(s.atol) ||
            (s.rtol == 0 && s.atol == 0))
            diags.error(sim::Code::E_TOLERANCE, s.loc, "",
                        "rk45 tolerances must be positive (rtol " + num(s.rtol) + ", atol " + num(s.atol) + ")");
    }
    return diags.error_count() == before;
}

SimSpecs effective_specs(const SimSpecs& model_specs, const RunOptions& opts) {
    SimSpecs s = model_specs;
    if (opts.method) s.method = *opts.method;
    if (opts.start) s.start = *opts.start;
    if (opts.stop) s.stop = *opts.stop;
    if (opts.dt) s.dt = *opts.dt;
    if (opts.save_step) s.save_step = *opts.save_step;
    if (opts.atol) s.atol = *opts.atol;
    if (opts.rtol) s.rtol = *opts.rtol;
    return s;
}

Results Model::run(const RunOptions& opts) const {
    const detail::Program& p = *prog_;
    SimSpecs s = effective_specs(p.spec.specs, opts);
    Diagnostics diags;
    validate_specs(s, diags);

    std::vector<double> slots = p.slots;
    for (const auto& [name, value] : opts.set) {
        const auto* v = p.find(name);
        if (!v) {
            diags.error(sim::Code::E_UNKNOWN_NAME, {}, name, "cannot set '" + name + "': the model has no such variable");
        } else if (!v->settable) {
            diags.error(sim::Code::E_NOT_CONSTANT, {}, v->name,
                        "cannot set '" + v->name + "': it is a " + to_string(v->kind) +
                            " computed from other variables; only constants with a number as equation can be set");
        } else {
            slots[v->slot] = value;
        }
    }
    std::vector<detail::Slot> cols;
    std::vector<std::string> names;
    if (opts.save.empty()) {
        for (const auto& v : p.vars) {
            cols.push_back(v.slot);
            names.push_back(v.name);
        }
    } else {
        for (const auto& n : opts.save) {
            const auto* v = p.find(n);
            if (!v) {
                diags.error(sim::Code::E_UNKNOWN_NAME, {}, n, "cannot save '" + n + "': the model has no such variable");
                continue;
            }
            cols.push_back(v->slot);
            names.push_back(v->name);
        }
    }
    if (opts.max_wall_seconds && !(*opts.max_wall_seconds > 0))
        diags.error(sim::Code::E_BUDGET, {}, "", "the wall-clock budget must be a positive number of seconds");
    if (diags.has_errors()) throw Error(std::move(diags));
    return detail::integrate(p, s, std::move(slots), cols, std::move(names), opts);
}

}  // namespace sim
