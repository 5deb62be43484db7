// The compiled program's instruction set and its dump: the one description
// of arithmetic codes (decode_arith) against the grouping each code's
// comment promises, the VM and the text written from it; the tape dump of
// SIR against a golden file; the dump of hidden stocks and events.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compile/program.hpp"
#include "run/vm_exec.hpp"
#include "sim/dump.hpp"
#include "sim/load.hpp"

namespace {

using sim::detail::Code;
using sim::detail::Instr;

// The grouping written out independently of decode_arith, from the Code
// comments: l2 (a o1 b) o2 c; r2 a o2 (b o1 c); l3 ((a o1 b) o2 c) o3 d.
double op(int o, double x, double y) {
    switch (o) {
        case 0: return x + y;
        case 1: return x - y;
        case 2: return x * y;
        default: return x / y;
    }
}
const char* sym(int o) { return o == 0 ? "+" : o == 1 ? "-" : o == 2 ? "*" : "/"; }

struct Case {
    Code code;
    double expect;
    std::string text;
};

std::vector<Case> every_arith_code(double a, double b, double c, double d) {
    std::vector<Case> out;
    for (int o1 = 0; o1 < 4; ++o1) {
        out.push_back({static_cast<Code>(static_cast<int>(Code::add) + o1), op(o1, a, b),
                       std::string("a ") + sym(o1) + " b"});
        for (int o2 = 0; o2 < 4; ++o2) {
            out.push_back({sim::detail::fused(Code::fused_l2, 4 * o1 + o2), op(o2, op(o1, a, b), c),
                           std::string("(a ") + sym(o1) + " b) " + sym(o2) + " c"});
            out.push_back({sim::detail::fused(Code::fused_r2, 4 * o1 + o2), op(o2, a, op(o1, b, c)),
                           std::string("a ") + sym(o2) + " (b " + sym(o1) + " c)"});
            for (int o3 = 0; o3 < 4; ++o3)
                out.push_back({sim::detail::fused(Code::fused_l3, 16 * o1 + 4 * o2 + o3),
                               op(o3, op(o2, op(o1, a, b), c), d),
                               std::string("((a ") + sym(o1) + " b) " + sym(o2) + " c) " + sym(o3) + " d"});
        }
    }
    return out;
}

std::string read(const std::string& path) {
    std::ifstream f(path);
    REQUIRE_MESSAGE(f, "cannot read " << path);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string dump(const sim::Model& m) {
    std::ostringstream os;
    sim::dump_program(m, os);
    return os.str();
}

// A Vensim model of `equations` from time 0 to `final_time` in steps of 1.
sim::Model compile_mdl(const std::string& equations, int final_time, const char* name) {
    const std::string text = "{UTF-8}\n" + equations + "INITIAL TIME = 0 ~ ~ |\nFINAL TIME = " +
                             std::to_string(final_time) + " ~ ~ |\nTIME STEP = 1 ~ ~ |\nSAVEPER = 1 ~ ~ |\n";
    sim::Diagnostics d;
    sim::ModelSpec spec = sim::parse_vensim(text, name, d);
    REQUIRE(!d.has_errors());
    return sim::Model::compile(spec);
}

}  // namespace

TEST_CASE("program: every arithmetic code computes and prints its documented grouping") {
    // Values chosen so that every grouping gives a different result.
    const double a = 1.5, b = -0.3, c = 7.25, d = 0.1;
    const auto cases = every_arith_code(a, b, c, d);
    CHECK(cases.size() == 4 + 96);
    for (const auto& k : cases) {
        CAPTURE(static_cast<int>(k.code));
        // Slots: 0..3 fixed, a..d in 4..7, the result in 8.
        std::vector<double> s = {0, 1, 0, 1, a, b, c, d, 0};
        const Instr in{k.code, 8, 4, 5, 6, 7};
        sim::detail::exec(&in, &in + 1, s.data(), nullptr, nullptr);
        CHECK(s[8] == k.expect);  // the same operations in the same order: exact
        std::ostringstream text;
        const char* names[] = {"a", "b", "c", "d"};
        CHECK(sim::detail::write_arith(text, in, [&](sim::detail::Slot x) { return std::string(names[x - 4]); }));
        CHECK(text.str() == k.text);
    }
    std::ostringstream none;
    CHECK_FALSE(sim::detail::write_arith(none, Instr{Code::max, 8, 4, 5}, [](sim::detail::Slot) { return ""; }));
    CHECK(none.str().empty());
}

TEST_CASE("program: the tape dump of SIR (golden: tests/golden/sir.program.txt)") {
    const std::string golden = std::string(SIM_SOURCE_DIR) + "/tests/golden/sir.program.txt";
    auto model = sim::Model::compile(sim::load_model(std::string(SIM_SOURCE_DIR) + "/models/classic/sir.yaml"));
    const std::string got = dump(model);
    if (std::getenv("SIM_UPDATE_GOLDEN")) std::ofstream(golden) << got;
    CHECK(got == read(golden));
}

TEST_CASE("program: the dump names hidden stocks, tables, delays and PREVIOUS") {
    sim::ModelSpec m;
    m.name = "events";
    m.specs.stop = 4;
    m.add_stock("x", "1", {"grow"});
    m.add_flow("grow", "effect(smoothed) + DELAY(x, 2, 0) + PREVIOUS(x, 0)");
    m.add_aux("smoothed", "SMTH1(x, 3)");
    m.add_lookup("effect", {0, 10}, {0, 1});
    const std::string text = dump(sim::Model::compile(m));
    CAPTURE(text);
    CHECK(text.find("program 'events': ") == 0);
    CHECK(text.find(": hidden stock") != std::string::npos);
    CHECK(text.find("(smoothed)") != std::string::npos);  // the owner of SMTH1's stock
    CHECK(text.find("\ntables\n  t0 continuous: (0, 0) (10, 1)\n") != std::string::npos);
    CHECK(text.find("lookup(t0, ") != std::string::npos);
    CHECK(text.find("\nfixed delays\n  s") != std::string::npos);
    CHECK(text.find(" = x at TIME - ") != std::string::npos);
    CHECK(text.find("\nprevious\n  s") != std::string::npos);
    CHECK(text.find(" = x at the last accepted step") != std::string::npos);
    CHECK(text.find("d/dt x = grow") != std::string::npos);
}

// Hoisting (compile/emit.cpp): what reads only constants is computed once
// per run, at the end of the initial tape, and recomputed for each run's
// settings; what reads TIME (STEP, random numbers) or a stock stays per step.
TEST_CASE("program: what reads only constants is computed once per run, and nothing else is") {
    const sim::Model model = compile_mdl(
        "k = 2 ~ ~ |\n"
        "g = 0.1 ~ ~ |\n"
        "once = LN(1 + g) * k ~ ~ |\n"
        "twice = once * 3 ~ ~ |\n"  // reads a hoisted auxiliary: hoisted too
        "s = INTEG(s * LN(1 + g), 1) ~ ~ |\n"
        "timed = STEP(k, 5) + LN(1 + g) ~ ~ |\n"
        "noise = RANDOM UNIFORM(0, 1, 7) * k ~ ~ |\n",
        10, "hoist.mdl");
    const std::string text = dump(model);
    const auto hoisted = text.find("once per run"), flows = text.find("\nflow tape");
    REQUIRE(hoisted != std::string::npos);
    REQUIRE(flows != std::string::npos);
    CHECK(text.find("ln(", hoisted) < flows);             // the logarithms are computed once
    CHECK(text.find("ln(", flows) == std::string::npos);   // and never per step
    CHECK(text.find("twice =", flows) == std::string::npos); // nor is `once * 3`
    CHECK(text.find("step(", flows) != std::string::npos);  // STEP reads TIME: per step
    CHECK(text.find("random", flows) != std::string::npos); // so does RANDOM UNIFORM

    for (double g : {0.1, 0.2}) {  // hoisted values follow each run's constants
        sim::RunOptions o;
        o.set = {{"g", g}};
        const sim::Results r = model.run(o);
        const double lg = std::log(1 + g);
        CHECK(r.at("once", 3) == lg * 2);
        CHECK(r.at("twice", 3) == lg * 2 * 3);
        CHECK(r.at("timed", 4) == 0 + lg);
        CHECK(r.at("timed", 6) == 2 + lg);
        CHECK(r.at("s", 1) == 1 + 1 * (1 * lg));
        CHECK(r.at("noise", 2) != r.at("noise", 3));
    }
}

// Shared sub-expressions (compile/emit.cpp): a computation that several
// flow-tape equations need is computed once a step, at its first use.
TEST_CASE("program: a sub-expression several equations need is computed once a step") {
    const sim::Model model = compile_mdl(
        "s = INTEG(1, 1) ~ ~ |\n"
        "a = LN(1 + s) * 2 ~ ~ |\n"
        "b = LN(1 + s) + 3 ~ ~ |\n"
        "c = 4 / LN(1 + s) ~ ~ |\n",
        4, "shared.mdl");
    const std::string text = dump(model);
    const auto flows = text.find("\nflow tape");
    REQUIRE(flows != std::string::npos);
    std::istringstream lines(text.substr(flows));
    int ln_lines = 0;
    for (std::string line; std::getline(lines, line);) ln_lines += line.find("ln(") != std::string::npos;
    CHECK(ln_lines == 1);  // one LN instruction a step, not three
    const sim::Results r = model.run();
    for (double t : {0.0, 2.0, 4.0}) {
        const double l = std::log(1 + (1 + t));
        CHECK(r.at("a", t) == l * 2);
        CHECK(r.at("b", t) == l + 3);
        CHECK(r.at("c", t) == 4 / l);
    }
}

// Program::find looks a canonical ASCII name up as it is and every other
// spelling through canonical_name: both ways must find the same variable.
TEST_CASE("program: a variable is found by every spelling of its name") {
    auto model = sim::Model::compile(sim::load_model(std::string(SIM_SOURCE_DIR) + "/models/classic/sir.yaml"));
    const sim::detail::Program& p = sim::detail::program_of(model);
    const sim::detail::VarInfo* v = p.find("contact_rate");
    REQUIRE(v != nullptr);
    for (const char* name : {"Contact Rate", "contact rate", "contact__rate", "_contact_rate", "contact_rate_",
                             " contact_rate ", "\"contact rate\"", "CONTACT_RATE", "contact\trate"})
        CHECK(p.find(name) == v);
    for (const char* name : {"contactrate", "contact_rat", "", "_", "contact-rate"}) CHECK(p.find(name) == nullptr);
}
