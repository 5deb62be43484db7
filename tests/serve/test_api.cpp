// The dashboard's API (sim::serve): every endpoint and every refusal, first
// through Dashboard's methods, then over real HTTP against a server on a
// free port (cpp-httplib's client): status, media type, JSON error bodies,
// the body cap (413), the run slots (503), the Host check (403), malformed
// HTTP, and answers that equal the library's own runs bit for bit.
#include <doctest/doctest.h>
#include <httplib.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "json.hpp"
#include "sim/compare.hpp"
#include "sim/ensemble.hpp"
#include "sim/load.hpp"
#include "sim/overrides.hpp"
#include "sim/results.hpp"
#include "sim/sampling.hpp"
#include "sim/scenario.hpp"
#include "sim/serve.hpp"
#include "support.hpp"

using namespace sim::serve;

namespace {

const std::string dir = std::string(SIM_SOURCE_DIR) + "/tests/serve/";
const std::string fixture = dir + "dashboard.yaml";
const std::string chongqing = std::string(SIM_SOURCE_DIR) + "/models/chongqing/scenarios/baseline.yaml";

json::Value parse(const std::string& body) {
    sim::Diagnostics d;
    auto v = json::parse(json::Source{body, "answer"}, d);
    REQUIRE_MESSAGE(v.has_value(), d.str() << "\n" << body.substr(0, 400));
    return *v;
}

std::vector<double> numbers(const json::Value& array) {
    std::vector<double> out;
    for (const auto& x : array.items) out.push_back(x.number);
    return out;
}

// The first error of a refused request: "code|text".
std::string refusal(const Reply& r, int status = 400) {
    CHECK(r.status == status);
    CHECK(r.content_type == "application/json");
    const auto v = parse(r.body);
    const json::Value* e = v.find("error");
    REQUIRE(e);
    REQUIRE(v.find("diagnostics"));
    CHECK(!v.find("diagnostics")->items.empty());
    return e->find("code")->text + "|" + e->find("text")->text;
}

// What `sdsim run` writes for FILE with `--set` values: load, apply the
// overrides (the one override path), compile, run, write_csv.
std::string cli_csv(const std::string& file, const std::vector<std::pair<std::string, double>>& set,
                    const std::vector<std::string>& vars = {}) {
    sim::Diagnostics d;
    sim::ModelSpec spec;
    sim::RunOptions run;
    if (sim::is_scenario_file(file)) {
        auto sc = sim::load_scenario(file, d);
        spec = std::move(sc.model);
        run = sc.run;
    } else {
        spec = sim::load_model(file, d);
    }
    std::vector<sim::Override> o;
    for (const auto& [n, v] : set) o.push_back(sim::command_line_override(n, v));
    REQUIRE(sim::apply_overrides(spec, o, d));
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    if (!vars.empty()) run.save = vars;
    std::ostringstream os;
    sim::write_csv(sim::Model::compile(spec).run(run), os);
    return os.str();
}

// Results as JSON (an /api/run answer) back to the CSV write_csv makes.
std::string answer_csv(const std::string& body) {
    const auto v = parse(body);
    sim::Results r;
    r.times = numbers(*v.find("time"));
    const auto& vars = *v.find("variables");
    std::vector<std::string> names;
    for (const auto& m : vars.members) names.push_back(m.key);
    r.names = std::move(names);
    for (std::size_t i = 0; i < r.times.size(); ++i)
        for (const auto& m : vars.members) r.values.push_back(m.value.items.at(i).number);
    std::ostringstream os;
    sim::write_csv(r, os);
    return os.str();
}

}  // namespace

