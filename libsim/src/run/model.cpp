// Model: compile entry points, accessors and run (prepare, then integrate).
#include "compile/program.hpp"
#include "run/integrate.hpp"

namespace sim {

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

Results Model::run(const RunOptions& opts) const { return detail::integrate(*prog_, detail::prepare_run(*prog_, opts)); }

}  // namespace sim
