// Vensim .mdl reader: records, stocks and flows, time settings, lookups,
// subscripts (subranges, mappings, :EXCEPT:, lists), array and vector functions,
// macros, Vensim's function semantics, format detection, and errors with
// their exact positions in the .mdl.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "sim/expr.hpp"
#include "sim/generate.hpp"
#include "sim/load.hpp"
#include "sim/model.hpp"
#include "sim/spec.hpp"
#include "io/vensim/data.hpp"
#include "support.hpp"

namespace {

using simtest::find_code;

const std::string control = R"(
********************************************************
	.Control
********************************************************~
		Simulation Control Parameters
	|

FINAL TIME  = 4
	~	Month
	~	The final time for the simulation.
	|

INITIAL TIME  = 0
	~	Month
	~	The initial time for the simulation.
	|

SAVEPER  = 
        TIME STEP
	~	Month [0,?]
	~	The frequency with which output is stored.
	|

TIME STEP  = 1
	~	Month [0,?]
	~	The time step for the simulation.
	|

\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
*View 1
10,1,Stock,307,235,40,20,3,3,0,0,0,0,0,0
///---\\\
)";

std::string mdl(const std::string& body) { return "{UTF-8}\n" + body + control; }

sim::ModelSpec parse(const std::string& text, sim::Diagnostics& d) { return sim::parse_vensim(text, "m.mdl", d); }

sim::SourceLoc where(const std::string& text, const std::string& needle, std::size_t from = 0) {
    return simtest::loc_of("m.mdl", text, needle, from);
}

// The first diagnostic with `code` of `text` read within `lim` (required).
sim::Diagnostic first_error(const std::string& text, sim::Code code, const sim::Limits& lim = {}) {
    sim::Diagnostics d;
    sim::parse_vensim(text, "m.mdl", d, lim);
    const auto* e = find_code(d, code);
    REQUIRE_MESSAGE(e, d.str());
    return *e;
}

// Runs a model; the value of `name` at each saved time.
std::vector<double> run(const std::string& text, const std::string& name) {
    sim::Diagnostics d;
    auto spec = parse(text, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto m = sim::Model::compile(spec, d);
    REQUIRE_MESSAGE(m.has_value(), d.str());
    auto r = m->run();
    auto c = r.column(name);
    REQUIRE_MESSAGE(c.has_value(), name);
    std::vector<double> v;
    for (std::size_t i = 0; i < r.rows(); ++i) v.push_back(r.at(i, *c));
    return v;
}

// A zip archive of `parts` (name, bytes), stored uncompressed: enough of an
// .xlsx for the reader (workbook, its relationships, sheets).
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& parts) {
    auto crc32 = [](const std::string& b) {
        std::uint32_t c = 0xFFFFFFFFu;
        for (unsigned char ch : b) {
            c ^= ch;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        return ~c;
    };
    auto le = [](std::string& out, std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
    };
    std::string out, dir;
    for (const auto& [name, data] : parts) {
        const auto offset = static_cast<std::uint32_t>(out.size()), crc = crc32(data);
        const auto size = static_cast<std::uint32_t>(data.size()), len = static_cast<std::uint32_t>(name.size());
        le(out, 0x04034b50u, 4), le(out, 20, 2), le(out, 0, 2), le(out, 0, 2), le(out, 0, 2), le(out, 0x21, 2);
        le(out, crc, 4), le(out, size, 4), le(out, size, 4), le(out, len, 2), le(out, 0, 2);
        out += name + data;
        le(dir, 0x02014b50u, 4), le(dir, 20, 2), le(dir, 20, 2), le(dir, 0, 2), le(dir, 0, 2), le(dir, 0, 2);
        le(dir, 0x21, 2), le(dir, crc, 4), le(dir, size, 4), le(dir, size, 4), le(dir, len, 2), le(dir, 0, 2);
        le(dir, 0, 2), le(dir, 0, 2), le(dir, 0, 2), le(dir, 0, 4), le(dir, offset, 4);
        dir += name;
    }
    const auto at = static_cast<std::uint32_t>(out.size()), n = static_cast<std::uint32_t>(parts.size());
    out += dir;
    le(out, 0x06054b50u, 4), le(out, 0, 2), le(out, 0, 2), le(out, n, 2), le(out, n, 2);
    le(out, static_cast<std::uint32_t>(dir.size()), 4), le(out, at, 4), le(out, 0, 2);
    return out;
}

// An .xlsx with one sheet, Sheet1, of numbers (cell reference, value) and
// one named range, `consts`.
std::string small_xlsx(const std::vector<std::pair<std::string, double>>& cells, const std::string& consts) {
    const std::string ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                           "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
    std::string sheet = "<worksheet " + ns + "><sheetData><row>";
    for (const auto& [ref, v] : cells) sheet += "<c r=\"" + ref + "\"><v>" + std::to_string(v) + "</v></c>";
    sheet += "<c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>";
    return stored_zip({{"xl/workbook.xml", "<workbook " + ns + "><sheets><sheet name=\"Sheet1\" sheetId=\"1\" "
                                           "r:id=\"rId1\"/></sheets><definedNames><definedName name=\"consts\">" +
                                               consts + "</definedName></definedNames></workbook>"},
                       {"xl/_rels/workbook.xml.rels",
                        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
                       {"xl/worksheets/sheet1.xml", sheet}});
}

}  // namespace

TEST_CASE("vensim: teacup reads as a stock with an outflow, units, comments and time settings") {
    const std::string text = mdl(R"(Characteristic Time=
	10
	~	Minutes [0,?]
	~	How long will it take the teacup to cool?
	|

Heat Loss to Room=
	(Teacup Temperature - Room Temperature) / Characteristic Time
	~	Degrees Fahrenheit/Minute
	~	This is the rate at which heat flows from the cup into the room. We can \
		ignore it at this point.
	|

Room Temperature=
	70
	~	Degrees Fahrenheit [-459.67,?]
	~		|

Teacup Temperature= INTEG (
	-Heat Loss to Room,
		180)
	~	Degrees Fahrenheit [32,212]
	~		|
)");
    sim::Diagnostics d;
    auto spec = parse(text, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    CHECK(spec.specs.start == 0);
    CHECK(spec.specs.stop == 4);
    CHECK(spec.specs.dt == 1);
    CHECK(spec.specs.save_step == 1);
    const sim::Variable* t = spec.find("Teacup Temperature");
    REQUIRE(t);
    CHECK(t->kind == sim::VarKind::stock);
    CHECK(t->units == "Degrees Fahrenheit");
    CHECK(t->outflows == std::vector<std::string>{"Heat Loss to Room"});
    CHECK(t->inflows.empty());
    CHECK_AT(t->equation.loc, where(text, "180)"));
    const sim::Variable* h = spec.find("Heat Loss to Room");
    REQUIRE(h);
    CHECK(h->kind == sim::VarKind::flow);
    CHECK(h->doc.find("ignore it") != std::string::npos);
    CHECK(spec.find("Characteristic Time")->kind == sim::VarKind::constant);
    CHECK(!spec.find("TIME STEP"));  // time settings are specs, not variables
    auto v = run(text, "Teacup Temperature");
    REQUIRE(v.size() == 5);
    CHECK(v[1] == doctest::Approx(180 - 11));
}

TEST_CASE("vensim: a rate that is not a sum of variables gets a flow of its own") {
    auto v = run(mdl("s = INTEG(2 * r, 1) ~~|\nr = 3 ~~|\n"), "s");
    CHECK(v[2] == doctest::Approx(13));
}

TEST_CASE("vensim: INTEGER and MODULO truncate (XMILE's INT and MOD floor)") {
    const std::string text = mdl("a = INTEGER(-2.5) ~~|\nb = MODULO(-7, 3) ~~|\nc = QUANTUM(-7.5, 2) ~~|\n");
    CHECK(run(text, "a")[0] == -2);
    CHECK(run(text, "b")[0] == -1);
    CHECK(run(text, "c")[0] == -6);
    sim::Diagnostics d;
    auto x = sim::parse_xmile(R"(<?xml version="1.0"?><xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs><model><variables>
<aux name="a"><eqn>INT(-2.5)</eqn></aux><aux name="b"><eqn>MOD(-7, 3)</eqn></aux></variables></model></xmile>)",
                             "m.xmile", d);
    auto m = sim::Model::compile(x, d);
    REQUIRE(m.has_value());
    auto r = m->run();
    CHECK(r.at(0, *r.column("a")) == -3);
    CHECK(r.at(0, *r.column("b")) == 2);
}

TEST_CASE("vensim: STEP, PULSE and PULSE TRAIN follow Vensim's half-step rule") {
    const std::string text = mdl(
        "s = STEP(2, 1.4) ~~|\np = PULSE(1, 2) ~~|\nq = PULSE TRAIN(0, 1, 2, 3) ~~|\nr = RAMP(1, 1, 3) ~~|\n");
    // TIME STEP 1: time + 0.5 > 1.4 from time 1 on.
    CHECK(run(text, "s") == std::vector<double>{0, 2, 2, 2, 2});
    CHECK(run(text, "p") == std::vector<double>{0, 1, 1, 0, 0});
    CHECK(run(text, "q") == std::vector<double>{1, 0, 1, 0, 0});
    CHECK(run(text, "r") == std::vector<double>{0, 0, 1, 2, 2});
}

TEST_CASE("vensim: lookups standalone, WITH LOOKUP, without a range, FORWARD/BACKWARD/EXTRAPOLATE") {
    const std::string text = mdl(R"(tbl(
	[(0,0)-(10,10)],(0,0),(2,4),(4,0))
	~	~	|
flat(1, 2, 3, 10, 20, 30)
	~	~	|
a = tbl(Time) ~~|
b = WITH LOOKUP(Time, ((0,1),(4,5))) ~~|
c = LOOKUP FORWARD(flat, Time + 0.5) ~~|
d = LOOKUP BACKWARD(flat, Time + 0.5) ~~|
e = LOOKUP EXTRAPOLATE(tbl, Time + 1) ~~|
)");
    CHECK(run(text, "a") == std::vector<double>{0, 2, 4, 2, 0});
    CHECK(run(text, "b") == std::vector<double>{1, 2, 3, 4, 5});
    CHECK(run(text, "c") == std::vector<double>{10, 20, 30, 30, 30});
    CHECK(run(text, "d") == std::vector<double>{10, 10, 20, 30, 30});
    CHECK(run(text, "e") == std::vector<double>{2, 4, 2, 0, -2});
}