TEST_CASE("serve api: /api/model describes levers, indicators, constants with ranges, the time axis") {
    Dashboard d(fixture);
    const Reply r = d.model();
    CHECK(r.status == 200);
    const auto v = parse(r.body);
    CHECK(v.find("name")->text == "dashboard test");
    CHECK(v.find("scenario")->is(json::Kind::null));
    const auto& t = *v.find("time");
    CHECK(t.find("start")->number == 0);
    CHECK(t.find("stop")->number == 10);
    CHECK(t.find("dt")->number == 0.5);
    CHECK(t.find("save_step")->number == 1);
    CHECK(t.find("units")->text == "year");
    CHECK(t.find("rows")->number == 11);
    const auto& levers = v.find("levers")->items;
    REQUIRE(levers.size() == 2);
    CHECK(levers[0].find("name")->text == "a");
    CHECK(levers[0].find("title")->text == "Lever A");
    CHECK(levers[0].find("section")->text == "§1");
    CHECK(levers[0].find("description")->text == "adds up to 1 widget/year to growth");
    CHECK(levers[0].find("on")->boolean == false);
    CHECK(levers[0].find("start")->number == 2);
    CHECK(levers[0].find("phase_in")->number == 2);
    CHECK(levers[0].find("intensity")->number == 1);
    // No scenario: the indicators are the stocks.
    const auto& ind = v.find("indicators")->items;
    REQUIRE(ind.size() == 1);
    CHECK(ind[0].find("name")->text == "x");
    CHECK(ind[0].find("units")->text == "widget");
    CHECK(numbers(*v.find("report_at")) == std::vector<double>{10});
    // Constants: values (also of a computed one) and ranges from the uncertainties.
    const auto& cs = v.find("constants")->items;
    REQUIRE(cs.size() == 3);
    CHECK(cs[0].find("name")->text == "base_growth");
    CHECK(cs[0].find("value")->number == 1);
    CHECK(cs[0].find("settable")->boolean);
    CHECK(numbers(*cs[0].find("range")) == std::vector<double>{0.5, 1.5});
    CHECK(cs[0].find("uncertainty")->find("dist")->text == "uniform");
    CHECK(cs[1].find("name")->text == "scale");
    const auto range = numbers(*cs[1].find("range"));  // normal: the 0.1 % and 99.9 % quantiles
    CHECK(range[0] == doctest::Approx(10 - 3.0902323).epsilon(1e-6));
    CHECK(range[1] == doctest::Approx(10 + 3.0902323).epsilon(1e-6));
    CHECK(cs[2].find("name")->text == "doubled");
    CHECK(cs[2].find("value")->number == 2);
    CHECK_FALSE(cs[2].find("settable")->boolean);
    CHECK(cs[2].find("range")->is(json::Kind::null));
    CHECK(v.find("uncertainties")->items.size() == 2);
    // Every variable, lever variables included, with kinds and units.
    bool lever_var = false;
    for (const auto& x : v.find("variables")->items) lever_var = lever_var || x.find("name")->text == "a_lever";
    CHECK(lever_var);
}

TEST_CASE("serve api: an array's elements are described by their array (kind, units, doc)") {
    Dashboard d(chongqing);
    const auto v = parse(d.model().body);
    const json::Value* core = nullptr;
    for (const auto& x : v.find("variables")->items)
        if (x.find("name")->text == "area_rural_residents[core]") core = &x;
    REQUIRE(core);
    CHECK(core->find("kind")->text == "stock");
    CHECK(core->find("units")->text == "10k persons");
    CHECK_FALSE(core->find("doc")->text.empty());
}

TEST_CASE("serve api: a scenario's indicators, report times and inputs") {
    Dashboard d(dir + "scenario.yaml");
    const auto v = parse(d.model().body);
    const auto& sc = *v.find("scenario");
    CHECK(sc.find("name")->text == "b on");
    REQUIRE(sc.find("sources")->items.size() == 2);
    CHECK(sc.find("sources")->items[0].find("role")->text == "scenario");
    CHECK(sc.find("sources")->items[1].find("role")->text == "model");
    CHECK(sc.find("sources")->items[1].find("sha256")->text.size() == 64);
    const auto& ind = v.find("indicators")->items;
    REQUIRE(ind.size() == 2);
    CHECK(ind[1].find("name")->text == "share");
    CHECK(ind[1].find("lower_is_better")->boolean);
    CHECK(numbers(*v.find("report_at")) == std::vector<double>{5, 10});
    CHECK(v.find("levers")->items[1].find("on")->boolean);  // the scenario's setting
    CHECK(d.title() == "scenario b on (model dashboard test)");
}

