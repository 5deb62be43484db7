// Experiments split across ranks (sim/distributed.hpp) without MPI: a
// Communicator whose "ranks" are threads of this process, so that the
// splitting, the exchange of summaries and the agreement on failure are
// tested in every build (the MPI ones under mpirun: tests/cmake/mpi.cmake).
#include <doctest/doctest.h>

#include <barrier>
#include <cmath>
#include <limits>
#include <thread>

#include "sim/compare.hpp"
#include "sim/distributed.hpp"
#include "sim/ensemble.hpp"
#include "sim/robustness.hpp"
#include "sim/sampling.hpp"
#include "sim/sim.hpp"
#include "support.hpp"

namespace {

// `size` ranks as threads: each collective deposits its part, waits for the
// others, reads everything, and waits again before the slots are reused.
struct Shared {
    explicit Shared(int n) : size(n), bar(n), parts(static_cast<std::size_t>(n)), texts(static_cast<std::size_t>(n)) {}
    int size;
    std::barrier<> bar;
    std::vector<std::vector<double>> parts;
    std::vector<std::string> texts;
    int collectives = 0;  // by rank 0
};

class ThreadComm final : public sim::Communicator {
public:
    ThreadComm(Shared& s, int r) : s_(s), r_(r) {}
    int rank() const override { return r_; }
    int size() const override { return s_.size; }
    std::vector<double> allgather(std::span<const double> mine) const override {
        s_.parts[static_cast<std::size_t>(r_)].assign(mine.begin(), mine.end());
        s_.bar.arrive_and_wait();
        std::vector<double> all;
        for (const auto& p : s_.parts) all.insert(all.end(), p.begin(), p.end());
        if (r_ == 0) ++s_.collectives;
        s_.bar.arrive_and_wait();
        return all;
    }
    std::vector<std::string> allgather_text(const std::string& mine) const override {
        s_.texts[static_cast<std::size_t>(r_)] = mine;
        s_.bar.arrive_and_wait();
        std::vector<std::string> all = s_.texts;
        if (r_ == 0) ++s_.collectives;
        s_.bar.arrive_and_wait();
        return all;
    }

private:
    Shared& s_;
    int r_;
};

// Calls f(comm) on `size` rank threads; returns each rank's result.
template <class F>
auto on_ranks(int size, F f) {
    Shared shared(size);
    using R = decltype(f(std::declval<const sim::Communicator&>()));
    std::vector<R> out(static_cast<std::size_t>(size));
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(size));
    {
        std::vector<std::jthread> ranks;
        for (int r = 0; r < size; ++r)
            ranks.emplace_back([&, r] {
                ThreadComm comm(shared, r);
                try {
                    out[static_cast<std::size_t>(r)] = f(comm);
                } catch (...) {
                    errors[static_cast<std::size_t>(r)] = std::current_exception();
                }
            });
    }
    return std::make_pair(std::move(out), std::move(errors));
}

using simtest::same_bytes;

sim::ModelSpec growth() {
    sim::ModelSpec m;
    m.name = "growth";
    m.specs.start = 0;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "1", {"inflow"});
    m.add_flow("inflow", "x * r * (1 + boost * boost_on)");
    m.add_constant("r", 0.03);
    m.add_constant("boost", 0.5);
    m.add_constant("boost_on", 0);
    m.add_aux("y", "x / r");  // r = 0 divides by zero
    return m;
}

sim::SampleMatrix r_samples(std::size_t n) {
    sim::SampleMatrix s;
    s.names = {"r"};
    s.rows = n;
    for (std::size_t i = 0; i < n; ++i) s.values.push_back(0.01 + 0.001 * static_cast<double>(i));
    return s;
}

}  // namespace

TEST_CASE("rank_block: contiguous blocks in rank order, sizes within one") {
    for (std::size_t n : {0u, 1u, 5u, 32u, 1001u})
        for (int p : {1, 2, 3, 7}) {
            std::size_t next = 0;
            for (int r = 0; r < p; ++r) {
                auto [f, l] = sim::rank_block(n, r, p);
                CHECK(f == next);
                CHECK(l - f >= n / static_cast<std::size_t>(p));
                CHECK(l - f <= n / static_cast<std::size_t>(p) + 1);
                next = l;
            }
            CHECK(next == n);
        }
}

TEST_CASE("run_ensemble on 1, 2 and 3 ranks: every rank returns the single-process values, bit for bit") {
    const sim::Model model = sim::Model::compile(growth());
    const auto samples = r_samples(23);
    sim::EnsembleOptions o;
    o.indicators = {"x", "y"};
    o.at = {2.5, 10};
    o.variants = {{{"boost_on", 0}}, {{"boost_on", 1}}};
    o.threads = 2;
    o.trajectory_quantiles = {0.1, 0.5, 0.9};
    const sim::EnsembleResult one = sim::run_ensemble(model, samples, o);
    for (int size : {1, 2, 3}) {
        auto [res, errors] = on_ranks(size, [&](const sim::Communicator& c) {
            sim::EnsembleOptions mine = o;
            mine.comm = &c;
            return sim::run_ensemble(model, samples, mine);
        });
        for (int r = 0; r < size; ++r) {
            CAPTURE(size);
            CAPTURE(r);
            REQUIRE(!errors[static_cast<std::size_t>(r)]);
            const auto& e = res[static_cast<std::size_t>(r)];
            CHECK(same_bytes(e.values, one.values));
            CHECK(same_bytes(e.times, one.times));
            CHECK(same_bytes(e.trajectories, one.trajectories));
        }
    }
}

