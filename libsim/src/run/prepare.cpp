// Run preparation (prepare.hpp) and the public spec helpers it is built on.
#include "run/prepare.hpp"

#include <algorithm>
#include <cmath>

#include "sim/limits.hpp"
#include "util/text.hpp"

namespace sim {

using text::number;

bool validate_specs(const SimSpecs& s, Diagnostics& diags) {
    std::size_t before = diags.error_count();
    if (!std::isfinite(s.start) || !std::isfinite(s.stop))
        diags.error(sim::Code::E_SPECS, s.loc, "", "start and stop times must be finite numbers");
    if (!(s.dt > 0) || !std::isfinite(s.dt))
        diags.error(sim::Code::E_DT, s.loc, "", "dt is " + number(s.dt) + "; the time step must be a positive number");
    if (s.stop < s.start)
        diags.error(sim::Code::E_STOP, s.loc, "",
                    "stop time " + number(s.stop) + " is before start time " + number(s.start) +
                        "; make stop greater than or equal to start");
    const double length = s.stop - s.start;
    const bool timed = std::isfinite(s.start) && std::isfinite(s.stop) && length > 0;
    // A step longer than the run would leave only the initial row: almost
    // surely a mistake in units or a typo, never what was meant.
    if (timed && s.dt > 0 && std::isfinite(s.dt) && s.dt > length * (1 + 1e-9))
        diags.error(sim::Code::E_DT, s.loc, "",
                    "dt " + number(s.dt) + " is longer than the run from " + number(s.start) + " to " +
                        number(s.stop) + "; there would be no time step: use a dt of at most " + number(length));
    if (s.save_step) {
        double ss = *s.save_step;
        if (!(ss > 0) || !std::isfinite(ss)) {
            diags.error(sim::Code::E_SAVE_STEP, s.loc, "", "save step is " + number(ss) + "; it must be a positive number");
        } else if (timed && ss > length * (1 + 1e-9)) {
            diags.error(sim::Code::E_SAVE_STEP, s.loc, "",
                        "save step " + number(ss) + " is longer than the run from " + number(s.start) + " to " +
                            number(s.stop) + "; only the initial row would be saved: use a save step of at most " +
                            number(length));
        } else if (s.dt > 0 && std::isfinite(s.dt)) {
            double r = ss / s.dt, k = std::round(r);
            if (k < 1 || std::abs(r - k) > 1e-9 * std::max(1.0, r))
                diags.error(sim::Code::E_SAVE_STEP, s.loc, "",
                            "save step " + number(ss) + " is not a whole multiple of dt " + number(s.dt) +
                                "; use dt, 2*dt, 3*dt, ...");
        }
    }
    if (s.method == Method::rk45) {
        if (!(s.rtol > 0) || !std::isfinite(s.rtol) || !(s.atol >= 0) || !std::isfinite(s.atol) ||
            (s.rtol == 0 && s.atol == 0))
            diags.error(sim::Code::E_TOLERANCE, s.loc, "",
                        "rk45 tolerances must be positive (rtol " + number(s.rtol) + ", atol " + number(s.atol) +
                            ")");
    }
    return diags.error_count() == before;
}

namespace {
void override_specs(SimSpecs& s, const RunOptions& opts) {
    if (opts.method) s.method = *opts.method;
    if (opts.start) s.start = *opts.start;
    if (opts.stop) s.stop = *opts.stop;
    if (opts.dt) s.dt = *opts.dt;
    if (opts.save_step) s.save_step = *opts.save_step;
    if (opts.atol) s.atol = *opts.atol;
    if (opts.rtol) s.rtol = *opts.rtol;
}
}  // namespace

SimSpecs effective_specs(const SimSpecs& model_specs, const RunOptions& opts) {
    SimSpecs s = model_specs;
    override_specs(s, opts);
    return s;
}

namespace detail {
namespace {

// effective_specs without the model's strings (loc, time_units): a run needs
// only the numbers, and copying the model file's path was a heap allocation
// in every run (a few percent of a small model's run).
SimSpecs run_specs(const SimSpecs& m, const RunOptions& opts) {
    SimSpecs s;
    s.start = m.start;
    s.stop = m.stop;
    s.dt = m.dt;
    s.save_step = m.save_step;
    s.method = m.method;
    s.atol = m.atol;
    s.rtol = m.rtol;
    override_specs(s, opts);
    return s;
}

// `set` overrides into the slot template (constants with literal values only).
void apply_overrides(const Program& p, const RunOptions& opts, RunPlan& plan, Diagnostics& diags) {
    for (const auto& [name, value] : opts.set) {
        const auto* v = p.find(name);
        if (!v) {
            diags.error(sim::Code::E_UNKNOWN_NAME, {}, name, "cannot set '" + name + "': the model has no such variable");
        } else if (!v->settable) {
            diags.error(sim::Code::E_NOT_CONSTANT, {}, v->name,
                        "cannot set '" + v->name + "': it is a " + to_string(v->kind) +
                            " computed from other variables; only constants with a number as equation can be set");
        } else {
            plan.slots[v->slot] = value;
        }
    }
}

// The saved columns: the options' names in their order, or every user variable.
void choose_columns(const Program& p, const RunOptions& opts, RunPlan& plan, Diagnostics& diags) {
    if (opts.save.empty()) {  // every variable: the program's own lists, made once
        plan.all_columns = true;
        plan.cols = p.all_cols;
        plan.checked = p.all_checked;
        plan.names = p.all_names;  // shared by every such run: no copy of the names
        return;
    }
    // The last such run's columns, if it named the same.
    if (const auto c = p.column_cache.get(); c && c->save == opts.save) {
        plan.cols = c->cols;
        plan.checked = c->checked;
        plan.names = c->names;
        return;
    }
    // Sized once: growing the vectors one push at a time was a dozen
    // allocations in every run.
    const std::size_t n = opts.save.size();
    std::vector<std::string> names;
    plan.cols.reserve(n);
    plan.checked.reserve(n);
    names.reserve(n);
    for (const auto& name : opts.save) {
        const auto* v = p.find(name);
        if (!v) {
            diags.error(sim::Code::E_UNKNOWN_NAME, {}, name, "cannot save '" + name + "': the model has no such variable");
            continue;
        }
        plan.cols.push_back(v->slot);
        if (p.step_written[v->slot]) plan.checked.push_back(v->slot);
        names.push_back(v->name);
    }
    plan.names = std::move(names);
    if (plan.cols.size() == n)  // every name found: kept for the next run
        p.column_cache.put(std::make_shared<const Program::ColumnCache::Entry>(
            Program::ColumnCache::Entry{opts.save, plan.cols, plan.checked, plan.names}));
}

[[noreturn]] void refuse(sim::Code code, const SourceLoc& loc, std::string message) {
    Diagnostics ds;
    ds.error(code, loc, "", std::move(message));
    throw Error(std::move(ds));
}

// The grid of valid specs, checked against what can be counted and the budget.
Grid make_grid(const SimSpecs& s, const SourceLoc& loc, long max_steps, bool given) {
    const double steps = (s.stop - s.start) / s.dt;
    // Before anything is allocated: a step count past 2^52 cannot even be
    // counted exactly (and past LONG_MAX the conversion is undefined).
    if (!(steps < 4.5e15))
        refuse(sim::Code::E_DT, loc,
               "the run from " + number(s.start) + " to " + number(s.stop) + " with dt " + number(s.dt) +
                   " would take " + number(std::floor(steps)) + " steps; use a larger dt or a shorter run");
    Grid g;
    g.start = s.start;
    g.dt = s.dt;
    // The tolerance absorbs rounding in (stop - start) / dt; capped so that a
    // billion-step run does not gain a whole step from it.
    g.steps = static_cast<long>(std::floor(steps + std::min(1e-6, 1e-9 * std::max(1.0, steps))));
    if (g.steps > max_steps)
        refuse(sim::Code::E_BUDGET, given ? SourceLoc{"option --max-steps", 0, 0} : loc,
               "the run needs " + std::to_string(g.steps) + " steps, more than the step budget of " +
                   std::to_string(max_steps) + " (--max-steps); nothing was run");
    g.save_every = std::max<long>(1, std::lround(s.save_step.value_or(s.dt) / s.dt));
    return g;
}

// What a run allocates in proportion to its length, estimated before any of
// it is: the results (rows x (columns + time)) and the fixed-delay histories
// (one value per grid point each). Refused if over the memory budget.
void check_memory(const Program& p, const RunPlan& plan, const RunOptions& opts) {
    const double rows = static_cast<double>(plan.grid.rows());
    const double points = static_cast<double>(plan.grid.steps) + 1;
    const double bytes = run_memory(p, plan);
    if (fits_memory(bytes, opts.max_memory)) return;
    const std::uint64_t budget = opts.max_memory ? *opts.max_memory : default_memory_budget();
    const std::string need = bytes >= 1.8e19 ? number(bytes) + " bytes" : format_bytes(static_cast<std::uint64_t>(bytes));
    refuse(sim::Code::E_MEMORY, opts.max_memory ? SourceLoc{"option --max-memory", 0, 0} : SourceLoc{},
           "the run would keep " + number(rows) + " rows x " + std::to_string(plan.cols.size() + 1) +
               " columns" + (p.delays.empty() ? std::string() : " and " + std::to_string(p.delays.size()) +
                                                                  " delay histories of " + number(points) + " points") +
               ", about " + need + ", more than the memory budget of " + format_bytes(budget) +
               " (raise it with --max-memory); save fewer variables (--vars), save less often (--save-step) or "
               "shorten the run. Nothing was run");
}

}  // namespace

double run_memory(const Program& p, const RunPlan& plan) {
    const double rows = static_cast<double>(plan.grid.rows());
    const double points = static_cast<double>(plan.grid.steps) + 1;
    return 8.0 * (rows * (static_cast<double>(plan.cols.size()) + 1) + points * static_cast<double>(p.delays.size())) +
           8.0 * static_cast<double>(p.slots.size());
}

bool fits_memory(double bytes, const std::optional<std::uint64_t>& max_memory) {
    // The default budget is never below min_memory_budget: a need below it
    // skips asking the system (a per-run cost of ~9 us, more than a small model's run).
    if (!max_memory && bytes <= static_cast<double>(min_memory_budget)) return true;
    const std::uint64_t budget = max_memory ? *max_memory : default_memory_budget();
    return bytes <= static_cast<double>(budget);
}

// A finding about the specs is placed at the command-line option that gave
// the offending value (`option --dt`), not at the model's `sim:` (`loc`):
// the RunOptions fields are reported by the sdsim options that set them.
void validate_options(const SimSpecs& specs, const RunOptions& o, const SourceLoc& loc, Diagnostics& diags) {
    Diagnostics found;
    validate_specs(specs, found);
    auto opt = [](const char* name) { return SourceLoc{std::string("option ") + name, 0, 0}; };
    for (Diagnostic d : found.items()) {
        std::optional<SourceLoc> at;
        switch (d.code) {
            case sim::Code::E_DT:
                if (o.dt) at = opt("--dt");
                else if (o.stop) at = opt("--stop");
                else if (o.start) at = opt("--start");
                break;
            case sim::Code::E_STOP:
            case sim::Code::E_SPECS:
                if (o.stop) at = opt("--stop");
                else if (o.start) at = opt("--start");
                break;
            case sim::Code::E_SAVE_STEP:
                if (o.save_step) at = opt("--save-step");
                else if (o.dt) at = opt("--dt");
                else if (o.stop) at = opt("--stop");
                else if (o.start) at = opt("--start");
                break;
            case sim::Code::E_TOLERANCE:
                if (o.rtol) at = opt("--rtol");
                else if (o.atol) at = opt("--atol");
                break;
            default: break;
        }
        d.loc = at ? *at : loc;
        diags.add(std::move(d));
    }
}

RunPlan prepare_run(const Program& p, const RunOptions& opts) {
    RunPlan plan;
    plan.specs = run_specs(p.spec.specs, opts);
    plan.loc = &p.spec.specs.loc;
    Diagnostics diags;
    validate_options(plan.specs, opts, *plan.loc, diags);
    plan.slots = p.slots;
    apply_overrides(p, opts, plan, diags);
    choose_columns(p, opts, plan, diags);
    if (opts.max_wall_seconds && !(*opts.max_wall_seconds > 0))
        diags.error(sim::Code::E_BUDGET, {}, "", "the wall-clock budget must be a positive number of seconds");
    if (diags.has_errors()) throw Error(std::move(diags));

    plan.on_nonfinite = opts.on_nonfinite;
    plan.max_wall_seconds = opts.max_wall_seconds;
    if (opts.max_steps)
        plan.max_steps = static_cast<long>(std::min<std::uint64_t>(*opts.max_steps, std::numeric_limits<long>::max()));
    plan.grid = make_grid(plan.specs, *plan.loc, plan.max_steps, opts.max_steps.has_value());
    check_memory(p, plan, opts);
    plan.slots[slot_time] = plan.specs.start;
    plan.slots[slot_dt] = plan.specs.dt;
    plan.slots[slot_start] = plan.specs.start;
    plan.slots[slot_stop] = plan.specs.stop;
    return plan;
}

}  // namespace detail
}  // namespace sim