TEST_CASE("serve api: the file is read once, so a scenario from a FIFO loads") {
    // A reader that opened the file twice (once to see whether it is a
    // scenario, once to load it) would find the FIFO empty the second time.
    simtest::TempDir tmp("sim_serve_fifo");
    std::ifstream model_in(fixture, std::ios::binary);
    std::stringstream model_text;
    model_text << model_in.rdbuf();
    tmp.write("dashboard.yaml", model_text.str());
    const std::string fifo = (tmp / "s.yaml").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        const std::string text = "name: fifo\nmodel: dashboard.yaml\nlevers:\n  b: on\n";
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        int fd = -1;  // non-blocking: succeeds once the reader has the FIFO open
        while (!done && (fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) < 0 &&
               std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (fd >= 0) {
            CHECK(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
            ::close(fd);
        }
        // A second open by the reader would block on a FIFO with no writer:
        // release it (with an empty file) when the test ends or gives up.
        while (!done && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        int again = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (again >= 0) ::close(again);
    });
    std::optional<Dashboard> d;
    std::string error;
    try {
        d.emplace(fifo);
    } catch (const sim::Error& e) {
        error = e.what();
    }
    done = true;
    writer.join();
    REQUIRE_MESSAGE(d.has_value(), error);
    const auto v = parse(d->model().body);
    CHECK(v.find("scenario")->find("name")->text == "fifo");
    CHECK(v.find("levers")->items[1].find("on")->boolean);
}

TEST_CASE("serve api: /api/run equals sdsim run with the same settings, bit for bit, on both routes") {
    Dashboard d(fixture);
    // No settings: the served file as it is.
    Reply r = d.run("{}");
    CHECK(r.status == 200);
    CHECK(answer_csv(r.body) == cli_csv(fixture, {}));
    // Levers (the fast route: RunOptions::set on the model compiled once).
    r = d.run(R"({"levers": {"a": {"intensity": 0.5, "start": 3, "phase_in": 1.5}, "b": true}})");
    CHECK(r.status == 200);
    const std::string want = cli_csv(fixture, {{"a_on", 1}, {"a_intensity", 0.5}, {"a_start", 3}, {"a_phase_in", 1.5}, {"b_on", 1}});
    CHECK(answer_csv(r.body) == want);
    // The same as CSV: write_csv's bytes, exactly what `sdsim run` prints.
    r = d.run(R"({"levers": {"a": {"intensity": 0.5, "start": 3, "phase_in": 1.5}, "b": true}, "format": "csv"})");
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/csv; charset=utf-8");
    CHECK(r.body == want);
    // A constant computed from another: the compile route.
    r = d.run(R"({"set": {"doubled": 3, "base_growth": 0.25}, "format": "csv"})");
    CHECK(r.status == 200);
    CHECK(r.body == cli_csv(fixture, {{"doubled", 3}, {"base_growth", 0.25}}));
    // An expression in a string, as a quoted value in a scenario's set:.
    r = d.run(R"({"set": {"base_growth": "scale / 20"}, "vars": ["x"], "format": "csv"})");
    CHECK(r.status == 200);
    CHECK(r.body == cli_csv(fixture, {{"base_growth", 0.5}}, {"x"}));
    // vars: only these, in this order; warnings are listed.
    r = d.run(R"({"vars": ["share", "x"]})");
    const auto v = parse(r.body);
    CHECK(v.find("variables")->members.size() == 2);
    CHECK(v.find("variables")->members[0].key == "share");
    CHECK(v.find("warnings")->items.empty());
    CHECK(numbers(*v.find("time")).size() == 11);
}

TEST_CASE("serve api: Chongqing lever settings through /api/run equal sdsim run --set, every lever") {
    Dashboard d(chongqing);
    const auto model = parse(d.model().body);
    for (const auto& l : model.find("levers")->items) {
        const std::string n = l.find("name")->text;
        const std::string body = "{\"levers\": {\"" + n +
                                 "\": {\"on\": true, \"intensity\": 0.65, \"start\": 2028, \"phase_in\": 4.5}}, "
                                 "\"set\": {\"habit_time\": 2.5}, \"format\": \"csv\"}";
        const Reply r = d.run(body);
        REQUIRE(r.status == 200);
        CHECK_MESSAGE(r.body == cli_csv(chongqing, {{n + "_on", 1}, {n + "_intensity", 0.65}, {n + "_start", 2028},
                                                     {n + "_phase_in", 4.5}, {"habit_time", 2.5}}),
                      n);
    }
}

TEST_CASE("serve api: bad requests are refused with the CLI's codes and messages, at their place in the body") {
    Dashboard d(fixture);
    CHECK(refusal(d.run("")) == "E-JSON-SYNTAX|request body:1:1: error: the body is empty; expected a JSON value [E-JSON-SYNTAX]");
    CHECK(refusal(d.run("{\"levers\": {\"a\": tru}}")) ==
          "E-JSON-SYNTAX|request body:1:18: error: unexpected 't'; expected a JSON value [E-JSON-SYNTAX]");
    CHECK(refusal(d.run("[1]")) ==
          "E-JSON-TYPE|request body:1:1: error: the request body must be a JSON object, found an array [E-JSON-TYPE]");
    CHECK(refusal(d.run(R"({"lever": {}})")) ==
          "E-UNKNOWN-KEY|request body:1:2: error: unknown key 'lever' in the request (did you mean 'levers'?) [E-UNKNOWN-KEY]");
    CHECK(refusal(d.run(R"({"levers": {"c": true}})")) ==
          "E-UNKNOWN-LEVER|request body:1:13: error: variable 'c': the model has no lever 'c' (did you mean 'a'?) [E-UNKNOWN-LEVER]");
    CHECK(refusal(d.run(R"({"levers": {"a": {"intensity": 1.5}}})")) ==
          "E-LEVER-INTENSITY|request body:1:32: error: variable 'a': lever intensity must be between 0 and 1, found 1.5 [E-LEVER-INTENSITY]");
    CHECK(refusal(d.run(R"({"levers": {"a": {"start": 1900}}})")) ==
          "E-LEVER-START|request body:1:28: error: variable 'a': lever 'a' starts at 1900, outside the run (0 to 10); choose a start within the run [E-LEVER-START]");
    CHECK(refusal(d.run(R"({"levers": {"a": {"phase_in": -1}}})")) ==
          "E-BAD-NUMBER|request body:1:31: error: variable 'a_phase_in': lever phase_in must be 0 (a step) or a positive duration [E-BAD-NUMBER]");
    CHECK(refusal(d.run(R"({"levers": {"a": {"on": 1}}})")) ==
          "E-BAD-BOOL|request body:1:25: error: variable 'a': lever 'on' must be true or false, found a number [E-BAD-BOOL]");
    CHECK(refusal(d.run(R"({"levers": {"a": {"speed": 1}}})")) ==
          "E-UNKNOWN-KEY|request body:1:19: error: variable 'a': unknown key 'speed' in the lever setting 'a' (allowed: on, intensity, start, phase_in) [E-UNKNOWN-KEY]");
    CHECK(refusal(d.run(R"({"levers": {"a": "on"}})")) ==
          "E-BAD-BOOL|request body:1:18: error: variable 'a': a lever setting is true, false or {\"on\": true, \"intensity\": 0.5, \"start\": ..., \"phase_in\": ...}, found a string [E-BAD-BOOL]");
    CHECK(refusal(d.run(R"({"set": {"base_grwth": 2}})")) ==
          "E-UNKNOWN-PARAM|request body:1:10: error: variable 'base_grwth': the model has no constant 'base_grwth' (did you mean 'base_growth'?) [E-UNKNOWN-PARAM]");
    CHECK(refusal(d.run(R"({"set": {"x": 2}})")) ==
          "E-NOT-CONSTANT|request body:1:10: error: variable 'x': 'x' is a stock, not a constant; only constants can be set [E-NOT-CONSTANT]");
    CHECK(refusal(d.run(R"({"set": {"a_lever": 2}})")) ==
          "E-NOT-CONSTANT|request body:1:10: error: variable 'a_lever': 'a_lever' is computed from the settings of lever 'a'; set a_on, a_intensity, a_start or a_phase_in [E-NOT-CONSTANT]");
    CHECK(refusal(d.run(R"({"set": {"scale": [1]}})")) ==
          "E-BAD-NUMBER|request body:1:19: error: variable 'scale': the new value of 'scale' must be a number (or an expression in a string), found an array [E-BAD-NUMBER]");
    CHECK(refusal(d.run(R"({"set": {"scale": "sclae * 2"}})")) ==
          "E-UNKNOWN-NAME|request body:1:20: error: variable 'scale': unknown name 'sclae'; did you mean 'scale'? [E-UNKNOWN-NAME]");
    CHECK(refusal(d.run(R"({"vars": ["y"]})")) ==
          "E-UNKNOWN-NAME|request body:1:11: error: variable 'y': cannot save 'y': the model has no such variable (did you mean 'x'?) [E-UNKNOWN-NAME]");
    CHECK(refusal(d.run(R"({"vars": ["x", "X"]})")) ==
          "E-DUPLICATE|request body:1:16: error: variable 'X': 'X' is listed twice in 'vars'; remove one [E-DUPLICATE]");
    // A list longer than any valid one is refused whole.
    std::string many_vars = R"({"vars": [)";
    for (int i = 0; i < 40; ++i) many_vars += std::string(i ? "," : "") + "\"x" + std::to_string(i) + "\"";
    CHECK(refusal(d.run(many_vars + "]}")) ==
          "E-BAD-VALUE|request body:1:10: error: 'vars' lists 40 entries; the model has only 18 [E-BAD-VALUE]");
    CHECK(refusal(d.run(R"({"vars": "x"})")) ==
          "E-JSON-TYPE|request body:1:10: error: 'vars' must be an array, found a string [E-JSON-TYPE]");
    CHECK(refusal(d.run(R"({"format": "xml"})")) ==
          "E-BAD-VALUE|request body:1:12: error: unknown format 'xml' (expected json or csv) [E-BAD-VALUE]");
    // Several errors at once, each in the list.
    const Reply many = d.run(R"({"levers": {"c": true, "a": {"intensity": 2}}, "set": {"zz": 1}})");
    CHECK(parse(many.body).find("diagnostics")->items.size() == 3);
}

TEST_CASE("serve api: runs are bounded by the step, time and size budgets") {
    Options o;
    o.max_steps = 5;
    CHECK_THROWS_AS(Dashboard(fixture, o), sim::Error);  // the start-up run is refused too
    o = {};
    o.max_cells = 20;  // 11 rows: one variable fits, every variable does not
    Dashboard d(fixture, o);
    CHECK(d.run(R"({"vars": ["x"]})").status == 200);
    CHECK(refusal(d.run("{}")).rfind("E-BUDGET|error: the answer would hold 11 rows x 18 variables, more than the "
                                     "server's limit of 20 values; ask for fewer variables with \"vars\"",
                                     0) == 0);
    CHECK(refusal(d.bands(R"({"samples": 5})")).rfind("E-BUDGET|", 0) == 0);  // 5 bands of 11 rows
    CHECK(refusal(d.compare("{}")).rfind("E-BUDGET|error: comparing 4 combinations of 1 indicators at 1 times", 0) == 0);
}

TEST_CASE("serve api: /api/compare equals sim::compare of the same base") {
    Dashboard d(dir + "scenario.yaml");
    const Reply r = d.compare(R"({"levers": {"a": {"on": false, "intensity": 0.5}}})");
    REQUIRE(r.status == 200);
    const auto v = parse(r.body);
    // The library's own comparison of the scenario with a's intensity at 0.5.
    sim::Diagnostics diags;
    auto sc = sim::load_scenario(dir + "scenario.yaml", diags);
    sc.model.levers[0].intensity = 0.5;
    sim::CompareOptions o;
    o.indicators = sc.indicators;
    o.at = sc.report_at;
    o.threads = 1;
    const sim::CompareResult want = sim::compare(sim::Model::compile(sc.model), o);
    REQUIRE(v.find("combinations")->items.size() == 4);
    CHECK(v.find("levers")->items[0].text == "a");
    CHECK(v.find("lever_titles")->items[0].text == "Lever A");
    CHECK(numbers(*v.find("at")) == std::vector<double>{5, 10});
    CHECK(v.find("cost")->find("name")->text == want.cost_name);
    for (unsigned m = 0; m < 4; ++m) {
        const auto& c = v.find("combinations")->items[m];
        CHECK(c.find("label")->text == want.label(m));
        for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t a = 0; a < 2; ++a) CHECK(c.find("values")->items[i].items[a].number == want.value(m, i, a));
        CHECK(numbers(*c.find("cost")) == want.combinations[m].cost);
    }
    const auto& effects = v.find("effects")->items;
    REQUIRE(effects.size() == 4);
    CHECK(effects[3].find("indicator")->text == "share");
    CHECK(effects[3].find("at")->number == 10);
    CHECK(numbers(*effects[3].find("main")) == want.effect(1, 1).main);
    CHECK(numbers(*effects[3].find("shapley")) == want.effect(1, 1).shapley);
    CHECK(effects[3].find("all_levers_effect")->number == want.effect(1, 1).all);
    // Chosen levers, times and indicators.
    const auto w = parse(d.compare(R"({"compare": ["b"], "at": [7], "indicators": [{"name": "x", "better": "lower"}]})").body);
    CHECK(w.find("combinations")->items.size() == 2);
    CHECK(w.find("indicators")->items[0].find("lower_is_better")->boolean);
    // Refusals.
    CHECK(refusal(d.compare(R"({"compare": ["q"]})")).rfind("E-COMPARE-LEVER|", 0) == 0);
    CHECK(refusal(d.compare(R"({"compare": []})")) ==
          "E-COMPARE-NO-LEVERS|request body:1:13: error: 'compare' lists no lever; omit it to compare every lever [E-COMPARE-NO-LEVERS]");
    CHECK(refusal(d.compare(R"({"at": [99]})")).rfind("E-COMPARE-AT|", 0) == 0);
    CHECK(refusal(d.compare(R"({"indicators": [{"name": "x", "better": "up"}]})")) ==
          "E-BAD-VALUE|request body:1:41: error: variable 'x': \"better\" must be \"higher\" or \"lower\" [E-BAD-VALUE]");
    Options few;
    few.max_compare_levers = 1;
    Dashboard small(fixture, few);
    CHECK(refusal(small.compare("{}")) ==
          "E-COMPARE-TOO-MANY|error: 2 levers make 4 runs; this server compares at most 1 levers at once: list fewer in 'compare' [E-COMPARE-TOO-MANY]");
}

