// Compiler diagnostics (codes, positions, every error at once), non-negative
// stocks, run options and spec validation.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <thread>

#include "sim/model.hpp"
#include "support.hpp"

namespace {

sim::Diagnostics compile_errors(const sim::ModelSpec& m) {
    sim::Diagnostics d;
    auto model = sim::Model::compile(m, d);
    CHECK_FALSE(model.has_value());
    return d;
}

using simtest::find_code;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

sim::ModelSpec small() {
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "10", {"inflow"});
    m.add_flow("inflow", "rate * x");
    m.add_constant("rate", 0.1);
    return m;
}

sim::Code run_error_code(const sim::Model& m, const sim::RunOptions& o) {
    try {
        m.run(o);
    } catch (const sim::Error& e) {
        REQUIRE(!e.diagnostics().items().empty());
        return e.diagnostics().items().front().code;
    }
    return sim::Code::none;
}

}  // namespace

TEST_CASE("compile: a two-variable algebraic loop names both variables") {
    sim::ModelSpec m;
    m.add_aux("a", "b + 1");
    m.add_aux("b", "a * 2");
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_CYCLE);
    REQUIRE(e);
    CHECK(contains(e->message, "'a'"));
    CHECK(contains(e->message, "'b'"));
    CHECK(d.error_count() == 1);
}

TEST_CASE("compile: a three-variable loop names all three, at one of them") {
    sim::ModelSpec m;
    m.add_aux("first", "third + 1").equation.loc = {"m.yaml", 3, 10};
    m.add_aux("second", "first * 2").equation.loc = {"m.yaml", 4, 10};
    m.add_aux("third", "second - 1").equation.loc = {"m.yaml", 5, 10};
    m.add_aux("outside", "first");  // depends on the loop but is not in it
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_CYCLE);
    REQUIRE(e);
    for (auto n : {"'first'", "'second'", "'third'"}) CHECK(contains(e->message, n));
    CHECK_FALSE(contains(e->message, "outside"));
    CHECK(e->loc.file == "m.yaml");
    CHECK(e->loc.line >= 3);
    CHECK(e->loc.line <= 5);
}

TEST_CASE("compile: loops broken by a stock, PREVIOUS or DELAY are not errors") {
    sim::ModelSpec m;
    m.add_stock("s", "1", {"f"});
    m.add_flow("f", "a");
    m.add_aux("a", "s * 0.1 + PREVIOUS(b, 0)");
    m.add_aux("b", "a + DELAY(c, 1, 0)");
    m.add_aux("c", "b");
    sim::Diagnostics d;
    CHECK(sim::Model::compile(m, d).has_value());
    CHECK_MESSAGE(d.empty(), d.str());
}

TEST_CASE("compile: circular initial values are reported") {
    sim::ModelSpec m;
    m.add_stock("s1", "s2");
    m.add_stock("s2", "s1 + 1");
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_CYCLE);
    REQUIRE(e);
    CHECK(contains(e->message, "'s1'"));
    CHECK(contains(e->message, "'s2'"));
}

TEST_CASE("compile: an unknown name points at its line and column and suggests a close name") {
    sim::ModelSpec m;
    m.add_constant("beta", 2);
    auto& v = m.add_aux("y", "1 + bta * 2");
    v.equation.loc = {"test.yaml", 7, 12};
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_UNKNOWN_NAME);
    REQUIRE(e);
    CHECK(e->loc.file == "test.yaml");
    CHECK(e->loc.line == 7);
    CHECK(e->loc.col == 16);
    CHECK(e->variable == "y");
    CHECK(sim::format(*e) ==
          "test.yaml:7:16: error: variable 'y': unknown name 'bta'; did you mean 'beta'? [E-UNKNOWN-NAME]");
}

TEST_CASE("compile: positions on continuation lines") {
    sim::ModelSpec m;
    auto& v = m.add_aux("y", "1 +\n  nope");
    v.equation.loc = {"test.yaml", 7, 12};
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_UNKNOWN_NAME);
    REQUIRE(e);
    CHECK(e->loc.line == 8);
    CHECK(e->loc.col == 14);
}

