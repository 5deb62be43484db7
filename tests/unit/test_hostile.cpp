// The shared mechanisms of issue 13, unit by unit (docs/reliability.md):
// the input reader and decoder, limits in the readers, names, the output
// writers (file, group, set), the memory estimates. The end-to-end cases
// through sdsim are in tests/hostile/hostile.py.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "io/yaml/support.hpp"
#include "lang/names.hpp"
#include "sim/compare.hpp"
#include "sim/input.hpp"
#include "sim/limits.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/write.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const sim::Diagnostic* first_error(const sim::Diagnostics& d) {
    for (const auto& x : d.items())
        if (x.severity == sim::Severity::error) return &x;
    return nullptr;
}

const char* const decay = "name: decay\nsim: {start: 0, stop: 10, dt: 0.5}\nstocks:\n  x: {initial: 100, outflows: [f]}\n"
                          "flows:\n  f: x * rate\nconstants:\n  rate: 0.1\n";

}  // namespace

// ---------------------------------------------------------------- read_input

TEST_CASE("read_input: a regular file is read whole, with its hash and identity") {
    simtest::TempDir t("hostile_input");
    const auto p = t.write("m.yaml", decay);
    sim::Diagnostics d;
    auto in = sim::read_input(p, d);
    REQUIRE(in);
    CHECK(in->bytes == decay);
    CHECK(in->sha256 == sim::sha256_hex(decay));
    CHECK(in->regular);
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK(in->inode == st.st_ino);
}

TEST_CASE("read_input: a directory, a missing file, a FIFO where a regular file is required") {
    simtest::TempDir t("hostile_input");
    sim::Diagnostics d;
    CHECK_FALSE(sim::read_input(t.root.string(), d));
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_IO);
    CHECK(first_error(d)->message.find("is a directory") != std::string::npos);

    sim::Diagnostics m;
    CHECK_FALSE(sim::read_input((t / "nope.yaml").string(), m));
    CHECK(first_error(m)->message.find("No such file or directory; check the path") != std::string::npos);

    const auto fifo = (t / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    sim::Diagnostics f;
    // Would block forever if it were opened: it is refused from its type.
    CHECK_FALSE(sim::read_input(fifo, f, {}, sim::InputSource::regular));
    CHECK(first_error(f)->message.find("is a FIFO (named pipe), not a regular file") != std::string::npos);
}

TEST_CASE("read_input: a stream is read once up to the size limit") {
    sim::Limits lim;
    lim.input_bytes = 1 << 20;
    sim::Diagnostics d;
    CHECK_FALSE(sim::read_input("/dev/zero", d, lim));
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_LIMIT);
    CHECK(first_error(d)->message ==
          "'/dev/zero' is more than 1 MiB (a stream, read up to the limit), larger than the input size limit; the "
          "limit is 1 MiB (raise it with --max-input)");

    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], decay, std::string(decay).size()) > 0);
    ::close(fds[1]);
    sim::Diagnostics p;
    auto in = sim::read_input("/dev/fd/" + std::to_string(fds[0]), p);
    ::close(fds[0]);
    REQUIRE(in);
    CHECK_FALSE(in->regular);
    CHECK(in->bytes == decay);
}

TEST_CASE("read_input: a regular file larger than the limit is refused from its size") {
    simtest::TempDir t("hostile_input");
    const auto p = t.write("big.yaml", std::string(5000, '#'));
    sim::Limits lim;
    lim.input_bytes = 4096;
    sim::Diagnostics d;
    CHECK_FALSE(sim::read_input(p, d, lim));
    CHECK(first_error(d)->message.find("is 4.88 KiB, larger than the input size limit; the limit is 4 KiB") !=
          std::string::npos);
}

// ---------------------------------------------------------------- decode_text

TEST_CASE("decode_text: UTF-8 passes, a BOM is dropped, bad bytes are located") {
    sim::Diagnostics d;
    CHECK(*sim::decode_text("a: 1\n", "f", sim::TextFormat::yaml, d) == "a: 1\n");
    CHECK(*sim::decode_text("\xEF\xBB\xBF" "a: 1\n", "f", sim::TextFormat::yaml, d) == "a: 1\n");
    CHECK(d.empty());
    CHECK_FALSE(sim::decode_text("a: 1\nb: caf\xE9\n", "f", sim::TextFormat::yaml, d));
    REQUIRE(first_error(d));
    CHECK(first_error(d)->loc.line == 2);
    CHECK(first_error(d)->loc.col == 7);
    CHECK(first_error(d)->code == sim::Code::E_ENCODING);
    sim::Diagnostics n;
    CHECK_FALSE(sim::decode_text(std::string("a\0b", 3), "f", sim::TextFormat::text, n));
    CHECK(first_error(n)->message.find("a NUL byte") != std::string::npos);
}

