// Discrete events at accepted grid points (observers.hpp): PREVIOUS, fixed
// pipeline delays and clamping of non-negative stocks.
#include <algorithm>
#include <cmath>

#include "run/observers.hpp"
#include "sim/ops.hpp"
#include "util/text.hpp"

namespace sim::detail {

void Events::start(const double* s) {
    delay_initial_.resize(p_.delays.size());
    history_.resize(p_.delays.size());
    for (std::size_t i = 0; i < p_.delays.size(); ++i) {
        delay_initial_[i] = s[p_.delays[i].out];
        history_[i].resize(static_cast<std::size_t>(grid_.steps) + 1);
    }
    latch_.resize(p_.previous.size());
    recorded_ = 0;
}

void Events::negative_delay(std::size_t i, double t, double value) const {
    // The hidden output's slot name is "#delay#N (owner)": name the owner.
    std::string who = p_.slot_names.size() > p_.delays[i].out ? p_.slot_names[p_.delays[i].out] : std::string();
    const auto open = who.find(" ("), close = who.rfind(')');
    std::string owner = open != std::string::npos && close != std::string::npos && close > open
                            ? who.substr(open + 2, close - open - 2)
                            : std::string();
    Diagnostics d;
    d.error(sim::Code::E_DELAY_TIME, {}, owner,
            "the delay time of DELAY FIXED became " + text::number(value) + " in the step to time " +
                text::number(t) + "; it must be zero or positive (a negative delay would reach into the future)");
    throw Error(std::move(d));
}

void Events::before(double* s, bool clamp) {
    double* stocks = s + p_.stock_begin;
    if (clamp)
        for (auto i : p_.nonneg_stocks) stocks[i] = ops::nonneg(stocks[i]);  // a NaN stays NaN (reported)
    for (std::size_t i = 0; i < p_.previous.size(); ++i) s[p_.previous[i].out] = latch_[i];
    const double t = s[slot_time];
    for (std::size_t i = 0; i < p_.delays.size(); ++i) {
        // The delay time is the value from the last evaluation (constant in
        // practice); the output needs only inputs already recorded.
        const auto& d = p_.delays[i];
        if (s[d.delay_time] < 0) negative_delay(i, t, s[d.delay_time]);
        s[d.out] = ops::delay_output(history_[i].data(), recorded_, t, grid_.start, grid_.dt, s[d.delay_time],
                                     delay_initial_[i]);
    }
}

}  // namespace sim::detail
