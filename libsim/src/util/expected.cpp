// The non-throwing entry points: each returns Expected<T>, holding the value
// (with any warnings) or the diagnostics of the failure. try_compare is in
// experiment/compare.cpp.
#include "sim/expected.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"

namespace sim {

namespace {

// Anything but sim::Error escaping the library is a bug; it still becomes
// a diagnostic here rather than an exception the caller did not ask for.
template <class F>
auto guarded(F f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error& e) {
        return e.diagnostics();
    } catch (const std::exception& e) {
        Diagnostics d;
        d.error(sim::Code::E_INTERNAL, {}, "", e.what());
        return d;
    }
}

}  // namespace

Expected<ModelSpec> try_load_model(const std::string& path) {
    return guarded([&]() -> Expected<ModelSpec> {
        Diagnostics d;
        ModelSpec s = load_model(path, d);
        if (d.has_errors()) return d;
        return {std::move(s), std::move(d)};
    });
}

Expected<Scenario> try_load_scenario(const std::string& path) {
    return guarded([&]() -> Expected<Scenario> {
        Diagnostics d;
        Scenario s = load_scenario(path, d);
        if (d.has_errors()) return d;
        return {std::move(s), std::move(d)};
    });
}

Expected<Model> Model::try_compile(const ModelSpec& spec) {
    return guarded([&]() -> Expected<Model> {
        Diagnostics d;
        auto m = compile(spec, d);
        if (!m) return d;
        return {std::move(*m), std::move(d)};
    });
}

Expected<Results> Model::try_run(const RunOptions& opts) const {
    return guarded([&]() -> Expected<Results> { return run(opts); });
}

}  // namespace sim
