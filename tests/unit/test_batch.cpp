// Batches (sim/batch.hpp): each run equals Model::run with its parameters as
// `set`, bit for bit, with the interpreter and with generated code, for any
// thread count; errors name the lowest failing run; bad parameters and
// buffers are refused.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <cstdlib>

#include "sim/batch.hpp"
#include "sim/native.hpp"
#include "sim/sim.hpp"

#include "support.hpp"

namespace {

sim::ModelSpec decay() {
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 0.25;
    m.specs.save_step = 1;
    m.add_stock("x", "x0", {}, {"out"}).non_negative = true;
    m.add_stock("y", "0", {"out"}, {});
    m.add_flow("out", "k * x + PULSE(2, 3)");
    m.add_aux("late", "PREVIOUS(x, 0) + DELAY(y, 2)");
    m.add_aux("ratio", "x / (y - limit)");
    m.add_constant("k", 0.2);
    m.add_constant("x0", 10);
    m.add_constant("limit", -1);
    return m;
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
    return true;
}

void check_like_model_run(const sim::Model& m, sim::RunEngine engine) {
    std::vector<double> sets;
    for (int i = 0; i < 20; ++i) {
        sets.push_back(0.05 + 0.02 * i);  // k
        sets.push_back(5 + i);            // x0
    }
    for (sim::Method method : {sim::Method::euler, sim::Method::rk4}) {
        for (unsigned threads : {1u, 3u}) {
            sim::BatchOptions o;
            o.base.method = method;
            o.base.engine = engine;
            o.parameters = {"k", "x0"};
            o.threads = threads;
            const sim::Batch batch(m, o);
            const sim::BatchResult r = batch.run(sets);
            REQUIRE(r.runs == 20);
            for (std::size_t i = 0; i < r.runs; ++i) {
                sim::RunOptions one = o.base;
                one.set = {{"k", sets[2 * i]}, {"x0", sets[2 * i + 1]}};
                const sim::Results want = m.run(one);
                CHECK(r.names == want.names);
                CHECK(same_bits(r.times, want.times));
                CHECK(same_bits(r.run_values(i), want.values));
            }
        }
    }
}

}  // namespace

TEST_CASE("batch: every run is Model::run with its parameters, for any thread count") {
    const sim::Model m = sim::Model::compile(decay());
    check_like_model_run(m, sim::RunEngine::interpreter);
}

TEST_CASE("batch: with generated code, the same bits") {
    const auto gen = simtest::with_generated_code(sim::Model::compile(decay()));
    if (!gen) return;
    check_like_model_run(*gen, sim::RunEngine::generated);
}

TEST_CASE("batch: saved columns, no parameters, caller memory") {
    const sim::Model m = sim::Model::compile(decay());
    sim::BatchOptions o;
    o.base.save = {"y", "x"};
    const sim::Batch batch(m, o);
    CHECK(batch.names() == std::vector<std::string>{"y", "x"});
    CHECK(batch.rows() == 11);
    const sim::BatchResult r = batch.run(std::size_t{3});
    const sim::Results one = m.run(o.base);
    for (std::size_t i = 0; i < 3; ++i) CHECK(same_bits(r.run_values(i), one.values));
    CHECK(r.at(2, 10, 1) == one.at(10, 1));
    CHECK_THROWS_AS(batch.run(std::vector<double>{1.0}), sim::Error);  // no parameters to set
}

TEST_CASE("batch: errors name the lowest failing run; warnings are kept by run") {
    const sim::Model m = sim::Model::compile(decay());
    sim::BatchOptions o;
    o.parameters = {"limit"};
    o.threads = 2;
    // y reaches the limit (y - limit = 0) only when limit >= 0 is crossed: runs 1 and 3 divide by zero.
    const std::vector<double> sets = {-1, 0, -2, 0};
    try {
        (void)sim::Batch(m, o).run(sets);
        FAIL("no error");
    } catch (const sim::Error& e) {
        const auto& items = e.diagnostics().items();
        REQUIRE(items.size() == 2);
        CHECK(items[0].code == sim::Code::E_DIV_ZERO);
        CHECK(items[1].message == "in run 1 of the batch (limit = 0)");
    }
    o.base.on_nonfinite = sim::NonFinite::warn;
    const sim::BatchResult r = sim::Batch(m, o).run(sets);
    REQUIRE(r.warnings.size() == 2);
    CHECK(r.warnings[0].first == 1);
    CHECK(r.warnings[1].first == 3);
}

