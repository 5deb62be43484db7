// Batches (sim/batch.hpp): one prepared plan, one result allocation, and per
// worker one workspace (slot vector, event buffers, scratch) reused by each
// of its runs. A run is run_plan, the code Model::run uses, so the results
// are Model::run's bit for bit. Runs are handed out in increasing order;
// each writes only its own rows. When runs fail, the error reported is that
// of the lowest-numbered failing run, whatever the thread count. What a
// batch allocates is estimated against the memory budget before any of it
// is (E-MEMORY); an allocation that fails all the same is E-MEMORY too.
#include "sim/batch.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>

#include "run/integrate.hpp"
#include "sim/limits.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace sim {

struct Batch::Impl {
    Model model;
    const detail::Program& p;
    detail::RunPlan plan;
    const Kernel* kernel = nullptr;
    std::vector<std::string> params;
    std::vector<detail::Slot> param_slots;
    std::vector<double> times;
    unsigned threads = 1;

    Impl(const Model& m, const BatchOptions& o)
        : model(m), p(detail::program_of(model)), plan(detail::prepare_run(p, o.base)) {
        kernel = detail::select_kernel(model, o.base);
        Diagnostics diags;
        for (const auto& name : o.parameters) {
            const auto* v = p.find(name);
            if (!v) {
                diags.error(sim::Code::E_UNKNOWN_NAME, {}, name,
                            "cannot vary '" + name + "' in a batch: the model has no such variable");
            } else if (!v->settable) {
                diags.error(sim::Code::E_NOT_CONSTANT, {}, v->name,
                            "cannot vary '" + v->name + "' in a batch: it is a " + to_string(v->kind) +
                                " computed from other variables; only constants with a number as equation can be set");
            } else {
                params.push_back(v->name);
                param_slots.push_back(v->slot);
            }
        }
        if (diags.has_errors()) throw Error(std::move(diags));
        for (std::size_t row = 0; row < plan.grid.rows(); ++row)
            times.push_back(plan.grid.at(static_cast<long>(row) * plan.grid.save_every));
        threads = o.threads;
        max_memory = o.base.max_memory;
        lanes = o.lanes && detail::lanes_usable(plan, kernel);
    }
    bool lanes = false;  // runs go kernel_lanes at a time through Kernel::euler_lanes
    std::optional<std::uint64_t> max_memory;  // RunOptions::max_memory
};

