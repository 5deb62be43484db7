// Ensemble runner (see sim/ensemble.hpp). Each run writes only its own slot
// of the result; the streaming quantiles are fed in run order after each
// chunk of runs, so the results are the same bit for bit whatever the thread
// count, and memory holds at most one chunk of trajectories.
#include <algorithm>
#include <functional>
#include <new>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <ostream>
#include <utility>
#include <vector>

#include "sim/ensemble.hpp"
#include "compile/program.hpp"
#include "run/integrate.hpp"
#include "util/interpolate.hpp"
#include "experiment/distributed.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace sim {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
    Diagnostics d;
    d.error(sim::Code::E_ENSEMBLE, SourceLoc{}, what, msg);
    throw Error(std::move(d));
}

// a * b, or SIZE_MAX if that overflows.
std::size_t mul(std::size_t a, std::size_t b) {
    if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return std::numeric_limits<std::size_t>::max();
    return a * b;
}
std::size_t add(std::size_t a, std::size_t b) {
    return b > std::numeric_limits<std::size_t>::max() - a ? std::numeric_limits<std::size_t>::max() : a + b;
}

// Runs per chunk when trajectories are kept (see run_ensemble).
std::size_t chunk_runs(unsigned threads, std::size_t total) {
    return std::max<std::size_t>(64, 16 * detail::worker_count(threads, total));
}

}  // namespace

EnsembleSize ensemble_size(const Model& model, std::size_t samples, std::size_t parameters,
                           const EnsembleOptions& opts) {
    EnsembleSize z;
    const std::size_t variants = opts.variants.empty() ? 1 : opts.variants.size();
    const std::size_t n_ind = opts.indicators.size(), n_at = std::max<std::size_t>(1, opts.at.size());
    z.runs = mul(variants, samples);
    z.values = add(mul(samples, parameters), mul(mul(z.runs, n_ind), n_at));
    if (!opts.trajectory_quantiles.empty() && z.runs > 0) {
        const SimSpecs s = effective_specs(model.specs(), opts.base);
        const double step = s.save_step.value_or(s.dt);
        const double span = (s.stop - s.start) / step;
        // A run whose specs are invalid is refused later; count one row.
        const std::size_t rows = step > 0 && span >= 0
                                     ? (span < 1e18 ? static_cast<std::size_t>(span) + 1
                                                    : std::numeric_limits<std::size_t>::max())
                                     : 1;
        const std::size_t per_estimator = (sizeof(StreamingQuantile) + sizeof(double) - 1) / sizeof(double);
        const std::size_t chunk = std::min(z.runs, chunk_runs(opts.threads, z.runs));
        z.values = add(z.values, mul(mul(mul(variants, n_ind), rows), mul(opts.trajectory_quantiles.size(), per_estimator)));
        z.values = add(z.values, mul(mul(chunk, n_ind), rows));
    }
    return z;
}

std::vector<double> EnsembleResult::across_samples(std::size_t variant, std::size_t indicator, std::size_t a) const {
    std::vector<double> out(samples);
    for (std::size_t s = 0; s < samples; ++s) out[s] = value(variant, s, indicator, a);
    return out;
}

StreamingQuantile::StreamingQuantile(double p) : p_(p) {
    want_[0] = 1;
    want_[1] = 1 + 2 * p;
    want_[2] = 1 + 4 * p;
    want_[3] = 3 + 2 * p;
    want_[4] = 5;
    step_[0] = 0;
    step_[1] = p / 2;
    step_[2] = p;
    step_[3] = (1 + p) / 2;
    step_[4] = 1;
}