TEST_CASE("batch: parameters must be settable constants; buffers must fit") {
    const sim::Model m = sim::Model::compile(decay());
    sim::BatchOptions o;
    o.parameters = {"nope", "ratio", "k"};
    try {
        sim::Batch b(m, o);
        FAIL("no error");
    } catch (const sim::Error& e) {
        CHECK(simtest::find_code(e.diagnostics(), sim::Code::E_UNKNOWN_NAME));
        CHECK(simtest::find_code(e.diagnostics(), sim::Code::E_NOT_CONSTANT));
    }
    o.parameters = {"k"};
    const sim::Batch b(m, o);
    std::vector<double> out(5);
    try {
        b.run(std::vector<double>{0.1, 0.2}, out);
        FAIL("no error");
    } catch (const sim::Error& e) {
        CHECK(e.diagnostics().items().at(0).code == sim::Code::E_BATCH);
    }
    sim::BatchOptions bad_dt;
    bad_dt.base.dt = -1;
    CHECK_THROWS_AS(sim::Batch(m, bad_dt), sim::Error);
}

TEST_CASE("batch: a batch over the memory budget is refused before anything is allocated, naming the budget") {
    const sim::Model m = sim::Model::compile(decay());
    sim::BatchOptions o;
    o.parameters = {"k"};
    o.base.max_memory = std::uint64_t{1} << 20;  // 1 MiB; one run (11 rows x 8 columns) is far below it
    const sim::Batch batch(m, o);
    REQUIRE(batch.rows() == 11);
    REQUIRE(batch.cols() == 8);
    const std::vector<double> sets(10'000, 0.1);  // 10,000 runs x 704 bytes of results: about 6.7 MiB
    try {
        (void)batch.run(sets);
        FAIL("no error");
    } catch (const sim::Error& e) {
        REQUIRE(e.diagnostics().items().size() == 1);
        const sim::Diagnostic& d = e.diagnostics().items().front();
        CHECK(d.code == sim::Code::E_MEMORY);
        CHECK(d.loc.file == "option --max-memory");
        CHECK(d.message.find("the batch of 10000 runs would keep 10000 runs x 11 rows x 8 columns") != std::string::npos);
        CHECK(d.message.find("more than the memory budget of 1 MiB (raise it with --max-memory") != std::string::npos);
    }
    // Within the budget it runs; the caller's memory is not the batch's to count.
    CHECK(batch.run(std::vector<double>(100, 0.1)).runs == 100);
    std::vector<double> out(sets.size() * batch.rows() * batch.cols());
    batch.run(sets, out);
    CHECK(out[out.size() - 1] == batch.run(std::vector<double>{0.1}).values.back());

    // The default budget (half the machine at most): 10^15 runs would need
    // 7 * 10^17 bytes. Refused from the estimate (not a failed allocation,
    // which would say "out of memory while running").
    sim::BatchOptions d;
    const sim::Batch all(m, d);
    try {
        (void)all.run(std::size_t{1'000'000'000'000'000});
        FAIL("no error");
    } catch (const sim::Error& e) {
        const sim::Diagnostic& x = e.diagnostics().items().front();
        CHECK(x.code == sim::Code::E_MEMORY);
        CHECK(x.loc.file.empty());
        CHECK(x.message.find("the batch of 1000000000000000 runs would keep") != std::string::npos);
        CHECK(x.message.find("(raise it with --max-memory") != std::string::npos);
    }
}
