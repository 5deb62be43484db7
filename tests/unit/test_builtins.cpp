// Builtin functions against their definitions and analytic solutions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "sim/model.hpp"
#include "sim/ops.hpp"

namespace {

sim::ModelSpec base(double stop, double dt) {
    sim::ModelSpec m;
    m.specs.start = 0;
    m.specs.stop = stop;
    m.specs.dt = dt;
    return m;
}

sim::Results run(const sim::ModelSpec& m, sim::Method method = sim::Method::euler) {
    sim::RunOptions o;
    o.method = method;
    return sim::Model::compile(m).run(o);
}

// Value of an aux with equation `eq` at time t (dt 0.5, Euler).
double at(const std::string& eq, double t = 0) {
    auto m = base(10, 0.5);
    m.add_aux("y", eq);
    return run(m).at("y", t);
}

}  // namespace

TEST_CASE("builtins: SMTH1 step response is 1 - exp(-t/tau)") {
    auto m = base(10, 0.1);
    m.add_constant("input", 1);
    m.add_aux("y", "SMTH1(input, 2, 0)");
    for (auto [method, tol] : {std::pair{sim::Method::rk4, 1e-7}, {sim::Method::euler, 0.02}}) {
        auto r = run(m, method);
        for (std::size_t i = 0; i < r.rows(); ++i)
            CHECK(std::abs(r.at(i, 1) - (1 - std::exp(-r.times[i] / 2))) < tol);
    }
    CHECK(run(m).names == std::vector<std::string>{"input", "y"});  // hidden stocks never appear
}

TEST_CASE("builtins: SMTH3 and SMTHN follow the Erlang step response and reach the input") {
    auto m = base(40, 0.05);
    m.add_aux("input", "5");
    m.add_aux("y3", "SMTH3(input, 2, 0)");
    m.add_aux("y2", "SMTHN(input, 2, 2, 0)");
    m.add_aux("from_input", "SMTH3(input, 2)");  // starts at the input's value
    auto r = run(m, sim::Method::rk4);
    for (std::size_t i = 0; i < r.rows(); i += 7) {
        double t = r.times[i], x3 = 3 * t / 2, x2 = 2 * t / 2;
        CHECK(std::abs(r.at("y3", t) - 5 * (1 - std::exp(-x3) * (1 + x3 + x3 * x3 / 2))) < 1e-5);
        CHECK(std::abs(r.at("y2", t) - 5 * (1 - std::exp(-x2) * (1 + x2))) < 1e-6);
        CHECK(r.at("from_input", t) == doctest::Approx(5));
    }
    CHECK(r.series("y3").back() == doctest::Approx(5).epsilon(1e-9));
}

TEST_CASE("builtins: DELAY3 conserves material and follows its step response") {
    auto m = base(60, 0.125);
    m.add_aux("input", "10 * STEP(1, 1) - 10 * STEP(1, 3)");  // 20 units of material
    m.add_flow("in", "input");
    m.add_flow("out", "DELAY3(input, 4)");
    m.add_stock("sent", "0", {"in"});
    m.add_stock("received", "0", {"out"});
    auto r = run(m);
    auto sent = r.series("sent"), received = r.series("received");
    for (std::size_t i = 0; i < r.rows(); ++i) CHECK(sent[i] - received[i] >= -1e-12);  // in transit
    CHECK(sent.back() == doctest::Approx(20));
    CHECK(received.back() == doctest::Approx(20).epsilon(1e-6));

    // Step response: input 3 from the start, initial outflow 0 (no
    // discontinuity inside a step, so RK4 keeps its accuracy).
    auto s = base(20, 0.05);
    s.add_aux("u", "3");
    s.add_aux("y", "DELAY3(u, 4, 0)");
    s.add_aux("y1", "DELAY1(0, 4, 1.5)");
    auto rs = run(s, sim::Method::rk4);
    for (std::size_t i = 0; i < rs.rows(); i += 9) {
        double t = rs.times[i], x = 3 * t / 4;
        CHECK(rs.at(i, 1) == doctest::Approx(3 * (1 - std::exp(-x) * (1 + x + x * x / 2))).epsilon(1e-7));
        // DELAY1 with an initial outflow of 1.5 and no input decays from 1.5.
        CHECK(rs.at(i, 2) == doctest::Approx(1.5 * std::exp(-t / 4)).epsilon(1e-7));
    }
}

