// Run-time faults (RunOptions::on_nonfinite, max_steps, max_wall_seconds)
// and the parser's tree-depth limit. docs/reliability.md.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>
#include <string>

#include "sim/expr.hpp"
#include "sim/model.hpp"
#include "sim/load.hpp"

#include "run/observers.hpp"
#include "support.hpp"

namespace {

// x' = x / (3 - TIME): the flow is +inf at t = 3 (Euler, dt 1).
sim::ModelSpec div_zero(sim::Method method = sim::Method::euler) {
    sim::ModelSpec m;
    m.specs.stop = 6;
    m.specs.dt = 1;
    m.specs.method = method;
    m.add_stock("x", "1", {"growth"});
    m.add_flow("growth", "x / (3 - TIME)");
    return m;
}

const sim::Diagnostic& only(const sim::Error& e) {
    REQUIRE(e.diagnostics().items().size() == 1);
    return e.diagnostics().items()[0];
}

}  // namespace

TEST_CASE("reliability: a division by zero stops the run with the variable, time and equation") {
    auto model = sim::Model::compile(div_zero());
    try {
        (void)model.run();
        FAIL("the run did not stop");
    } catch (const sim::Error& e) {
        const auto& d = only(e);
        CHECK(d.code == sim::Code::E_DIV_ZERO);
        CHECK(d.variable == "growth");
        CHECK(d.message.find("at time 3 ") != std::string::npos);
        CHECK(d.message.find("'x / (3 - TIME)'") != std::string::npos);
    }
}

TEST_CASE("reliability: RK4 finds the same cause at the last accepted grid point") {
    auto model = sim::Model::compile(div_zero(sim::Method::rk4));
    try {
        (void)model.run();
        FAIL("the run did not stop");
    } catch (const sim::Error& e) {
        const auto& d = only(e);
        CHECK(d.variable == "growth");
        // RK4's stages at t = 2.5 and 3 see the pole; the report is at the
        // grid point before the step that failed, or at 3 itself.
        CHECK((d.code == sim::Code::E_DIV_ZERO || d.code == sim::Code::E_NONFINITE));
    }
}

TEST_CASE("reliability: --on-nonfinite=warn records one warning and keeps the rows") {
    auto model = sim::Model::compile(div_zero());
    sim::RunOptions o;
    o.on_nonfinite = sim::NonFinite::warn;
    sim::Results r = model.run(o);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].severity == sim::Severity::warning);
    CHECK(r.warnings[0].code == sim::Code::E_DIV_ZERO);
    CHECK(r.rows() == 7);
    CHECK(std::isinf(r.at("x", 4)));
}

TEST_CASE("reliability: ignore runs without checking") {
    auto model = sim::Model::compile(div_zero());
    sim::RunOptions o;
    o.on_nonfinite = sim::NonFinite::ignore;
    sim::Results r = model.run(o);
    CHECK(r.warnings.empty());
    CHECK(r.rows() == 7);
}

TEST_CASE("reliability: a NaN flowing into a non-negative stock at a step not saved is reported, not clamped to 0") {
    // x is non-negative; its outflow is 0/0 at TIME = 2.5, between saved rows
    // (save_step 1). Clamped, the NaN made x 0 without a word.
    sim::ModelSpec m;
    m.specs.stop = 5;
    m.specs.dt = 0.5;
    m.specs.save_step = 1;
    m.add_stock("x", "10", {}, {"f"}).non_negative = true;
    m.add_flow("f", "IF TIME = 2.5 THEN (TIME - 2.5) / (TIME - 2.5) ELSE 1");
    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4}) {
        CAPTURE(sim::to_string(method));
        sim::RunOptions o;
        o.method = method;
        try {
            (void)sim::Model::compile(m).run(o);
            FAIL_CHECK("the run did not stop");
        } catch (const sim::Error& e) {
            const auto& d = only(e);
            CHECK(d.code == sim::Code::E_DIV_ZERO);
            CHECK(d.variable == "f");
            CHECK(d.message.find("at time 2.5 ") != std::string::npos);
        }
    }
    sim::RunOptions warn;
    warn.on_nonfinite = sim::NonFinite::warn;
    const sim::Results r = sim::Model::compile(m).run(warn);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].code == sim::Code::E_DIV_ZERO);
    CHECK(r.at("x", 2) == 8);
    CHECK(std::isnan(r.at("x", 3)));  // stays NaN, as in a stock without the limit
}

