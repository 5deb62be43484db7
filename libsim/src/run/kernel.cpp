// Generated code attached to models (sim/generated.hpp): a kernel is
// accepted only for the program it was generated from (same ABI, same
// fingerprint, same slot count), so that a run never uses code written for
// another compilation of the model.
#include "compile/program.hpp"
#include "run/integrate.hpp"
#include "sim/generate.hpp"
#include "sim/generated.hpp"
#include "sim/load.hpp"
#include "sim/version.hpp"

namespace sim {

Model attach_kernel(const Model& model, const Kernel& kernel, std::shared_ptr<const void> keep) {
    const detail::Program& p = detail::program_of(model);
    std::string why;
    if (kernel.abi != kernel_abi_version)
        why = "it was generated for kernel ABI " + std::to_string(kernel.abi) + ", this libsim has " +
              std::to_string(kernel_abi_version);
    else if (kernel.slot_count != p.slots.size() || program_fingerprint(model) != kernel.fingerprint)
        why = "this libsim (" SIM_VERSION_STRING ") compiles the model to another program";
    if (!why.empty())
        throw Error(sim::Code::E_GENERATED_MISMATCH, p.spec.name,
                    "the generated code of model '" + p.spec.name + "' does not match it: " + why +
                        "; regenerate the code (sdsim generate, or rebuild with sim_add_model)");
    auto link = std::make_shared<detail::KernelLink>();
    link->kernel = &kernel;
    link->keep = std::move(keep);
    return detail::ModelAccess::make(detail::ModelAccess::shared(model), std::move(link));
}

Model model_from_kernel(const Kernel& kernel) {
    Diagnostics diags;
    ModelSpec spec = parse_model(kernel.source_text ? kernel.source_text : "",
                                 kernel.source_path ? kernel.source_path : "", diags);
    if (diags.has_errors()) throw Error(std::move(diags));
    std::optional<Model> m = Model::compile(spec, diags);
    if (!m) throw Error(std::move(diags));
    return attach_kernel(*m, kernel);
}

bool kernel_has_lanes(const Model& model) {
    const detail::KernelLink* link = detail::ModelAccess::kernel(model);
    return link && link->kernel->euler_lanes;
}

namespace detail {

const Kernel* select_kernel(const Model& m, const RunOptions& opts) {
    const KernelLink* link = ModelAccess::kernel(m);
    switch (opts.engine) {
        case RunEngine::interpreter: return nullptr;
        case RunEngine::automatic: return link ? link->kernel : nullptr;
        case RunEngine::generated:
            if (!link)
                throw Error(sim::Code::E_ENGINE, "",
                            "the generated engine was asked for, but model '" + m.spec().name +
                                "' has no generated code; compile it with sim::compile_native (sdsim run --engine "
                                "generated) or ahead of time with sdsim generate");
            return link->kernel;
    }
    return nullptr;
}

}  // namespace detail
}  // namespace sim