TEST_CASE("decode_text: UTF-16 with a BOM and a declared XML encoding are converted") {
    sim::Diagnostics d;
    const std::string u16("\xFF\xFE" "a\0:\0 \0" "1\0", 10);
    CHECK(*sim::decode_text(u16, "f", sim::TextFormat::yaml, d) == "a: 1");
    const std::string latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a n=\"caf\xE9\"/>";
    auto x = sim::decode_text(latin, "f", sim::TextFormat::xml, d);
    REQUIRE(x);
    CHECK(x->find("caf\xC3\xA9") != std::string::npos);
    CHECK(d.empty());
    CHECK_FALSE(sim::decode_text("<?xml version=\"1.0\" encoding=\"NO-SUCH\"?><a/>", "f", sim::TextFormat::xml, d));
    CHECK(first_error(d)->message.find("'NO-SUCH'") != std::string::npos);
}

// ---------------------------------------------------------------- limits in the readers

TEST_CASE("limits: sizes are parsed with binary suffixes and formatted for people") {
    CHECK(sim::parse_size("65536") == 65536u);
    CHECK(sim::parse_size("64M") == 64u << 20);
    CHECK(sim::parse_size("64MiB") == 64u << 20);
    CHECK(sim::parse_size("1.5g") == 3u << 29);
    CHECK_FALSE(sim::parse_size("0"));
    CHECK_FALSE(sim::parse_size("-1"));
    CHECK_FALSE(sim::parse_size("12x"));
    CHECK_FALSE(sim::parse_size("1e30"));
    CHECK(sim::format_bytes(1) == "1 byte");
    CHECK(sim::format_bytes(64u << 20) == "64 MiB");
    CHECK(sim::default_memory_budget() >= (64u << 20));
}

TEST_CASE("limits: YAML nesting is bounded before yaml-cpp sees the text") {
    CHECK_FALSE(sim::yaml_detail::yaml_too_deep(decay, 10));
    CHECK(sim::yaml_detail::yaml_too_deep(decay, 2));
    const std::string flow = "a: " + std::string(100000, '[');
    auto at = sim::yaml_detail::yaml_too_deep(flow, 200);
    REQUIRE(at);
    CHECK(at->first == 1);
    // A block scalar's indentation is text, not nesting.
    std::string block = "doc: |\n";
    for (int i = 0; i < 300; ++i) block += std::string(2 + i, ' ') + "x\n";
    CHECK_FALSE(sim::yaml_detail::yaml_too_deep(block, 10));
    sim::Diagnostics d;
    (void)sim::parse_yaml(flow, "deep.yaml", d);
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_LIMIT);
}

TEST_CASE("limits: an XMILE document deeper than the limit is refused without recursion") {
    std::string x = "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\"><sim_specs><start>0</start>"
                    "<stop>1</stop><dt>1</dt></sim_specs><model><variables/></model>";
    for (int i = 0; i < 200000; ++i) x += "<a>";
    for (int i = 0; i < 200000; ++i) x += "</a>";
    x += "</xmile>";
    sim::Diagnostics d;
    (void)sim::parse_xmile(x, "deep.xmile", d);
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_LIMIT);
    CHECK(first_error(d)->message.find("--max-depth") != std::string::npos);
}

TEST_CASE("limits: variables, elements and module instances of an XMILE model") {
    const std::string head = "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\"><sim_specs><start>0</start>"
                             "<stop>1</stop><dt>1</dt></sim_specs>";
    sim::Limits lim;
    lim.array_elements = 10;
    sim::Diagnostics d;
    (void)sim::parse_xmile(head + "<dimensions><dim name=\"d\" size=\"11\"/></dimensions><model><variables/></model></xmile>",
                           "d.xmile", d, lim);
    REQUIRE(first_error(d));
    CHECK(first_error(d)->message == "dimension 'd' declares 11 elements; the limit is 10 (raise it with --max-elements)");

    sim::Limits few;
    few.variables = 5;
    std::string vars;
    for (int i = 0; i < 8; ++i) vars += "<aux name=\"a" + std::to_string(i) + "\"><eqn>1</eqn></aux>";
    sim::Diagnostics v;
    auto m = sim::parse_xmile(head + "<model><variables>" + vars + "</variables></model></xmile>", "v.xmile", v, few);
    CHECK(m.variables.size() == 5);
    REQUIRE(first_error(v));
    CHECK(first_error(v)->code == sim::Code::E_LIMIT);
    CHECK(v.error_count() == 1);  // reported once

    sim::Limits mods;
    mods.module_instances = 3;
    std::string fan = head + "<model><variables><module name=\"a\"/><module name=\"b\"/></variables></model>"
                             "<model name=\"a\"><variables><module name=\"b\"/><module name=\"c\"/></variables></model>"
                             "<model name=\"b\"><variables><module name=\"c\"/></variables></model>"
                             "<model name=\"c\"><variables><aux name=\"v\"><eqn>1</eqn></aux></variables></model></xmile>";
    sim::Diagnostics f;
    (void)sim::parse_xmile(fan, "f.xmile", f, mods);
    REQUIRE(first_error(f));
    CHECK(first_error(f)->message.find("more than 3 module instances") != std::string::npos);
}

