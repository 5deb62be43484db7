// `uncertainties:`, `correlations:` and `checks:` in model and scenario
// files: what is read, how a scenario extends and overrides its model's,
// and every error with its position (computed from the raw text).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "sim/load.hpp"
#include "sim/scenario.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using simtest::count_code;
using simtest::find_code;
using simtest::loc_of;

namespace {

const std::string base_model = R"(name: experiment
sim: {start: 0, stop: 10, dt: 1}
stocks:
  pop: {initial: 100, inflows: [births]}
flows:
  births: pop * birth_rate
aux:
  doubled: pop * 2
constants:
  birth_rate: 0.02
  habit_time: 2
  settlement_time: 5.5
  wage_share: 0.36
  derived: "birth_rate * 2"
levers:
  land: {title: Land reform}
)";

sim::ModelSpec parse(const std::string& text, sim::Diagnostics& d) { return sim::parse_yaml(text, "m.yaml", d); }

}  // namespace

TEST_CASE("uncertainties: every distribution is read, with its parameters") {
    const std::string text = base_model + R"(uncertainties:
  habit_time: {dist: uniform, min: 1, max: 3, doc: README range}
  settlement_time: {dist: triangular, min: 3, mode: 5.5, max: 8}
  birth_rate: {dist: normal, mean: 0.02, sd: 0.005, min: 0.01}
  wage_share: {dist: beta, alpha: 4, beta: 7, min: 0.33, max: 0.42}
  land_intensity: {dist: discrete, values: [0.5, 1], weights: [1, 3]}
  land_start: {dist: lognormal, mu: 0.5, sigma: 0.2}
correlations:
  - [habit_time, settlement_time, 0.3]
)";
    sim::Diagnostics d;
    auto m = parse(text, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    REQUIRE(m.uncertainties.size() == 6);
    const auto& u = m.uncertainties;
    CHECK(u[0].name == "habit_time");
    CHECK(u[0].dist.kind == sim::DistKind::uniform);
    CHECK(u[0].dist.min == 1);
    CHECK(u[0].dist.max == 3);
    CHECK(u[0].doc == "README range");
    CHECK_AT(u[0].loc, loc_of("m.yaml", text, "habit_time: {dist"));
    CHECK(u[1].dist.kind == sim::DistKind::triangular);
    CHECK(u[1].dist.mode == 5.5);
    CHECK(u[2].dist.kind == sim::DistKind::normal);
    CHECK(u[2].dist.sd == 0.005);
    CHECK(u[2].dist.min == 0.01);
    CHECK(std::isinf(u[2].dist.max));
    CHECK(u[3].dist.kind == sim::DistKind::beta);
    CHECK(u[3].dist.alpha == 4);
    CHECK(u[3].dist.max == 0.42);
    CHECK(u[4].dist.kind == sim::DistKind::discrete);
    CHECK(u[4].dist.weights == std::vector<double>{1, 3});
    CHECK(u[5].dist.kind == sim::DistKind::lognormal);
    CHECK(u[5].dist.min == 0);  // the lognormal's support by default
    REQUIRE(m.correlations.size() == 1);
    CHECK(m.correlations[0].a == "habit_time");
    CHECK(m.correlations[0].b == "settlement_time");
    CHECK(m.correlations[0].rho == 0.3);
    CHECK_AT(m.correlations[0].loc, loc_of("m.yaml", text, "[habit_time, settlement"));
}

