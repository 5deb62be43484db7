// Scenario loader: lever settings, constant overrides, sim specs, saved
// variables, and its diagnostics (positions in the scenario file).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "sim/scenario.hpp"
#include "support.hpp"

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

using simtest::count_code;
using simtest::find_code;

// A scratch directory with a model in `models/` and scenarios in `scenarios/`.
struct Dir : simtest::TempDir {
    Dir() : TempDir("sim_test_scenario") {
        fs::create_directories(root / "models");
        fs::create_directories(root / "scenarios");
        write("models/model.yaml", model_yaml);
    }
};

// 1-based line/col of `needle` in `text`, computed from the raw text.
std::pair<int, int> where(const std::string& text, const std::string& needle) { return simtest::line_col(text, needle); }

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
                             "compare: yes\n";
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
    const auto* ul = find_code(d, sim::Code::E_UNKNOWN_LEVER);
    at(ul, "lnad");
    CHECK(ul->variable == "lnad");
    CHECK(ul->message == "the model has no lever 'lnad' (did you mean 'land'?)");
    const auto* li = find_code(d, sim::Code::E_LEVER_INTENSITY);
    at(li, "1.5");
    CHECK(li->message == "lever intensity must be between 0 and 1, found 1.5");
    const auto* ls = find_code(d, sim::Code::E_LEVER_START);
    at(ls, "2070");
    CHECK(ls->message == "lever 'land' starts at 2070, outside the run (2020 to 2060); choose a start within the run");
    CHECK(find_code(d, sim::Code::E_UNKNOWN_KEY, 0)->message.find("'compare'") != std::string::npos);
    at(find_code(d, sim::Code::E_UNKNOWN_KEY, 0), "compare");
    at(find_code(d, sim::Code::E_UNKNOWN_KEY, 1), "colour");
    at(find_code(d, sim::Code::E_BAD_NUMBER), "abc");
    const auto* up = find_code(d, sim::Code::E_UNKNOWN_PARAM);
    at(up, "migraton_elasticity");
    CHECK(up->message == "the model has no constant 'migraton_elasticity' (did you mean 'migration_elasticity'?)");
    const auto* nc = find_code(d, sim::Code::E_NOT_CONSTANT);
    at(nc, "growth");
    CHECK(nc->message == "'growth' is a flow, not a constant; only constants can be set");
    CHECK(find_code(d, sim::Code::E_NOT_CONSTANT, 1)->message ==
          "'doubled' is an aux, not a constant; only constants can be set");
    at(find_code(d, sim::Code::E_UNKNOWN_NAME), "popp");
    CHECK(d.error_count() == 10);
}

TEST_CASE("scenario: sim specs are checked after the overrides") {
    Dir dir;
    SUBCASE("stop before the model's start") {
        const std::string text = "model: ../models/model.yaml\nsim: {stop: 2000}\n";
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", text), d);
        REQUIRE(count_code(d, sim::Code::E_STOP) == 1);
        CHECK(find_code(d, sim::Code::E_STOP)->loc.line == 2);
        CHECK(find_code(d, sim::Code::E_STOP)->loc.col == where(text, "2000").second);
    }
    SUBCASE("a lever turned on with a start outside a shortened run") {
        const std::string text = "model: ../models/model.yaml\nsim: {stop: 2024}\nlevers: {land: on}\n";
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", text), d);
        INFO(d.str());
        REQUIRE(count_code(d, sim::Code::E_LEVER_START) == 1);
        CHECK(find_code(d, sim::Code::E_LEVER_START)->loc.line == 3);
    }
    SUBCASE("bad method") {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/s.yaml", "model: ../models/model.yaml\nsim: {method: rk5}\n"), d);
        CHECK(count_code(d, sim::Code::E_BAD_METHOD) == 1);
    }
}