TEST_CASE("serve api: /api/bands gives the ensemble's percentiles of the current settings") {
    Dashboard d(fixture);
    const Reply r = d.bands(R"({"levers": {"b": true}, "samples": 40, "seed": 3, "vars": ["x", "share"]})");
    REQUIRE(r.status == 200);
    const auto v = parse(r.body);
    CHECK(v.find("samples")->number == 40);
    CHECK(numbers(*v.find("quantiles")) == std::vector<double>{0.05, 0.25, 0.5, 0.75, 0.95});
    const auto times = numbers(*v.find("time"));
    REQUIRE(times.size() == 11);
    // The library's ensemble with the same samples and settings.
    sim::Diagnostics diags;
    auto spec = sim::load_model(fixture, diags);
    spec.levers[1].on = true;
    const auto model = sim::Model::compile(spec);
    sim::EnsembleOptions eo;
    eo.indicators = {"x", "share"};
    eo.threads = 1;
    eo.trajectory_quantiles = {0.05, 0.25, 0.5, 0.75, 0.95};
    const auto e = sim::run_ensemble(
        model, sim::sample(spec.uncertainties, spec.correlations, 40, sim::SampleMethod::latin_hypercube, 3), eo);
    const char* q[] = {"p5", "p25", "p50", "p75", "p95"};
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& band = *v.find("bands")->find(i == 0 ? "x" : "share");
        for (std::size_t k = 0; k < 5; ++k) {
            const auto s = numbers(*band.find(q[k]));
            for (std::size_t row = 0; row < times.size(); ++row) CHECK(s[row] == e.trajectory(0, i, row, k));
        }
        // Ordered, and wide where the parameters matter.
        const auto lo = numbers(*band.find("p5")), hi = numbers(*band.find("p95"));
        CHECK(lo.back() < hi.back());
    }
    // Refusals.
    CHECK(refusal(d.bands(R"({"samples": 1})")) ==
          "E-BAD-NUMBER|request body:1:13: error: 'samples' must be a whole number from 2 to 1000, found 1 [E-BAD-NUMBER]");
    CHECK(refusal(d.bands(R"({"seed": -1})")).rfind("E-BAD-NUMBER|", 0) == 0);
    Dashboard plain(std::string(SIM_SOURCE_DIR) + "/tests/cli/levers.yaml");
    CHECK(refusal(plain.bands("{}")).rfind("E-ENSEMBLE|error: the model declares no uncertain parameters", 0) == 0);
}