namespace {

// Runs a worker takes at a time for a batch of `n`: kernel_lanes with lanes
// when they can fill a group, else one.
std::size_t group_of(const Batch::Impl& m, std::size_t n) { return m.lanes && n >= kernel_lanes ? kernel_lanes : 1; }

// What `n` runs allocate, estimated before any of it is: the results (runs x
// rows x columns, unless the caller gives the memory) and, per worker, one
// run's buffers (slot vector, saved times, delay histories, scratch).
// Refused (E-MEMORY, naming the budget) if over base.max_memory, or
// default_memory_budget() when unset, as Model::run does for one run.
void check_batch_memory(const Batch::Impl& m, std::size_t n, bool results, const std::optional<std::uint64_t>& max) {
    const double rows = static_cast<double>(m.times.size()), cols = static_cast<double>(m.plan.cols.size());
    const double points = static_cast<double>(m.plan.grid.steps) + 1;
    const double workers = detail::worker_count(m.threads, n);
    const double per_worker = static_cast<double>(group_of(m, n)) *
                              (rows + 2.0 * static_cast<double>(m.p.slots.size()) +
                               static_cast<double>(m.p.stock_count) + points * static_cast<double>(m.p.delays.size()));
    const double bytes = 8.0 * ((results ? static_cast<double>(n) * rows * cols : 0.0) + workers * per_worker);
    if (detail::fits_memory(bytes, max)) return;
    const std::uint64_t budget = max ? *max : default_memory_budget();
    Diagnostics d;
    d.error(sim::Code::E_MEMORY, max ? SourceLoc{"option --max-memory", 0, 0} : SourceLoc{}, "",
            "the batch of " + std::to_string(n) + " runs would keep " +
                (results ? std::to_string(n) + " runs x " + text::number(rows) + " rows x " + text::number(cols) +
                               " columns and "
                         : std::string()) +
                "one run's buffers per worker thread (" + text::number(workers) + "), about " +
                (bytes < 1.8e19 ? format_bytes(static_cast<std::uint64_t>(bytes)) : text::number(bytes) + " bytes") +
                ", more than the memory budget of " + format_bytes(budget) +
                " (raise it with --max-memory, RunOptions::max_memory); run fewer runs at a time, save fewer "
                "variables or save less often. Nothing was run");
    throw Error(std::move(d));
}

// Runs 0..n-1 with parameter set i at sets[i * params]; rows to `out`.
void run_all(const Batch::Impl& m, std::size_t n, std::span<const double> sets, std::span<double> out,
             std::vector<std::pair<std::size_t, Diagnostic>>* warnings) {
    const std::size_t np = m.param_slots.size(), rows = m.times.size(), cols = m.plan.cols.size();
    if (out.size() != n * rows * cols)
        throw Error(sim::Code::E_BATCH, "",
                    "the output holds " + std::to_string(out.size()) + " values; " + std::to_string(n) +
                        " runs of " + std::to_string(rows) + " rows x " + std::to_string(cols) + " columns need " +
                        std::to_string(n * rows * cols));
    std::atomic<std::size_t> next{0};
    std::mutex mu;  // guards what follows
    std::optional<std::pair<std::size_t, Error>> failure;  // the lowest failing run
    std::atomic<std::size_t> fail_at{n};
    std::vector<std::pair<std::size_t, Diagnostic>> found;
    std::atomic<bool> out_of_memory{false};  // a worker could not allocate its buffers
    // Each worker takes `group` runs at a time (group_of; with lanes, the
    // last runs, fewer than a group, one by one).
    const std::size_t group = group_of(m, n);
    auto worker = [&](std::size_t) {
        std::vector<detail::Workspace> ws;
        std::vector<std::vector<double>> s(group), times(group);
        try {
            ws.reserve(group);
            for (std::size_t g = 0; g < group; ++g) {
                ws.emplace_back(m.p, m.plan.grid);
                s[g].resize(m.plan.slots.size());
                times[g].resize(rows);
            }
        } catch (const std::bad_alloc&) {
            out_of_memory = true;
            fail_at = 0;  // the other workers stop at their next run
            return;
        }
        auto fill = [&](std::size_t i, std::vector<double>& x) {
            std::copy(m.plan.slots.begin(), m.plan.slots.end(), x.begin());
            for (std::size_t j = 0; j < np; ++j) x[m.param_slots[j]] = sets[i * np + j];
        };
        std::vector<Diagnostic> warn;
        // Run i alone, with the buffers of lane g.
        auto one = [&](std::size_t i, std::size_t g) {
            fill(i, s[g]);
            warn.clear();
            try {
                detail::run_plan(m.p, m.plan, s[g].data(), m.kernel, times[g].data(), out.data() + i * rows * cols,
                                 warn, ws[g]);
            } catch (const Error& e) {
                Diagnostics d = e.diagnostics();
                Diagnostic note;
                note.severity = Severity::note;
                note.code = sim::Code::E_BATCH;
                note.message = "in run " + std::to_string(i) + " of the batch";
                for (std::size_t j = 0; j < np; ++j)
                    note.message += (j ? ", " : " (") + m.params[j] + " = " + text::number(sets[i * np + j]) +
                                    (j + 1 == np ? ")" : "");
                d.add(std::move(note));
                std::lock_guard<std::mutex> g(mu);
                if (!failure || i < failure->first) {
                    failure.emplace(i, Error(std::move(d)));
                    fail_at = i;
                }
                return;
            }
            if (!warn.empty()) {
                std::lock_guard<std::mutex> g(mu);
                for (auto& w : warn) found.emplace_back(i, std::move(w));
            }
        };
        for (std::size_t i; (i = next.fetch_add(group)) < n && i < fail_at.load();) {
            if (group > 1 && i + group <= n) {
                double* S[kernel_lanes];
                double* T[kernel_lanes];
                double* V[kernel_lanes];
                for (std::size_t g = 0; g < group; ++g) {
                    fill(i + g, s[g]);
                    S[g] = s[g].data();
                    T[g] = times[g].data();
                    V[g] = out.data() + (i + g) * rows * cols;
                }
                const auto ok = detail::run_plan_lanes(m.p, m.plan, S, *m.kernel, T, V, ws.data());
                // A run that met a value that is not finite (or a warning)
                // again alone, which reports it as always.
                for (std::size_t g = 0; g < group; ++g)
                    if (!ok[g] && i + g < fail_at.load()) one(i + g, g);
            } else {
                for (std::size_t j = i; j < n && j < i + group && j < fail_at.load(); ++j) one(j, 0);
            }
        }
    };
    const unsigned workers = detail::worker_count(m.threads, n);
    detail::parallel_for(workers, workers, worker);
    if (out_of_memory) detail::out_of_memory();
    if (failure) throw failure->second;
    if (warnings) {
        std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& w : found) warnings->push_back(std::move(w));
    }
}

