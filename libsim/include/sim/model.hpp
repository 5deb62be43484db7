// Compiling a ModelSpec into a Program and running it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/expected.hpp"
#include "sim/spec.hpp"
#include "sim/results.hpp"

namespace sim {

namespace detail {
struct Program;
struct KernelLink;   // generated code attached to a model (sim/generated.hpp)
struct ModelAccess;  // libsim's own code only (src/compile/program.hpp)
}

// What a run does when a value turns NaN or infinite (docs/reliability.md).
//   error:  stop with E-NONFINITE (or E-DIV-ZERO) naming the first variable in
//           evaluation order whose value is not finite, the time and its
//           equation (the default: a NaN result is almost always a bug);
//   warn:   record that diagnostic as a warning in Results::warnings, go on;
//   ignore: no check at all.
enum class NonFinite { error, warn, ignore };

// Which code evaluates a run's equations (the results are the same bit for bit).
//   automatic:   the model's generated code if it has any (sim/generated.hpp),
//                else the interpreter;
//   interpreter: the interpreter, always;
//   generated:   the generated code; E-ENGINE if the model has none.
enum class RunEngine { automatic, interpreter, generated };
const char* to_string(RunEngine e);
std::optional<RunEngine> parse_engine(std::string_view s);  // automatic|interpreter|generated

// Options for one run; anything unset comes from the model's SimSpecs.
// A finding about a value set here is reported at "option --NAME" (the
// sdsim option that sets it: --start, --stop, --dt, --save-step, ...).
struct RunOptions {
    std::optional<Method> method;
    std::optional<double> start, stop, dt, save_step;
    std::optional<double> atol, rtol;  // rk45
    // Variables to save, by name; empty = every user variable (stocks,
    // flows, auxiliaries, constants; hidden stocks never).
    std::vector<std::string> save;
    // Constant overrides by name (constants only: their equation must not
    // depend on other variables). Applied before initial values are computed.
    std::vector<std::pair<std::string, double>> set;
    // Checked on every stock after each step and on every saved value.
    NonFinite on_nonfinite = NonFinite::error;
    // Budgets: a run that needs more time steps, or more wall-clock seconds,
    // stops with E-BUDGET (no partial results are returned).
    std::optional<std::uint64_t> max_steps;
    std::optional<double> max_wall_seconds;
    // Bytes the run may keep (results, delay histories), estimated before
    // anything is allocated: E-MEMORY if more. Unset: default_memory_budget()
    // (sim/limits.hpp), half the memory available to the process.
    std::optional<std::uint64_t> max_memory;
    RunEngine engine = RunEngine::automatic;
};

// A compiled model: immutable, cheap to copy (shared program), safe to run
// from several threads at once.
//
//   sim::Diagnostics diags;
//   auto spec = sim::load_model("models/classic/sir.yaml", diags);
//   if (auto m = sim::Model::compile(spec, diags)) {
//       sim::Results r = m->run();
//   }
class Model {
public:
    // Errors go to `diags`; returns nullopt if there was any error.
    static std::optional<Model> compile(const ModelSpec& spec, Diagnostics& diags);
    // Throws sim::Error with every diagnostic if compilation fails.
    static Model compile(const ModelSpec& spec);
    // Without throwing: the model (with any warnings), or the diagnostics.
    static Expected<Model> try_compile(const ModelSpec& spec);

    const SimSpecs& specs() const;
    // User-visible variables in model order (display names).
    std::vector<std::string> variable_names() const;
    bool has_variable(std::string_view name) const;
    bool is_constant(std::string_view name) const;
    // The kind of a user-visible variable (names compared canonically).
    std::optional<VarKind> kind(std::string_view name) const;
    // The spec the model was compiled from, with each lever's variables
    // added (L_on, L_lever, ...; see sim::Lever): its levers (names, titles,
    // costs), variables with kinds and units, and sim specs.
    const ModelSpec& spec() const;

    // Whether runs can use generated code (sim/generated.hpp, sim/native.hpp).
    bool has_generated_code() const { return kernel_ != nullptr; }

    // Runs the model. Throws sim::Error for bad options (unknown names,
    // dt <= 0, stop < start, save step not a multiple of dt).
    Results run(const RunOptions& opts = {}) const;
    // Without throwing: the results, or the diagnostics.
    Expected<Results> try_run(const RunOptions& opts = {}) const;

private:
    explicit Model(std::shared_ptr<const detail::Program> p, std::shared_ptr<const detail::KernelLink> k = {})
        : prog_(std::move(p)), kernel_(std::move(k)) {}
    std::shared_ptr<const detail::Program> prog_;
    std::shared_ptr<const detail::KernelLink> kernel_;  // null: interpreter only
    friend struct detail::ModelAccess;
};

// The model's specs with the options' method, times, dt, save step and
// tolerances applied (what a run uses; not yet validated).
SimSpecs effective_specs(const SimSpecs& model_specs, const RunOptions& opts);

// Checks start/stop/dt/save step; appends diagnostics; true if valid.
bool validate_specs(const SimSpecs& s, Diagnostics& diags);

}  // namespace sim