TEST_CASE("serve api: mutated bodies never crash the API: 200, or 400 with a JSON error") {
    Dashboard d(fixture);
    const std::vector<std::string> seeds = {
        R"({"levers": {"a": {"on": true, "intensity": 0.5, "start": 3, "phase_in": 1}, "b": false}, "vars": ["x"]})",
        R"({"set": {"base_growth": 2, "doubled": "3 * scale", "a_on": true}, "format": "csv"})",
        R"({"compare": ["a", "b"], "at": [5, 10], "indicators": ["x", {"name": "share", "better": "lower"}]})",
        R"({"samples": 8, "seed": 2, "vars": ["share"], "levers": {"b": true}})",
        R"({"levers": {}, "set": {}, "vars": []})"};
    const std::string alphabet = "{}[]\":,0123456789.-+eE truefalsn\\u/\x01\xff\xc3\xa9" "ab_";
    std::mt19937 rng(20240516);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % std::max<std::size_t>(n, 1)); };
    int ok = 0, refused = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string b = seeds[pick(seeds.size())];
        for (std::size_t e = 0, n = 1 + pick(4); e < n; ++e) {
            const std::size_t at = pick(b.size() + 1);
            switch (pick(4)) {
                case 0: if (at < b.size()) b.erase(at, 1 + pick(6)); break;
                case 1: b.insert(at, 1, alphabet[pick(alphabet.size())]); break;
                case 2: if (at < b.size()) b[at] = alphabet[pick(alphabet.size())]; break;
                default: b.insert(at, b.substr(pick(b.size()), pick(12))); break;
            }
        }
        const Reply r = i % 3 == 0 ? d.run(b) : i % 3 == 1 ? d.compare(b) : d.bands(b);
        REQUIRE_MESSAGE((r.status == 200 || r.status == 400), b);
        if (r.status == 400) {
            ++refused;
            const auto v = parse(r.body);
            REQUIRE_MESSAGE(!v.find("error")->find("code")->text.empty(), b);
        } else {
            ++ok;
            if (r.content_type == "application/json") parse(r.body);
        }
    }
    CHECK(ok > 0);
    CHECK(refused > 0);
}

