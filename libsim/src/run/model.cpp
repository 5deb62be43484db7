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

Results Model::run(const RunOptions& opts) const {
    const Kernel* k = detail::select_kernel(*this, opts);
    return detail::integrate(*prog_, detail::prepare_run(*prog_, opts), k);
}

const char* to_string(RunEngine e) {
    switch (e) {
        case RunEngine::automatic: return "automatic";
        case RunEngine::interpreter: return "interpreter";
        case RunEngine::generated: return "generated";
    }
    return "?";
}

std::optional<RunEngine> parse_engine(std::string_view s) {
    for (RunEngine e : {RunEngine::automatic, RunEngine::interpreter, RunEngine::generated})
        if (s == to_string(e)) return e;
    return std::nullopt;
}

}  // namespace sim
