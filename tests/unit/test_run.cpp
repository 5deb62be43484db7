// The run stage's invariants (docs/architecture.md, "Running"): the
// fixed-step methods allocate nothing per step, events included; a run
// refused by preparation is refused before anything in proportion to its
// length exists; the grid is start + k*dt.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "sim/model.hpp"

namespace {
std::atomic<long> allocations{0};
}

// Counting allocator for this test binary (every form of operator new ends
// up in malloc here and every operator delete in free: the nothrow forms
// too, which libstdc++'s std::stable_sort uses for its buffer; left to the
// sanitizer's own, they were freed by the free() below, an ASan mismatch). g++ 12 flags free() in a replaced operator delete as a
// mismatch with operator new (a false positive: both are replaced here).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
#pragma GCC diagnostic pop

namespace {

// Every event kind (PREVIOUS, a fixed delay, a non-negative stock), a
// lookup and a hidden stock.
sim::ModelSpec eventful() {
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 0.25;
    m.add_stock("x", "5", {"grow"}, {"drain"});
    m.variables.back().non_negative = true;
    m.add_flow("grow", "effect(smoothed) + DELAY(x, 2, 0) * 0.01 + PREVIOUS(x, 0) * 0.01");
    m.add_flow("drain", "x * 0.3");
    m.add_aux("smoothed", "SMTH1(x, 3)");
    m.add_lookup("effect", {0, 10}, {0, 1});
    return m;
}

long allocations_for(const sim::Model& m, sim::Method method, double stop) {
    sim::RunOptions o;
    o.method = method;
    o.stop = stop;
    const long before = allocations.load();
    (void)m.run(o);
    return allocations.load() - before;
}

}  // namespace

TEST_CASE("run: the fixed-step methods allocate nothing per step, events included") {
    const auto model = sim::Model::compile(eventful());
    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4}) {
        CAPTURE(sim::to_string(method));
        (void)allocations_for(model, method, 10);  // warm-up
        const long short_run = allocations_for(model, method, 10), long_run = allocations_for(model, method, 1000);
        CHECK(short_run > 0);  // the counter does count (results, slots)
        CHECK(short_run == long_run);
    }
}

TEST_CASE("run: a refused run allocates nothing in proportion to its length") {
    sim::ModelSpec m = eventful();
    m.specs.stop = 1e12;  // 4e12 steps: the budget refuses it
    const auto model = sim::Model::compile(m);
    sim::RunOptions o;
    o.max_steps = 1000;
    const long before = allocations.load();
    CHECK_THROWS_AS((void)model.run(o), sim::Error);
    CHECK(allocations.load() - before < 100);  // no results, no histories
}

TEST_CASE("run: saved times are start + k * save_step, computed, not accumulated") {
    sim::ModelSpec m;
    m.specs.start = 0.1;
    m.specs.stop = 1000.1;
    m.specs.dt = 0.1;
    m.add_stock("x", "0", {"f"});
    m.add_flow("f", "1");
    for (auto method : {sim::Method::euler, sim::Method::rk4, sim::Method::rk45}) {
        sim::RunOptions o;
        o.method = method;
        const sim::Results r = sim::Model::compile(m).run(o);
        REQUIRE(r.rows() == 10001);
        bool exact = true;
        for (std::size_t k = 0; k < r.rows(); ++k) exact = exact && r.times[k] == 0.1 + static_cast<double>(k) * 0.1;
        CHECK(exact);
    }
}