TEST_CASE("builtins: DELAY is a fixed pipeline that shifts a ramp by the delay time") {
    auto m = base(10, 0.25);
    m.add_aux("input", "RAMP(2, 0)");
    m.add_aux("d3", "DELAY(input, 3)");
    m.add_aux("d3init", "DELAY(input, 3, 7)");
    m.add_aux("d1_1", "DELAY(input, 1.1)");  // not a multiple of dt: linear in between
    auto r = run(m);
    for (std::size_t i = 0; i < r.rows(); ++i) {
        double t = r.times[i];
        CAPTURE(t);
        CHECK(r.at("d3", t) == doctest::Approx(t < 3 ? 0.0 : 2 * (t - 3)));
        CHECK(r.at("d3init", t) == doctest::Approx(t < 3 ? 7.0 : 2 * (t - 3)));
        CHECK(r.at("d1_1", t) == doctest::Approx(t < 1.1 ? 0.0 : 2 * (t - 1.1)));
    }
}

TEST_CASE("builtins: DELAY of a growing stock matches the Stella semantics") {
    // As tests/delay_xmile: start 1, dt 1; the output is the input one delay ago.
    auto m = base(13, 1);
    m.specs.start = 1;
    m.add_stock("stock", "100", {"flow"});
    m.add_flow("flow", "0.02 * stock");
    m.add_aux("delayed", "DELAY(stock, 1)");
    m.add_aux("delayed0", "DELAY(stock, 1, 0)");
    m.add_aux("flow5", "DELAY(flow, 5, -20)");
    auto r = run(m);
    CHECK(r.at("delayed", 1) == 100);
    CHECK(r.at("delayed0", 1) == 0);
    CHECK(r.at("delayed0", 2) == 100);
    CHECK(r.at("delayed", 3) == doctest::Approx(102));
    CHECK(r.at("flow5", 5) == -20);
    CHECK(r.at("flow5", 6) == doctest::Approx(2));
    CHECK(r.at("flow5", 7) == doctest::Approx(2.04));
}

TEST_CASE("builtins: PREVIOUS is the value at the previous step") {
    auto m = base(5, 0.5);
    m.add_aux("p", "PREVIOUS(TIME, -1)");
    m.add_stock("s", "1", {"f"});
    m.add_flow("f", "s");
    m.add_aux("ps", "PREVIOUS(s)");
    auto r = run(m);
    auto s = r.series("s");
    for (std::size_t i = 0; i < r.rows(); ++i) {
        CHECK(r.at(i, 0) == doctest::Approx(i == 0 ? -1.0 : r.times[i] - 0.5));
        CHECK(r.series("ps")[i] == (i == 0 ? 1.0 : s[i - 1]));
    }
    // Inside RK stages PREVIOUS holds: the same answer with RK4.
    auto r4 = run(m, sim::Method::rk4);
    CHECK(r4.series("p")[3] == doctest::Approx(1.0));
}

TEST_CASE("builtins: INIT is the initial value") {
    auto m = base(5, 0.5);
    m.specs.start = 2;
    m.add_stock("s", "10", {"f"});
    m.add_flow("f", "1");
    m.add_aux("s0", "INIT(s)");
    m.add_aux("t0", "INIT(TIME + 5)");
    auto r = run(m);
    CHECK(r.series("s").back() == doctest::Approx(13));
    for (double v : r.series("s0")) CHECK(v == 10);
    for (double v : r.series("t0")) CHECK(v == 7);
}