TEST_CASE("compile: three errors in one model are all reported") {
    sim::ModelSpec m;
    m.add_aux("a", "unknown_thing + 1");
    m.add_aux("b", "MAX(1, 2, 3)");
    m.add_aux("c", "1 + ");  // parse error
    m.add_aux("d", "a + b + c");
    auto d = compile_errors(m);
    CHECK(d.error_count() == 3);
    CHECK(find_code(d, sim::Code::E_UNKNOWN_NAME));
    CHECK(find_code(d, sim::Code::E_ARG_COUNT));
    CHECK(find_code(d, sim::Code::E_PARSE));
}

TEST_CASE("compile: wrong argument counts name the function and the expected count") {
    auto check = [](const char* eq, const char* fn, const char* expected) {
        sim::ModelSpec m;
        m.add_constant("k", 1);
        m.add_aux("y", eq);
        auto d = compile_errors(m);
        auto e = find_code(d, sim::Code::E_ARG_COUNT);
        REQUIRE_MESSAGE(e, eq);
        CHECK_MESSAGE(contains(e->message, fn), e->message);
        CHECK_MESSAGE(contains(e->message, expected), e->message);
    };
    check("MAX(1, 2, 3)", "MAX", "1 to 2 arguments");
    check("abs(1, 2)", "ABS", "takes 1 argument");
    check("SMTH1(k)", "SMTH1", "2 to 3 arguments");
    check("DELAYN(k, 1)", "DELAYN", "3 to 4 arguments");
    check("XIDZ(1, 2)", "XIDZ", "takes 3 arguments");
    check("step(1)", "STEP", "takes 2 arguments");
}

TEST_CASE("compile: duplicate names (ignoring case, spaces and underscores) name both positions") {
    sim::ModelSpec m;
    m.add_constant("Birth Rate", 1).loc = {"m.yaml", 2, 3};
    m.add_constant("birth_rate", 2).loc = {"m.yaml", 9, 3};
    auto d = compile_errors(m);
    auto e = find_code(d, sim::Code::E_DUPLICATE);
    REQUIRE(e);
    CHECK(e->loc.line == 9);
    CHECK(contains(e->message, "m.yaml:2:3"));
    CHECK(contains(e->message, "m.yaml:9:3"));
}

TEST_CASE("compile: type misuse") {
    SUBCASE("calling a variable that is not a graphical function") {
        sim::ModelSpec m;
        m.add_constant("k", 1);
        m.add_aux("y", "k(2)");
        auto d = compile_errors(m);
        auto e = find_code(d, sim::Code::E_NOT_CALLABLE);
        REQUIRE(e);
        CHECK_MESSAGE(contains(e->message, "'k'"), e->message);
    }
    SUBCASE("a lookup used as a value") {
        sim::ModelSpec m;
        m.add_lookup("effect", {0, 1}, {0, 1});
        m.add_aux("y", "effect + 1");
        CHECK(find_code(compile_errors(m), sim::Code::E_LOOKUP_AS_VALUE));
    }
    SUBCASE("a stock or an aux listed as a flow") {
        sim::ModelSpec m;
        m.add_stock("a", "1");
        m.add_aux("b", "1");
        m.add_stock("c", "1", {"a"}, {"b"});
        auto d = compile_errors(m);
        auto n = std::count_if(d.items().begin(), d.items().end(),
                               [](const sim::Diagnostic& x) { return x.code == sim::Code::E_NOT_A_FLOW; });
        CHECK(n == 2);
    }
    SUBCASE("an unknown flow in a stock") {
        sim::ModelSpec m;
        m.add_stock("c", "1", {"nothing"});
        CHECK(find_code(compile_errors(m), sim::Code::E_UNKNOWN_NAME));
    }
    SUBCASE("unknown function") {
        sim::ModelSpec m;
        m.add_aux("y", "SMTH9(1, 2)");
        CHECK(find_code(compile_errors(m), sim::Code::E_UNKNOWN_FUNCTION));
    }
    SUBCASE("SMTHN needs a literal stage count") {
        sim::ModelSpec m;
        m.add_constant("n", 3);
        m.add_aux("y", "SMTHN(1, 2, n)");
        CHECK(find_code(compile_errors(m), sim::Code::E_CONST_ARG));
    }
    SUBCASE("lever intensity outside [0, 1]") {
        sim::ModelSpec m;
        m.add_lever("tax").intensity = 1.5;
        CHECK(find_code(compile_errors(m), sim::Code::E_LEVER_INTENSITY));
    }
}