TEST_CASE("uncertainties: parameter errors are located at the offending value") {
    struct Case {
        std::string entry, needle;
        sim::Code code;
        std::string message_part;
    };
    const Case cases[] = {
        {"habit_time: {dist: uniform, min: 3, max: 1}", "1}", sim::Code::E_DIST_PARAM, "must be below max"},
        {"habit_time: {dist: uniform, min: 2, max: 2}", "2}", sim::Code::E_DIST_PARAM, "must be below max"},
        {"habit_time: {dist: normal, mean: 2, sd: 0}", "0}", sim::Code::E_DIST_PARAM, "sd must be positive"},
        {"habit_time: {dist: normal, mean: 2, sd: -1}", "-1}", sim::Code::E_DIST_PARAM, "sd must be positive"},
        {"habit_time: {dist: triangular, min: 1, mode: 4, max: 3}", "4,", sim::Code::E_DIST_PARAM, "mode (4) must lie within"},
        {"habit_time: {dist: lognormal, mu: 0, sigma: 1, min: -1}", "-1}", sim::Code::E_DIST_PARAM, "outside the support"},
        {"habit_time: {dist: beta, alpha: 0, beta: 2}", "0,", sim::Code::E_DIST_PARAM, "alpha must be positive"},
        {"habit_time: {dist: discrete, values: [1, 2], weights: [1, 0]}", "[1, 0]", sim::Code::E_DIST_PARAM,
         "weights must be positive"},
        {"habit_time: {dist: discrete, values: [1, 2], weights: [1]}", "[1]", sim::Code::E_DIST_PARAM, "one weight per value"},
        {"habit_time: {dist: normal, mean: 0, sd: 0.001, min: 50, max: 60}", "50,", sim::Code::E_DIST_PARAM,
         "hold no probability"},
        {"habit_time: {dist: uniform, min: 1}", "habit_time", sim::Code::E_DIST_PARAM, "needs 'max'"},
        {"habit_time: {dist: gaussian, mean: 1, sd: 1}", "gaussian", sim::Code::E_DIST_KIND, "unknown distribution 'gaussian'"},
        {"habit_time: {dist: unifrom, min: 1, max: 2}", "unifrom", sim::Code::E_DIST_KIND, "did you mean 'uniform'"},
        {"habit_time: {min: 1, max: 2}", "habit_time", sim::Code::E_DIST_KIND, "names no distribution"},
        {"habit_time: {dist: uniform, min: 1, max: 2, sd: 3}", "sd:", sim::Code::E_UNKNOWN_KEY, "unknown key 'sd'"},
        {"habit_time: {dist: uniform, min: one, max: 2}", "one", sim::Code::E_BAD_NUMBER, "'min' must be a number"},
        {"habit_time: 3", "3", sim::Code::E_YAML_TYPE, "an uncertainty is a mapping"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.entry);
        const std::string text = base_model + "uncertainties:\n  " + c.entry + "\n";
        sim::Diagnostics d;
        auto m = parse(text, d);
        const auto* e = find_code(d, c.code);
        REQUIRE_MESSAGE(e, d.str());
        CHECK(d.error_count() == 1);
        CHECK_AT(e->loc, loc_of("m.yaml", text, c.needle, text.find("uncertainties:")));
        CHECK(e->variable == "habit_time");
        CHECK_MESSAGE(e->message.find(c.message_part) != std::string::npos, e->message);
        CHECK(m.uncertainties.empty());
    }
}

TEST_CASE("uncertainties: only constants with a number can be uncertain") {
    struct Case {
        std::string entry;
        sim::Code code;
        std::string message_part;
    };
    const Case cases[] = {
        {"birth_rte: {dist: uniform, min: 0, max: 1}", sim::Code::E_UNKNOWN_PARAM, "did you mean 'birth_rate'"},
        {"doubled: {dist: uniform, min: 0, max: 1}", sim::Code::E_NOT_CONSTANT, "is an aux, not a constant"},
        {"pop: {dist: uniform, min: 0, max: 1}", sim::Code::E_NOT_CONSTANT, "is a stock, not a constant"},
        {"derived: {dist: uniform, min: 0, max: 1}", sim::Code::E_NOT_CONSTANT, "is the expression 'birth_rate * 2'"},
        {"land_on: {dist: uniform, min: 0, max: 1}", sim::Code::E_NOT_CONSTANT, "that is a decision"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.entry);
        const std::string text = base_model + "uncertainties:\n  " + c.entry + "\n";
        sim::Diagnostics d;
        auto m = parse(text, d);
        const auto* e = find_code(d, c.code);
        REQUIRE_MESSAGE(e, d.str());
        CHECK(d.error_count() == 1);
        const std::string name = c.entry.substr(0, c.entry.find(':'));
        CHECK_AT(e->loc, loc_of("m.yaml", text, name + ":", text.find("uncertainties:")));
        CHECK(e->variable == name);
        CHECK_MESSAGE(e->message.find(c.message_part) != std::string::npos, e->message);
        CHECK(m.uncertainties.empty());
    }
    // A lever's intensity, start and phase-in may be uncertain.
    sim::Diagnostics d;
    auto m = parse(base_model + "uncertainties:\n  land_start: {dist: uniform, min: 1, max: 3}\n", d);
    CHECK_MESSAGE(!d.has_errors(), d.str());
    CHECK(m.uncertainties.size() == 1);
}

TEST_CASE("uncertainties: a name declared twice (canonical form) is an error at the second") {
    const std::string text = base_model + R"(uncertainties:
  habit_time: {dist: uniform, min: 1, max: 3}
  Habit Time: {dist: uniform, min: 1, max: 4}
)";
    sim::Diagnostics d;
    auto m = parse(text, d);
    const auto* e = find_code(d, sim::Code::E_DUPLICATE);
    REQUIRE_MESSAGE(e, d.str());
    CHECK_AT(e->loc, loc_of("m.yaml", text, "Habit Time:"));
    CHECK(m.uncertainties.size() == 1);
}