TEST_CASE("vensim: subscripts: lists, subranges, mappings, :EXCEPT:, SUM and element names") {
    const std::string text = mdl(R"(Region: north, south, east
	~	~	|
Coast: south, east
	~	~	|
P: (p1-p3) -> Region
	~	~	|
pop[Region] = 1, 2, 3 ~~|
twice[Coast] = 2 * pop[Coast] ~~|
mapped[P] = pop[Region] * 10 ~~|
ex[Region] :EXCEPT: [north] = 7 ~~|
ex[north] = 1 ~~|
total = SUM(pop[Region!]) ~~|
biggest = VMAX(pop[Region!]) ~~|
table[Region, P] = 1, 2, 3; 4, 5, 6; 7, 8, 9; ~~|
)");
    CHECK(run(text, "twice[east]")[0] == 6);
    CHECK(run(text, "mapped[p2]")[0] == 20);
    CHECK(run(text, "ex[north]")[0] == 1);
    CHECK(run(text, "ex[south]")[0] == 7);
    CHECK(run(text, "total")[0] == 6);
    CHECK(run(text, "biggest")[0] == 3);
    CHECK(run(text, "table[south,p3]")[0] == 6);
}

TEST_CASE("vensim: each macro call is its own instance, stocks included") {
    const std::string text = mdl(R"(:MACRO: ACC(input)
ACC = INTEG(input, 0)
	~	~	|
:END OF MACRO:
a = ACC(1) ~~|
b = ACC(2) ~~|
)");
    CHECK(run(text, "a") == std::vector<double>{0, 1, 2, 3, 4});
    CHECK(run(text, "b") == std::vector<double>{0, 2, 4, 6, 8});
}

TEST_CASE("vensim: SAMPLE IF TRUE, ACTIVE INITIAL, :NA:, :AND: and names with keywords") {
    const std::string text = mdl(R"(s = SAMPLE IF TRUE(Time >= 2 :AND: Time <= 3, Time * 10, -1) ~~|
ai = ACTIVE INITIAL(Time + 100, 5) ~~|
held = INTEG(0, ai) ~~|
na = :NA: ~~|
rate and more = IF THEN ELSE(Time > 1 :OR: :NOT: Time < 4, 1, 0) ~~|
)");
    CHECK(run(text, "s") == std::vector<double>{-1, -1, 20, 30, 30});
    // The initial value is the one the initial equations see (the stock);
    // from the start time on the variable is its equation.
    CHECK(run(text, "ai") == std::vector<double>{100, 101, 102, 103, 104});
    CHECK(run(text, "held")[4] == 5);
    CHECK(run(text, "na")[0] == -1.298074214633707e33);
    CHECK(run(text, "rate and more") == std::vector<double>{0, 0, 1, 1, 1});
}