TEST_CASE("compile: a non-negative stock never goes below zero and what it cannot deliver is not received") {
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 1;
    m.add_stock("tank", "10", {}, {"drain"}).non_negative = true;
    m.add_stock("basin", "0", {"drain"});
    m.add_flow("drain", "3");
    auto model = sim::Model::compile(m);
    auto r = model.run();
    auto tank = r.series("tank"), basin = r.series("basin");
    const double expected[] = {10, 7, 4, 1, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < r.rows(); ++i) {
        CHECK(tank[i] == expected[i]);
        CHECK(tank[i] + basin[i] == doctest::Approx(10));
    }
    for (auto method : {sim::Method::rk2, sim::Method::rk4, sim::Method::rk45}) {
        sim::RunOptions o;
        o.method = method;
        auto rr = model.run(o);
        for (double v : rr.series("tank")) CHECK(v >= 0);
    }
}

TEST_CASE("compile: a non-negative stock with a negative inflow is clamped (Stella)") {
    sim::ModelSpec m;
    m.specs.stop = 6;
    m.specs.dt = 1.5;
    m.add_stock("s", "10", {"f"}).non_negative = true;
    m.add_flow("f", "IF TIME > 10 THEN TIME ELSE -TIME");
    auto r = sim::Model::compile(m).run();
    // 10, 10 + 1.5*0 = 10, 10 - 1.5*1.5 = 7.75, 7.75 - 1.5*3 = 3.25, max(0, 3.25 - 1.5*4.5) = 0
    const double expected[] = {10, 10, 7.75, 3.25, 0};
    auto s = r.series("s");
    REQUIRE(s.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(s[i] == doctest::Approx(expected[i]));
}

TEST_CASE("compile: a non-negative flow is max(0, equation)") {
    sim::ModelSpec m;
    m.specs.stop = 4;
    m.add_stock("s", "0", {"f"});
    m.add_flow("f", "TIME - 2").non_negative = true;
    auto r = sim::Model::compile(m).run();
    auto f = r.series("f");
    CHECK(f[0] == 0);
    CHECK(f[1] == 0);
    CHECK(f[3] == 1);
    CHECK(r.series("s").back() == doctest::Approx(0 + 0 + 0 + 1));
}

TEST_CASE("compile: bad simulation specs are errors") {
    auto model = sim::Model::compile(small());
    sim::RunOptions o;
    o.dt = 0;
    CHECK(run_error_code(model, o) == sim::Code::E_DT);
    o.dt = -1;
    CHECK(run_error_code(model, o) == sim::Code::E_DT);
    o = {};
    o.stop = -1;
    CHECK(run_error_code(model, o) == sim::Code::E_STOP);
    o = {};
    o.dt = 0.1;
    o.save_step = 0.15;
    CHECK(run_error_code(model, o) == sim::Code::E_SAVE_STEP);
    o.save_step = 0.3;  // 3 * dt, despite rounding
    CHECK(run_error_code(model, o) == sim::Code::none);
    o = {};
    o.method = sim::Method::rk45;
    o.rtol = -1;
    CHECK(run_error_code(model, o) == sim::Code::E_TOLERANCE);

    sim::Diagnostics d;
    sim::SimSpecs s;
    s.dt = 0;
    s.stop = -5;
    CHECK_FALSE(sim::validate_specs(s, d));
    CHECK(d.error_count() == 2);
}

TEST_CASE("compile: set overrides a constant; unknown or computed names are errors") {
    auto m = small();
    m.add_aux("twice", "rate * 2");
    m.add_aux("literal aux", "3");
    auto model = sim::Model::compile(m);
    CHECK(model.is_constant("rate"));
    CHECK(model.is_constant("Literal_Aux"));
    CHECK_FALSE(model.is_constant("twice"));
    CHECK_FALSE(model.is_constant("x"));
    CHECK(model.has_variable("INFLOW"));
    CHECK_FALSE(model.has_variable("nothing"));

    sim::RunOptions o;
    o.set = {{"Rate", 0.2}, {"literal_aux", 5}};
    auto r = model.run(o);
    CHECK(r.series("rate").front() == 0.2);
    CHECK(r.series("twice").front() == doctest::Approx(0.4));
    CHECK(r.series("literal aux").front() == 5);
    CHECK(r.series("x").back() == doctest::Approx(10 * std::pow(1.1, 20)));  // Euler, dt 0.5

    o.set = {{"nope", 1}};
    CHECK(run_error_code(model, o) == sim::Code::E_UNKNOWN_NAME);
    o.set = {{"twice", 1}};
    CHECK(run_error_code(model, o) == sim::Code::E_NOT_CONSTANT);
}

TEST_CASE("compile: save picks the columns; unknown names throw; default is every user variable") {
    auto m = small();
    m.add_lookup("table", {0, 1}, {0, 1});
    m.add_aux("smoothed", "SMTH3(x, 2)");
    auto model = sim::Model::compile(m);
    auto r = model.run();
    CHECK(r.names == std::vector<std::string>{"x", "inflow", "rate", "smoothed"});
    CHECK(model.variable_names() == r.names);

    sim::RunOptions o;
    o.save = {"RATE", "x"};
    auto r2 = model.run(o);
    CHECK(r2.names == std::vector<std::string>{"rate", "x"});
    CHECK(r2.values.size() == 2 * r2.rows());

    o.save = {"x", "nope"};
    CHECK_THROWS_AS(model.run(o), sim::Error);
}

TEST_CASE("compile: runs that name their columns, one after the other and at once, each get their own") {
    // The program keeps the last named list's columns for the next run with
    // the same list: another list, another order, an unknown name in between
    // and two threads alternating lists must each still get exactly theirs.
    auto m = small();
    m.add_aux("twice", "x * 2");
    const auto model = sim::Model::compile(m);
    auto run = [&](std::vector<std::string> save) {
        sim::RunOptions o;
        o.save = std::move(save);
        return model.run(o);
    };
    const auto a = run({"x", "twice"});
    const auto b = run({"twice", "x"});
    CHECK(b.names == std::vector<std::string>{"twice", "x"});
    CHECK(b.at(b.rows() - 1, 0) == a.at(a.rows() - 1, 1));
    CHECK(b.at(b.rows() - 1, 1) == a.at(a.rows() - 1, 0));
    const auto a2 = run({"x", "twice"});
    CHECK(a2.names == a.names);
    CHECK(a2.values == a.values);
    CHECK(run({"X", "Twice"}).names == std::vector<std::string>{"x", "twice"});  // names compared canonically
    CHECK_THROWS_AS(run({"x", "nope"}), sim::Error);
    CHECK_THROWS_AS(run({"x", "nope"}), sim::Error);  // not kept: refused again
    CHECK(run({"x", "twice"}).values == a.values);
    CHECK(run({"twice"}).names == std::vector<std::string>{"twice"});
    std::atomic<int> wrong{0};
    auto alternate = [&](int offset) {
        for (int i = 0; i < 200; ++i) {
            const bool first = (i + offset) % 2 == 0;
            const auto r = first ? run({"x", "twice"}) : run({"twice", "x"});
            const std::vector<std::string> want = first ? std::vector<std::string>{"x", "twice"}
                                                        : std::vector<std::string>{"twice", "x"};
            if (!(r.names == want) || r.values != (first ? a.values : b.values)) ++wrong;
        }
    };
    std::thread t1(alternate, 0), t2(alternate, 1);
    t1.join();
    t2.join();
    CHECK(wrong == 0);
}

TEST_CASE("compile: a compiled model is reusable and runs are independent") {
    auto model = sim::Model::compile(small());
    sim::RunOptions o;
    o.set = {{"rate", 0}};
    auto a = model.run(o);
    auto b = model.run();
    CHECK(a.series("x").back() == 10);
    CHECK(b.series("x").back() > 10);
}