// ---------------------------------------------------------------- over HTTP

namespace {

// A server on a free port of 127.0.0.1, serving on its own thread.
struct Running {
    Dashboard dash;
    Server server;
    int port;
    std::thread thread;
    explicit Running(const std::string& file, Options o = {})
        : dash(file, [&] {
              o.port = 0;
              return o;
          }()),
          server(dash),
          port(server.bind()),
          thread([this] { server.listen(); }) {}
    ~Running() {
        server.stop();
        thread.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(30);
        c.set_tcp_nodelay(true);  // as browsers do: no Nagle delay between headers and body
        return c;
    }
};

// The answer's error code as the enum (nullopt if the name is not a code), so
// that a wrong or misspelt name in the JSON fails the comparison.
std::optional<sim::Code> error_code(const std::string& body) {
    return sim::parse_code(parse(body).find("error")->find("code")->text);
}

// Sends raw bytes on a new connection; returns what comes back before the server closes it.
std::string raw_exchange(int port, const std::string& bytes) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

}  // namespace

TEST_CASE("serve http: the page, its assets and every endpoint over a real connection") {
    Running s(fixture);
    auto c = s.client();
    auto page = c.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->body.find("<script src=\"/app.js\" defer></script>") != std::string::npos);
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
    CHECK(find_asset("/")->body == page->body);
    auto js = c.Get("/app.js");
    REQUIRE(js);
    CHECK(js->status == 200);
    CHECK(js->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(js->body.find("window.dashboard") != std::string::npos);
    auto css = c.Get("/style.css");
    REQUIRE(css);
    CHECK(css->get_header_value("Content-Type") == "text/css; charset=utf-8");
    // The page fetches nothing from elsewhere: no scheme in any asset's URLs.
    for (const auto* a : {&page->body, &js->body, &css->body}) {
        CHECK(a->find("https://") == std::string::npos);
        CHECK(a->find("//cdn") == std::string::npos);
    }

    auto model = c.Get("/api/model");
    REQUIRE(model);
    CHECK(model->status == 200);
    CHECK(model->get_header_value("Content-Type") == "application/json");
    // Uncompressed whatever the client accepts (compressing costs more than it saves here).
    auto plain = c.Get("/api/model", httplib::Headers{{"Accept-Encoding", "br, gzip, deflate"}});
    REQUIRE(plain);
    CHECK_FALSE(plain->has_header("Content-Encoding"));
    CHECK(plain->body == model->body);
    CHECK(model->body == s.dash.model().body);

    const std::string body = R"({"levers": {"a": true}, "vars": ["x"]})";
    auto run = c.Post("/api/run", body, "application/json");
    REQUIRE(run);
    CHECK(run->status == 200);
    CHECK(run->body == s.dash.run(body).body);
    auto csv = c.Post("/api/run", R"({"format": "csv"})", "application/json");
    REQUIRE(csv);
    CHECK(csv->get_header_value("Content-Type") == "text/csv; charset=utf-8");
    CHECK(csv->body == cli_csv(fixture, {}));
    auto cmp = c.Post("/api/compare", "{}", "application/json");
    REQUIRE(cmp);
    CHECK(cmp->status == 200);
    CHECK(parse(cmp->body).find("combinations")->items.size() == 4);
    auto bands = c.Post("/api/bands", R"({"samples": 10})", "application/json");
    REQUIRE(bands);
    CHECK(bands->status == 200);
    CHECK(parse(bands->body).find("bands")->find("x"));
}

