// Value of a saved series at any time within the run: exact at a saved time,
// linear between the two saved rows around it. Shared by Results::at and
// CompareResult::value, so "the value at t" means the same everywhere.
#pragma once

#include <algorithm>
#include <optional>
#include <span>

namespace sim::detail {

// `times` increasing; `value(i)` the series at row i. nullopt when t is
// outside [times.front(), times.back()] (or NaN, or there are no rows).
template <class ValueAt>
std::optional<double> interpolate(std::span<const double> times, double t, ValueAt value) {
    if (times.empty() || !(t >= times.front() && t <= times.back())) return std::nullopt;
    auto it = std::lower_bound(times.begin(), times.end(), t);
    std::size_t i = static_cast<std::size_t>(it - times.begin());
    if (times[i] == t) return value(i);
    const double t0 = times[i - 1], t1 = times[i];
    const double v0 = value(i - 1), v1 = value(i);
    return v0 + (v1 - v0) * ((t - t0) / (t1 - t0));
}

}  // namespace sim::detail
