// Scenario loader: lever settings, constant overrides, sim specs, saved
// variables, and its diagnostics (positions in the scenario file).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario.hpp"

namespace fs = std::filesystem;

namespace {

const char* model_yaml = R"(name: two levers
sim: {start: 2020, stop: 2060, dt: 0.5, method: euler}
stocks:
  pop: {initial: 100, inflows: [growth]}
flows:
  growth: pop * rate * (1 + land_lever)
aux:
  doubled: pop * 2
constants:
  rate: 0.01
  migration_elasticity: 0.8
levers:
  land:
    title: Land reform
    start: 2025
    phase_in: 5
  hukou:
    title: Hukou reform
    intensity: 0.7
    cost: hukou_lever * 1e9
)";

// A scratch directory with a model in `models/` and scenarios in `scenarios/`.
struct Dir {
    fs::path root;
    Dir() {
        root = fs::temp_directory_path() / ("sim_test_scenario_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(root / "models");
        fs::create_directories(root / "scenarios");
        write("models/model.yaml", model_yaml);
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    std::string write(const std::string& rel, const std::string& text) const {
        const auto p = root / rel;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
};

// 1-based line/col of `needle` in `text`, computed from the raw text.
std::pair<int, int> where(const std::string& text, const std::string& needle) {
    auto p = text.find(needle);
    REQUIRE_MESSAGE(p != std::string::npos, needle);
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(p), '\n'));
    auto ls = text.rfind('\n', p == 0 ? 0 : p - 1);
    int col = static_cast<int>(ls == std::string::npos || p == 0 ? p : p - ls - 1) + 1;
    return {line, col};
}

const sim::Diagnostic* find_code(const sim::Diagnostics& d, const std::string& code, std::size_t nth = 0) {
    for (const auto& x : d.items())
        if (x.code == code && nth-- == 0) return &x;
    return nullptr;
}

std::size_t count_code(const sim::Diagnostics& d, const std::string& code) {
    std::size_t n = 0;
    for (const auto& x : d.items()) n += x.code == code;
    return n;
}

}  // namespace