TEST_CASE("builtins: lookups interpolate, clamp, extrapolate and step as declared") {
    auto m = base(0, 1);
    m.add_lookup("cont", {0, 1, 2}, {0, 10, 5});
    m.add_lookup("extra", {0, 1, 2}, {0, 10, 5}, sim::LookupKind::extrapolate);
    m.add_lookup("disc", {0, 1, 2}, {0, 10, 5}, sim::LookupKind::discrete);
    struct Case { const char* eq; double expected; };
    const Case cases[] = {
        {"cont(0.5)", 5},   {"cont(1.5)", 7.5},  {"cont(-1)", 0},    {"cont(3)", 5},    {"cont(1)", 10},
        {"extra(-1)", -10}, {"extra(3)", 0},     {"extra(0.25)", 2.5},
        {"disc(0.5)", 0},   {"disc(1)", 10},     {"disc(1.99)", 10}, {"disc(5)", 5},    {"disc(-1)", 0},
    };
    int i = 0;
    for (const auto& c : cases) m.add_aux("c" + std::to_string(i++), c.eq);
    // An aux with an embedded graphical function evaluates gf(its equation)
    // and can be called by name like a lookup.
    auto& eff = m.add_aux("effect", "TIME + 0.5");
    eff.gf = sim::GraphicalFunction{sim::LookupKind::continuous, {0, 1}, {100, 200}, {}};
    m.add_aux("call effect", "effect(0.25)");
    auto r = run(m);
    i = 0;
    for (const auto& c : cases) {
        CAPTURE(c.eq);
        CHECK(r.series("c" + std::to_string(i++))[0] == doctest::Approx(c.expected));
    }
    CHECK(r.series("effect")[0] == doctest::Approx(150));
    CHECK(r.series("call effect")[0] == doctest::Approx(125));
}

TEST_CASE("builtins: STEP, RAMP and PULSE") {
    auto m = base(10, 0.5);
    m.add_aux("step", "STEP(3, 2)");
    m.add_aux("ramp", "RAMP(2, 1, 3)");
    m.add_aux("ramp_open", "RAMP(2, 1)");
    m.add_flow("pulse", "PULSE(5, 2)");
    m.add_flow("train", "PULSE(5, 2, 3)");
    m.add_stock("got", "0", {"pulse"});
    m.add_stock("got_train", "0", {"train"});
    auto r = run(m);
    for (std::size_t i = 0; i < r.rows(); ++i) {
        double t = r.times[i];
        CAPTURE(t);
        CHECK(r.at("step", t) == (t < 2 ? 0 : 3));
        CHECK(r.at("ramp", t) == doctest::Approx(t < 1 ? 0 : t < 3 ? 2 * (t - 1) : 4));
        CHECK(r.at("ramp_open", t) == doctest::Approx(t < 1 ? 0 : 2 * (t - 1)));
        CHECK(r.at("pulse", t) == (t == 2 ? 10 : 0));  // magnitude / DT during one DT
        bool in_train = t == 2 || t == 5 || t == 8;
        CHECK(r.at("train", t) == (in_train ? 10 : 0));
    }
    CHECK(r.series("got").back() == doctest::Approx(5));  // the impulse delivers `magnitude`
    CHECK(r.series("got_train").back() == doctest::Approx(15));
}

TEST_CASE("builtins: SAFEDIV, XIDZ, ZIDZ") {
    CHECK(at("SAFEDIV(6, 3)") == 2);
    CHECK(at("SAFEDIV(1, 0)") == 0);
    CHECK(at("SAFEDIV(1, 0, 7)") == 7);
    CHECK(at("SAFEDIV(1, TIME - 1, 7)", 1) == 7);  // not constant-folded
    CHECK(at("SAFEDIV(1, TIME - 1, 7)", 3) == 0.5);
    CHECK(at("safediv(1, time - 1)", 1) == 0);
    CHECK(at("XIDZ(1, 0, 4)") == 4);
    CHECK(at("XIDZ(1, 2, 4)") == 0.5);
    CHECK(at("ZIDZ(1, 0)") == 0);
    CHECK(at("ZIDZ(3, 2)") == 1.5);
}