TEST_CASE("serve http: every error is JSON with a code and a status") {
    Options o;
    o.max_body_bytes = 1000;
    Running s(fixture, o);
    auto c = s.client();
    auto bad = c.Post("/api/run", "{\"levers\": ", "application/json");
    REQUIRE(bad);
    CHECK(bad->status == 400);
    CHECK(error_code(bad->body) == sim::Code::E_JSON_SYNTAX);
    CHECK(parse(bad->body).find("error")->find("message")->text == "the body ends where a JSON value was expected");
    auto lever = c.Post("/api/run", R"({"levers": {"z": true}})", "application/json");
    REQUIRE(lever);
    CHECK(lever->status == 400);
    CHECK(error_code(lever->body) == sim::Code::E_UNKNOWN_LEVER);
    auto cmp = c.Post("/api/compare", "null", "application/json");
    REQUIRE(cmp);
    CHECK(cmp->status == 400);
    CHECK(error_code(cmp->body) == sim::Code::E_JSON_TYPE);
    auto bands = c.Post("/api/bands", R"({"samples": 0.5})", "application/json");
    REQUIRE(bands);
    CHECK(bands->status == 400);
    CHECK(error_code(bands->body) == sim::Code::E_BAD_NUMBER);
    // Unknown paths and methods.
    auto missing = c.Get("/api/nothing");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(error_code(missing->body) == sim::Code::E_SERVE_REQUEST);
    auto get_run = c.Get("/api/run");
    REQUIRE(get_run);
    CHECK(get_run->status == 404);
    CHECK(error_code(get_run->body) == sim::Code::E_SERVE_REQUEST);
    auto put = c.Put("/api/run", "{}", "application/json");
    REQUIRE(put);
    CHECK(put->status >= 400);
    CHECK(error_code(put->body) == sim::Code::E_SERVE_REQUEST);
    // A body over the cap: 413, before it is read into memory.
    auto big = c.Post("/api/run", std::string(2000, ' ') + "{}", "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(error_code(big->body) == sim::Code::E_SERVE_REQUEST);
    // Another Host than a loopback name (DNS rebinding): 403.
    httplib::Headers foreign{{"Host", "attacker.example:80"}};
    auto host = c.Get("/api/model", foreign);
    REQUIRE(host);
    CHECK(host->status == 403);
    CHECK(error_code(host->body) == sim::Code::E_SERVE_REQUEST);
    httplib::Headers local{{"Host", "localhost:" + std::to_string(s.port)}};
    auto ok = c.Get("/api/model", local);
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("serve http: when every run slot is taken the server answers 503, and serves again after") {
    Options o;
    o.max_concurrent = 2;
    Running s(fixture, o);
    REQUIRE(s.server.slots().try_acquire());
    REQUIRE(s.server.slots().try_acquire());
    auto c = s.client();
    auto busy = c.Post("/api/run", "{}", "application/json");
    REQUIRE(busy);
    CHECK(busy->status == 503);
    CHECK(busy->get_header_value("Retry-After") == "1");
    CHECK(error_code(busy->body) == sim::Code::E_SERVE_BUSY);
    // GET /api/model needs no slot.
    auto model = c.Get("/api/model");
    REQUIRE(model);
    CHECK(model->status == 200);
    s.server.slots().release();
    auto run = c.Post("/api/run", "{}", "application/json");
    REQUIRE(run);
    CHECK(run->status == 200);
    s.server.slots().release();
    // Many clients at once: each gets a run or a 503, never anything else.
    std::vector<std::thread> clients;
    std::atomic<int> ok{0}, busy_count{0}, other{0};
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&] {
            auto cl = s.client();
            for (int k = 0; k < 10; ++k) {
                auto r = cl.Post("/api/run", R"({"levers": {"a": true}})", "application/json");
                if (r && r->status == 200) ++ok;
                else if (r && r->status == 503) ++busy_count;
                else ++other;
            }
        });
    for (auto& t : clients) t.join();
    CHECK(other == 0);
    CHECK(ok + busy_count == 80);
    CHECK(ok > 0);
}

TEST_CASE("serve http: malformed HTTP gets 400 and the server keeps serving") {
    Running s(fixture);
    for (const std::string& junk : {std::string("GARBAGE\r\n\r\n"), std::string("GET /\r\n\r\n"),
                                   std::string("POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: zz\r\n\r\n{}"),
                                   std::string("\x00\x01\x02\xff\r\n\r\n", 8),
                                   "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"}) {
        const std::string answer = raw_exchange(s.port, junk);
        CHECK_MESSAGE((answer.empty() || answer.rfind("HTTP/1.1 4", 0) == 0), answer.substr(0, 80));
    }
    // A body shorter than its Content-Length: the read times out or ends; no crash.
    raw_exchange(s.port, "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"le");
    auto c = s.client();
    auto r = c.Post("/api/run", "{}", "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
}