void StreamingQuantile::add(double x) {
    if (n_ < 5) {
        q_[n_++] = x;
        std::sort(q_, q_ + n_);
        if (n_ == 5)
            for (int i = 0; i < 5; ++i) pos_[i] = i + 1;
        return;
    }
    int k;
    if (x < q_[0]) {
        q_[0] = x;
        k = 0;
    } else if (x >= q_[4]) {
        q_[4] = std::max(q_[4], x);
        k = 3;
    } else {
        k = 0;
        while (k < 3 && x >= q_[k + 1]) ++k;
    }
    for (int i = k + 1; i < 5; ++i) pos_[i] += 1;
    for (int i = 0; i < 5; ++i) want_[i] += step_[i];
    ++n_;
    for (int i = 1; i <= 3; ++i) {
        const double d = want_[i] - pos_[i];
        if ((d >= 1 && pos_[i + 1] - pos_[i] > 1) || (d <= -1 && pos_[i - 1] - pos_[i] < -1)) {
            const double s = d >= 0 ? 1.0 : -1.0;
            // Piecewise-parabolic prediction, linear if it leaves the bracket.
            const double qp = q_[i] + s / (pos_[i + 1] - pos_[i - 1]) *
                                          ((pos_[i] - pos_[i - 1] + s) * (q_[i + 1] - q_[i]) / (pos_[i + 1] - pos_[i]) +
                                           (pos_[i + 1] - pos_[i] - s) * (q_[i] - q_[i - 1]) / (pos_[i] - pos_[i - 1]));
            if (q_[i - 1] < qp && qp < q_[i + 1]) {
                q_[i] = qp;
            } else {
                const int j = i + static_cast<int>(s);
                q_[i] = q_[i] + s * (q_[j] - q_[i]) / (pos_[j] - pos_[i]);
            }
            pos_[i] += s;
        }
    }
}

double StreamingQuantile::value() const {
    if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
    if (n_ < 5) {  // exact (linear interpolation between order statistics)
        const double h = p_ * static_cast<double>(n_ - 1);
        const auto lo = static_cast<std::size_t>(std::floor(h));
        const std::size_t hi = std::min(lo + 1, n_ - 1);
        return q_[lo] + (h - static_cast<double>(lo)) * (q_[hi] - q_[lo]);
    }
    return q_[2];
}