TEST_CASE("correlations: errors are located") {
    const std::string decl = "uncertainties:\n"
                             "  habit_time: {dist: uniform, min: 1, max: 3}\n"
                             "  settlement_time: {dist: uniform, min: 3, max: 8}\n"
                             "  wage_share: {dist: uniform, min: 0.3, max: 0.4}\n"
                             "correlations:\n";
    struct Case {
        std::string entry, needle;
        sim::Code code;
        std::string message_part;
    };
    const Case cases[] = {
        {"  - [habit_time, birth_rate, 0.3]", "[habit_time, birth", sim::Code::E_CORRELATION,
         "'birth_rate' is correlated but has no entry under 'uncertainties:'"},
        {"  - [habit_time, settlement_time, 1.5]", "1.5", sim::Code::E_CORRELATION, "outside [-1, 1]"},
        {"  - [habit_time, habit_time, 0.5]", "habit_time, 0.5", sim::Code::E_CORRELATION, "correlated with itself"},
        {"  - [habit_time, settlement_time]", "[habit_time", sim::Code::E_CORRELATION, "a list of three"},
        {"  - [habit_time, settlement_time, 0.2]\n  - [settlement_time, habit_time, 0.3]", "[settlement_time, habit",
         sim::Code::E_DUPLICATE, "given twice"},
        // Each pair is fine alone; together they cannot hold.
        {"  - [habit_time, settlement_time, 0.9]\n  - [habit_time, wage_share, 0.9]\n"
         "  - [settlement_time, wage_share, -0.9]",
         "[habit_time, settlement", sim::Code::E_CORRELATION_MATRIX, "not positive definite"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.entry);
        const std::string text = base_model + decl + c.entry + "\n";
        sim::Diagnostics d;
        parse(text, d);
        const auto* e = find_code(d, c.code);
        REQUIRE_MESSAGE(e, d.str());
        CHECK(d.error_count() == 1);
        CHECK_AT(e->loc, loc_of("m.yaml", text, c.needle, text.find("correlations:")));
        CHECK_MESSAGE(e->message.find(c.message_part) != std::string::npos, e->message);
    }
}

TEST_CASE("checks: every form is read") {
    const std::string text = base_model + R"(checks:
  no births, no growth:
    doc: with no births the population stays put
    set: {birth_rate: 0}
    expect: pop <= INIT(pop)
  land raises the population:
    levers: {land: on}
    value: pop
    baseline: not_lower
    at: [5, 10]
  stocks stay positive:
    stocks_non_negative: true
    tolerance: 1e-9
    from: 2
    to: 8
)";
    sim::Diagnostics d;
    auto m = parse(text, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    REQUIRE(m.checks.size() == 3);
    const auto& a = m.checks[0];
    CHECK(a.name == "no births, no growth");
    CHECK(a.kind == sim::BehaviourCheck::Kind::expect);
    CHECK(a.expression == "pop <= INIT(pop)");
    CHECK_AT(a.expression_loc, loc_of("m.yaml", text, "pop <= INIT"));
    REQUIRE(a.set.size() == 1);
    CHECK(a.set[0] == std::pair<std::string, double>{"birth_rate", 0});
    const auto& b = m.checks[1];
    CHECK(b.kind == sim::BehaviourCheck::Kind::baseline);
    CHECK(b.baseline == sim::BehaviourCheck::Baseline::not_lower);
    CHECK(b.at == std::vector<double>{5, 10});
    REQUIRE(b.set.size() == 1);
    CHECK(b.set[0] == std::pair<std::string, double>{"land_on", 1});
    const auto& c = m.checks[2];
    CHECK(c.kind == sim::BehaviourCheck::Kind::stocks_non_negative);
    CHECK(c.tolerance == 1e-9);
    CHECK(c.from == 2);
    CHECK(c.to == 8);
}