TEST_CASE("reliability: a stock hidden inside SMTH/DELAY/TREND that goes bad is reported as its owner's, at its equation") {
    // The owner's own value stays finite until the hidden stock feeds it, so
    // no user variable is found: the report names the variable whose
    // equation holds the function, with that equation's file:line:col, and
    // E-DIV-ZERO when the hidden flow divided by zero.
    struct Case {
        const char* eq;
        sim::Code code;
        const char* what;
    };
    for (const Case& k : {Case{"SMTH1(x, (TIME - 2) / (TIME - 2))", sim::Code::E_DIV_ZERO, "division by zero at time 2 "},
                          Case{"SMTH3(x, (TIME - 2) / (TIME - 2))", sim::Code::E_DIV_ZERO, "division by zero at time 2 "},
                          Case{"DELAY3(SQRT(1 - TIME), 1)", sim::Code::E_NONFINITE, "became NaN at time 1.5 "}}) {
        CAPTURE(k.eq);
        const std::string text = std::string("name: hidden\nsim: {start: 0, stop: 5, dt: 0.5, save_step: 1}\naux:\n"
                                             "  x: {equation: \"TIME\"}\n  y: {equation: \"") +
                                 k.eq + "\"}\n";
        sim::Diagnostics diags;
        const sim::ModelSpec spec = sim::parse_yaml(text, "hidden.yaml", diags);
        REQUIRE_MESSAGE(!diags.has_errors(), diags.str());
        for (auto method : {sim::Method::euler, sim::Method::rk4}) {
            CAPTURE(sim::to_string(method));
            sim::RunOptions o;
            o.method = method;
            try {
                (void)sim::Model::compile(spec).run(o);
                FAIL_CHECK("the run did not stop");
            } catch (const sim::Error& e) {
                const auto& d = only(e);
                CHECK(d.code == k.code);
                CHECK(d.variable == "y");
                CHECK_AT(d.loc, simtest::loc_of("hidden.yaml", text, k.eq));
                CHECK(d.message.find(k.what) != std::string::npos);
                CHECK(d.message.find("a stock hidden inside its SMTH/DELAY/TREND") != std::string::npos);
            }
        }
    }
}

TEST_CASE("reliability: a stock that turns infinite with finite flows overflowed; one that turns NaN did not") {
    // x + dt * f beyond the largest double, every flow finite: an overflow.
    sim::ModelSpec big;
    big.specs.stop = 3;
    big.add_stock("x", "1.5e308", {"f"});
    big.add_flow("f", "1e308");
    try {
        (void)sim::Model::compile(big).run();
        FAIL_CHECK("the run did not stop");
    } catch (const sim::Error& e) {
        const auto& d = only(e);
        CHECK(d.code == sim::Code::E_NONFINITE);
        CHECK(d.variable == "x");
        CHECK(d.message.find("the stock became +inf in the step from time 0 ") != std::string::npos);
        CHECK(d.message.find("it overflowed") != std::string::npos);
    }
    // rk45 evaluates the flow at times between the grid points, one of them
    // where it is 0/0: finite at the grid points and midpoints, the stock
    // NaN. Not an overflow: the message says where to look.
    sim::ModelSpec between;
    between.specs.stop = 5;
    between.specs.dt = 0.5;
    between.specs.save_step = 1;
    between.specs.method = sim::Method::rk45;
    between.add_stock("y", "10", {}, {"g"});
    between.add_flow("g", "IF TIME = 2.5 THEN (TIME - 2.5) / (TIME - 2.5) ELSE 1");
    try {
        (void)sim::Model::compile(between).run();
        FAIL_CHECK("the run did not stop");
    } catch (const sim::Error& e) {
        const auto& d = only(e);
        CHECK(d.code == sim::Code::E_NONFINITE);
        CHECK(d.variable == "y");
        CHECK(d.message.find("the stock became NaN in the step from time ") != std::string::npos);
        CHECK(d.message.find("a flow was NaN at a time between them") != std::string::npos);
        CHECK(d.message.find("overflowed") == std::string::npos);
    }
}