TEST_CASE("scenario: levers, overrides, sim specs and save are applied") {
    Dir dir;
    const std::string text = "name: land reform only\n"
                             "model: ../models/model.yaml\n"
                             "levers:\n"
                             "  land: on\n"
                             "  Hukou: {intensity: 0.5, start: 2027, phase_in: 3}\n"
                             "set:\n"
                             "  migration elasticity: 1.2\n"
                             "  rate: \"0.5 * 0.04\"\n"
                             "  land_phase_in: 2\n"
                             "sim: {stop: 2050, dt: 0.25, method: rk4}\n"
                             "save: [pop, Doubled, land_lever]\n";
    const auto path = dir.write("scenarios/land.yaml", text);
    sim::Diagnostics d;
    auto sc = sim::load_scenario(path, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(sc.name == "land reform only");
    CHECK(sc.file == path);
    CHECK(fs::equivalent(sc.model_path, dir.root / "models" / "model.yaml"));
    CHECK(sc.model.name == "two levers");

    const auto* land = sc.model.find_lever("land");
    REQUIRE(land);
    CHECK(land->on);
    CHECK(land->start == 2025);    // the model's value, untouched
    CHECK(land->phase_in == 2);    // `set: land_phase_in`
    const auto* hukou = sc.model.find_lever("hukou");
    REQUIRE(hukou);
    CHECK(hukou->on);  // giving settings turns a lever on
    CHECK(hukou->intensity == 0.5);
    CHECK(hukou->start == 2027);
    CHECK(hukou->phase_in == 3);

    const auto& me = *sc.model.find("migration_elasticity");
    CHECK(me.equation.text == "1.2");
    CHECK(me.equation.loc.file == path);
    auto [l, c] = where(text, "1.2");
    CHECK(me.equation.loc.line == l);
    CHECK(me.equation.loc.col == c);
    CHECK(sc.model.find("rate")->equation.text == "0.5 * 0.04");

    CHECK(sc.model.specs.start == 2020);  // from the model
    CHECK(sc.model.specs.stop == 2050);
    CHECK(sc.model.specs.dt == 0.25);
    CHECK(sc.model.specs.method == sim::Method::rk4);
    CHECK(sc.run.save == std::vector<std::string>{"pop", "Doubled", "land_lever"});
}

TEST_CASE("scenario: the name defaults to the file stem; levers can be switched off") {
    Dir dir;
    const auto path = dir.write("scenarios/baseline run.yaml", "model: ../models/model.yaml\nlevers:\n  land: off\n  hukou: {on: false}\n");
    sim::Diagnostics d;
    auto sc = sim::load_scenario(path, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(sc.name == "baseline run");
    CHECK(!sc.model.find_lever("land")->on);
    CHECK(!sc.model.find_lever("hukou")->on);
    CHECK(sc.run.save.empty());
}

TEST_CASE("scenario: every error is reported with its position in the scenario") {
    Dir dir;
    const std::string text = "model: ../models/model.yaml\n"
                             "levers:\n"
                             "  lnad: on\n"
                             "  hukou: {intensity: 1.5}\n"
                             "  land: {start: 2070, colour: red}\n"
                             "set:\n"
                             "  rate: abc\n"
                             "  migraton_elasticity: 1\n"
                             "  growth: 2\n"
                             "  doubled: 2\n"
                             "save: [pop, popp]\n"
                             "extends: base.yaml\n";
    const auto path = dir.write("scenarios/bad.yaml", text);
    sim::Diagnostics d;
    sim::load_scenario(path, d);
    INFO(d.str());
    auto at = [&](const sim::Diagnostic* x, const std::string& needle) {
        REQUIRE(x);
        auto [l, c] = where(text, needle);
        CHECK(x->loc.file == path);
        CHECK(x->loc.line == l);
        CHECK(x->loc.col == c);
    };
    const auto* ul = find_code(d, "E-UNKNOWN-LEVER");
    at(ul, "lnad");
    CHECK(ul->variable == "lnad");
    CHECK(ul->message == "the model has no lever 'lnad' (did you mean 'land'?)");
    const auto* li = find_code(d, "E-LEVER-INTENSITY");
    at(li, "1.5");
    CHECK(li->message == "lever intensity must be between 0 and 1, found 1.5");
    const auto* ls = find_code(d, "E-LEVER-START");
    at(ls, "2070");
    CHECK(ls->message == "lever 'land' starts at 2070, outside the run (2020 to 2060); choose a start within the run");
    CHECK(find_code(d, "E-UNKNOWN-KEY", 0)->message.find("'extends'") != std::string::npos);
    at(find_code(d, "E-UNKNOWN-KEY", 0), "extends");
    at(find_code(d, "E-UNKNOWN-KEY", 1), "colour");
    at(find_code(d, "E-BAD-NUMBER"), "abc");
    const auto* up = find_code(d, "E-UNKNOWN-PARAM");
    at(up, "migraton_elasticity");
    CHECK(up->message == "the model has no constant 'migraton_elasticity' (did you mean 'migration_elasticity'?)");
    const auto* nc = find_code(d, "E-NOT-CONSTANT");
    at(nc, "growth");
    CHECK(nc->message == "'growth' is a flow, not a constant; only constants can be set");
    CHECK(find_code(d, "E-NOT-CONSTANT", 1)->message ==
          "'doubled' is an aux, not a constant; only constants can be set");
    at(find_code(d, "E-UNKNOWN-NAME"), "popp");
    CHECK(d.error_count() == 10);
}

TEST_CASE("scenario: sim specs are checked after the overrides") {
    Dir dir;
    SUBCASE("stop before the model's start") {
        const std::string text = "model: ../models/model.yaml\nsim: {stop: 2000}\n";
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", text), d);
        REQUIRE(count_code(d, "E-STOP") == 1);
        CHECK(find_code(d, "E-STOP")->loc.line == 2);
        CHECK(find_code(d, "E-STOP")->loc.col == where(text, "2000").second);
    }
    SUBCASE("a lever turned on with a start outside a shortened run") {
        const std::string text = "model: ../models/model.yaml\nsim: {stop: 2024}\nlevers: {land: on}\n";
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", text), d);
        INFO(d.str());
        REQUIRE(count_code(d, "E-LEVER-START") == 1);
        CHECK(find_code(d, "E-LEVER-START")->loc.line == 3);
    }
    SUBCASE("bad method") {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", "model: ../models/model.yaml\nsim: {method: rk5}\n"), d);
        CHECK(count_code(d, "E-BAD-METHOD") == 1);
    }
}

TEST_CASE("scenario: missing model, model errors and broken scenario files") {
    Dir dir;
    {
        const std::string text = "model: ../models/nope.yaml\nlevers: {land: on}\n";
        sim::Diagnostics d;
        auto sc = sim::load_scenario(dir.write("scenarios/a.yaml", text), d);
        REQUIRE(d.items().size() == 1);  // no cascade of unknown levers
        CHECK(d.items()[0].code == "E-MODEL-NOT-FOUND");
        CHECK(d.items()[0].loc.line == 1);
        CHECK(d.items()[0].loc.col == 8);
        CHECK(d.items()[0].message.find("nope.yaml") != std::string::npos);
    }
    {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/b.yaml", "name: no model\n"), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == "E-MISSING-MODEL");
    }
    {
        // Errors in the model are reported in the model file; the scenario
        // is still checked against what could be read.
        dir.write("models/broken.yaml", "constants:\n  k: x\nlevers:\n  a: {}\n");
        sim::Diagnostics d;
        auto sc = sim::load_scenario(
            dir.write("scenarios/c.yaml", "model: ../models/broken.yaml\nlevers: {a: on, b: on}\n"), d);
        INFO(d.str());
        REQUIRE(d.items().size() == 2);
        CHECK(d.items()[0].code == "E-BAD-NUMBER");
        CHECK(d.items()[0].loc.file == (dir.root / "scenarios" / ".." / "models" / "broken.yaml").lexically_normal().string());
        CHECK(d.items()[1].code == "E-UNKNOWN-LEVER");
        CHECK(sc.model.find_lever("a")->on);
    }
    {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/d.yaml", "model: [\n"), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == "E-YAML-SYNTAX");
    }
    {
        sim::Diagnostics d;
        sim::load_scenario((dir.root / "scenarios" / "missing.yaml").string(), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == "E-IO");
    }
}

TEST_CASE("scenario: is_scenario_file tells scenarios from models") {
    Dir dir;
    CHECK(sim::is_scenario_file(dir.write("scenarios/s.yaml", "name: x\nmodel: ../models/model.yaml\n")));
    CHECK(!sim::is_scenario_file((dir.root / "models" / "model.yaml").string()));
    CHECK(!sim::is_scenario_file(dir.write("scenarios/list.yaml", "- model\n")));
    CHECK(!sim::is_scenario_file(dir.write("scenarios/broken.yaml", "model: [\n")));
    CHECK(!sim::is_scenario_file(dir.write("scenarios/empty.yaml", "")));
    CHECK(!sim::is_scenario_file((dir.root / "none.yaml").string()));
}

#include "sim/simulate.hpp"

TEST_CASE("scenario: the loaded model runs with the scenario's settings") {
    Dir dir;
    auto run = [&](const std::string& text) {
        sim::Diagnostics d;
        auto sc = sim::load_scenario(dir.write("scenarios/r.yaml", text), d);
        auto m = sim::Model::compile(sc.model, d);
        INFO(d.str());
        REQUIRE(m);
        return m->run(sc.run);
    };
    const auto base = run("model: ../models/model.yaml\nsave: [pop]\n");
    const auto land = run("model: ../models/model.yaml\nlevers: {land: on}\nsave: [pop, land_lever]\n");
    const auto fast = run("model: ../models/model.yaml\nset: {rate: 0.02}\nsim: {stop: 2030}\n");
    CHECK(base.cols() == 1);
    CHECK(base.times.back() == 2060);
    CHECK(fast.times.back() == 2030);
    // Without the lever: Euler growth at 1% a year, dt 0.5, 80 steps.
    CHECK(base.series("pop").back() == doctest::Approx(100 * std::pow(1.005, 80)).epsilon(1e-12));
    CHECK(fast.value_at("pop", 2030) == doctest::Approx(100 * std::pow(1.01, 20)).epsilon(1e-12));
    // The lever ramps from 2025 over 5 years, then doubles the growth rate.
    CHECK(land.value_at("land_lever", 2025) == doctest::Approx(0));
    CHECK(land.value_at("land_lever", 2027.5) == doctest::Approx(0.5));
    CHECK(land.value_at("land_lever", 2040) == doctest::Approx(1));
    CHECK(land.series("pop").back() > base.series("pop").back() * 1.3);
}