TEST_CASE("checks: errors are located") {
    struct Case {
        std::string body, needle;
        sim::Code code;
        std::string message_part;
    };
    const Case cases[] = {
        {"    set: {birth_rte: 0}\n    expect: pop > 0", "birth_rte", sim::Code::E_UNKNOWN_PARAM, "did you mean 'birth_rate'"},
        {"    set: {doubled: 0}\n    expect: pop > 0", "doubled:", sim::Code::E_NOT_CONSTANT, "not a constant"},
        {"    levers: {lnd: on}\n    expect: pop > 0", "lnd", sim::Code::E_UNKNOWN_LEVER, "did you mean 'land'"},
        {"    set: {birth_rate: 0}", "c1:", sim::Code::E_CHECK_FORM, "states no condition"},
        {"    expect: pop > 0\n    stocks_non_negative: true", "c1:", sim::Code::E_CHECK_FORM, "more than one"},
        {"    value: pop", "value:", sim::Code::E_CHECK_FORM, "add 'baseline: higher'"},
        {"    value: pop\n    baseline: bigger", "bigger", sim::Code::E_CHECK_FORM, "must be higher, lower"},
        {"    expect: pop > 0\n    from: 8\n    to: 2", "2", sim::Code::E_CHECK_FORM, "is before 'from'"},
        {"    expect: pop > 0\n    at: 5\n    from: 2", "at:", sim::Code::E_CHECK_FORM, "either 'at' or 'from'"},
        {"    expect: pop > 0\n    tolerance: 1", "tolerance:", sim::Code::E_CHECK_FORM, "stocks_non_negative' only"},
        {"    expect: pop > 0\n    when: 5", "when:", sim::Code::E_UNKNOWN_KEY, "unknown key 'when'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.body);
        const std::string text = base_model + "checks:\n  c1:\n" + c.body + "\n";
        sim::Diagnostics d;
        auto m = parse(text, d);
        const auto* e = find_code(d, c.code);
        REQUIRE_MESSAGE(e, d.str());
        CHECK(d.error_count() == 1);
        CHECK_AT(e->loc, loc_of("m.yaml", text, c.needle, text.find("checks:")));
        CHECK_MESSAGE(e->message.find(c.message_part) != std::string::npos, e->message);
        CHECK(m.checks.empty());
    }
}

TEST_CASE("scenario: uncertainties, correlations and checks extend and override the model's along extends") {
    simtest::TempDir dir("sim_test_experiment_yaml");
    dir.write("model.yaml", base_model + R"(uncertainties:
  habit_time: {dist: uniform, min: 1, max: 3}
  settlement_time: {dist: uniform, min: 3, max: 8}
correlations:
  - [habit_time, settlement_time, 0.3]
checks:
  positive:
    stocks_non_negative: true
)");
    dir.write("base.yaml", R"(model: model.yaml
uncertainties:
  habit_time: {dist: triangular, min: 1, mode: 2, max: 4}
  wage_share: {dist: uniform, min: 0.33, max: 0.42}
correlations:
  - [settlement_time, habit_time, 0.5]
)");
    const std::string leaf = R"(extends: base.yaml
uncertainties:
  birth_rate: {dist: normal, mean: 0.02, sd: 0.004}
correlations:
  - [wage_share, birth_rate, -0.2]
checks:
  positive:
    expect: pop > 0
  growth:
    value: pop
    levers: {land: on}
    baseline: not_lower
)";
    const std::string leaf_path = dir.write("leaf.yaml", leaf);
    sim::Diagnostics d;
    auto sc = sim::load_scenario(leaf_path, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    const auto& u = sc.model.uncertainties;
    REQUIRE(u.size() == 4);
    CHECK(u[0].name == "habit_time");
    CHECK(u[0].dist.kind == sim::DistKind::triangular);  // base.yaml replaced the model's
    CHECK(u[0].loc.file == (dir / "base.yaml").string());
    CHECK(u[1].name == "settlement_time");
    CHECK(u[2].name == "wage_share");
    CHECK(u[3].name == "birth_rate");
    REQUIRE(sc.model.correlations.size() == 2);
    CHECK(sc.model.correlations[0].rho == 0.5);  // the same pair, in either order, replaced
    CHECK(sc.model.correlations[1].rho == -0.2);
    REQUIRE(sc.model.checks.size() == 2);
    CHECK(sc.model.checks[0].kind == sim::BehaviourCheck::Kind::expect);  // replaced by name
    CHECK(sc.model.checks[1].name == "growth");
}

TEST_CASE("scenario: errors in its experiment sections point into the scenario") {
    simtest::TempDir dir("sim_test_experiment_yaml");
    dir.write("model.yaml", base_model + "uncertainties:\n  habit_time: {dist: uniform, min: 1, max: 3}\n");
    const std::string text = R"(model: model.yaml
uncertainties:
  settlement_tme: {dist: uniform, min: 3, max: 8}
correlations:
  - [habit_time, wage_share, 0.3]
)";
    const std::string path = dir.write("s.yaml", text);
    sim::Diagnostics d;
    sim::load_scenario(path, d);
    CHECK(d.error_count() == 2);
    const auto* e = find_code(d, sim::Code::E_UNKNOWN_PARAM);
    REQUIRE_MESSAGE(e, d.str());
    CHECK_AT(e->loc, loc_of(path, text, "settlement_tme"));
    CHECK(e->message.find("did you mean 'settlement_time'") != std::string::npos);
    const auto* c = find_code(d, sim::Code::E_CORRELATION);
    REQUIRE_MESSAGE(c, d.str());
    CHECK_AT(c->loc, loc_of(path, text, "[habit_time"));
    CHECK(c->variable == "wage_share");
}
