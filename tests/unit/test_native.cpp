// Native mode (sim/native.hpp): the same results as the interpreter bit for
// bit, the interpreter's errors, and the cases it refuses. Skipped where
// there is no C++ compiler on the PATH.
#include <doctest/doctest.h>

#include <cstdlib>

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
    // Another method goes to the interpreter.
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

TEST_CASE("native: refuses what it does not support, and a missing compiler") {
    sim::ModelSpec m = sir();
    m.variables[0].non_negative = true;
    sim::Diagnostics d;
    CHECK_FALSE(sim::NativeModel::build(sim::Model::compile(m), d));
    REQUIRE(d.items().size() == 1);
    CHECK(d.items()[0].code == sim::Code::E_NATIVE_UNSUPPORTED);

    sim::Diagnostics d2;
    sim::NativeOptions missing;
    missing.compiler = "/nonexistent/c++";
    CHECK_FALSE(sim::NativeModel::build(sim::Model::compile(sir()), d2, missing));
    REQUIRE(d2.items().size() == 1);
    CHECK(d2.items()[0].code == sim::Code::E_NATIVE_COMPILE);
}
