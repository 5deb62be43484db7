// Expected<T>: a value or the diagnostics that explain why there is none,
// returned by the non-throwing entry points (try_load_model, Model::try_compile,
// Model::try_run, try_compare, try_load_scenario).
//
//   auto m = sim::Model::try_compile(spec);
//   if (!m) { std::cerr << m.diagnostics().str(); return 1; }
//   sim::Results r = m->run();
#pragma once

#include <optional>
#include <utility>

#include "sim/diagnostic.hpp"

namespace sim {

template <class T>
class Expected {
public:
    Expected(T value, Diagnostics diags = {}) : value_(std::move(value)), diags_(std::move(diags)) {}
    // No value: `diags` should hold at least one error.
    Expected(Diagnostics diags) : diags_(std::move(diags)) {}

    bool has_value() const { return value_.has_value(); }
    explicit operator bool() const { return has_value(); }

    // The value; throws sim::Error with the diagnostics if there is none.
    T& value() & { return check(), *value_; }
    const T& value() const& { return check(), *value_; }
    T&& value() && { return check(), std::move(*value_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // Every diagnostic: the errors when there is no value, warnings otherwise.
    const Diagnostics& diagnostics() const { return diags_; }

private:
    void check() const {
        if (!value_) throw Error(diags_);
    }
    std::optional<T> value_;
    Diagnostics diags_;
};

}  // namespace sim