// r.values for r.runs runs, within the memory budget (with the workers'
// buffers) before anything is allocated; a failed allocation is E-MEMORY.
void allocate(const Batch::Impl& m, BatchResult& r) {
    check_batch_memory(m, r.runs, true, m.max_memory);
    try {
        r.values.resize(r.runs * m.times.size() * m.plan.cols.size());
    } catch (const std::bad_alloc&) {
        detail::out_of_memory();
    } catch (const std::length_error&) {
        detail::out_of_memory();
    }
}

}  // namespace

Batch::Batch(const Model& model, BatchOptions opts) : impl_(std::make_unique<Impl>(model, opts)) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

const std::vector<std::string>& Batch::names() const { return impl_->plan.names.vector(); }
const std::vector<double>& Batch::times() const { return impl_->times; }
std::size_t Batch::parameters() const { return impl_->params.size(); }

BatchResult Batch::run(std::span<const double> sets) const {
    const std::size_t np = parameters();
    if (np == 0 || sets.size() % np != 0)
        throw Error(sim::Code::E_BATCH, "",
                    np == 0 ? std::string("this batch varies no parameters; give the number of runs instead")
                            : std::to_string(sets.size()) + " values are not whole parameter sets of " +
                                  std::to_string(np));
    BatchResult r;
    r.names = names();
    r.times = times();
    r.runs = sets.size() / np;
    allocate(*impl_, r);
    run_all(*impl_, r.runs, sets, r.values, &r.warnings);
    return r;
}

BatchResult Batch::run(std::size_t runs) const {
    if (parameters() != 0)
        throw Error(sim::Code::E_BATCH, "",
                    "this batch varies " + std::to_string(parameters()) + " parameters; give their values");
    BatchResult r;
    r.names = names();
    r.times = times();
    r.runs = runs;
    allocate(*impl_, r);
    run_all(*impl_, runs, {}, r.values, &r.warnings);
    return r;
}

void Batch::run(std::span<const double> sets, std::span<double> out,
                std::vector<std::pair<std::size_t, Diagnostic>>* warnings) const {
    const std::size_t np = parameters();
    if (np == 0 || sets.size() % np != 0)
        throw Error(sim::Code::E_BATCH, "",
                    std::to_string(sets.size()) + " values are not whole parameter sets of " + std::to_string(np));
    check_batch_memory(*impl_, sets.size() / np, false, impl_->max_memory);
    run_all(*impl_, sets.size() / np, sets, out, warnings);
}

}  // namespace sim