TEST_CASE("vensim: errors carry the .mdl position") {
    SUBCASE("a parse error on a continuation line") {
        const std::string text = mdl("x = 1 +\n\t\t* 2 ~~|\n");
        sim::Diagnostics d;
        auto spec = parse(text, d);
        REQUIRE(!d.has_errors());
        auto m = sim::Model::compile(spec, d);
        CHECK(!m);
        const auto* e = find_code(d, sim::Code::E_PARSE);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "* 2"));
    }
    SUBCASE("an unknown name") {
        const std::string text = mdl("x = 1 + undefined thing ~~|\n");
        sim::Diagnostics d;
        auto spec = parse(text, d);
        auto m = sim::Model::compile(spec, d);
        const auto* e = find_code(d, sim::Code::E_UNKNOWN_NAME);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "undefined thing"));
    }
    SUBCASE("an unknown subscript") {
        const std::string text = mdl("D: a, b ~~|\nx[D] = y[Dd] ~~|\ny[D] = 1 ~~|\n");
        sim::Diagnostics d;
        parse(text, d);
        const auto* e = find_code(d, sim::Code::E_VENSIM_SUBSCRIPT);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "Dd]"));
        CHECK(e->message.find("did you mean 'D'") != std::string::npos);
    }
    SUBCASE("a record without '|'") {
        const std::string text = "{UTF-8}\nx = 1 ~~|\ny = 2 ~ ~\n";
        sim::Diagnostics d;
        parse(text, d);
        const auto* e = find_code(d, sim::Code::E_VENSIM_SYNTAX);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "y = 2"));
    }
    SUBCASE("a malformed lookup table") {
        const std::string text = mdl("tbl((0,0),(1 1)) ~~|\n");
        sim::Diagnostics d;
        parse(text, d);
        const auto* e = find_code(d, sim::Code::E_VENSIM_SYNTAX);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "1)) ~"));
    }
    SUBCASE("a macro called with the wrong number of arguments") {
        const std::string text = mdl(":MACRO: M(a)\nM = a ~~|\n:END OF MACRO:\nx = M(1, 2) ~~|\n");
        sim::Diagnostics d;
        parse(text, d);
        const auto* e = find_code(d, sim::Code::E_VENSIM_MACRO);
        REQUIRE(e);
        CHECK_AT(e->loc, where(text, "M(1, 2)"));
    }
    SUBCASE("a macro doubling its argument at each level is bounded by Limits::operations") {
        // F = F(x+x): 2^32 nodes within the 32 levels; the nodes of the
        // macro arguments' own arenas count too (found by fuzz_vensim).
        const std::string text = mdl(":MACRO: F(x)\nF = F(x+x) ~~|\n:END OF MACRO:\ny = F(1) ~~|\n");
        sim::Limits lim;
        lim.operations = 1000;
        const auto e = first_error(text, sim::Code::E_LIMIT, lim);
        CHECK(e.message.find("--max-operations") != std::string::npos);
        CHECK_AT(e.loc, where(text, "x) ~~"));  // the copy that went over
        // VECTOR LOOKUP unrolls into a chain that repeats its input several
        // times per element: nested, the copies multiply inside one equation.
        std::string in = "TIME";
        for (int i = 0; i < 6; ++i) in = "VECTOR LOOKUP(v[d1], " + in + ", 0, 10, 0)";
        const std::string nested = mdl("D: (d1-d4) ~~|\nv[D] = 1, 2, 3, 4 ~~|\ny = " + in + " ~~|\n");
        CHECK(first_error(nested, sim::Code::E_LIMIT, lim).variable == "y");
        sim::Diagnostics d3;  // within the default limit it expands
        sim::parse_vensim(mdl("D: (d1-d4) ~~|\nv[D] = 1, 2, 3, 4 ~~|\ny = VECTOR LOOKUP(v[d1], TIME, 0, 10, 0) ~~|\n"), "m.mdl", d3);
        CHECK_MESSAGE(!d3.has_errors(), d3.str());
    }
    SUBCASE("subscript ranges are bounded together, not only one by one") {
        // 300 one-line ranges of 100,000 each (7 KB) made 30,000,000 names
        // (2 GB, 2 minutes) within the per-range limit; here at a limit of 1,000.
        sim::Limits lim;
        lim.array_elements = 1000;
        std::string body;
        for (int i = 0; i < 3; ++i) body += "D" + std::to_string(i) + ": (p1-p400) ~~|\n";
        const auto e = first_error(mdl(body + "x = 1 ~~|\n"), sim::Code::E_LIMIT, lim);
        CHECK(e.variable == "D2");
        CHECK(e.message.find("1200 elements together") != std::string::npos);
        // Ranges listing a range copy it: counted before the copies are made.
        const std::string copies = mdl("Big: (b1-b400) ~~|\nC1: Big ~~|\nC2: Big ~~|\nx = 1 ~~|\n");
        CHECK(first_error(copies, sim::Code::E_LIMIT, lim).message.find("together once the ranges they list are expanded") !=
              std::string::npos);
        // One range listing others over the limit by itself (explicit
        // elements, so that no numbered range counts first).
        sim::Limits ten;
        ten.array_elements = 10;
        const std::string listed = mdl("A: a1, a2, a3, a4, a5, a6 ~~|\nB: b1, b2, b3, b4, b5 ~~|\nBig: A, B ~~|\nx = 1 ~~|\n");
        const auto e4 = first_error(listed, sim::Code::E_LIMIT, ten);
        CHECK(e4.variable == "Big");
        CHECK(e4.message.find("'Big' has 11 elements once the ranges it lists are expanded") != std::string::npos);
        sim::Diagnostics d3;  // within the limit: fine
        sim::parse_vensim(mdl("Big: (b1-b400) ~~|\nC1: Big ~~|\nx = 1 ~~|\n"), "m.mdl", d3, lim);
        CHECK_MESSAGE(!d3.has_errors(), d3.str());
    }
    SUBCASE("a macro calling itself is bounded") {
        const std::string text = mdl(":MACRO: M(a)\nM = M(a) ~~|\n:END OF MACRO:\nx = M(1) ~~|\n");
        sim::Diagnostics d;
        parse(text, d);
        CHECK(find_code(d, sim::Code::E_VENSIM_MACRO));
    }
}

TEST_CASE("vensim: external data from a .csv beside the model") {
    simtest::TempDir dir("vensim_data");
    dir.write("data.csv", "time,1,2,3\nx,10,20,40\n");
    const std::string model = dir.write("m.mdl", mdl("d := GET DIRECT DATA('data.csv', ',', '1', 'B2') ~~|\n"
                                                     "c := GET DIRECT CONSTANTS('data.csv', ',', 'C2') ~~|\n"));
    sim::Diagnostics diags;
    auto spec = sim::load_model(model, diags);
    REQUIRE_MESSAGE(!diags.has_errors(), diags.str());
    auto m = sim::Model::compile(spec, diags);
    REQUIRE(m.has_value());
    auto r = m->run();
    CHECK(r.at(0, *r.column("d")) == 10);  // held before the first time
    CHECK(r.at(2, *r.column("d")) == 20);
    CHECK(r.at(3, *r.column("d")) == 40);
    CHECK(r.at(0, *r.column("c")) == 20);
}