TEST_CASE("scenario: missing model, model errors and broken scenario files") {
    Dir dir;
    {
        const std::string text = "model: ../models/nope.yaml\nlevers: {land: on}\n";
        sim::Diagnostics d;
        auto sc = sim::load_scenario(dir.write("scenarios/a.yaml", text), d);
        REQUIRE(d.items().size() == 1);  // no cascade of unknown levers
        CHECK(d.items()[0].code == sim::Code::E_MODEL_NOT_FOUND);
        CHECK(d.items()[0].loc.line == 1);
        CHECK(d.items()[0].loc.col == 8);
        CHECK(d.items()[0].message.find("nope.yaml") != std::string::npos);
    }
    {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/b.yaml", "name: no model\n"), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_MISSING_MODEL);
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
        CHECK(d.items()[0].code == sim::Code::E_BAD_NUMBER);
        CHECK(d.items()[0].loc.file == (dir.root / "scenarios" / ".." / "models" / "broken.yaml").lexically_normal().string());
        CHECK(d.items()[1].code == sim::Code::E_UNKNOWN_LEVER);
        CHECK(sc.model.find_lever("a")->on);
    }
    {
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/d.yaml", "model: [\n"), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_YAML_SYNTAX);
    }
    {
        sim::Diagnostics d;
        sim::load_scenario((dir.root / "scenarios" / "missing.yaml").string(), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_IO);
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

#include "sim/model.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "io/yaml/support.hpp"

TEST_CASE("scenario: asking whether a file is a scenario, then loading it, parses it once") {
    Dir dir;
    const std::string scenario = dir.write("scenarios/s.yaml", "name: x\nmodel: ../models/model.yaml\n");
    using sim::yaml_detail::documents_parsed;
    sim::Diagnostics d;
    const auto model = sim::read_input((dir.root / "models" / "model.yaml").string(), d);
    const auto scen = sim::read_input(scenario, d);
    REQUIRE(model);
    REQUIRE(scen);
    // A model: one parse for the question and the model.
    std::size_t before = documents_parsed();
    CHECK(!sim::is_scenario_text(model->bytes, model->path));
    const auto spec = sim::parse_model(model->bytes, model->path, d);
    CHECK(documents_parsed() - before == 1);
    CHECK(!d.has_errors());
    CHECK(spec.find("migration_elasticity") != nullptr);
    // A scenario: one parse of its own text, one of the model it names.
    before = documents_parsed();
    CHECK(sim::is_scenario_text(scen->bytes, scen->path));
    const auto sc = sim::load_scenario(*scen, d);
    CHECK(documents_parsed() - before == 2);
    CHECK(!d.has_errors());
    CHECK(sc.model.find("migration_elasticity") != nullptr);
    // The kept document is for the next parse only: another text in between
    // drops it, and the first is parsed again.
    before = documents_parsed();
    CHECK(!sim::is_scenario_text(model->bytes, model->path));
    CHECK(sim::is_scenario_text(scen->bytes, scen->path));
    sim::parse_model(model->bytes, model->path, d);
    CHECK(documents_parsed() - before == 3);
    // The checks of the text still apply to a kept document: a depth limit
    // smaller than the question's is reported.
    CHECK(!sim::is_scenario_text(model->bytes, model->path));
    sim::Diagnostics shallow;
    sim::Limits limits;
    limits.depth = 1;
    sim::parse_model(model->bytes, model->path, shallow, limits);
    CHECK(count_code(shallow, sim::Code::E_LIMIT) == 1);
}


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
    CHECK(fast.at("pop", 2030) == doctest::Approx(100 * std::pow(1.01, 20)).epsilon(1e-12));
    // The lever ramps from 2025 over 5 years, then doubles the growth rate.
    CHECK(land.at("land_lever", 2025) == doctest::Approx(0));
    CHECK(land.at("land_lever", 2027.5) == doctest::Approx(0.5));
    CHECK(land.at("land_lever", 2040) == doctest::Approx(1));
    CHECK(land.series("pop").back() > base.series("pop").back() * 1.3);
}

// --- extends, indicators, report times, content hashes ------------------------

TEST_CASE("scenario: sha256_hex matches the FIPS 180-4 test vectors") {
    CHECK(sim::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sim::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // 56 bytes: the padding needs a second block.
    CHECK(sim::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sim::sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("scenario: extends merges maps key by key and replaces lists") {
    Dir dir;
    const std::string base = "name: the base\n"
                             "model: ../models/model.yaml\n"
                             "levers:\n"
                             "  land: on\n"
                             "  hukou: {intensity: 0.5, start: 2030}\n"
                             "set: {rate: 0.02, migration_elasticity: 1.1}\n"
                             "sim: {stop: 2050, dt: 0.25}\n"
                             "save: [pop, doubled]\n"
                             "indicators: [pop, {name: doubled, better: lower}]\n"
                             "report_at: [2030, 2040]\n";
    const std::string child = "extends: ../base.yaml\n"
                              "levers:\n"
                              "  land: off\n"
                              "  hukou: {phase_in: 2}\n"
                              "set: {rate: 0.03}\n"
                              "sim: {method: rk4}\n"
                              "save: [pop]\n"
                              "report_at: 2045\n";
    const auto base_path = dir.write("scenarios/base.yaml", base);
    fs::create_directories(dir.root / "scenarios" / "sub");
    const auto child_path = dir.write("scenarios/sub/child.yaml", child);
    sim::Diagnostics d;
    auto sc = sim::load_scenario(child_path, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(sc.name == "child");  // `name` is not inherited
    CHECK(fs::equivalent(sc.model_path, dir.root / "models" / "model.yaml"));  // inherited, relative to base.yaml
    // levers: merged lever by lever, and field by field within a lever.
    CHECK(!sc.model.find_lever("land")->on);
    const auto* hukou = sc.model.find_lever("hukou");
    CHECK(hukou->on);
    CHECK(hukou->intensity == 0.5);
    CHECK(hukou->start == 2030);
    CHECK(hukou->phase_in == 2);
    // set and sim: key by key.
    CHECK(sc.model.find("rate")->equation.text == "0.03");
    CHECK(sc.model.find("rate")->equation.loc.file == child_path);
    CHECK(sc.model.find("migration_elasticity")->equation.text == "1.1");
    CHECK(sc.model.find("migration_elasticity")->equation.loc.file == base_path);
    CHECK(sc.model.specs.stop == 2050);
    CHECK(sc.model.specs.dt == 0.25);
    CHECK(sc.model.specs.method == sim::Method::rk4);
    // Lists: replaced when given, inherited when not.
    CHECK(sc.run.save == std::vector<std::string>{"pop"});
    REQUIRE(sc.indicators.size() == 2);
    CHECK(sc.indicators[0].name == "pop");
    CHECK(!sc.indicators[0].lower_is_better);
    CHECK(sc.indicators[1].name == "doubled");
    CHECK(sc.indicators[1].lower_is_better);
    CHECK(sc.report_at == std::vector<double>{2045});
    // Every file of the chain, the file given first, with its hash.
    REQUIRE(sc.chain.size() == 2);
    CHECK(sc.chain[0].path == child_path);
    CHECK(fs::equivalent(sc.chain[1].path, base_path));
    CHECK(sc.chain[0].sha256 == sim::sha256_hex(child));
    CHECK(sc.chain[1].sha256 == sim::sha256_hex(base));
    CHECK(sc.model_file.sha256 == sim::sha256_hex(model_yaml));
    const auto lines = sim::source_lines(sc);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "scenario file: " + child_path + " sha256:" + sim::sha256_hex(child));
    CHECK(lines[1].rfind("extends: ", 0) == 0);
    CHECK(lines[2] == "model: " + sc.model_path + " sha256:" + sim::sha256_hex(model_yaml));
    CHECK(sim::is_scenario_file(child_path));  // `extends:` without `model:`

    // The loaded child runs like the merged scenario written out by hand.
    const auto merged = dir.write("scenarios/merged.yaml",
                                  "model: ../models/model.yaml\n"
                                  "levers: {land: off, hukou: {intensity: 0.5, start: 2030, phase_in: 2}}\n"
                                  "set: {rate: 0.03, migration_elasticity: 1.1}\n"
                                  "sim: {stop: 2050, dt: 0.25, method: rk4}\nsave: [pop]\n");
    sim::Diagnostics d2;
    auto sm = sim::load_scenario(merged, d2);
    auto m1 = sim::Model::compile(sc.model, d2);
    auto m2 = sim::Model::compile(sm.model, d2);
    INFO(d2.str());
    REQUIRE(m1);
    REQUIRE(m2);
    CHECK(m1->run(sc.run).series("pop") == m2->run(sm.run).series("pop"));
}

TEST_CASE("scenario: a three-file chain; a nearer model: wins") {
    Dir dir;
    dir.write("models/other.yaml", std::string(model_yaml) + "  extra:\n    start: 2030\n");
    dir.write("scenarios/a.yaml", "model: ../models/model.yaml\nset: {rate: 0.02}\nlevers: {land: on}\n");
    dir.write("scenarios/b.yaml", "extends: a.yaml\nmodel: ../models/other.yaml\nlevers: {extra: on}\n");
    const auto c = dir.write("scenarios/c.yaml", "extends: b.yaml\nname: c\n");
    sim::Diagnostics d;
    auto sc = sim::load_scenario(c, d);
    INFO(d.str());
    REQUIRE(d.empty());
    CHECK(fs::equivalent(sc.model_path, dir.root / "models" / "other.yaml"));
    CHECK(sc.chain.size() == 3);
    CHECK(sc.model.find_lever("land")->on);   // a's settings, applied to b's model
    CHECK(sc.model.find_lever("extra")->on);
    CHECK(sc.model.find("rate")->equation.text == "0.02");
}

TEST_CASE("scenario: extends cycles and missing files are reported where they are named") {
    Dir dir;
    SUBCASE("a two-file cycle") {
        const std::string b = "levers: {land: on}\nextends: a.yaml\n";
        const auto a_path = dir.write("scenarios/a.yaml", "model: ../models/model.yaml\nextends: b.yaml\n");
        const auto b_path = dir.write("scenarios/b.yaml", b);
        sim::Diagnostics d;
        sim::load_scenario(a_path, d);
        INFO(d.str());
        REQUIRE(count_code(d, sim::Code::E_EXTENDS_CYCLE) == 1);
        const auto* x = find_code(d, sim::Code::E_EXTENDS_CYCLE);
        CHECK(x->loc.file == b_path);
        CHECK(x->loc.line == 2);
        CHECK(x->loc.col == where(b, "a.yaml").second);
        CHECK(x->message == "'extends' cycle: " + a_path + " -> " + b_path + " -> " + a_path +
                                "; remove one of these 'extends:'");
    }
    SUBCASE("a file extending itself") {
        const auto a_path = dir.write("scenarios/self.yaml", "model: ../models/model.yaml\nextends: ./self.yaml\n");
        sim::Diagnostics d;
        sim::load_scenario(a_path, d);
        REQUIRE(count_code(d, sim::Code::E_EXTENDS_CYCLE) == 1);
        CHECK(find_code(d, sim::Code::E_EXTENDS_CYCLE)->loc.line == 2);
        CHECK(find_code(d, sim::Code::E_EXTENDS_CYCLE)->loc.col == 10);
    }
    SUBCASE("a missing base") {
        const std::string text = "model: ../models/model.yaml\nextends: nowhere/base.yaml\n";
        const auto p = dir.write("scenarios/m.yaml", text);
        sim::Diagnostics d;
        sim::load_scenario(p, d);
        INFO(d.str());
        REQUIRE(d.items().size() == 1);
        const auto& x = d.items()[0];
        CHECK(x.code == sim::Code::E_EXTENDS_NOT_FOUND);
        CHECK(x.loc.file == p);
        CHECK(x.loc.line == 2);
        CHECK(x.loc.col == 10);
        CHECK(x.message == "scenario file '" + (dir.root / "scenarios" / "nowhere" / "base.yaml").string() +
                               "' not found; 'extends:' is relative to the extending file");
    }
    SUBCASE("no model anywhere in the chain") {
        dir.write("scenarios/base.yaml", "levers: {land: on}\n");
        sim::Diagnostics d;
        sim::load_scenario(dir.write("scenarios/top.yaml", "extends: base.yaml\n"), d);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == sim::Code::E_MISSING_MODEL);
    }
}

TEST_CASE("scenario: errors in an extended file point into that file") {
    Dir dir;
    const std::string base = "model: ../models/model.yaml\nlevers:\n  lnad: on\n  land: {start: 2045}\nreport_at: [2030, 2050]\n";
    const std::string top = "extends: base.yaml\nsim: {stop: 2040}\nset: {rte: 1}\n";
    const auto base_path = dir.write("scenarios/base.yaml", base);
    const auto top_path = dir.write("scenarios/top.yaml", top);
    sim::Diagnostics d;
    sim::load_scenario(top_path, d);
    INFO(d.str());
    auto at = [&](const sim::Diagnostic* x, const std::string& file, const std::string& text, const std::string& needle) {
        REQUIRE(x);
        auto [l, c] = where(text, needle);
        CHECK(x->loc.file == file);
        CHECK(x->loc.line == l);
        CHECK(x->loc.col == c);
    };
    at(find_code(d, sim::Code::E_UNKNOWN_LEVER), base_path, base, "lnad");
    at(find_code(d, sim::Code::E_UNKNOWN_PARAM), top_path, top, "rte");
    // Checked against the final run: the top file shortens it to 2040.
    const auto* ls = find_code(d, sim::Code::E_LEVER_START);
    at(ls, base_path, base, "2045");
    CHECK(ls->message == "lever 'land' starts at 2045, outside the run (2020 to 2040); choose a start within the run");
    const auto* ra = find_code(d, sim::Code::E_REPORT_AT);
    at(ra, base_path, base, "2050");
    CHECK(ra->message == "report time 2050 is outside the run (2020 to 2040); choose report times within the run");
    CHECK(d.error_count() == 4);
}

TEST_CASE("scenario: indicators and report times, and their errors") {
    Dir dir;
    SUBCASE("read") {
        sim::Diagnostics d;
        auto sc = sim::load_scenario(
            dir.write("scenarios/i.yaml", "model: ../models/model.yaml\n"
                                          "indicators: [Pop, {name: land_lever, better: higher}, {name: doubled, better: lower}]\n"
                                          "report_at: [2050, 2030]\n"),
            d);
        INFO(d.str());
        REQUIRE(d.empty());
        REQUIRE(sc.indicators.size() == 3);
        CHECK(sc.indicators[0].name == "Pop");
        CHECK(!sc.indicators[1].lower_is_better);
        CHECK(sc.indicators[2].lower_is_better);
        CHECK(sc.report_at == std::vector<double>{2050, 2030});  // in the order given
    }
    SUBCASE("errors") {
        const std::string text = "model: ../models/model.yaml\n"
                                 "indicators:\n"
                                 "  - popp\n"
                                 "  - {name: doubled, better: worse}\n"
                                 "  - pop\n"
                                 "  - POP\n"
                                 "  - {better: lower}\n"
                                 "report_at: [2030, soon, 2070, 2030]\n";
        const auto p = dir.write("scenarios/e.yaml", text);
        sim::Diagnostics d;
        sim::load_scenario(p, d);
        INFO(d.str());
        auto at = [&](const sim::Diagnostic* x, int line, const std::string& needle) {
            REQUIRE(x);
            CHECK(x->loc.file == p);
            CHECK(x->loc.line == line);
            CHECK(x->loc.col == where(text, needle).second);
        };
        const auto* un = find_code(d, sim::Code::E_UNKNOWN_NAME);
        at(un, 3, "popp");
        CHECK(un->message == "cannot report 'popp': the model has no such variable (did you mean 'pop'?)");
        const auto* bv = find_code(d, sim::Code::E_BAD_VALUE);
        at(bv, 4, "worse");
        CHECK(bv->message == "'better' must be 'higher' or 'lower', found 'worse'");
        at(find_code(d, sim::Code::E_DUPLICATE), 6, "POP");
        at(find_code(d, sim::Code::E_YAML_TYPE), 7, "{better");
        at(find_code(d, sim::Code::E_BAD_NUMBER), 8, "soon");
        at(find_code(d, sim::Code::E_REPORT_AT), 8, "2070");
        at(find_code(d, sim::Code::E_DUPLICATE, 1), 8, "2030]");
        CHECK(d.error_count() == 7);
    }
}