TEST_CASE("limits: an extends chain longer than the depth limit") {
    simtest::TempDir t("hostile_extends");
    t.write("m.yaml", decay);
    t.write("s0.yaml", "model: m.yaml\n");
    for (int i = 1; i < 12; ++i) t.write("s" + std::to_string(i) + ".yaml", "extends: s" + std::to_string(i - 1) + ".yaml\n");
    sim::Limits lim;
    lim.depth = 5;
    sim::Diagnostics d;
    (void)sim::load_scenario((t / "s11.yaml").string(), d, lim);
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_LIMIT);
    sim::Diagnostics ok;
    auto sc = sim::load_scenario((t / "s11.yaml").string(), ok);
    CHECK_FALSE(ok.has_errors());
    CHECK(sc.chain.size() == 12);
}

// ---------------------------------------------------------------- names

TEST_CASE("names: NFC, space separators and invisible characters") {
    CHECK(sim::canonical_name("caf\xC3\xA9") == sim::canonical_name("cafe\xCC\x81"));
    CHECK(sim::canonical_name("a\xC2\xA0" "b") == "a_b");              // no-break space
    CHECK(sim::canonical_name("\xE3\x80\x80x\xE3\x80\x80") == "x");   // ideographic spaces around
    const std::string weird = "cafe\xCC\x81 \xC2\xA0 X";
    CHECK(sim::canonical_name(sim::canonical_name(weird)) == sim::canonical_name(weird));
    CHECK(sim::canonical_name("Rate") == "rate");
    CHECK_FALSE(sim::name_problem("population growth"));
    CHECK_FALSE(sim::name_problem("caf\xC3\xA9"));
    auto z = sim::name_problem("a\xE2\x80\x8B" "b");
    REQUIRE(z);
    CHECK(z->offset == 1);
    CHECK(z->what.find("U+200B") != std::string::npos);
    CHECK(sim::name_problem(std::string("a\0b", 3))->what == "a NUL character");
    CHECK(sim::visible_name("a\xE2\x80\x8B" "b") == "a<U+200B>b");
}

TEST_CASE("names: two declarations differing only by normalisation are duplicates") {
    sim::ModelSpec m;
    m.add_constant("caf\xC3\xA9", 1);
    m.add_constant("cafe\xCC\x81", 2);
    sim::Diagnostics d;
    CHECK_FALSE(sim::Model::compile(m, d));
    REQUIRE(first_error(d));
    CHECK(first_error(d)->code == sim::Code::E_DUPLICATE);
}

// ---------------------------------------------------------------- outputs

TEST_CASE("check_output_file: an input, a link to it, a read-only file") {
    simtest::TempDir t("hostile_out");
    const auto model = t.write("m.yaml", decay);
    const std::vector<std::string> inputs{model};
    CHECK_THROWS_WITH_AS(sim::check_output_file(model, inputs), doctest::Contains("is the input file"), sim::Error);
    fs::create_symlink("m.yaml", t / "l.csv");
    CHECK_THROWS_AS(sim::check_output_file((t / "l.csv").string(), inputs), sim::Error);
    const auto ro = t.write("ro.csv", "x\n");
    ::chmod(ro.c_str(), 0444);
    try {
        sim::check_output_file(ro, inputs);
        FAIL("not refused");
    } catch (const sim::Error& e) {
        CHECK(e.code() == sim::Code::E_OUTPUT);
    }
    CHECK_THROWS_AS(sim::write_file_atomic(ro, [](std::ostream& os) { os << "new"; }), sim::Error);
    CHECK(slurp(ro) == "x\n");
    CHECK_NOTHROW(sim::check_output_file((t / "new.csv").string(), inputs));
}