TEST_CASE("vensim: each data file is read once per load, however many GET calls name it") {
    using sim::vensim::detail::data_files_read;
    simtest::TempDir dir("vensim_data_once");
    // Times 0, 2, 4 in B1:D1; data in row 2, a lookup in row 3, constants in row 4 (also the range `consts`).
    auto workbook = [&](double scale) {
        dir.write("data.xlsx", small_xlsx({{"B1", 0}, {"C1", 2}, {"D1", 4}, {"B2", 10 * scale}, {"C2", 20 * scale},
                                           {"D2", 40 * scale}, {"B3", 1}, {"C3", 2}, {"D3", 3}, {"B4", 7 * scale},
                                           {"C4", 8}, {"D4", 9}},
                                          "Sheet1!$B$4:$D$4"));
    };
    workbook(1);
    dir.write("data.csv", "time,1,2,3\nx,10,20,40\n");
    const std::string model = dir.write("m.mdl", mdl("d := GET XLS DATA('data.xlsx', 'Sheet1', '1', 'B2') ~~|\n"
                                                     "l( GET XLS LOOKUPS('data.xlsx', 'Sheet1', '1', 'B3') ) ~~|\n"
                                                     "y = l(1) ~~|\n"
                                                     "dim: a, b, c ~~|\n"
                                                     "c[dim] = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'B4') ~~|\n"
                                                     "n[dim] = GET DIRECT CONSTANTS('data.xlsx', 'Sheet1', 'consts') ~~|\n"
                                                     "e := GET DIRECT DATA('data.csv', ',', '1', 'B2') ~~|\n"
                                                     "f := GET DIRECT CONSTANTS('data.csv', ',', 'C2') ~~|\n"));
    auto load = [&](std::size_t& reads) {
        const std::size_t before = data_files_read();
        sim::Diagnostics diags;
        auto spec = sim::load_model(model, diags);
        reads = data_files_read() - before;
        REQUIRE_MESSAGE(!diags.has_errors(), diags.str());
        auto m = sim::Model::compile(spec, diags);
        REQUIRE_MESSAGE(m.has_value(), diags.str());
        return m->run();
    };
    std::size_t reads = 0;
    auto r = load(reads);
    CHECK(reads == 2);  // six calls, two files
    auto at = [&](std::size_t row, const std::string& name) {
        auto col = r.column(name);
        REQUIRE_MESSAGE(col.has_value(), name);
        return r.at(row, *col);
    };
    CHECK(at(0, "d") == 10);
    CHECK(at(1, "d") == 15);
    CHECK(at(4, "d") == 40);
    CHECK(at(0, "y") == doctest::Approx(1.5));
    CHECK(at(0, "c[a]") == 7);
    CHECK(at(0, "c[c]") == 9);
    CHECK(at(0, "n[a]") == 7);
    CHECK(at(0, "n[b]") == 8);
    CHECK(at(2, "e") == 20);
    CHECK(at(0, "f") == 20);
    // Nothing is kept from one load to the next: a changed file is read again.
    workbook(2);
    dir.write("data.csv", "time,1,2,3\nx,11,21,41\n");
    r = load(reads);
    CHECK(reads == 2);
    CHECK(at(0, "d") == 20);
    CHECK(at(0, "c[a]") == 14);
    CHECK(at(0, "n[a]") == 14);
    CHECK(at(2, "e") == 21);
    CHECK(at(0, "f") == 21);
}

TEST_CASE("vensim: the data files held in a load stay within the cell bound: beyond it, older ones are read again") {
    using sim::vensim::detail::data_files_read;
    using sim::vensim::detail::held_data_cells_limit;
    simtest::TempDir dir("vensim_data_bound");
    dir.write("data.xlsx", small_xlsx({{"B4", 7}, {"C4", 8}}, "Sheet1!$B$4:$C$4"));  // 3 cells with A1
    dir.write("data.csv", "time,1,2,3\nx,10,20,40\n");                               // 8 cells
    // Named in the order the load reads them: the workbook, the text file, the workbook again.
    const std::string model = dir.write("m.mdl", mdl("a = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'B4') ~~|\n"
                                                     "b = GET DIRECT CONSTANTS('data.csv', ',', 'C2') ~~|\n"
                                                     "c = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'C4') ~~|\n"));
    auto load = [&](std::size_t limit, std::size_t& reads) {
        const std::size_t saved = held_data_cells_limit();
        held_data_cells_limit() = limit;
        const std::size_t before = data_files_read();
        sim::Diagnostics diags;
        auto spec = sim::load_model(model, diags);
        reads = data_files_read() - before;
        held_data_cells_limit() = saved;
        REQUIRE_MESSAGE(!diags.has_errors(), diags.str());
        auto m = sim::Model::compile(spec, diags);
        REQUIRE_MESSAGE(m.has_value(), diags.str());
        return m->run();
    };
    for (const auto& lw : {std::pair<std::size_t, std::size_t>{11, 2}, {10, 3}, {1, 3}}) {
        const std::size_t limit = lw.first, want = lw.second;  // (clang 14: no lambda captures of bindings)
        CAPTURE(limit);
        std::size_t reads = 0;
        const auto r = load(limit, reads);
        CHECK(reads == want);  // 3 + 8 cells fit in 11: both held; not in 10: the workbook is read again
        CHECK(r.at(0, *r.column("a")) == 7);
        CHECK(r.at(0, *r.column("b")) == 20);
        CHECK(r.at(0, *r.column("c")) == 8);
    }
}

TEST_CASE("vensim: a data file that cannot be read is read once a load, its error reported at every call naming it") {
    using sim::vensim::detail::data_files_read;
    simtest::TempDir dir("vensim_data_once_bad");
    const std::string model = (dir / "m.mdl").string();
    const std::string text = mdl("a = GET XLS CONSTANTS('gone.xlsx', 'Sheet1', 'B2') ~~|\n"
                                 "b = GET XLS CONSTANTS('gone.xlsx', 'Sheet1', 'C2') ~~|\n"
                                 "c = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'B1') ~~|\n"
                                 "d = GET XLS CONSTANTS('data.xlsx', 'Sheet2', 'B1') ~~|\n");
    dir.write("m.mdl", text);
    dir.write("data.xlsx", small_xlsx({{"B1", 5}}, "Sheet1!$B$1"));
    auto errors = [&](std::size_t& reads) {
        const std::size_t before = data_files_read();
        sim::Diagnostics d;
        sim::parse_vensim(text, model, d);
        reads = data_files_read() - before;
        std::vector<sim::Diagnostic> out;
        for (const auto& e : d.items())
            if (e.code == sim::Code::E_VENSIM_DATA) out.push_back(e);
        return out;
    };
    std::size_t reads = 0;
    auto e = errors(reads);
    CHECK(reads == 2);
    REQUIRE(e.size() == 3);
    const std::string gone = "cannot open '" + (dir / "gone.xlsx").string() + "'";
    CHECK(e[0].variable == "a");
    CHECK(e[0].message == gone);
    CHECK_AT(e[0].loc, simtest::loc_of(model, text, "GET XLS"));
    CHECK(e[1].variable == "b");
    CHECK(e[1].message == gone);
    CHECK_AT(e[1].loc, simtest::loc_of(model, text, "GET XLS", text.find("b =")));
    CHECK(e[2].variable == "d");
    CHECK(e[2].message == "the workbook has no sheet 'Sheet2'");
    CHECK_AT(e[2].loc, simtest::loc_of(model, text, "GET XLS", text.find("d =")));
    // A failure is not kept either: once the file is there, the next load reads it.
    dir.write("gone.xlsx", small_xlsx({{"B2", 1}, {"C2", 2}}, "Sheet1!$B$2"));
    e = errors(reads);
    CHECK(reads == 2);
    REQUIRE(e.size() == 1);
    CHECK(e[0].variable == "d");
}