TEST_CASE("reliability: a finite model is untouched by the checks") {
    sim::ModelSpec m;
    m.specs.stop = 4;
    m.add_stock("x", "100", {}, {"d"});
    m.add_flow("d", "x * 0.5");
    sim::Results r = sim::Model::compile(m).run();
    CHECK(r.warnings.empty());
    CHECK(r.at("x", 4) == doctest::Approx(6.25));
}

TEST_CASE("reliability: the step budget stops a run before it allocates") {
    sim::ModelSpec m;
    m.specs.stop = 1e6;
    m.specs.dt = 1e-3;  // 1e9 steps
    m.add_stock("x", "1", {"f"});
    m.add_flow("f", "1");
    sim::RunOptions o;
    o.max_steps = 1000;
    try {
        (void)sim::Model::compile(m).run(o);
        FAIL("the run did not stop");
    } catch (const sim::Error& e) {
        CHECK(only(e).code == sim::Code::E_BUDGET);
        CHECK(only(e).message.find("step budget of 1000") != std::string::npos);
    }
    o.max_steps = 2'000'000'000;
    o.stop = 3;
    CHECK(sim::Model::compile(m).run(o).rows() == 3001);
}

TEST_CASE("reliability: the wall-clock budget stops a long run") {
    sim::ModelSpec m;
    m.specs.stop = 1e5;
    m.specs.dt = 1e-3;  // 1e8 steps: far longer than the budget
    m.specs.save_step = 1e3;
    m.add_stock("x", "1", {"f"});
    m.add_flow("f", "SIN(x)");
    sim::RunOptions o;
    o.max_wall_seconds = 0.05;
    try {
        (void)sim::Model::compile(m).run(o);
        FAIL("the run did not stop");
    } catch (const sim::Error& e) {
        CHECK(only(e).code == sim::Code::E_BUDGET);
        CHECK(only(e).message.find("wall-clock budget") != std::string::npos);
    }
}

TEST_CASE("reliability: absurd step counts are an error, not undefined behaviour") {
    sim::ModelSpec m;
    m.specs.stop = 1e300;
    m.specs.dt = 1e-300;
    m.add_constant("a", 1);
    CHECK_THROWS_AS((void)sim::Model::compile(m).run(), sim::Error);
}

TEST_CASE("reliability: a chain longer than the tree-depth limit is a parse error") {
    std::string ok = "a", deep = "a";
    for (int i = 1; i < sim::ast::max_tree_depth / 2; ++i) ok += " + a";
    for (int i = 0; i < 100000; ++i) deep += " + a";
    std::vector<sim::ast::ParseError> errs;
    CHECK(sim::ast::parse(ok, errs).has_value());
    CHECK(!sim::ast::parse(deep, errs).has_value());
    REQUIRE(!errs.empty());
    CHECK(errs.back().message.find("operations deep") != std::string::npos);
}

// all_finite: every boundary on either side, at every position of its
// four-lane blocks and of the remainder.
TEST_CASE("reliability: all_finite at the boundaries") {
    using L = std::numeric_limits<double>;
    const std::vector<double> finite = {0.0, -0.0, 1.0, -1.0, L::max(), -L::max(), L::min(), L::denorm_min(),
                                        -L::denorm_min(), 1e308, -1e-308};
    CHECK(sim::detail::all_finite(finite.data(), finite.size()));
    CHECK(sim::detail::all_finite(nullptr, 0));
    for (double bad : {L::infinity(), -L::infinity(), L::quiet_NaN(), -L::quiet_NaN(), L::signaling_NaN()}) {
        for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 9u, 17u})
            for (std::size_t at = 0; at < n; ++at) {
                std::vector<double> v(n, L::max());
                v[at] = bad;
                CHECK_FALSE(sim::detail::all_finite(v.data(), v.size()));
            }
    }
    for (double ok : finite) CHECK(sim::detail::all_finite(&ok, 1));
}