TEST_CASE("builtins: MOD takes the sign of the divisor") {
    CHECK(at("MOD(7, 3)") == 1);
    CHECK(at("MOD(-7, 3)") == 2);
    CHECK(at("MOD(7, -3)") == -2);
    CHECK(at("MOD(-7.5, 2)") == doctest::Approx(0.5));
    CHECK(at("MOD(TIME - 7, 3)", 0) == 2);
    CHECK(at("MOD(TIME - 7, 3)", 1.5) == doctest::Approx(0.5));
}

TEST_CASE("builtins: math functions and time names") {
    CHECK(at("SIN(PI / 2)") == doctest::Approx(1));
    CHECK(at("COS(PI())") == doctest::Approx(-1));
    CHECK(at("TAN(PI / 4)") == doctest::Approx(1));
    CHECK(at("4 * ARCTAN(1)") == doctest::Approx(std::numbers::pi));
    CHECK(at("ARCSIN(1) * 2") == doctest::Approx(std::numbers::pi));
    CHECK(at("ARCCOS(-1)") == doctest::Approx(std::numbers::pi));
    CHECK(at("LN(EXP(2))") == doctest::Approx(2));
    CHECK(at("LOG10(1000)") == doctest::Approx(3));
    CHECK(at("SQRT(16)") == 4);
    CHECK(at("INT(-1.5)") == -2);
    CHECK(at("INT(TIME)", 2.5) == 2);
    CHECK(at("ABS(-3) + MIN(1, 2) + Max(1, 2)") == 6);
    CHECK(at("TIME * 2", 3) == 6);
    CHECK(at("DT") == 0.5);
    CHECK(at("STARTTIME + STOPTIME()") == 10);
    CHECK(at("IF TIME > 2 THEN 1 ELSE -1", 2) == -1);
    CHECK(at("IF TIME > 2 THEN 1 ELSE -1", 2.5) == 1);
}

TEST_CASE("builtins: TREND of exponential growth converges to the growth rate") {
    auto m = base(60, 0.125);
    m.add_aux("input", "10 * EXP(0.05 * TIME)");
    m.add_aux("trend", "TREND(input, 4)");
    m.add_aux("trend_init", "TREND(input, 4, 0.05)");
    auto r = run(m, sim::Method::rk4);
    CHECK(r.series("trend").front() == doctest::Approx(0));
    CHECK(r.series("trend").back() == doctest::Approx(0.05).epsilon(1e-4));
    for (double v : r.series("trend_init")) CHECK(v == doctest::Approx(0.05).epsilon(1e-6));
}

TEST_CASE("builtins: lever L_lever ramps from 0 to intensity over phase_in from start") {
    auto m = base(10, 0.5);
    auto& l = m.add_lever("tax", "A tax");
    l.on = true;
    l.intensity = 0.5;
    l.start = 2;
    l.phase_in = 4;
    l.cost.text = "tax_lever * 100";
    auto& s = m.add_lever("subsidy");
    s.on = true;
    s.start = 3;  // phase_in 0: a step
    auto& off = m.add_lever("ban");
    off.start = 0;
    auto model = sim::Model::compile(m);
    CHECK(model.is_constant("tax_on"));
    CHECK(model.is_constant("tax_phase_in"));
    auto r = model.run();
    for (std::size_t i = 0; i < r.rows(); ++i) {
        double t = r.times[i];
        double expected = t < 2 ? 0 : t < 6 ? 0.5 * (t - 2) / 4 : 0.5;
        CHECK(r.at("tax_lever", t) == doctest::Approx(expected));
        CHECK(r.at("tax_cost", t) == doctest::Approx(100 * expected));
        CHECK(r.at("subsidy_lever", t) == (t < 3 ? 0 : 1));
        CHECK(r.at("ban_lever", t) == 0);
    }
    sim::RunOptions o;
    o.set = {{"ban_on", 1}, {"tax_phase_in", 0}};
    auto r2 = model.run(o);
    CHECK(r2.at("ban_lever", 0) == 1);
    CHECK(r2.at("tax_lever", 2) == 0.5);
    CHECK(r2.at("tax_lever", 1.5) == 0);
}