TEST_CASE("compare on 3 ranks equals compare in one process") {
    sim::ModelSpec spec = growth();
    spec.add_lever("boost_lever", "Boost");
    spec.add_lever("other", "Other");
    spec.find("inflow")->equation = sim::Equation::parse("x * r * (1 + boost * boost_lever_lever)");
    spec.find("y")->equation = sim::Equation::parse("x / r * (1 + other_lever)");
    const sim::Model model = sim::Model::compile(spec);
    sim::CompareOptions o;
    o.at = {5, 10};
    o.indicators = {{"x", false}, {"y", true}};
    const sim::CompareResult one = sim::compare(model, o);
    auto [res, errors] = on_ranks(3, [&](const sim::Communicator& c) {
        sim::CompareOptions mine = o;
        mine.comm = &c;
        return sim::compare(model, mine);
    });
    for (std::size_t r = 0; r < 3; ++r) {
        REQUIRE(!errors[r]);
        REQUIRE(res[r].combinations.size() == one.combinations.size());
        CHECK(same_bytes(res[r].times, one.times));
        for (std::size_t m = 0; m < one.combinations.size(); ++m) {
            CHECK(same_bytes(res[r].combinations[m].values, one.combinations[m].values));
            CHECK(res[r].combinations[m].series == one.combinations[m].series);
        }
        for (std::size_t k = 0; k < one.effects.size(); ++k)
            CHECK(same_bytes(res[r].effects[k].shapley, one.effects[k].shapley));
    }
}

TEST_CASE("a run failing on one rank fails every rank with its error") {
    const sim::Model model = sim::Model::compile(growth());
    auto samples = r_samples(12);
    samples.values[10] = 0;  // sample 10 (rank 2 of 3): y = x / 0
    sim::EnsembleOptions o;
    o.indicators = {"y"};
    o.threads = 1;
    auto [res, errors] = on_ranks(3, [&](const sim::Communicator& c) {
        sim::EnsembleOptions mine = o;
        mine.comm = &c;
        return sim::run_ensemble(model, samples, mine);
    });
    for (std::size_t r = 0; r < 3; ++r) {
        REQUIRE(errors[r]);
        try {
            std::rethrow_exception(errors[r]);
        } catch (const sim::RankError& e) {
            CHECK(e.failed_rank() == 2);
            const std::string what = e.what();
            CHECK(what.find("sample 10") != std::string::npos);
            CHECK(what.find("reported by rank 2 of 3") != std::string::npos);
            CHECK(e.code() == sim::Code::E_DIV_ZERO);
        } catch (...) {
            FAIL("not a sim::RankError");
        }
    }
}

TEST_CASE("run_ensemble on 2 and 3 ranks with lever combinations sharing their first steps: the same bytes") {
    sim::ModelSpec spec = growth();
    auto& lever = spec.add_lever("push", "Push");
    lever.start = 4;
    lever.phase_in = 2;
    spec.find("inflow")->equation = sim::Equation::parse("x * r * (1 + boost * push_lever)");
    const sim::Model model = sim::Model::compile(spec);
    const auto samples = r_samples(23);
    sim::EnsembleOptions o;
    o.indicators = {"x", "y"};
    o.at = {2.5, 10};
    o.variants = sim::lever_variants({"push"});
    o.threads = 2;
    const sim::EnsembleResult one = sim::run_ensemble(model, samples, o);
    REQUIRE(one.continued == 2 * 23);
    o.share_steps = false;
    const sim::EnsembleResult whole = sim::run_ensemble(model, samples, o);
    REQUIRE(same_bytes(one.values, whole.values));
    o.share_steps = true;
    for (int size : {2, 3}) {
        // Per rank (each its own thread): progress calls, all 1, 2, 3...
        std::vector<std::size_t> calls(static_cast<std::size_t>(size), 0);
        std::vector<char> in_order(static_cast<std::size_t>(size), 1);
        auto [res, errors] = on_ranks(size, [&](const sim::Communicator& c) {
            sim::EnsembleOptions mine = o;
            mine.comm = &c;
            const auto rank = static_cast<std::size_t>(c.rank());
            mine.progress = [&, rank](std::size_t done, std::size_t) {
                if (done != calls[rank] + 1) in_order[rank] = 0;
                ++calls[rank];
            };
            return sim::run_ensemble(model, samples, mine);
        });
        std::size_t all_calls = 0;
        for (int r = 0; r < size; ++r) {
            CAPTURE(size);
            CAPTURE(r);
            REQUIRE(!errors[static_cast<std::size_t>(r)]);
            const auto& e = res[static_cast<std::size_t>(r)];
            CHECK(same_bytes(e.values, one.values));
            CHECK(e.continued == 2 * 23);  // every rank counts every rank's
            CHECK(in_order[static_cast<std::size_t>(r)]);
            all_calls += calls[static_cast<std::size_t>(r)];
        }
        CHECK(all_calls == 2 * 23);  // each rank's progress counts its own runs
    }
}
