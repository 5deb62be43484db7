// The error policy: every diagnostic code is in the one display table,
// documented in docs/errors.md, and every code the sources use is a Code
// enumerator; one exception type (sim::Error) and the non-throwing overloads.
// (convert_codes: skip — this file names codes as text on purpose.)
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "sim/compare.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/write.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text without // comments (comments may quote a code's display name).
std::string code_only(const std::string& text) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::string line = text.substr(pos, eol - pos);
        auto c = line.find("//");
        if (c != std::string::npos && line.find('"') > c) line.resize(c);  // not inside a string
        out += line + '\n';
        pos = eol + 1;
    }
    return out;
}

// Every C++ source under libsim/ and cli/.
std::vector<fs::path> sources() {
    std::vector<fs::path> out;
    for (const char* dir : {"libsim", "cli"})
        for (const auto& e : fs::recursive_directory_iterator(fs::path(SIM_SOURCE_DIR) / dir))
            if (e.is_regular_file() && (e.path().extension() == ".cpp" || e.path().extension() == ".hpp"))
                out.push_back(e.path());
    REQUIRE(out.size() > 20);
    return out;
}

}  // namespace

TEST_CASE("errors: the display table lists every code once, in enum order, named after its enumerator") {
    auto codes = sim::all_codes();
    REQUIRE(codes.size() == static_cast<std::size_t>(sim::Code::count_));
    std::set<std::string> names;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        CHECK(static_cast<std::size_t>(codes[i].code) == i);
        CHECK(std::string(codes[i].meaning).size() > 5);
        if (i == 0) continue;  // Code::none
        const std::string n = codes[i].name;
        CHECK_MESSAGE(std::regex_match(n, std::regex("[EW](-[A-Z0-9]+)+")), n);
        CHECK_MESSAGE(names.insert(n).second, n << " twice");
        CHECK(sim::parse_code(n) == codes[i].code);
        CHECK(std::string(sim::name(codes[i].code)) == n);
    }
    CHECK_FALSE(sim::parse_code("E-NO-SUCH-CODE").has_value());
    CHECK(std::string(sim::name(sim::Code::none)).empty());
}

TEST_CASE("errors: every code is documented in docs/errors.md, and nothing else is") {
    const std::string doc = slurp(fs::path(SIM_SOURCE_DIR) / "docs" / "errors.md");
    REQUIRE(!doc.empty());
    std::set<std::string> documented;
    // Each code has a table row: | `E-FOO` | meaning |
    std::regex row("\\n\\| `([EW](?:-[A-Z0-9]+)+)` \\|");
    for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) documented.insert((*it)[1]);
    for (const auto& c : sim::all_codes()) {
        if (c.code == sim::Code::none) continue;
        CHECK_MESSAGE(documented.count(c.name) == 1, c.name << " has no row in docs/errors.md");
    }
    for (const auto& d : documented) CHECK_MESSAGE(sim::parse_code(d).has_value(), d << " is documented but not a code");
}

TEST_CASE("errors: every code the sources use is an enumerator; no code is a free string") {
    std::regex literal("\"([EW](?:-[A-Z0-9]+)+)\"");
    std::regex enumerator("Code::([EW](?:_[A-Z0-9]+)+)\\b");
    std::size_t uses = 0;
    for (const auto& p : sources()) {
        const std::string text = code_only(slurp(p));
        const bool table = p.filename() == "diagnostic.cpp";  // the display table itself
        for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it)
            CHECK_MESSAGE(table, p.string() << ": the code " << (*it)[1]
                                            << " is a string literal; use sim::Code (convert_codes.py)");
        for (std::sregex_iterator it(text.begin(), text.end(), enumerator), end; it != end; ++it) {
            std::string n = (*it)[1];
            for (char& c : n)
                if (c == '_') c = '-';
            CHECK_MESSAGE(sim::parse_code(n).has_value(), p.string() << ": Code::" << (*it)[1] << " is not in the table");
            ++uses;
        }
    }
    CHECK(uses > 100);
}

TEST_CASE("errors: a diagnostic prints its code's display name") {
    sim::Diagnostics ds;
    ds.error(sim::Code::E_UNKNOWN_NAME, {"m.yaml", 3, 7}, "x", "unknown name 'y'");
    sim::Diagnostic d = ds.items().at(0);
    CHECK(sim::format(d) == "m.yaml:3:7: error: variable 'x': unknown name 'y' [E-UNKNOWN-NAME]");
    d.code = sim::Code::none;
    CHECK(sim::format(d) == "m.yaml:3:7: error: variable 'x': unknown name 'y'");
}

TEST_CASE("errors: failures reach a library caller as sim::Error only") {
    simtest::TempDir dir("sim_errors");
    // An I/O failure of the atomic writer: sim::Error E-IO with the errno.
    try {
        sim::write_file_atomic((dir / "no/such/dir/x.csv").string(), [](std::ostream& os) { os << "x"; });
        FAIL("no exception");
    } catch (const sim::Error& e) {
        CHECK(e.code() == sim::Code::E_IO);
        CHECK(e.os_error() == std::errc::no_such_file_or_directory);
    }
    // Results: an unknown name and a time outside the run.
    sim::ModelSpec m;
    m.specs.stop = 4;
    m.add_stock("x", "1", {"g"});
    m.add_flow("g", "1");
    auto r = sim::Model::compile(m).run();
    try {
        (void)r.series("nope");
        FAIL("no exception");
    } catch (const sim::Error& e) {
        CHECK(e.code() == sim::Code::E_UNKNOWN_NAME);
    }
    // The comparison's analysis.
    try {
        (void)sim::factorial_effects(std::vector<double>{1, 2, 3});
        FAIL("no exception");
    } catch (const sim::Error& e) {
        CHECK(e.code() == sim::Code::E_COMPARE_EFFECTS);
    }
}