TEST_CASE("write_file_atomic: a dangling link is followed; the link stays") {
    simtest::TempDir t("hostile_out");
    fs::create_directories(t / "d");
    fs::create_symlink("d/target.csv", t / "link.csv");
    sim::write_file_atomic((t / "link.csv").string(), [](std::ostream& os) { os << "hello"; });
    CHECK(fs::is_symlink(t / "link.csv"));
    CHECK(slurp(t / "d/target.csv") == "hello");
}

TEST_CASE("write_files_atomic: a failing writer leaves every old file") {
    simtest::TempDir t("hostile_out");
    const auto a = t.write("a.csv", "old a"), b = t.write("a.csv.meta.json", "old b");
    const sim::FileOutput bad[] = {{a, [](std::ostream& os) { os << "new a"; }},
                                   {b, [](std::ostream&) { throw std::runtime_error("sidecar failed"); }}};
    CHECK_THROWS_AS(sim::write_files_atomic(bad), std::runtime_error);
    CHECK(slurp(a) == "old a");
    CHECK(slurp(b) == "old b");
    const sim::FileOutput good[] = {{a, [](std::ostream& os) { os << "new a"; }},
                                    {b, [](std::ostream& os) { os << "new b"; }}};
    sim::write_files_atomic(good);
    CHECK(slurp(a) == "new a");
    CHECK(slurp(b) == "new b");
    CHECK(std::distance(fs::directory_iterator(t.root), fs::directory_iterator()) == 2);  // no temporaries left
}

TEST_CASE("write_output_set: swapped in whole, by exchange and by the two-step fallback") {
    for (bool two_step : {false, true}) {
        simtest::TempDir t("hostile_set");
        sim::detail::force_two_step_swap(two_step);
        const std::string dir = (t / "out").string();
        auto set = [&](const std::string& tag) {
            sim::write_output_set(dir, [&](const std::string& tmp) {
                sim::write_file_atomic(tmp + "/a.txt", [&](std::ostream& os) { os << tag; });
                sim::write_file_atomic(tmp + "/b.txt", [&](std::ostream& os) { os << tag; });
            });
        };
        set("one");
        set("two");
        CHECK(slurp(t / "out/a.txt") == "two");
        CHECK(slurp(t / "out/b.txt") == "two");
        // A failing build leaves the old set, and nothing beside it.
        CHECK_THROWS_AS(sim::write_output_set(dir, [&](const std::string& tmp) {
                            sim::write_file_atomic(tmp + "/a.txt", [](std::ostream& os) { os << "three"; });
                            throw std::runtime_error("chart failed");
                        }),
                        std::runtime_error);
        CHECK(slurp(t / "out/a.txt") == "two");
        std::size_t entries = 0;
        for (const auto& e : fs::directory_iterator(t.root)) {
            (void)e;
            ++entries;
        }
        CHECK(entries == 1);
        sim::detail::force_two_step_swap(false);
    }
}

TEST_CASE("write_output_set: files inside a set being built leave their directory's sync to the set's commit") {
    simtest::TempDir t("hostile_set_sync");
    const std::string dir = (t / "out").string();
    std::string seen;
    sim::write_output_set(dir, [&](const std::string& tmp) {
        seen = tmp;
        CHECK(sim::detail::in_output_set(tmp));
        CHECK(sim::detail::in_output_set(tmp + "/charts"));
        CHECK_FALSE(sim::detail::in_output_set(tmp + "x"));  // a sibling sharing the prefix
        CHECK_FALSE(sim::detail::in_output_set(t.root.string()));
        fs::create_directories(tmp + "/charts");
        sim::write_file_atomic(tmp + "/charts/c.dat", [](std::ostream& os) { os << "1 2\n"; });
    });
    CHECK_FALSE(sim::detail::in_output_set(seen));  // committed: files there sync their directory again
    CHECK(slurp(t / "out/charts/c.dat") == "1 2\n");
    // A build that fails leaves no registration behind either.
    CHECK_THROWS_AS(sim::write_output_set(dir, [&](const std::string& tmp) {
                        seen = tmp;
                        throw std::runtime_error("chart failed");
                    }),
                    std::runtime_error);
    CHECK_FALSE(sim::detail::in_output_set(seen));
}