TEST_CASE("builtins: ops::pow gives std::pow's bits for every kind of argument") {
    // sim::ops::pow calls glibc's pow computation without its errno wrapper
    // where it finds it (sim/ops.hpp, pow_entry); the values must be
    // std::pow's, bit for bit, special cases included.
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const double tiny = std::numeric_limits<double>::denorm_min(), big = std::numeric_limits<double>::max();
    const std::vector<double> special = {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1e-300, 1e300, tiny,
                                         -tiny, big, -big, inf, -inf, nan, 1023.5, -1074.0, 1e-17, 1 + 1e-15};
    auto bits = [](double x) {
        std::uint64_t u;
        std::memcpy(&u, &x, sizeof u);
        return u;
    };
    std::size_t calls = 0;
    auto check = [&](double a, double b) {
        const double want = b == 1.0 ? a : std::pow(a, b), got = sim::ops::pow(a, b);
        if (std::isnan(want)) CHECK(std::isnan(got));
        else if (bits(want) != bits(got)) FAIL_CHECK("pow(" << a << ", " << b << "): " << got << " != " << want);
        ++calls;
    };
    for (double a : special)
        for (double b : special) check(a, b);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> base(0, 4), expo(-3, 3), wide(-700, 700);
    for (int i = 0; i < 200000; ++i) {
        check(base(rng), expo(rng));
        check(std::exp(wide(rng)), expo(rng) * 2);
        check(-std::floor(base(rng) * 10), std::floor(expo(rng) * 3));  // negative bases, integer exponents
    }
    CHECK(calls == special.size() * special.size() + 600000);
#if defined(__GLIBC__) && defined(__x86_64__)
    // ... and through glibc's computation itself, not the fallback.
    const auto fn = sim::ops::pow_entry::fn.load();
    const bool found = fn != &sim::ops::pow_entry::first && fn != &sim::ops::pow_entry::standard;
    CHECK(found);
#endif
}

TEST_CASE("builtins: MIN and MAX give NaN when either side is NaN, std::min/std::max's bits otherwise") {
    // std::max(0.0, NaN) is 0 while std::max(NaN, 0.0) is NaN: a 0/0 inside
    // MAX(0, ...) vanished. Both engines use sim::ops::min/max.
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> values = {0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-310, inf, -inf, nan};
    auto bits = [](double x) {
        std::uint64_t u;
        std::memcpy(&u, &x, sizeof u);
        return u;
    };
    for (double a : values)
        for (double b : values) {
            if (std::isnan(a) || std::isnan(b)) {
                CHECK(std::isnan(sim::ops::max(a, b)));
                CHECK(std::isnan(sim::ops::min(a, b)));
            } else {
                CHECK(bits(sim::ops::max(a, b)) == bits(std::max(a, b)));  // MAX(0, -0) is 0, MAX(-0, 0) -0
                CHECK(bits(sim::ops::min(a, b)) == bits(std::min(a, b)));
            }
        }
    // In a model: the 0/0 at TIME = 3 is reported whichever side it is on.
    for (const char* eq : {"MAX(0, (TIME - 3) / (TIME - 3))", "MAX((TIME - 3) / (TIME - 3), 0)",
                           "MIN(0, (TIME - 3) / (TIME - 3))", "MIN((TIME - 3) / (TIME - 3), 0)"}) {
        CAPTURE(eq);
        auto m = base(6, 1);
        m.add_aux("y", eq);
        try {
            (void)run(m);
            FAIL_CHECK("the run did not stop");
        } catch (const sim::Error& e) {
            REQUIRE(e.diagnostics().items().size() == 1);
            const auto& d = e.diagnostics().items()[0];
            CHECK(d.code == sim::Code::E_DIV_ZERO);
            CHECK(d.variable == "y");
            CHECK(d.message.find("at time 3 ") != std::string::npos);
        }
    }
}