TEST_CASE("errors: the non-throwing overloads return the value or the diagnostics") {
    simtest::TempDir dir("sim_expected");
    const auto good = dir.write("good.yaml", "name: g\nsim: {start: 0, stop: 2, dt: 1}\nstocks:\n  x: {initial: 1, inflows: [f]}\nflows:\n  f: 2\n");
    const auto bad = dir.write("bad.yaml", "name: b\nsim: {start: 0, stop: 2, dt: 1}\nflows:\n  f: rtae\nconstants:\n  rate: 1\n");

    auto spec = sim::try_load_model(good);
    REQUIRE(spec);
    auto model = sim::Model::try_compile(*spec);
    REQUIRE(model);
    auto run = model->try_run();
    REQUIRE(run);
    CHECK(run->at("x", 2) == 5);

    sim::RunOptions o;
    o.dt = -1;
    auto failed = model->try_run(o);
    CHECK_FALSE(failed);
    REQUIRE(!failed.diagnostics().empty());
    CHECK(failed.diagnostics().items()[0].code == sim::Code::E_DT);
    CHECK_THROWS_AS((void)failed.value(), sim::Error);

    auto missing = sim::try_load_model((dir / "missing.yaml").string());
    CHECK_FALSE(missing);
    CHECK(missing.diagnostics().items().at(0).code == sim::Code::E_IO);

    auto bad_spec = sim::try_load_model(bad);
    REQUIRE(bad_spec);  // loads; the unknown name is found by the compiler
    auto bad_model = sim::Model::try_compile(*bad_spec);
    CHECK_FALSE(bad_model);
    CHECK(simtest::find_code(bad_model.diagnostics(), sim::Code::E_UNKNOWN_NAME) != nullptr);

    auto no_levers = sim::try_compare(*model, {});
    CHECK_FALSE(no_levers);
    CHECK(no_levers.diagnostics().items().at(0).code == sim::Code::E_COMPARE_NO_LEVERS);

    auto no_scenario = sim::try_load_scenario((dir / "missing.yaml").string());
    CHECK_FALSE(no_scenario);
}

// Columns count characters in every reader: a name with accents earlier on
// the line does not push the reported column right by its extra bytes.
TEST_CASE("errors: columns count characters in YAML, XMILE and Vensim") {
    const auto first = [](const std::string& text, const std::string& file, sim::Code code) {
        sim::Diagnostics d;
        sim::ModelSpec spec = sim::parse_model(text, file, d);
        if (!d.has_errors()) sim::Model::compile(spec, d);
        const auto* e = simtest::find_code(d, code);
        REQUIRE_MESSAGE(e, d.str());
        return *e;
    };
    SUBCASE("YAML: an equation's unknown name and a parse error") {
        const std::string text =
            "sim: {start: 0, stop: 1, dt: 1}\n"
            "auxiliaries:\n"
            "  \"\xC3\xA9_x\": {equation: \"1 + \xC3\xA9_\xC3\xA9 + bad\"}\n"
            "  \"\xC3\xA9_\xC3\xA9\": {equation: \"1\"}\n"
            "  \"\xC3\xA9\xC3\xA9\xC3\xA9\": {equation: \"1 +* 2\"}\n";
        const auto unknown = first(text, "m.yaml", sim::Code::E_UNKNOWN_NAME);
        CHECK(unknown.loc.line == 3);
        CHECK(unknown.loc.col == 32);  // 35 if bytes were counted
        CHECK(unknown.loc.col == simtest::line_col(text, "bad").second);
        const auto parse = first(text, "m.yaml", sim::Code::E_PARSE);
        CHECK(parse.loc.line == 5);
        CHECK(parse.loc.col == 25);  // 28 in bytes
    }
    SUBCASE("Vensim") {
        const std::string text =
            "{UTF-8}\n\xC3\xA9 x = \xC3\xA9 \xC3\xA9 + bad\n~~|\n\xC3\xA9 \xC3\xA9 = 1 ~~|\n"
            "INITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
        const auto e = first(text, "m.mdl", sim::Code::E_UNKNOWN_NAME);
        CHECK(e.loc.line == 2);
        CHECK(e.loc.col == 13);  // 16 in bytes
    }
    SUBCASE("XMILE") {
        const std::string text =
            "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
            "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n"
            "<model><variables>\n"
            "<aux name=\"\xC3\xA9_x\"><eqn>\xC3\xA9_\xC3\xA9 + bad</eqn></aux>\n"
            "<aux name=\"\xC3\xA9_\xC3\xA9\"><eqn>1</eqn></aux>\n"
            "</variables></model></xmile>\n";
        const auto e = first(text, "m.xmile", sim::Code::E_UNKNOWN_NAME);
        CHECK(e.loc.line == 4);
        CHECK(e.loc.col == simtest::line_col(text, "bad").second);
        CHECK(e.loc.col == 28);  // 31 in bytes
    }
}
