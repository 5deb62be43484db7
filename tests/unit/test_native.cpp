// Native mode (sim/native.hpp): the same results as the interpreter bit for
// bit, the interpreter's errors, a missing compiler, the cache. Skipped
// where there is no C++ compiler on the PATH.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "sim/native.hpp"

#include "support.hpp"

namespace {

bool have_compiler() {
    static const bool yes = std::system("c++ --version >/dev/null 2>&1") == 0;
    return yes;
}

// SIR with a lookup, a SMTH1, a STEP and MIN: fused arithmetic, table calls,
// callbacks and hidden stocks.
sim::ModelSpec sir() {
    sim::ModelSpec m;
    m.name = "SIR";
    m.specs.start = 0;
    m.specs.stop = 60;
    m.specs.dt = 0.125;
    m.specs.save_step = 0.5;
    m.add_stock("susceptible", "990", {}, {"infection"});
    m.add_stock("infected", "10", {"infection"}, {"recovery"});
    m.add_stock("recovered", "0", {"recovery"}, {});
    m.add_flow("infection", "contact * effect(perceived) * susceptible * infected / 1000");
    m.add_flow("recovery", "infected / duration + STEP(0.01, 20) * MIN(infected, 5)");
    m.add_aux("perceived", "SMTH1(infected / 100, 3)");
    m.add_constant("contact", 0.5);
    m.add_constant("duration", 5);
    m.add_lookup("effect", {0, 1, 5}, {1, 0.8, 0.2});
    return m;
}

}  // namespace

TEST_CASE("native: same results as the interpreter, bit for bit") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    auto model = sim::Model::compile(sir());
    sim::Diagnostics d;
    auto native = sim::NativeModel::build(model, d);
    REQUIRE_MESSAGE(native, d.str());
    sim::RunOptions shorter, set;
    shorter.stop = 30.0;
    shorter.dt = 0.25;
    shorter.save = {"infected", "recovery"};
    set.set = {{"contact", 0.7}};
    for (const sim::RunOptions& o : {sim::RunOptions{}, shorter, set}) {
        sim::Results a = model.run(o), b = native->run(o);
        CHECK(a.names == b.names);
        CHECK(a.times == b.times);
        CHECK(a.values == b.values);
    }
    // Other methods drive the generated flows with the interpreter's steppers.
    sim::RunOptions rk4;
    rk4.method = sim::Method::rk4;
    CHECK(native->run(rk4).values == model.run(rk4).values);
}

TEST_CASE("native: bad options and non-finite values give the interpreter's errors") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    sim::ModelSpec m = sir();
    m.add_flow("broken", "1 / (TIME - 10)");
    auto model = sim::Model::compile(m);
    sim::Diagnostics d;
    auto native = sim::NativeModel::build(model, d);
    REQUIRE(native);
    auto message = [](auto&& f) {
        try {
            f();
        } catch (const sim::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message([&] { native->run(); }) == message([&] { model.run(); }));
    CHECK(message([&] { native->run(); }).find("E-") != std::string::npos);
    sim::RunOptions unknown;
    unknown.set = {{"nope", 1.0}};
    CHECK(message([&] { native->run(unknown); }) == message([&] { model.run(unknown); }));
    sim::RunOptions ignore;
    ignore.on_nonfinite = sim::NonFinite::ignore;
    sim::Results a = model.run(ignore), b = native->run(ignore);
    CHECK(a.rows() == b.rows());
}

TEST_CASE("native: every feature is supported; a missing compiler is E-ENGINE") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    sim::ModelSpec m = sir();
    m.variables[0].non_negative = true;
    m.add_aux("before", "PREVIOUS(infected, 0) + DELAY(recovery, 2)");
    auto model = sim::Model::compile(m);
    sim::Diagnostics d;
    auto native = sim::NativeModel::build(model, d);
    REQUIRE_MESSAGE(native, d.str());
    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4, sim::Method::rk45}) {
        sim::RunOptions o;
        o.method = method;
        CHECK(native->run(o).values == model.run(o).values);
    }

    sim::Diagnostics d2;
    sim::NativeOptions missing;
    missing.compiler = "/nonexistent/c++";
    CHECK_FALSE(sim::NativeModel::build(sim::Model::compile(sir()), d2, missing));
    REQUIRE(d2.items().size() == 1);
    CHECK(d2.items()[0].code == sim::Code::E_ENGINE);
}

TEST_CASE("native: compiled objects are cached by program and kept under the size limit") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    simtest::TempDir tmp("sim_native_cache");
    sim::NativeOptions o;
    o.cache_dir = (tmp / "cache").string();
    o.flags = "-O0";
    auto model = sim::Model::compile(sir());
    sim::Diagnostics d;
    sim::NativeInfo first, second;
    REQUIRE(sim::compile_native(model, d, o, &first));
    CHECK_FALSE(first.from_cache);
    CHECK(first.compile_seconds > 0);
    REQUIRE(sim::compile_native(model, d, o, &second));
    CHECK(second.from_cache);
    CHECK(second.library == first.library);
    // Another model; with a limit below two objects, only the newest stays.
    sim::ModelSpec other = sir();
    other.add_aux("extra", "infected * 2");
    o.cache_max_bytes = 1;
    sim::NativeInfo third;
    REQUIRE(sim::compile_native(sim::Model::compile(other), d, o, &third));
    std::size_t objects = 0;
    for (const auto& e : std::filesystem::directory_iterator(o.cache_dir)) objects += e.path().extension() == ".so";
    CHECK(objects == 1);
    CHECK(std::filesystem::exists(third.library));
    // An unwritable cache directory is an error, not a crash.
    sim::NativeOptions bad = o;
    bad.cache_dir = "/proc/no-such-dir/cache";
    sim::Diagnostics d3;
    CHECK_FALSE(sim::compile_native(model, d3, bad));
    CHECK(simtest::find_code(d3, sim::Code::E_GENERATE));
}