TEST_CASE("write_output_set: an interrupted two-step swap is finished by the next writer") {
    simtest::TempDir t("hostile_set");
    const std::string dir = (t / "out").string();
    // What a writer killed between its two renames leaves: no DIR, the new
    // set under its temporary name, the old one aside, and the marker.
    fs::create_directories(t / ".out.sdsim-tmp-999999999-abc");
    t.write(".out.sdsim-tmp-999999999-abc/a.txt", "new");
    t.write(".out.sdsim-tmp-999999999-abc/.sdsim-output", "");
    fs::create_directories(t / ".out.sdsim-tmp-999999999-abc.old");
    t.write(".out.sdsim-swap", (t / ".out.sdsim-tmp-999999999-abc.old").string() + "\n" +
                                   (t / ".out.sdsim-tmp-999999999-abc").string() + "\n");
    sim::write_output_set(dir, [&](const std::string& tmp) {
        sim::write_file_atomic(tmp + "/a.txt", [](std::ostream& os) { os << "newer"; });
    });
    CHECK(slurp(t / "out/a.txt") == "newer");
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(t.root)) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);
}

TEST_CASE("write_output_set: a directory with other files or holding an input is refused") {
    simtest::TempDir t("hostile_set");
    t.write("notes.txt", "mine");
    sim::OutputSetOptions o;
    o.names = {"a.txt"};
    CHECK_THROWS_WITH_AS(sim::check_output_dir(t.root.string(), o), doctest::Contains("already holds 'notes.txt'"),
                         sim::Error);
    o.inputs = {(t / "notes.txt").string()};
    CHECK_THROWS_WITH_AS(sim::check_output_dir(t.root.string(), o), doctest::Contains("holds the input file"),
                         sim::Error);
    fs::create_directories(t / "mine");
    t.write("mine/a.txt", "x");
    sim::OutputSetOptions ok;
    ok.names = {"a.txt"};
    CHECK_NOTHROW(sim::check_output_dir((t / "mine").string(), ok));
    CHECK(slurp(t / "notes.txt") == "mine");
}

// ---------------------------------------------------------------- memory estimates

TEST_CASE("memory: a run over the budget is refused before anything is allocated") {
    sim::ModelSpec m;
    m.specs.stop = 1e9;
    m.add_stock("x", "1", {"f"});
    m.add_flow("f", "0.01 * x");
    auto model = sim::Model::compile(m);
    sim::RunOptions o;
    o.max_memory = 1 << 20;
    try {
        (void)model.run(o);
        FAIL("not refused");
    } catch (const sim::Error& e) {
        CHECK(e.code() == sim::Code::E_MEMORY);
        CHECK(e.diagnostics().items()[0].loc.file == "option --max-memory");
    }
    o.stop = 100;  // small enough
    CHECK(model.run(o).rows() == 101);
}

TEST_CASE("memory: compare keeps only the series asked for") {
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.add_stock("x", "100", {}, {"f"});
    m.add_flow("f", "x * 0.1 * (1 - 0.5 * a_lever - 0.2 * b_lever - 0.1 * c_lever)");
    for (const char* n : {"a", "b", "c"}) m.add_lever(n);
    auto model = sim::Model::compile(m);
    sim::CompareOptions o;
    o.indicators = {{"x", false}};
    o.keep_series = sim::CompareOptions::Keep::shown;
    auto r = sim::compare(model, o);
    CHECK(r.combinations[0].series.size() == 1);  // baseline
    CHECK(r.combinations[1].series.size() == 1);  // a alone
    CHECK(r.combinations[3].series.empty());      // a + b: not shown
    CHECK(r.combinations[7].series.size() == 1);  // all
    o.keep_series = sim::CompareOptions::Keep::all;
    auto all = sim::compare(model, o);
    for (unsigned c = 0; c < 8; ++c) CHECK(all.combinations[c].values == r.combinations[c].values);
    CHECK_THROWS_AS((void)r.value("a+b", "x", 5.5), sim::Error);
    CHECK(r.value("a+b", "x", 10) == all.value("a+b", "x", 10));
    o.base.max_memory = 1024;
    CHECK_THROWS_WITH_AS((void)sim::compare(model, o), doctest::Contains("more than the memory budget of 1 KiB"),
                         sim::Error);
}

TEST_CASE("run options: a bad value from the options is reported at the option") {
    sim::Diagnostics loaded;
    auto model = sim::Model::compile(sim::parse_yaml(decay, "m.yaml", loaded));
    sim::RunOptions o;
    o.dt = 0;
    try {
        (void)model.run(o);
        FAIL("not refused");
    } catch (const sim::Error& e) {
        const auto& d = e.diagnostics().items().at(0);
        CHECK(d.code == sim::Code::E_DT);
        CHECK(sim::format(d) == "option --dt: error: dt is 0; the time step must be a positive number [E-DT]");
    }
}
