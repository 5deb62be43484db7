// Batches (sim/batch.hpp): one prepared plan, one result allocation, and per
// worker one workspace (slot vector, event buffers, scratch) reused by each
// of its runs. A run is run_plan, the code Model::run uses, so the results
// are Model::run's bit for bit. Runs are handed out in increasing order;
// each writes only its own rows. When runs fail, the error reported is that
// of the lowest-numbered failing run, whatever the thread count.
#include "sim/batch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "run/integrate.hpp"
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
    }
};

namespace {

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
    auto worker = [&](std::size_t) {
        detail::Workspace ws(m.p, m.plan.grid);
        std::vector<double> s(m.plan.slots.size());
        std::vector<double> times(rows);
        std::vector<Diagnostic> warn;
        for (std::size_t i; (i = next++) < n && i < fail_at.load();) {
            std::copy(m.plan.slots.begin(), m.plan.slots.end(), s.begin());
            for (std::size_t j = 0; j < np; ++j) s[m.param_slots[j]] = sets[i * np + j];
            warn.clear();
            try {
                detail::run_plan(m.p, m.plan, s.data(), m.kernel, times.data(), out.data() + i * rows * cols, warn,
                                 ws);
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
                continue;
            }
            if (!warn.empty()) {
                std::lock_guard<std::mutex> g(mu);
                for (auto& w : warn) found.emplace_back(i, std::move(w));
            }
        }
    };
    const unsigned workers = detail::worker_count(m.threads, n);
    detail::parallel_for(workers, workers, worker);
    if (failure) throw failure->second;
    if (warnings) {
        std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& w : found) warnings->push_back(std::move(w));
    }
}

}  // namespace

Batch::Batch(const Model& model, BatchOptions opts) : impl_(std::make_unique<Impl>(model, opts)) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

const std::vector<std::string>& Batch::names() const { return impl_->plan.names; }
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
    r.values.resize(r.runs * rows() * cols());
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
    r.values.resize(runs * rows() * cols());
    run_all(*impl_, runs, {}, r.values, &r.warnings);
    return r;
}

void Batch::run(std::span<const double> sets, std::span<double> out,
                std::vector<std::pair<std::size_t, Diagnostic>>* warnings) const {
    const std::size_t np = parameters();
    if (np == 0 || sets.size() % np != 0)
        throw Error(sim::Code::E_BATCH, "",
                    std::to_string(sets.size()) + " values are not whole parameter sets of " + std::to_string(np));
    run_all(*impl_, sets.size() / np, sets, out, warnings);
}

}  // namespace sim