EnsembleResult run_ensemble(const Model& model, const SampleMatrix& samples, const EnsembleOptions& opts) {
    EnsembleResult e;
    e.parameters = samples.names;
    e.samples = samples.rows;
    e.variants = opts.variants.empty() ? 1 : opts.variants.size();
    if (samples.values.size() != samples.rows * samples.cols()) fail("", "the sample matrix is not rows x columns");
    if (opts.indicators.empty()) fail("", "no indicators: name at least one variable to keep");
    for (const auto& name : opts.indicators) {
        if (!model.has_variable(name)) fail(name, "the model has no variable '" + name + "'");
        e.indicators.push_back(name);
    }
    for (const auto& name : samples.names)
        if (!model.is_constant(name))
            fail(name, model.has_variable(name) ? "'" + name + "' is not a constant that a run can set"
                                                : "the model has no constant '" + name + "'");
    for (double q : opts.trajectory_quantiles)
        if (!(q > 0 && q < 1)) fail("", "trajectory quantile " + text::number(q) + " is not inside (0, 1)");
    const SimSpecs specs = effective_specs(model.specs(), opts.base);
    if (opts.at.empty()) {
        e.at.push_back(specs.stop);
    } else {
        for (double t : opts.at) {
            if (!(t >= specs.start && t <= specs.stop))
                fail("", "report time " + text::number(t) + " is outside the run [" + text::number(specs.start) +
                             ", " + text::number(specs.stop) + "]");
            e.at.push_back(t);
        }
    }
    e.trajectory_quantiles = opts.trajectory_quantiles;
    const EnsembleSize size = ensemble_size(model, samples.rows, samples.cols(), opts);
    if (size.values > opts.max_values) {
        Diagnostics d;
        d.error(sim::Code::E_ENSEMBLE_SIZE, SourceLoc{}, "",
                "the ensemble would keep " + text::count(size.values) + " values (" +
                    std::to_string(e.samples) + " samples x " + std::to_string(e.variants) + " variants x " +
                    std::to_string(e.indicators.size()) + " indicators x " + std::to_string(e.at.size()) +
                    " report times" + (opts.trajectory_quantiles.empty() ? "" : ", with percentile trajectories") +
                    "), more than the limit of " + text::count(opts.max_values) +
                    "; use fewer samples, indicators or report times");
        throw Error(std::move(d));
    }

    const std::size_t n_ind = e.indicators.size(), n_at = e.at.size(), k = samples.cols();
    const std::size_t total = e.variants * e.samples;
    e.values.assign(total * n_ind * n_at, 0.0);
    if (total == 0) return e;

    RunOptions base = opts.base;
    base.save = e.indicators;
    const bool want_traj = !opts.trajectory_quantiles.empty();

    // Every run is the base run with other values of some constants: its
    // plan (options checked, columns chosen, the base's overrides in the
    // slots) is made once, and each name a run sets is looked up once. If a
    // name is not one a run can set, or the base options are refused, the
    // runs go through model.run, which reports it exactly as always.
    const detail::Program& p = detail::program_of(model);
    std::optional<detail::RunPlan> plan;
    const Kernel* kernel = nullptr;
    std::vector<detail::Slot> sample_slots;
    std::vector<std::vector<std::pair<detail::Slot, double>>> variant_slots;
    {
        auto settable = [&](const std::string& name) -> const detail::VarInfo* {
            const auto* var = p.find(name);
            return var && var->settable ? var : nullptr;
        };
        bool all = true;
        for (const auto& name : samples.names) {
            const auto* var = settable(name);
            all = all && var;
            if (var) sample_slots.push_back(var->slot);
        }
        for (const auto& variant : opts.variants) {
            variant_slots.emplace_back();
            for (const auto& [name, value] : variant) {
                const auto* var = settable(name);
                all = all && var;
                if (var) variant_slots.back().emplace_back(var->slot, value);
            }
        }
        if (all) {
            try {
                plan = detail::prepare_run(p, base);
                kernel = detail::select_kernel(model, base);
            } catch (const Error&) {
                plan.reset();
            }
        }
    }

    // Streaming estimators [variant][indicator][row][quantile], made once the
    // first chunk tells the number of saved rows.
    std::vector<StreamingQuantile> est;
    std::size_t n_rows = 0;
    // Trajectories of the current chunk: [run in chunk][indicator][row].
    std::vector<std::vector<double>> chunk_traj;
    std::vector<double> chunk_times;

    // The note an error of run (v, s) gets: which sample and variant, and the
    // sample's values.
    auto annotate = [&](const Error& err, std::size_t v, std::size_t s) -> Error {
        Diagnostics d = err.diagnostics();
        std::string where = "in sample " + std::to_string(s);
        if (e.variants > 1) where += " of variant " + std::to_string(v);
        for (std::size_t c = 0; c < k; ++c)
            where += (c ? ", " : " (") + samples.names[c] + " = " + text::number(samples.at(s, c));
        Diagnostic note;
        note.severity = Severity::note;
        note.code = sim::Code::E_ENSEMBLE;
        note.message = where + (k ? ")" : "");
        d.add(std::move(note));
        return Error(std::move(d));
    };
    // The prepared plan's slots with run (v, s)'s values: what model.run(o)
    // in whole_run does, without looking up the names again or copying the
    // options.
    auto run_slots = [&](std::size_t v, std::size_t s) {
        std::vector<double> slots = plan->slots;
        if (!variant_slots.empty())
            for (const auto& [slot, value] : variant_slots[v]) slots[slot] = value;
        for (std::size_t c = 0; c < k; ++c) slots[sample_slots[c]] = samples.at(s, c);
        return slots;
    };
    // Run (v, s) from the start.
    auto whole_run = [&](std::size_t v, std::size_t s) {
        Results r;
        try {
            if (plan) {
                std::vector<double> slots = run_slots(v, s);
                r = detail::integrate(p, *plan, slots.data(), kernel);
            } else {
                RunOptions o = base;
                if (!opts.variants.empty())
                    for (const auto& kv : opts.variants[v]) o.set.push_back(kv);
                for (std::size_t c = 0; c < k; ++c) o.set.emplace_back(samples.names[c], samples.at(s, c));
                r = model.run(o);
            }
        } catch (const Error& err) {
            throw annotate(err, v, s);
        }
        return r;
    };
    // Run idx's values; with trajectories, also its series as run j of the
    // chunk from `first`.
    auto store = [&](std::size_t first, std::size_t j, std::size_t idx, const Results& r) {
        double* out = &e.values[idx * n_ind * n_at];
        for (std::size_t i = 0; i < n_ind; ++i) {
            std::vector<double> series(r.rows());
            for (std::size_t row = 0; row < r.rows(); ++row) series[row] = r.at(row, i);
            for (std::size_t a = 0; a < n_at; ++a) {
                auto v = detail::interpolate(r.times, e.at[a], [&](std::size_t row) { return series[row]; });
                if (!v)  // the saved rows end before stop
                    fail("", "report time " + text::number(e.at[a]) + " is outside the saved times" +
                                 (r.times.empty() ? std::string()
                                                  : " [" + text::number(r.times.front()) + ", " +
                                                        text::number(r.times.back()) + "]"));
                out[i * n_at + a] = *v;
            }
            if (want_traj) chunk_traj[j].insert(chunk_traj[j].end(), series.begin(), series.end());
        }
        if (want_traj && idx == first && first == 0) chunk_times = r.times;
    };

    const std::size_t chunk = want_traj ? chunk_runs(opts.threads, total) : total;
    // Runs from the start four at a time in SIMD lanes when the generated
    // code has them (sim/kernel.hpp): a chunk's runs then go in groups of
    // four (a task per group; the last runs of a chunk, fewer than four, one
    // by one), a task holding four runs' results and the run it repeats
    // alone (a lane that met a value that is not finite, or a warning).
    // chunk_runs is a multiple of four: groups never straddle chunks.
    const std::size_t group =
        plan && opts.lanes && total >= kernel_lanes && detail::lanes_usable(*plan, kernel) &&
                detail::fits_memory((1 + kernel_lanes) * detail::run_memory(p, *plan), base.max_memory)
            ? kernel_lanes
            : 1;
    auto tasks_of = [&](std::size_t count) { return (count + group - 1) / group; };
    // Split across ranks, each chunk's tasks are split (sim/distributed.hpp);
    // progress then counts this rank's runs.
    const bool split = opts.comm && opts.comm->size() > 1;
    auto my_runs_of = [&](std::size_t count) {
        if (!split) return count;
        const auto [lo, hi] = rank_block(tasks_of(count), opts.comm->rank(), opts.comm->size());
        return std::min(hi * group, count) - std::min(lo * group, count);
    };
    std::size_t my_total = 0, my_done = 0;
    for (std::size_t first = 0; first < total; first += chunk) my_total += my_runs_of(std::min(chunk, total - first));
    // Lever combinations (variants setting only levers' `_on` or
    // `_intensity`, which nothing reads but the lever's own variable) are the
    // same runs up to the earliest lever's start: for each sample, one run
    // to that point and every variant continued from there
    // (detail::shared_steps), with the same results bit for bit. Across
    // ranks, each rank takes a block of samples. Not with trajectories
    // (their chunks follow run order). A sample's task holds its checkpoint
    // beside the run it continues, and a continued run that generated code
    // cannot finish runs again from the start: shared only when three runs'
    // worth fits the memory budget that prepare_run checked one run against.
    // One Euler run's results, sized for the plan's grid and columns (E-MEMORY
    // if they cannot be allocated): the buffers a continued run or a lane
    // writes into.
    auto run_buffers = [&] {
        Results x;
        try {
            x.times.resize(plan->grid.rows());
            x.values.resize(plan->grid.rows() * plan->cols.size());
        } catch (const std::bad_alloc&) {
            detail::out_of_memory();
        }
        x.names = plan->names;
        return x;
    };
    std::vector<detail::Slot> differing;
    bool share = opts.share_steps && plan && !want_traj && e.variants > 1 &&
                 plan->specs.method == Method::euler && detail::fits_memory(3 * detail::run_memory(p, *plan), base.max_memory);
    // Each variant's value of every differing slot (the base's where it sets none).
    std::vector<std::vector<std::pair<detail::Slot, double>>> variant_sets;
    if (share) {
        for (const auto& vs : variant_slots)
            for (const auto& [slot, value] : vs) {
                share = share && detail::gate_value_ok(value);
                if (std::find(differing.begin(), differing.end(), slot) == differing.end()) differing.push_back(slot);
            }
        for (detail::Slot d : differing) {
            share = share && detail::gate_value_ok(plan->slots[d]);  // a variant that leaves it unset
            share = share && std::find(sample_slots.begin(), sample_slots.end(), d) == sample_slots.end();
        }
        for (const auto& vs : variant_slots) {
            auto& set = variant_sets.emplace_back();
            for (detail::Slot d : differing) set.emplace_back(d, plan->slots[d]);
            for (const auto& [slot, value] : vs)
                for (auto& x : set)
                    if (x.first == slot) x.second = value;
        }
    }
    // Variants continued four at a time in SIMD lanes (sim/kernel.hpp) when
    // the generated code has them: a task then also holds four runs' results.
    const bool lanes = share && opts.lanes && e.variants >= kernel_lanes && detail::lanes_usable(*plan, kernel) &&
                       detail::fits_memory((3 + kernel_lanes) * detail::run_memory(p, *plan), base.max_memory);
    if (share) {
        std::mutex progress_mutex;
        std::size_t runs_done = 0, my_runs = total;
        if (split) {
            const auto [lo, hi] = rank_block(e.samples, opts.comm->rank(), opts.comm->size());
            my_runs = (hi - lo) * e.variants;
        }
        // Per sample, written by its task only: runs continued, of them in lanes.
        std::vector<std::size_t> continued(e.samples, 0), laned(e.samples, 0);
        // Each task is a sample: its variants one after the other, from one
        // checkpoint, in buffers made once per task.
        auto sample_task = [&](std::size_t s) {
            std::vector<double> slots = run_slots(0, s);
            const long K = detail::shared_steps(p, *plan, slots.data(), differing);
            std::optional<detail::Checkpoint> cp;
            std::optional<detail::Workspace> ws;
            if (K > 0) {
                try {
                    ws.emplace(p, plan->grid);
                    cp.emplace(detail::run_to(p, *plan, slots.data(), kernel, K, *ws));
                } catch (const Error&) {
                    cp.reset();  // each variant runs whole and reports it as always
                }
                // A warning (NonFinite::warn) turns a run's check off, which a
                // continued run would not know: such samples run whole.
                if (cp && !cp->warnings.empty()) cp.reset();
            }
            Results r;  // every continued run's, in turn
            if (cp) r = run_buffers();
            auto progress = [&] {
                if (opts.progress) {  // after each run, never two at a time; across ranks, this rank's
                    std::lock_guard<std::mutex> lock(progress_mutex);
                    opts.progress(++runs_done, my_runs);
                }
            };
            // Lanes: kernel_lanes runs' slot vectors and results.
            std::vector<std::vector<double>> lane_slots;
            std::vector<Results> lane_r;
            if (cp && lanes) {
                try {
                    lane_slots.assign(kernel_lanes, std::vector<double>(p.slots.size()));
                    for (int l = 0; l < kernel_lanes; ++l) lane_r.push_back(run_buffers());
                } catch (const std::bad_alloc&) {
                    detail::out_of_memory();
                }
            }
            std::size_t v = 0;
            for (; cp && lanes && v + kernel_lanes <= e.variants; v += kernel_lanes) {
                std::span<const std::pair<detail::Slot, double>> sets[kernel_lanes];
                double* S[kernel_lanes];
                double* T[kernel_lanes];
                double* V[kernel_lanes];
                for (int l = 0; l < kernel_lanes; ++l) {
                    sets[l] = variant_sets[v + l];
                    S[l] = lane_slots[l].data();
                    T[l] = lane_r[l].times.data();
                    V[l] = lane_r[l].values.data();
                }
                std::array<bool, kernel_lanes> done{};
                try {
                    done = detail::run_from_lanes(p, *plan, *cp, sets, *kernel, S, T, V);
                } catch (const Error& err) {
                    throw annotate(err, v, s);
                }
                for (std::size_t l = 0; l < kernel_lanes; ++l) {
                    store(0, 0, (v + l) * e.samples + s, done[l] ? lane_r[l] : whole_run(v + l, s));
                    if (done[l]) ++continued[s], ++laned[s];
                    progress();
                }
            }
            for (; v < e.variants; ++v) {
                const std::size_t idx = v * e.samples + s;
                bool done = false;
                if (cp) {
                    try {
                        done = detail::run_from(p, *plan, *cp, variant_sets[v], kernel, slots.data(), r.times.data(),
                                                r.values.data(), r.warnings, *ws);
                    } catch (const Error& err) {
                        throw annotate(err, v, s);
                    }
                }
                store(0, 0, idx, done ? r : whole_run(v, s));
                if (done) ++continued[s];
                progress();
            }
        };
        // Across ranks, a sample's summary: every variant's values, then how
        // many of its runs continued from the checkpoint, of them in lanes.
        const std::size_t n_vals = n_ind * n_at;
        auto pack = [&](std::size_t s, std::vector<double>& out) {
            for (std::size_t v = 0; v < e.variants; ++v) {
                const double* x = &e.values[(v * e.samples + s) * n_vals];
                out.insert(out.end(), x, x + n_vals);
            }
            out.push_back(static_cast<double>(continued[s]));
            out.push_back(static_cast<double>(laned[s]));
        };
        auto unpack = [&](std::size_t s, std::span<const double> d) {
            if (d.size() != e.variants * n_vals + 2) fail("", "a rank sent a short run summary");
            for (std::size_t v = 0; v < e.variants; ++v)
                std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(v * n_vals), n_vals,
                            &e.values[(v * e.samples + s) * n_vals]);
            continued[s] = static_cast<std::size_t>(d[d.size() - 2]);
            laned[s] = static_cast<std::size_t>(d.back());
        };
        detail::distributed_for(opts.comm, e.samples, opts.threads, sample_task, {}, pack, unpack);
        for (std::size_t c : continued) e.continued += c;
        for (std::size_t c : laned) e.in_lanes += c;
        return e;
    }
    // Per task, how many of its runs' results came from lanes.
    std::vector<std::size_t> task_lanes;
    std::mutex progress_mutex;
    for (std::size_t first = 0; first < total; first += chunk) {
        const std::size_t count = std::min(chunk, total - first), tasks = tasks_of(count);
        if (want_traj) chunk_traj.assign(count, {});
        task_lanes.assign(tasks, 0);
        // Progress after each run, never two at a time (across ranks, this
        // rank's runs).
        std::size_t chunk_done = 0;
        auto progress = [&] {
            if (!opts.progress) return;
            std::lock_guard<std::mutex> lock(progress_mutex);
            opts.progress(my_done + ++chunk_done, my_total);
        };
        auto run_one = [&](std::size_t j) {
            const std::size_t idx = first + j;
            store(first, j, idx, whole_run(idx / e.samples, idx % e.samples));
            progress();
        };
        // Task g: runs j0 .. j0 + group - 1 of the chunk.
        auto run_task = [&](std::size_t g) {
            const std::size_t j0 = g * group;
            if (group == 1 || j0 + group > count) {
                for (std::size_t j = j0; j < std::min(j0 + group, count); ++j) run_one(j);
                return;
            }
            std::vector<std::vector<double>> slots;
            std::vector<Results> r;
            std::vector<detail::Workspace> ws;
            double* S[kernel_lanes];
            double* T[kernel_lanes];
            double* V[kernel_lanes];
            try {
                slots.reserve(kernel_lanes);
                r.reserve(kernel_lanes);
                ws.reserve(kernel_lanes);
                for (int l = 0; l < kernel_lanes; ++l) {
                    const std::size_t idx = first + j0 + l;
                    slots.push_back(run_slots(idx / e.samples, idx % e.samples));
                    ws.emplace_back(p, plan->grid);
                    r.push_back(run_buffers());
                    S[l] = slots[l].data();
                    T[l] = r[l].times.data();
                    V[l] = r[l].values.data();
                }
            } catch (const std::bad_alloc&) {
                detail::out_of_memory();
            }
            const auto ok = detail::run_plan_lanes(p, *plan, S, *kernel, T, V, ws.data());
            for (int l = 0; l < kernel_lanes; ++l) {
                const std::size_t j = j0 + l, idx = first + j;
                if (ok[l]) {
                    store(first, j, idx, r[l]);
                    ++task_lanes[g];
                    progress();
                } else {
                    run_one(j);  // again alone: it reports what it met as always
                }
            }
        };
        // A run's summary: its values, then (with trajectories) its saved
        // series, then for run 0 the saved times.
        const std::size_t n_vals = n_ind * n_at;
        auto pack_run = [&](std::size_t j, std::vector<double>& out) {
            const double* v = &e.values[(first + j) * n_vals];
            out.insert(out.end(), v, v + n_vals);
            if (!want_traj) return;
            out.insert(out.end(), chunk_traj[j].begin(), chunk_traj[j].end());
            if (first == 0 && j == 0) out.insert(out.end(), chunk_times.begin(), chunk_times.end());
        };
        auto unpack_run = [&](std::size_t j, std::span<const double> d) {
            if (d.size() < n_vals) fail("", "a rank sent a short run summary");
            std::copy_n(d.begin(), n_vals, &e.values[(first + j) * n_vals]);
            if (!want_traj) return;
            std::size_t len = d.size() - n_vals;
            if (first == 0 && j == 0) {
                const std::size_t rows = len / (n_ind + 1);
                chunk_times.assign(d.end() - static_cast<std::ptrdiff_t>(rows), d.end());
                len -= rows;
            }
            chunk_traj[j].assign(d.begin() + static_cast<std::ptrdiff_t>(n_vals),
                                 d.begin() + static_cast<std::ptrdiff_t>(n_vals + len));
        };
        // A task's summary: each of its runs' summaries after its length,
        // then how many came from lanes.
        auto pack = [&](std::size_t g, std::vector<double>& out) {
            for (std::size_t j = g * group; j < std::min((g + 1) * group, count); ++j) {
                const std::size_t at = out.size();
                out.push_back(0);
                pack_run(j, out);
                out[at] = static_cast<double>(out.size() - at - 1);
            }
            out.push_back(static_cast<double>(task_lanes[g]));
        };
        auto unpack = [&](std::size_t g, std::span<const double> d) {
            std::size_t at = 0;
            for (std::size_t j = g * group; j < std::min((g + 1) * group, count); ++j) {
                if (at >= d.size() || !(d[at] >= 0) || d[at] > static_cast<double>(d.size() - at - 1))
                    fail("", "a rank sent a short run summary");
                const auto len = static_cast<std::size_t>(d[at]);
                unpack_run(j, d.subspan(at + 1, len));
                at += 1 + len;
            }
            if (at + 1 != d.size()) fail("", "a rank sent a short run summary");
            task_lanes[g] = static_cast<std::size_t>(d[at]);
        };
        detail::distributed_for(opts.comm, tasks, opts.threads, run_task, {}, pack, unpack);
        for (std::size_t n : task_lanes) e.in_lanes += n;
        my_done += my_runs_of(count);
        if (!want_traj) continue;
        if (first == 0) {
            e.times = chunk_times;
            n_rows = e.times.size();
            est.clear();
            const std::size_t nq = opts.trajectory_quantiles.size();
            est.reserve(e.variants * n_ind * n_rows * nq);
            for (std::size_t x = 0; x < e.variants * n_ind * n_rows; ++x)
                for (double q : opts.trajectory_quantiles) est.emplace_back(q);
        }
        const std::size_t nq = opts.trajectory_quantiles.size();
        for (std::size_t j = 0; j < count; ++j) {  // in run order
            const std::size_t v = (first + j) / e.samples;
            if (chunk_traj[j].size() != n_ind * n_rows) fail("", "the runs saved different numbers of rows");
            for (std::size_t i = 0; i < n_ind; ++i)
                for (std::size_t row = 0; row < n_rows; ++row) {
                    const double x = chunk_traj[j][i * n_rows + row];
                    StreamingQuantile* q0 = &est[((v * n_ind + i) * n_rows + row) * nq];
                    for (std::size_t q = 0; q < nq; ++q) q0[q].add(x);
                }
        }
    }
    if (want_traj) {
        e.trajectories.reserve(est.size());
        for (const auto& q : est) e.trajectories.push_back(q.value());
    }
    return e;
}

void write_indicators_csv(const EnsembleResult& e, std::ostream& out, std::size_t variant) {
    out << "sample,indicator,time,value\n";
    for (std::size_t s = 0; s < e.samples; ++s)
        for (std::size_t i = 0; i < e.indicators.size(); ++i) {
            const std::string name = text::csv_field(e.indicators[i]);
            for (std::size_t a = 0; a < e.at.size(); ++a)
                out << s << ',' << name << ',' << text::csv_number(e.at[a]) << ','
                    << text::csv_number(e.value(variant, s, i, a)) << '\n';
        }
}

}  // namespace sim