TEST_CASE("vensim: a corrupt or truncated .xls is E-VENSIM-DATA at the call, naming the file") {
    simtest::TempDir dir("vensim_xls_bad");
    dir.write("x.xls", "garbage \x01\x02\xff bytes, no compound-file header");
    const std::string model = (dir / "m.mdl").string();
    const std::string text = mdl("x = 1 + y ~~|\ny = GET XLS CONSTANTS('x.xls', 'Sheet1', 'B2') ~~|\n");
    sim::Diagnostics d;
    sim::parse_vensim(text, model, d);
    const auto* e = find_code(d, sim::Code::E_VENSIM_DATA);
    REQUIRE_MESSAGE(e, d.str());
    CHECK(e->variable == "y");
    CHECK(e->message.find("x.xls' is not a readable .xls workbook: it has no compound-file header") != std::string::npos);
    CHECK_AT(e->loc, simtest::loc_of(model, text, "GET XLS"));
#ifdef SIM_CONFORMANCE_DIR
    // The first 2,000 bytes of a real workbook: the header is there, its sectors are not.
    const std::string real = std::string(SIM_CONFORMANCE_DIR) + "/test-models/tests/get_data_args_3d_xls/input.xls";
    if (!std::filesystem::exists(real)) {
        simtest::skip("the conformance suite is not at SIM_CONFORMANCE_DIR");
        return;
    }
    std::ifstream in(real, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 4000);
    dir.write("x.xls", bytes.substr(0, 2000));
    sim::Diagnostics d2;
    sim::parse_vensim(text, model, d2);
    const auto* t = find_code(d2, sim::Code::E_VENSIM_DATA);
    REQUIRE_MESSAGE(t, d2.str());
    CHECK(t->message.find("x.xls' is not a readable .xls workbook: a chain of its sectors leaves the file") != std::string::npos);
    // A DIMENSION record claiming 16,777,215 rows x 9 columns: FreeXL would
    // allocate them all when opening the file; refused before.
    const std::string dim("\x00\x02\x0e\x00", 4);
    const auto at = bytes.find(dim);
    REQUIRE(at != std::string::npos);
    std::string big = bytes;
    big.replace(at + 8, 4, std::string("\xff\xff\xff\x00", 4));
    dir.write("x.xls", big);
    sim::Diagnostics d3;
    sim::parse_vensim(text, model, d3);
    const auto* b = find_code(d3, sim::Code::E_VENSIM_DATA);
    REQUIRE_MESSAGE(b, d3.str());
    CHECK(b->message.find("x.xls' span more than 10000000 cells") != std::string::npos);
    // A DIMENSION record two bytes short: FreeXL would read its fields from
    // the previous record's bytes (found by an AddressSanitizer mutation run).
    std::string shrt = bytes;
    shrt[at + 2] = '\x0c';
    dir.write("x.xls", shrt);
    sim::Diagnostics d4;
    sim::parse_vensim(text, model, d4);
    const auto* s = find_code(d4, sim::Code::E_VENSIM_DATA);
    REQUIRE_MESSAGE(s, d4.str());
    CHECK(s->message.find("x.xls' is not a readable .xls workbook: a sheet's DIMENSION record is short or repeated") !=
          std::string::npos);
#endif
}

#ifdef SIM_CONFORMANCE_DIR
TEST_CASE("vensim: .xls data, lookups and constants read through FreeXL (conformance workbooks in place)") {
    const std::string tests = std::string(SIM_CONFORMANCE_DIR) + "/test-models/tests/";
    const std::string data = tests + "get_data_args_3d_xls/input.xls";
    const std::string consts = tests + "get_constants_incomplete_subscript/inputs.xls";
    if (!std::filesystem::exists(data) || !std::filesystem::exists(consts)) {
        simtest::skip("the conformance suite is not at SIM_CONFORMANCE_DIR");
        return;
    }
    // Sheet1: times 0, 5, ..., 30 in C4:I4; row 5 0, -2, 10, ...; row 7 -1, -3, -5, 10, ...
    // tab1: 1, 2, 3 in B2:D2. The workbooks are named by absolute path.
    const std::string text = mdl("d := GET XLS DATA('" + data + "', 'Sheet1', '4', 'C5') ~~|\n"
                                 "l( GET XLS LOOKUPS('" + data + "', 'Sheet1', '4', 'C7') ) ~~|\n"
                                 "y = l(12.5) ~~|\n"
                                 "dim: a, b, c ~~|\ndim2: female, male ~~|\n"
                                 "w[dim, female] = GET DIRECT CONSTANTS('" + consts + "', 'tab1', 'B2') ~~|\n"
                                 "wb = w[b, female] ~~|\n");
    const auto d = run(text, "d");
    REQUIRE(d.size() == 5);
    CHECK(d[0] == 0);
    CHECK(d[4] == doctest::Approx(-1.6));  // between 0 at t = 0 and -2 at t = 5
    CHECK(run(text, "y")[0] == doctest::Approx(2.5));  // between -5 at 10 and 10 at 15
    CHECK(run(text, "wb")[0] == 2);
    sim::Diagnostics diags;  // name(GET ... DATA(...)) is not a lookup
    parse(mdl("l( GET XLS DATA('" + data + "', 'Sheet1', '4', 'C7') ) ~~|\ny = l(1) ~~|\n"), diags);
    const auto* e = find_code(diags, sim::Code::E_VENSIM_SYNTAX);
    REQUIRE_MESSAGE(e, diags.str());
    CHECK(e->message.find("a lookup read from a file is written name( GET XLS LOOKUPS(") != std::string::npos);
}
#endif

TEST_CASE("vensim: load_model picks the reader by extension and by content") {
    simtest::TempDir dir("vensim_detect");
    const std::string body = mdl("x = 1 ~~|\n");
    sim::Diagnostics d1, d2;
    auto a = sim::load_model(dir.write("m.MDL", body), d1);
    CHECK_MESSAGE(!d1.has_errors(), d1.str());
    CHECK(a.find("x"));
    auto b = sim::load_model(dir.write("m.txt", body), d2);
    CHECK_MESSAGE(!d2.has_errors(), d2.str());
    CHECK(b.find("x"));
}

TEST_CASE("vensim: the text is decoded and the model bounded by sim::Limits, as the other readers do") {
    sim::Limits lim;
    lim.array_elements = 5;
    lim.variables = 8;
    {  // a range of 6 elements: refused before any element variable is made
        const std::string text = mdl("Region: (r1-r6) ~~|\nv[Region] = 1 ~~|\n");
        sim::Diagnostics d;
        const auto spec = sim::parse_vensim(text, "m.mdl", d, lim);
        REQUIRE(find_code(d, sim::Code::E_LIMIT));
        CHECK(d.items().front().message.find("has 6 elements; the limit is 5 (raise it with --max-elements)") !=
              std::string::npos);
        CHECK(spec.variables.empty());
    }
    {  // 2 x 3 = 6 elements of one array, the ranges within the limit (5 together)
        const std::string text = mdl("A: a1, a2 ~~|\nB: b1, b2, b3 ~~|\nv[A, B] = 1 ~~|\n");
        sim::Diagnostics d;
        const auto spec = sim::parse_vensim(text, "m.mdl", d, lim);
        REQUIRE(find_code(d, sim::Code::E_LIMIT));
        CHECK_AT(d.items().front().loc, where(text, "v[A, B]"));
        CHECK(d.items().front().message.find("'v[A, B]' has 6 elements") != std::string::npos);
        CHECK(spec.variables.empty());
        sim::Diagnostics ok;
        sim::Limits wide = lim;
        wide.array_elements = 6;
        wide.variables = 100;
        (void)sim::parse_vensim(text, "m.mdl", ok, wide);
        CHECK_MESSAGE(!ok.has_errors(), ok.str());
    }
    {  // a byte-order mark is dropped; Latin-1 is refused at its byte
        sim::Diagnostics d;
        (void)sim::parse_vensim("\xEF\xBB\xBF" + mdl("x = 1 ~~|\n"), "m.mdl", d);
        CHECK_MESSAGE(!d.has_errors(), d.str());
        sim::Diagnostics bad;
        (void)sim::parse_vensim(mdl("x = 1 ~ caf\xE9 ~|\n"), "m.mdl", bad);
        REQUIRE(find_code(bad, sim::Code::E_ENCODING));
        CHECK(bad.items().front().loc.line == 2);
        CHECK(bad.items().front().loc.col == 12);
    }
}

TEST_CASE("vensim: FORECAST of an argument that cannot be expanded is refused, the tree kept valid") {
    // Found by fuzz_vensim (UBSan: a copy of node 0 of an empty tree): the
    // first argument names an unknown subscript, so its copy fails and
    // FORECAST's second copy of it must not read a node that is not there.
    const std::string text = "{UTF-8}\nDim1: A, B ~~|\nx[Dim1] = 1 ~~|\n"
                             "f[Dim1] = FORECAST(x[Dim0], 2, 3) ~~|\n"
                             "INITIAL TIME = 0 ~~|\nFINAL TIME = 2 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
    sim::Diagnostics d;
    parse(text, d);
    REQUIRE(d.has_errors());
    CHECK(d.items().front().code == sim::Code::E_VENSIM_SUBSCRIPT);
    CHECK(d.items().front().message.find("unknown subscript 'Dim0'") != std::string::npos);
}

TEST_CASE("vensim: VECTOR SELECT: the selected elements combined by the numerical action") {
    // sel = 1, 0, 2, 0 selects d1 (x 3) and d3 (x -1); s*x there: 3 and -2.
    // Actions 0..4 on s*x: sum 1, product -6, min -2, max 3, mean 0.5;
    // 6..10 on x: sum 2, product -3, min -1, max 3, mean 1; 5: 3^1 * (-1)^2 = 3.
    const std::string text = mdl(R"(D: (d1-d4) ~~|
E: e1, e2 ~~|
sel[D] = 1, 0, 2, 0 ~~|
x[D] = 3, 5, -1, 7 ~~|
none[D] = 0 ~~|
y[E] = 10, 20 ~~|
m[E, D] = 1, 0, 0, 1; 0, 0, 0, 0; ~~|
five = 5 ~~|
low = VECTOR SELECT(sel[D!], x[D!], -9, Time, 0) ~~|
high = VECTOR SELECT(sel[D!], x[D!], -9, Time + 6, 0) ~~|
powered = VECTOR SELECT(sel[D!], x[D!], -9, five, 0) ~~|
missing = VECTOR SELECT(none[D!], x[D!], -9, Time, 0) ~~|
rows[E] = VECTOR SELECT(m[E, D!], x[D!], -9, 6, 0) ~~|
cross = VECTOR SELECT(sel[D!], y[E!], -9, 0, 0) ~~|
plain[D] = VECTOR SELECT(sel[D!], x[D], -9, 6, 0) ~~|
)");
    CHECK(run(text, "low") == std::vector<double>{1, -6, -2, 3, 0.5});
    CHECK(run(text, "high") == std::vector<double>{2, -3, -1, 3, 1});
    CHECK(run(text, "powered")[0] == 3);
    CHECK(run(text, "missing") == std::vector<double>{-9, -9, -9, -9, -9});
    CHECK(run(text, "rows[e1]")[0] == 10);  // d1 and d4 of x: 3 + 7
    CHECK(run(text, "rows[e2]")[0] == -9);  // a row of zeros: the missing value
    CHECK(run(text, "cross")[0] == 90);     // over D x E: (1 + 2) * (10 + 20)
    // x[D] beside sel[D!] is the element on the left, the same for both
    // selected elements: 2 * x[d2].
    CHECK(run(text, "plain[d2]")[0] == 10);
}

TEST_CASE("vensim: VECTOR SORT ORDER, RANK and REORDER: the last subscript, ties in a stable order") {
    // v = 3, 1, 3, 2. Ascending, the earlier of the equal 3s first: d2, d4,
    // d1, d3, so sort order (0-based) 1, 3, 0, 2 and ranks 3, 1, 4, 2.
    // Descending is that order reversed: d3, d1, d4, d2: sort order 2, 0, 3,
    // 1 and ranks 2, 4, 1, 3. Reordered by the ascending order: 1, 2, 3, 3.
    // Rows of w: e1 = v, e2 = 4, 3, 2, 1 (ascending ranks 4, 3, 2, 1).
    const std::string text = mdl(R"(D: (d1-d4) ~~|
S: (s1-s4) -> D ~~|
E: e1, e2 ~~|
v[D] = 3, 1, 3, 2 ~~|
w[E, D] = 3, 1, 3, 2; 4, 3, 2, 1; ~~|
idx[D] = 0, 4, -1, 3 ~~|
up[D] = VECTOR SORT ORDER(v[D], 1) ~~|
down[D] = VECTOR SORT ORDER(v[D], 0) ~~|
mapped[S] = VECTOR SORT ORDER(v[D], 1) ~~|
rank up[D] = VECTOR RANK(v[D], 1) ~~|
rank down[D] = VECTOR RANK(v[D], -1) ~~|
rank rows[E, D] = VECTOR RANK(w[E, D], 1) ~~|
rank when[D] = VECTOR RANK(v[D], Time - 1) ~~|
sorted[D] = VECTOR REORDER(v[D], up[D]) ~~|
outside[D] = VECTOR REORDER(v[D], idx[D]) ~~|
)");
    auto at0 = [&](const std::string& prefix) {  // the four elements' values at time 0
        std::vector<double> out;
        for (int i = 1; i <= 4; ++i) out.push_back(run(text, prefix + std::to_string(i) + "]")[0]);
        return out;
    };
    CHECK(at0("up[d") == std::vector<double>{1, 3, 0, 2});
    CHECK(at0("down[d") == std::vector<double>{2, 0, 3, 1});
    CHECK(at0("mapped[s") == std::vector<double>{1, 3, 0, 2});
    CHECK(at0("rank up[d") == std::vector<double>{3, 1, 4, 2});
    CHECK(at0("rank down[d") == std::vector<double>{2, 4, 1, 3});
    CHECK(at0("rank rows[e2,d") == std::vector<double>{4, 3, 2, 1});
    CHECK(at0("rank rows[e1,d") == std::vector<double>{3, 1, 4, 2});
    CHECK(at0("sorted[d") == std::vector<double>{1, 2, 3, 3});
    // Index 0 -> v[d1] = 3, 3 -> v[d4] = 2; 4 and -1 are outside: :NA:.
    CHECK(at0("outside[d") == std::vector<double>{3, sim::ast::vensim_na, sim::ast::vensim_na, 2});
    // The direction read at each time: Time - 1 is -1, 0 (descending), then 1 (ascending).
    CHECK(run(text, "rank when[d1]") == std::vector<double>{2, 2, 3, 3, 3});
}

TEST_CASE("vensim: vector functions refused or bounded, with their position") {
    const std::string head = "D: (d1-d4) ~~|\nv[D] = 3, 1, 3, 2 ~~|\n";
    SUBCASE("VECTOR SELECT with an error action other than 0") {
        const std::string text = mdl(head + "s = VECTOR SELECT(v[D!], v[D!], 0, 0, 1) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_UNSUPPORTED);
        CHECK_AT(e.loc, where(text, "VECTOR SELECT"));
        CHECK(e.variable == "s");
        CHECK(e.message.find("error action") != std::string::npos);
    }
    SUBCASE("VECTOR SELECT with a numerical action outside 0..10") {
        const std::string text = mdl(head + "s = VECTOR SELECT(v[D!], v[D!], 0, 11, 0) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SYNTAX);
        CHECK_AT(e.loc, where(text, "VECTOR SELECT"));
        CHECK(e.message.find("0 to 10") != std::string::npos);
    }
    SUBCASE("VECTOR RANK of an expression rather than a variable") {
        const std::string text = mdl(head + "r[D] = VECTOR RANK(v[D] * 2, 1) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_UNSUPPORTED);
        CHECK_AT(e.loc, where(text, "VECTOR RANK"));
        CHECK(e.variable == "r[d1]");
    }
    SUBCASE("more elements than the stated bound") {
        const std::string text = mdl("D: (d1-d501) ~~|\nv[D] = 1 ~~|\nr[D] = VECTOR RANK(v[D], 1) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_UNSUPPORTED);
        CHECK_AT(e.loc, where(text, "VECTOR RANK"));
        CHECK(e.message.find("500 elements") != std::string::npos);
    }
    SUBCASE("a sort order, n^2 nodes per element, counts against Limits::operations") {
        const std::string text = mdl("D: (d1-d60) ~~|\nv[D] = 1 ~~|\no[D] = VECTOR SORT ORDER(v[D], 1) ~~|\n");
        sim::Limits lim;
        lim.operations = 20000;
        auto e = first_error(text, sim::Code::E_LIMIT, lim);
        CHECK(e.message.find("--max-operations") != std::string::npos);
        CHECK(e.variable.rfind("o[", 0) == 0);
        sim::Diagnostics d;  // within the default limit it expands
        sim::parse_vensim(text, "m.mdl", d);
        CHECK_MESSAGE(!d.has_errors(), d.str());
    }
}

TEST_CASE("vensim: INVERT MATRIX over the last two subscripts, by position, per leading element") {
    // [[4, 7], [2, 6]]^-1 = [[0.6, -0.7], [-0.2, 0.4]] (determinant 10);
    // [[2, 0, 0], [0, 4, 0], [1, 0, 1]]^-1 = [[0.5, 0, 0], [0, 0.25, 0], [-0.5, 0, 1]];
    // a pivot of 0 in the first column needs a row swap: [[0, 1], [1, 0]] is its own inverse.
    const std::string text = mdl(R"(R: r1, r2 ~~|
C <-> R ~~|
K: k1, k2, k3 ~~|
L <-> K ~~|
E: e1, e2 ~~|
m[R, C] = 4, 7; 2, 6; ~~|
inv[R, C] = INVERT MATRIX(m[R, C], 2) ~~|
flipped[C, R] = INVERT MATRIX(m[R, C], ELMCOUNT(R)) ~~|
swap[E, R, C] = INVERT MATRIX(s[E, R, C], 2) ~~|
s[e1, R, C] = 0, 1; 1, 0; ~~|
s[e2, r1, r1] = 4 + Time ~~|
s[e2, r1, r2] = 7 ~~|
s[e2, r2, r1] = 2 ~~|
s[e2, r2, r2] = 6 ~~|
big[K, L] = 2, 0, 0; 0, 4, 0; 1, 0, 1; ~~|
big inv[K, L] = INVERT MATRIX(big[K, L], 3) ~~|
)");
    auto at0 = [&](const std::string& name) { return run(text, name)[0]; };
    CHECK(at0("inv[r1,r1]") == doctest::Approx(0.6));
    CHECK(at0("inv[r1,r2]") == doctest::Approx(-0.7));
    CHECK(at0("inv[r2,r1]") == doctest::Approx(-0.2));
    CHECK(at0("inv[r2,r2]") == doctest::Approx(0.4));
    // Read and written by position (Vensim's): the same numbers.
    CHECK(at0("flipped[r1,r2]") == doctest::Approx(-0.7));
    CHECK(at0("flipped[r2,r1]") == doctest::Approx(-0.2));
    CHECK(at0("swap[e1,r1,r1]") == 0);
    CHECK(at0("swap[e1,r1,r2]") == 1);
    CHECK(at0("swap[e1,r2,r1]") == 1);
    CHECK(at0("swap[e1,r2,r2]") == 0);
    // Recomputed as the matrix changes: at time 1, [[5, 7], [2, 6]] (determinant 16).
    const auto a = run(text, "swap[e2,r1,r1]");
    CHECK(a[0] == doctest::Approx(0.6));
    CHECK(a[1] == doctest::Approx(6.0 / 16));
    CHECK(run(text, "swap[e2,r2,r2]")[1] == doctest::Approx(5.0 / 16));
    const double want[3][3] = {{0.5, 0, 0}, {0, 0.25, 0}, {-0.5, 0, 1}};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            const std::string name = "big inv[k" + std::to_string(i + 1) + ",k" + std::to_string(j + 1) + "]";
            CHECK_MESSAGE(at0(name) == doctest::Approx(want[i][j]), name);
        }
    // Generated code computes it with the same function (sim/ops_vector.hpp;
    // its results: tests/unit/test_generated.cpp).
    sim::Diagnostics d;
    auto m = sim::Model::compile(parse(text, d), d);
    REQUIRE_MESSAGE(m.has_value(), d.str());
    CHECK(sim::generate_cpp(*m, {}).source.find("sim::ops::vector_value(vop[") != std::string::npos);
}

TEST_CASE("vensim: INVERT MATRIX of a singular matrix stops the run, naming the variable and the cause") {
    const std::string text = mdl(R"(R: r1, r2 ~~|
C <-> R ~~|
m[r1, r1] = 1 ~~|
m[r1, r2] = 2 ~~|
m[r2, r1] = 2 + 2 * STEP(1, 2) ~~|
m[r2, r2] = 4 ~~|
inv[R, C] = INVERT MATRIX(m[R, C], 2) ~~|
)");
    sim::Diagnostics d;
    auto spec = parse(text, d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto m = sim::Model::compile(spec, d);
    REQUIRE_MESSAGE(m.has_value(), d.str());
    try {
        (void)m->run();
        FAIL("a singular matrix was inverted");
    } catch (const sim::Error& e) {
        REQUIRE(e.diagnostics().items().size() == 1);
        const sim::Diagnostic& x = e.diagnostics().items().front();
        CHECK(x.code == sim::Code::E_NONFINITE);
        CHECK(x.variable == "inv[r1,r1]");
        CHECK(x.message.find("INVERT MATRIX of a singular matrix") != std::string::npos);
        CHECK(x.message.find("at time 0 ") != std::string::npos);
        CHECK_AT(x.loc, where(text, "INVERT MATRIX"));
    }
    // With --on-nonfinite=warn the run goes on: NaN while singular, the
    // inverse of [[1, 2], [4, 4]] from time 2 on.
    sim::RunOptions o;
    o.on_nonfinite = sim::NonFinite::warn;
    auto r = m->run(o);
    auto col = r.column("inv[r1,r1]");
    REQUIRE(col.has_value());
    CHECK(std::isnan(r.at(0, *col)));
    CHECK(r.at(2, *col) == doctest::Approx(-1.0));
}

TEST_CASE("vensim: INVERT MATRIX refused or bounded, with its position") {
    SUBCASE("larger than the fixed bound (32 x 32)") {
        const std::string text = mdl("R: (r1-r33) ~~|\nC <-> R ~~|\nm[R, C] = 1 ~~|\ninv[R, C] = INVERT MATRIX(m[R, C], 33) ~~|\n");
        auto e = first_error(text, sim::Code::E_LIMIT);
        CHECK_AT(e.loc, where(text, "INVERT MATRIX"));
        CHECK(e.variable == "inv[r1,r1]");
        CHECK(e.message.find("larger than 32 x 32") != std::string::npos);
    }
    SUBCASE("a size that does not match the ranges") {
        const std::string text = mdl("R: r1, r2 ~~|\nC <-> R ~~|\nm[R, C] = 1 ~~|\ninv[R, C] = INVERT MATRIX(m[R, C], 3) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SUBSCRIPT);
        CHECK_AT(e.loc, where(text, "INVERT MATRIX"));
        CHECK(e.message.find("have 2 and 2 elements") != std::string::npos);
    }
    SUBCASE("one range for rows and columns") {
        const std::string text = mdl("R: r1, r2 ~~|\nm[R] = 1 ~~|\ninv[R] = INVERT MATRIX(m[R, R], 2) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SUBSCRIPT);
        CHECK(e.message.find("both its rows and its columns") != std::string::npos);
    }
    SUBCASE("an expression rather than a matrix") {
        const std::string text = mdl("R: r1, r2 ~~|\nC <-> R ~~|\nm[R, C] = 1 ~~|\ninv[R, C] = INVERT MATRIX(2 * m[R, C], 2) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_UNSUPPORTED);
        CHECK(e.message.find("last two subscripts are subscript ranges") != std::string::npos);
    }
    SUBCASE("a size that is not a constant") {
        const std::string text = mdl("R: r1, r2 ~~|\nC <-> R ~~|\nm[R, C] = 1 ~~|\ninv[R, C] = INVERT MATRIX(m[R, C], Time) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SYNTAX);
        CHECK(e.message.find("whole number") != std::string::npos);
    }
    SUBCASE("n^2 nodes per element count against Limits::operations") {
        const std::string text = mdl("R: (r1-r20) ~~|\nC <-> R ~~|\nm[R, C] = 1 ~~|\ninv[R, C] = INVERT MATRIX(m[R, C], 20) ~~|\n");
        sim::Limits lim;
        lim.operations = 100000;  // 20^4 = 160,000 names
        auto e = first_error(text, sim::Code::E_LIMIT, lim);
        CHECK(e.message.find("--max-operations") != std::string::npos);
    }
}

TEST_CASE("vensim: ALLOCATE AVAILABLE along the request's last subscript, profiles from their first element") {
    // Rectangular profiles of width 1. Far apart (priorities 5 and 1): the
    // first target is served in full first (10 of 15), the second gets the
    // rest. Equal profiles share in proportion to the requests (20 as 5 and
    // 15). Enough available: every request in full.
    const std::string text = mdl(R"(T: t1, t2 ~~|
P: ptype, ppriority, pwidth, pextra ~~|
request[T] = 10, 20 ~~|
apart[T, P] = 1, 5, 1, 0; 1, 1, 1, 0; ~~|
same[T, ptype] = 1 ~~|
same[T, ppriority] = 3 ~~|
same[T, pwidth] = 2 ~~|
same[T, pextra] = 0 ~~|
share[T] = ALLOCATE AVAILABLE(request[T], apart[T, ptype], 15) ~~|
even[T] = ALLOCATE AVAILABLE(other[T], same[T, ptype], 20) ~~|
other[T] = 10, 30 ~~|
plenty[T] = ALLOCATE AVAILABLE(request[T], apart[T, ptype], 100) ~~|
)");
    auto at0 = [&](const std::string& name) { return run(text, name)[0]; };
    CHECK(at0("share[t1]") == doctest::Approx(10));
    CHECK(at0("share[t2]") == doctest::Approx(5));
    CHECK(at0("even[t1]") == doctest::Approx(5));
    CHECK(at0("even[t2]") == doctest::Approx(15));
    CHECK(at0("plenty[t1]") == 10);
    CHECK(at0("plenty[t2]") == 20);
}

TEST_CASE("vensim: ALLOCATE AVAILABLE refused with its position") {
    const std::string head = "T: t1, t2 ~~|\nP: ptype, ppriority, pwidth, pextra ~~|\nrequest[T] = 10, 20 ~~|\n"
                             "pp[T, P] = 1, 5, 1, 0; 1, 1, 1, 0; ~~|\n";
    SUBCASE("a profile subscripted by its range, not its first element") {
        const std::string text = mdl(head + "a[T] = ALLOCATE AVAILABLE(request[T], pp[T, P], 15) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SUBSCRIPT);
        CHECK_AT(e.loc, where(text, "ALLOCATE AVAILABLE"));
        CHECK(e.variable == "a[t1]");
        CHECK(e.message.find("first element") != std::string::npos);
    }
    SUBCASE("fewer than 4 elements from the first") {
        const std::string text = mdl(head + "a[T] = ALLOCATE AVAILABLE(request[T], pp[T, ppriority], 15) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_SUBSCRIPT);
        CHECK(e.message.find("it has 3") != std::string::npos);
    }
    SUBCASE("a request that is not a vector") {
        const std::string text = mdl(head + "a = ALLOCATE AVAILABLE(request[t1], pp[t1, ptype], 15) ~~|\n");
        auto e = first_error(text, sim::Code::E_VENSIM_UNSUPPORTED);
        CHECK_AT(e.loc, where(text, "ALLOCATE AVAILABLE"));
    }
}

// Vensim's DELAY N drains stage k with the delay time of k steps before and
// divides the last stage by the previous step's delay time. The reference
// below is that recurrence written out independently of the compiler (Euler,
// dt 1, material per stage held as D * value as PySD's DelayN holds it).
TEST_CASE("vensim: DELAY N remembers the delay time stage by stage when it changes") {
    const std::string ctl = "INITIAL TIME = 0 ~~|\nFINAL TIME = 40 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n";
    const std::string text = "{UTF-8}\ninput = -1 + STEP(5, 5) ~~|\ndelay time = 4 + STEP(2, 15) ~~|\n"
                             "out = DELAY N(input, delay time, 6, 2) ~~|\n"
                             "same = DELAY N(input, 4, 6, 3) ~~|\nthree = DELAY3I(input, 4, 6) ~~|\n" + ctl;
    const auto step = [](double t, double h, double at) { return t >= at ? h : 0.0; };
    const auto delay_time = [&](double t) { return 4 + step(t, 2, 15); };
    const auto input = [&](double t) { return -1 + step(t, 5, 5); };
    const int order = 2;
    std::vector<double> state(order, 6 * delay_time(0)), times(order, delay_time(0)), want;
    for (int k = 0; k <= 40; ++k) {
        const double t = k;
        want.push_back(state[order - 1] / times[0]);
        for (int i = order - 1; i > 0; --i) times[i] = times[i - 1];
        times[0] = delay_time(t);
        std::vector<double> outflow(order);
        for (int i = 0; i < order; ++i) outflow[i] = state[i] / times[i];
        for (int i = 0; i < order; ++i) state[i] += order * ((i == 0 ? input(t) : outflow[i - 1]) - outflow[i]);
    }
    const auto got = run(text, "out");
    REQUIRE(got.size() == want.size());
    for (std::size_t k = 0; k < want.size(); ++k) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-12));
    // The step at 15 reaches the output one step late, not at once (DELAYN's
    // current-delay-time form would drop it to 4/6 of its value at 15).
    CHECK(got[15] == doctest::Approx(3.94970703125).epsilon(1e-12));
    // With a constant delay time it is the staged delay: DELAY3I for n = 3.
    const auto same = run(text, "same"), three = run(text, "three");
    for (std::size_t k = 0; k < same.size(); ++k) CHECK(same[k] == doctest::Approx(three[k]).epsilon(1e-12));
}
