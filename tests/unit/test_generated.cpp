// Generated code (sim/generate.hpp, sim/native.hpp, sim/generated.hpp): the
// generated engine gives the interpreter's results, bit for bit, for every
// model in models/, every conformance case the interpreter runs, every
// operation of the instruction set and every kind of event, under every
// method; its errors are the interpreter's; a kernel for another program is
// refused. Compiled objects are cached under the build directory, keyed by
// the generated source, so only the first run pays the C++ compiler.
// Skipped where there is no C++ compiler on the PATH.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "sim/batch.hpp"
#include "sim/generate.hpp"
#include "sim/generated.hpp"
#include "sim/load.hpp"
#include "sim/native.hpp"
#include "sim/sim.hpp"

#include "compile/program.hpp"
#include "support.hpp"

namespace {

bool have_compiler() {
    static const bool yes = std::system("c++ --version >/dev/null 2>&1") == 0;
    return yes;
}

// Any optimisation level gives the same bits (no fused multiply-add, no
// fast-math: IEEE operations and the same library calls); -O1 compiles
// fastest for small models, -O0 for large ones (the model and conformance
// checks: test_vector_select.mdl's 143,000 instructions a tape take 300 s
// of CPU at -O1, 90 s at -O0).
sim::NativeOptions native_options(const char* flags = "-O1") {
    sim::NativeOptions o;
    o.cache_dir = std::string(SIM_BINARY_DIR) + "/test-native-cache";
    o.flags = flags;
    return o;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
    return true;
}

// The outcome of a run, to compare two engines: results, or the error text.
struct Outcome {
    std::optional<sim::Results> r;
    std::string error;
};
Outcome run(const sim::Model& m, sim::RunOptions o, sim::RunEngine e) {
    o.engine = e;
    try {
        return {m.run(o), {}};
    } catch (const sim::Error& x) {
        return {std::nullopt, x.what()};
    }
}

// Every method, and Euler with a few more options: a subset of columns,
// save_step, a `set`, warn and ignore.
std::vector<std::pair<std::string, sim::RunOptions>> variants(const sim::Model& m) {
    std::vector<std::pair<std::string, sim::RunOptions>> v;
    for (auto method : {sim::Method::euler, sim::Method::rk2, sim::Method::rk4, sim::Method::rk45}) {
        sim::RunOptions o;
        o.method = method;
        v.emplace_back(sim::to_string(method), o);
    }
    const auto names = m.variable_names();
    sim::RunOptions some;
    some.method = sim::Method::euler;
    some.save = {names.back(), names.front()};
    some.save_step = 2 * m.specs().dt;
    v.emplace_back("euler, two columns, every second step", some);
    sim::RunOptions warn;
    warn.method = sim::Method::euler;
    warn.on_nonfinite = sim::NonFinite::warn;
    v.emplace_back("euler, warn", warn);
    sim::RunOptions ignore;
    ignore.method = sim::Method::euler;
    ignore.on_nonfinite = sim::NonFinite::ignore;
    v.emplace_back("euler, ignore", ignore);
    sim::RunOptions clock;
    clock.method = sim::Method::euler;
    clock.max_wall_seconds = 1000;  // the kernel runs in chunks of 256 steps
    v.emplace_back("euler, wall-clock budget", clock);
    for (const auto& n : names)
        if (m.is_constant(n)) {
            sim::RunOptions set;
            set.method = sim::Method::euler;
            set.set = {{n, 0.5}};
            v.emplace_back("euler, set " + n, set);
            break;
        }
    return v;
}

// Batches in SIMD lanes (Kernel::euler_lanes, when `gen` has them) against
// the interpreter's single runs: 7 runs (a group of four, then three one by
// one) with the first settable constant varied run by run, saving every
// column, and two columns every second step. A batch fails if and only if
// one of its runs does. Returns the number of differences (each reported).
int compare_lanes(const std::string& what, const sim::Model& interp, const sim::Model& gen) {
    if (!sim::kernel_has_lanes(gen)) return 0;
    const auto& p = sim::detail::program_of(interp);
    std::string param;
    double value = 0;
    for (const auto& n : interp.variable_names())
        if (const auto* v = p.find(n); v && v->settable) {
            param = v->name;
            value = p.slots[v->slot];
            break;
        }
    std::vector<double> sets;
    for (double f : {1.0, 0.999, 1.001, 0.998, 1.002, 1.0, 0.997}) sets.push_back(value * f);
    const auto names = interp.variable_names();
    int bad = 0;
    for (int shape = 0; shape < 2; ++shape) {
        sim::BatchOptions o;
        o.base.method = sim::Method::euler;
        o.base.engine = sim::RunEngine::generated;
        if (shape == 1) {
            o.base.save = {names.back(), names.front()};
            o.base.save_step = 2 * interp.specs().dt;
        }
        if (!param.empty()) o.parameters = {param};
        std::vector<Outcome> want;
        bool fails = false;
        for (double x : sets) {
            sim::RunOptions one = o.base;
            if (!param.empty()) one.set = {{param, x}};
            want.push_back(run(interp, one, sim::RunEngine::interpreter));
            fails = fails || !want.back().r;
        }
        const std::string label = what + (shape ? " (lanes, two columns)" : " (lanes)");
        try {
            const sim::Batch b(gen, o);
            const sim::BatchResult r = param.empty() ? b.run(sets.size()) : b.run(sets);
            if (fails) {
                ++bad;
                FAIL_CHECK(label << ": the batch ran, but a run fails alone");
                continue;
            }
            for (std::size_t i = 0; i < sets.size(); ++i) {
                const std::vector<double> got(r.run_values(i).begin(), r.run_values(i).end());
                if (r.names != want[i].r->names || !same_bits(r.times, want[i].r->times) ||
                    !same_bits(got, want[i].r->values)) {
                    ++bad;
                    FAIL_CHECK(label << ": run " << i << " differs from the interpreter's");
                    break;
                }
            }
        } catch (const sim::Error& e) {
            if (!fails) {
                ++bad;
                FAIL_CHECK(label << ": the batch failed, but no run fails alone: " << e.what());
            }
        }
    }
    return bad;
}

// Compares the engines on `m` under every variant, and the batches in lanes
// (compare_lanes); returns the number of differences (each reported).
int compare_engines(const std::string& what, const sim::Model& interp, const sim::Model& gen) {
    int bad = compare_lanes(what, interp, gen);
    for (const auto& [label, o] : variants(interp)) {
        const Outcome a = run(interp, o, sim::RunEngine::interpreter), b = run(gen, o, sim::RunEngine::generated);
        std::string why;
        if (a.r.has_value() != b.r.has_value() || a.error != b.error)
            why = "errors differ: '" + a.error + "' / '" + b.error + "'";
        else if (a.r && (a.r->names != b.r->names || !same_bits(a.r->times, b.r->times) ||
                         !same_bits(a.r->values, b.r->values)))
            why = "results differ";
        else if (a.r && a.r->warnings.size() != b.r->warnings.size())
            why = "warnings differ";
        if (!why.empty()) {
            ++bad;
            FAIL_CHECK(what << " (" << label << "): " << why);
        }
    }
    return bad;
}

// Compiles every model (in parallel: the C++ compiler is the cost) and
// compares the engines on each. A model the interpreter cannot load or
// compile is left out only if `may_not_load` holds for it (else the check
// fails); one the generator cannot handle fails the check.
template <class MayNotLoad>
void check_models(const std::vector<std::string>& files, MayNotLoad&& may_not_load) {
    struct Case {
        std::string file;
        std::optional<sim::Model> model;
        std::optional<sim::Model> gen;
        std::string why;
        sim::Diagnostics diags;
    };
    std::vector<Case> cases;
    for (const auto& f : files) {
        Case c{f, std::nullopt, std::nullopt, {}, {}};
        sim::Diagnostics d;
        sim::ModelSpec spec = sim::load_model(f, d);
        if (!d.has_errors()) c.model = sim::Model::compile(spec, d);
        if (c.model)
            cases.push_back(std::move(c));
        else
            CHECK_MESSAGE(may_not_load(f), f << " does not load, and is not listed as a known failure:\n" << d.str());
    }
    const unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    std::atomic<std::size_t> next{0};
    std::vector<std::future<void>> pool;
    for (unsigned w = 0; w < workers; ++w)
        pool.push_back(std::async(std::launch::async, [&] {
            for (std::size_t i; (i = next++) < cases.size();) {
                sim::Diagnostics& d = cases[i].diags;
                cases[i].gen = sim::compile_native(*cases[i].model, d, native_options("-O0"));
                if (!cases[i].gen) cases[i].why = d.str();
            }
        }));
    for (auto& f : pool) f.get();
    MESSAGE(cases.size() << " of " << files.size() << " models compile; each run by both engines");
    std::size_t vectors = 0;
    for (const auto& c : cases) {
        INFO(c.file);
        vectors += !sim::detail::program_of(*c.model).vector_ops.empty();
        REQUIRE_MESSAGE(c.gen, c.why);
        CHECK(c.gen->has_generated_code());
        compare_engines(c.file, *c.model, *c.gen);
    }
    MESSAGE(vectors << " of them call vector functions");
}

std::vector<std::string> conformance_models() {
    std::vector<std::string> out;
    const std::string dir = std::string(SIM_CONFORMANCE_DIR) + "/test-models/";
    for (const char* list : {"cases.tsv", "cases-xmile.tsv", "cases-mdl.tsv"}) {  // XMILE and Vensim
        std::ifstream f(dir + list);
        std::string line;
        std::getline(f, line);  // header
        while (std::getline(f, line)) {
            const std::string model = line.substr(0, line.find('\t'));
            if (model.empty() || std::find(out.begin(), out.end(), dir + model) != out.end()) continue;
            out.push_back(dir + model);
        }
    }
    return out;
}

// Every builtin, every lookup kind, non-negative stocks with a limited
// outflow feeding another stock, PREVIOUS, a fixed DELAY, SMTH/DELAY/TREND.
const char* const kitchen_sink = R"yaml(name: every operation
sim: {start: 0, stop: 12, dt: 0.25, save_step: 0.5}
stocks:
  a: {initial: "10", outflows: [drain, spill], non_negative: true}
  b: {initial: "1", inflows: [drain], outflows: [leak]}
  c: {initial: "0", inflows: [spill, leak]}
flows:
  drain: {equation: "a * 0.3 + PULSE(4, 2, 3) + STEP(2, 5) + RAMP(0.5, 1, 6)"}
  spill: {equation: "IF a > 5 THEN 6 ELSE 0.5 * MOD(TIME, 2.5)"}
  leak: {equation: "MAX(0, b) / (1 + ABS(SIN(TIME))) + MIN(b, 1) * SQRT(ABS(COS(b)))"}
aux:
  logs: {equation: "LN(1 + ABS(b)) + LOG10(2 + c) + EXP(-TIME / 10) + TAN(0.1) + ARCSIN(0.5) + ARCCOS(0.2) + ARCTAN(b)"}
  ints: {equation: "INT(TIME / 3) + PI - 2 ^ 0.5 + (-b) * DT / STARTTIME_OR"}
  logic: {equation: "IF (a >= b AND NOT (c < 0)) OR (a = b) OR (a <> c AND a <= 100) THEN 1 ELSE 0"}
  divs: {equation: "SAFEDIV(a, c) + SAFEDIV(a, c - c, 7) + XIDZ(b, 0, 3) + ZIDZ(1, c)"}
  stateful: {equation: "PREVIOUS(a, 1) + DELAY(b, 1.5, 2) + SMTH1(a, 2) + SMTH3(b, 3) + SMTHN(c, 2, 2) + DELAY1(a, 1) + DELAY3(b, 2) + DELAYN(c, 1, 2) + TREND(a + 20, 2) + INIT(c) + STOPTIME"}
  looked: {equation: "cont(TIME) + extra(TIME) + disc(TIME) + single(TIME)"}
  STARTTIME_OR: {equation: "MAX(STARTTIME, 1)"}
constants:
  k: {value: 2}
lookups:
  cont: {points: [[0, 1], [4, 3], [8, 2]], kind: continuous}
  extra: {points: [[2, 0], [6, 4]], kind: extrapolate}
  disc: {points: [[0, 5], [3, 1], [9, 2]], kind: discrete}
  single: {points: [[0, 7]]}
)yaml";

}  // namespace

TEST_CASE("generated: every operation and event gives the interpreter's results") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    sim::Diagnostics d;
    sim::ModelSpec spec = sim::parse_yaml(kitchen_sink, "sink.yaml", d);
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    const sim::Model m = sim::Model::compile(spec);
    auto gen = sim::compile_native(m, d, native_options());
    REQUIRE_MESSAGE(gen, d.str());
    CHECK(compare_engines("every operation", m, *gen) == 0);
    // The same with the slot vector shape of large models (one statement per function).
    sim::GenerateOptions small;
    small.max_local_slots = 0;
    small.function_size = 1;
    const std::string src = sim::generate_kernel_source(m, small);
    CHECK(src.find("flows_3(") != std::string::npos);  // split into functions
}

// kitchen_sink without PREVIOUS and the fixed DELAY (models with them have
// no lanes), with the drain scaled by k (varied run by run: the
// non-negative stock `a` is limited at different steps in different lanes;
// so is the pulse)
// a division by zero at TIME 6 when k = 3, and a NaN flowing into `a` from
// TIME 3 when k = 4 (through an outflow to nowhere, so that only `a` holds
// it).
std::string kitchen_lanes() {
    std::string y = kitchen_sink;
    auto replace = [&](const std::string& from, const std::string& to) {
        const auto at = y.find(from);
        REQUIRE(at != std::string::npos);
        y.replace(at, from.size(), to);
    };
    replace("PREVIOUS(a, 1) + DELAY(b, 1.5, 2) + ", "");
    replace("a * 0.3 + PULSE(4, 2, 3)", "a * 0.15 * k + PULSE(k, 2, 3)");
    replace("outflows: [drain, spill]", "outflows: [drain, spill, vent]");
    replace("flows:\n",
            "flows:\n  vent: {equation: \"IF k = nan_at_4 AND TIME >= 3 THEN (TIME - TIME) / (TIME - TIME) ELSE 0\"}\n");
    replace("  k: {value: 2}", "  k: {value: 2}\n  zero_at_3: {value: 3}\n  nan_at_4: {value: 4}");
    replace("aux:\n", "aux:\n  spike: {equation: \"IF k = zero_at_3 THEN b / (TIME - 6) ELSE 0\"}\n");
    return y;
}

TEST_CASE("generated: batches in SIMD lanes give every run's bits (limits, a division by zero in one lane)") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    const bool avx2 = __builtin_cpu_supports("avx2");
#else
    const bool avx2 = false;
#endif
    if (!avx2) {
        simtest::skip("this machine has no AVX2: generated code has no SIMD lanes here");
        return;
    }
    sim::Diagnostics d;
    const sim::Model m = sim::Model::compile(sim::parse_yaml(kitchen_lanes(), "lanes.yaml", d));
    REQUIRE_MESSAGE(!d.has_errors(), d.str());
    auto gen = sim::compile_native(m, d, native_options());
    REQUIRE_MESSAGE(gen, d.str());
    REQUIRE(sim::kernel_has_lanes(*gen));
    // PREVIOUS and fixed delays have none.
    const sim::Model sink = sim::Model::compile(sim::parse_yaml(kitchen_sink, "sink.yaml", d));
    CHECK(sim::generate_kernel_source(sink).find("void euler_lanes(") == std::string::npos);
    CHECK(compare_engines("every operation, lanes", m, *gen) == 0);

    sim::BatchOptions o;
    o.base.method = sim::Method::euler;
    o.base.engine = sim::RunEngine::generated;
    o.parameters = {"k"};
    const std::vector<double> ks = {0.5, 2, 1, 4.5, 2.5, 0.25, 1.5, 5, 0.1};  // two groups of four, one alone
    const auto names = m.variable_names();
    const auto col_a = static_cast<std::size_t>(std::find(names.begin(), names.end(), "a") - names.begin());
    REQUIRE(col_a < names.size());
    for (bool lanes : {true, false}) {
        o.lanes = lanes;
        const sim::BatchResult r = sim::Batch(*gen, o).run(ks);
        std::set<std::size_t> first_zero;  // the row where `a` first is 0, per run
        for (std::size_t i = 0; i < ks.size(); ++i) {
            sim::RunOptions one = o.base;
            one.engine = sim::RunEngine::interpreter;
            one.set = {{"k", ks[i]}};
            const sim::Results want = m.run(one);
            const std::vector<double> got(r.run_values(i).begin(), r.run_values(i).end());
            CHECK_MESSAGE(same_bits(got, want.values), "run " << i << (lanes ? " in lanes" : " alone"));
            std::size_t row = 0;
            while (row < r.rows() && r.at(i, row, col_a) != 0) ++row;
            first_zero.insert(row);
        }
        CHECK(first_zero.size() >= 3);  // limited at different steps in different runs
    }

    // k = 3 in the second lane of the second group: that run alone reports it.
    o.lanes = true;
    const std::vector<double> with_3 = {1, 2, 1.5, 0.5, 2.5, 3, 1, 0.5};
    try {
        (void)sim::Batch(*gen, o).run(with_3);
        FAIL("no error");
    } catch (const sim::Error& e) {
        const auto& items = e.diagnostics().items();
        REQUIRE(items.size() >= 2);
        CHECK(items[0].code == sim::Code::E_DIV_ZERO);
        CHECK(items[0].variable == "spike");
        CHECK(items.back().message == "in run 5 of the batch (k = 3)");
    }
    // k = 4 in the second lane: a NaN flows into the non-negative stock `a`
    // (it must stay NaN, not be clamped or limited to 0) and is reported.
    // Saving every column, and only stocks (so that only the stock's own
    // check can see it).
    const std::vector<double> with_4 = {1, 4, 2, 0.5};
    for (const std::vector<std::string>& save : {std::vector<std::string>{}, std::vector<std::string>{"a", "c"}}) {
        o.base.save = save;
        try {
            (void)sim::Batch(*gen, o).run(with_4);
            FAIL("no error, saving " << save.size() << " columns");
        } catch (const sim::Error& e) {
            const auto& items = e.diagnostics().items();
            REQUIRE(items.size() >= 2);
            CHECK(items[0].code == sim::Code::E_DIV_ZERO);
            CHECK(items[0].variable == "vent");
            CHECK(items.back().message == "in run 1 of the batch (k = 4)");
        }
    }
    o.base.save.clear();
    o.base.on_nonfinite = sim::NonFinite::warn;
    // (No structured binding: clang 14 cannot capture one in doctest's lambdas.)
    for (const auto& c : {std::pair{with_3, std::size_t{5}}, std::pair{with_4, std::size_t{1}}}) {
        const std::vector<double>& sets = c.first;
        const std::size_t failing = c.second;
        const sim::BatchResult r = sim::Batch(*gen, o).run(sets);
        REQUIRE(!r.warnings.empty());
        for (const auto& w : r.warnings) CHECK(w.first == failing);
        for (std::size_t i = 0; i < sets.size(); ++i) {
            sim::RunOptions one = o.base;
            one.engine = sim::RunEngine::interpreter;
            one.set = {{"k", sets[i]}};
            const sim::Results want = m.run(one);
            const std::vector<double> got(r.run_values(i).begin(), r.run_values(i).end());
            CHECK_MESSAGE(same_bits(got, want.values), "run " << i << " of " << sets.size() << " under warn");
            CHECK(want.warnings.empty() == (i != failing));
        }
    }
}

TEST_CASE("generated: the shape for large models (functions over the slot vector) gives the same results") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    simtest::TempDir tmp("sim_generated_shape");
    sim::Diagnostics d;
    const sim::Model m = sim::Model::compile(sim::parse_yaml(kitchen_sink, "sink.yaml", d));
    sim::GenerateOptions small;
    small.max_local_slots = 0;
    small.function_size = 3;
    const std::string src = sim::generate_kernel_source(m, small);
    const std::string path = tmp.write("k.cpp", src);
    const std::string so = (tmp / "k.so").string();
    REQUIRE(std::system(("c++ -std=c++20 -O1 -ffp-contract=off -fPIC -shared -o '" + so + "' '" + path + "'").c_str()) == 0);
    void* h = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    REQUIRE(h);
    auto get = reinterpret_cast<const sim::Kernel* (*)()>(dlsym(h, "sim_kernel"));
    REQUIRE(static_cast<bool>(get));
    const sim::Model gen = sim::attach_kernel(m, *get());
    CHECK(compare_engines("functions over the slot vector", m, gen) == 0);
}

TEST_CASE("generated: every model in models/ gives the interpreter's results") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(SIM_SOURCE_DIR) + "/models")) {
        const auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".xmile") &&
            e.path().parent_path().filename() != "scenarios" && e.path().parent_path().filename() != "data")
            files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 5);
    check_models(files, [](const std::string&) { return false; });
}

TEST_CASE("generated: every conformance case the interpreter runs gives its results") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    const auto files = conformance_models();
    if (files.empty()) {
        simtest::skip("no conformance cases at " SIM_CONFORMANCE_DIR);
        return;
    }
    // The cases listed as known failures, with their reasons (a case that
    // does not load is one of them: broken as shipped, GET TIME VALUE with
    // calendar measures).
    std::set<std::string> known;
    for (const char* list : {"known_failures_mdl.tsv", "known_failures_xmile.tsv"}) {
        std::ifstream f(std::string(SIM_SOURCE_DIR) + "/tests/conformance/" + list);
        REQUIRE(f);
        for (std::string line; std::getline(f, line);)
            if (!line.empty() && line[0] != '#')
                known.insert(std::string(SIM_CONFORMANCE_DIR) + "/test-models/" + line.substr(0, line.find('\t')));
    }
    check_models(files, [&](const std::string& f) { return known.count(f) > 0; });
}

TEST_CASE("generated: errors are the interpreter's (the run is repeated by it to find the cause)") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    sim::ModelSpec m;
    m.specs.stop = 20;
    m.specs.dt = 0.25;
    m.add_stock("x", "1", {"grow"});
    m.add_flow("grow", "x * 0.1 + 1 / (TIME - 10)");  // infinite at TIME = 10
    m.add_aux("later", "IF TIME > 15 THEN LN(-1) ELSE 0");
    const sim::Model model = sim::Model::compile(m);
    sim::Diagnostics d;
    auto gen = sim::compile_native(model, d, native_options());
    REQUIRE_MESSAGE(gen, d.str());
    const Outcome a = run(model, {}, sim::RunEngine::interpreter), b = run(*gen, {}, sim::RunEngine::generated);
    CHECK_FALSE(b.r);
    CHECK(b.error == a.error);
    CHECK(b.error.find(std::string("E-DIV") + "-ZERO") != std::string::npos);  // the message names its code
    CHECK(compare_engines("non-finite values", model, *gen) == 0);

    // Models whose runs stop on a NaN: both engines give the same error, and
    // the same outcome under every variant; the interpreter's error returned.
    auto same_error = [&](const sim::ModelSpec& spec, const char* what) {
        const sim::Model im = sim::Model::compile(spec);
        auto g = sim::compile_native(im, d, native_options());
        REQUIRE_MESSAGE(g, d.str());
        const Outcome a = run(im, {}, sim::RunEngine::interpreter), b = run(*g, {}, sim::RunEngine::generated);
        CHECK_FALSE(b.r);
        CHECK(b.error == a.error);
        CHECK(compare_engines(what, im, *g) == 0);
        return a.error;
    };

    // A 0/0 inside MIN or MAX is NaN on either side (sim::ops::min/max).
    sim::ModelSpec q;
    q.specs.stop = 8;
    q.add_stock("x", "1", {"f"});
    q.add_flow("f", "MAX(0, (TIME - 5) / (TIME - 5)) + MIN((TIME - 6) / (TIME - 6), 1)");
    CHECK(same_error(q, "NaN in MIN and MAX").find("time 5") != std::string::npos);

    // A NaN flowing into a non-negative stock between saved rows stays NaN
    // (limit_outflows, the generated limit).
    sim::ModelSpec z;
    z.specs.stop = 5;
    z.specs.dt = 0.5;
    z.specs.save_step = 1;
    z.add_stock("x", "10", {}, {"f"}).non_negative = true;
    z.add_flow("f", "IF TIME = 2.5 THEN (TIME - 2.5) / (TIME - 2.5) ELSE 1");
    CHECK(same_error(z, "NaN into a non-negative stock").find("time 2.5") != std::string::npos);

    // A stock hidden inside an SMTH1 going bad: its owner's error.
    sim::ModelSpec h;
    h.specs.stop = 5;
    h.specs.dt = 0.5;
    h.add_aux("x", "TIME");
    h.add_aux("y", "SMTH1(x, (TIME - 2) / (TIME - 2))");
    const std::string hidden = same_error(h, "NaN in a hidden stock");
    CHECK(hidden.find("'y'") != std::string::npos);
    CHECK(hidden.find("hidden inside its SMTH/DELAY/TREND") != std::string::npos);

    // Options are checked as always.
    sim::RunOptions unknown;
    unknown.set = {{"nope", 1.0}};
    CHECK(run(*gen, unknown, sim::RunEngine::generated).error == run(model, unknown, sim::RunEngine::interpreter).error);
    // The generated engine needs generated code.
    sim::RunOptions want;
    want.engine = sim::RunEngine::generated;
    try {
        model.run(want);
        FAIL("no error");
    } catch (const sim::Error& e) {
        CHECK(e.diagnostics().items().at(0).code == sim::Code::E_ENGINE);
    }
}

// `m` with generated code in the shape for large models (every statement
// over the slot vector, `size` statements a function), compiled here.
sim::Model slot_vector_shape(const sim::Model& m, const simtest::TempDir& tmp, const std::string& stem,
                             std::size_t size) {
    sim::GenerateOptions small;
    small.max_local_slots = 0;
    small.function_size = size;
    const std::string path = tmp.write(stem + ".cpp", sim::generate_kernel_source(m, small));
    const std::string so = (tmp / (stem + ".so")).string();
    REQUIRE(std::system(("c++ -std=c++20 -O1 -ffp-contract=off -fPIC -shared -o '" + so + "' '" + path + "'").c_str()) == 0);
    void* h = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    REQUIRE(h);
    auto get = reinterpret_cast<const sim::Kernel* (*)()>(dlsym(h, "sim_kernel"));
    REQUIRE(static_cast<bool>(get));
    return sim::attach_kernel(m, *get());
}

// The kernel checks what it saves as it saves it (KernelRun::bad), and the
// interpreter's rows after the first check only the columns a step writes
// (RunPlan::checked): an auxiliary no stock reads that turns non-finite
// mid-run is still found, in both kernel shapes, with every column or a
// choice of them, and is no error where it is not saved.
TEST_CASE("generated: a saved auxiliary that turns non-finite mid-run is the interpreter's error") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    simtest::TempDir tmp("sim_generated_saved");
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "1", {"grow"}, {"drain"});
    m.add_flow("grow", "x * 0.1");
    m.add_flow("drain", "x * 0.05");
    m.add_aux("later", "IF TIME > 4 THEN 1 / (TIME - TIME) ELSE 0");  // +inf from TIME = 4.5; no stock reads it
    const sim::Model model = sim::Model::compile(m);
    sim::Diagnostics d;
    auto gen = sim::compile_native(model, d, native_options());
    REQUIRE_MESSAGE(gen, d.str());
    const sim::Model large = slot_vector_shape(model, tmp, "k", 1);
    for (const sim::Model* g : {static_cast<const sim::Model*>(&*gen), &large}) {
        for (const std::vector<std::string>& save :
             {std::vector<std::string>{}, {"x", "later"}, {"later"}}) {
            sim::RunOptions o;
            o.save = save;
            const Outcome a = run(model, o, sim::RunEngine::interpreter), b = run(*g, o, sim::RunEngine::generated);
            CHECK_FALSE(a.r);
            CHECK_FALSE(b.r);
            CHECK(b.error == a.error);
            CHECK(a.error.find("'later'") != std::string::npos);
            CHECK(a.error.find("time 4.5") != std::string::npos);
        }
        sim::RunOptions stock_only;
        stock_only.save = {"x", "grow"};
        const Outcome a = run(model, stock_only, sim::RunEngine::interpreter),
                      b = run(*g, stock_only, sim::RunEngine::generated);
        REQUIRE(a.r);
        REQUIRE(b.r);
        CHECK(same_bits(a.r->values, b.r->values));
    }
}

TEST_CASE("generated: a DELAY FIXED time that turns negative is the interpreter's E-DELAY-TIME") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    simtest::TempDir tmp("sim_generated_delay");
    sim::ModelSpec m;
    m.specs.stop = 10;
    m.specs.dt = 0.5;
    m.add_stock("x", "100", {}, {"draining"});
    m.add_flow("draining", "DELAY FIXED(x * rate, lag, 0)");
    m.add_aux("lag", "2 - TIME");  // negative from TIME = 2.5, seen in the step to 3
    m.add_constant("rate", 0.1);
    const sim::Model model = sim::Model::compile(m);
    sim::Diagnostics d;
    auto gen = sim::compile_native(model, d, native_options());
    REQUIRE_MESSAGE(gen, d.str());
    const sim::Model large = slot_vector_shape(model, tmp, "k", 1);
    for (const sim::Model* g : {static_cast<const sim::Model*>(&*gen), &large}) {
        for (auto check : {sim::NonFinite::error, sim::NonFinite::ignore}) {
            sim::RunOptions o;
            o.on_nonfinite = check;
            const Outcome a = run(model, o, sim::RunEngine::interpreter), b = run(*g, o, sim::RunEngine::generated);
            CHECK_FALSE(a.r);
            CHECK_FALSE(b.r);
            CHECK(b.error == a.error);
            CHECK(b.error.find("the delay time of DELAY FIXED became -0.5 in the step to time 3") != std::string::npos);
            CHECK(b.error.find(std::string("E-DELAY") + "-TIME") != std::string::npos);
        }
        CHECK(compare_engines("negative delay time", model, *g) == 0);
    }
}

// Every vector function, over stocks that change and arguments that depend
// on TIME (the Euler loop with locals stores them into the slot vector
// first); VECTOR SELECT with its action changing during the run.
const char* const vectors_yaml = R"yaml(name: vectors
sim: {start: 0, stop: 6, dt: 0.25}
dimensions:
  r: [a, b, c, d]
  q: [ptype, ppriority, pwidth, pextra]
stocks:
  x: {dimensions: [r], initial: "v[r]", inflows: [grow]}
flows:
  grow: {dimensions: [r], equation: "SIN(TIME * w[r]) + 0.1 * TIME"}
constants:
  v: {dimensions: [r], value: [3, 1, 2, 5]}
  w: {dimensions: [r], value: [1, 2, 0.5, 1.5]}
  ord: {dimensions: [r], value: [3, 0, 2, 1]}
  sel: {dimensions: [r], value: [1, 0, 1, 1]}
  prof: {dimensions: [r, q], value: [1, 3, 2, 0, 2, 2, 1, 0, 3, 1, 1.5, 0, 4, 2.5, 1, 0]}
aux:
  sorted: {dimensions: [r], equation: "VECTOR_SORT_ORDER(x[r], 1)"}
  ranked: {dimensions: [r], equation: "VECTOR_RANK(x[r], SIN(TIME))"}
  reordered: {dimensions: [r], equation: "VECTOR_REORDER(x[r], ord[r])"}
  mapped: {dimensions: [r], equation: "VECTOR_ELM_MAP(x[a], ord[r])"}
  selected: {equation: "VECTOR_SELECT(sel[*], x[*], -1, MOD(INT(TIME), 11), 0)"}
  nth: {equation: "RANK(x, 2)"}
  by_priority: {dimensions: [r], equation: "ALLOCATE_BY_PRIORITY(x[r], w[r], 4, 1, 4 + TIME)"}
  available: {dimensions: [r], equation: "ALLOCATE_AVAILABLE(x[r], prof[r, *], 6 + TIME)"}
)yaml";

// Vensim's INVERT MATRIX and ALLOCATE AVAILABLE (the reader's calls over
// scalars), of a matrix and requests that change with TIME.
const char* const vectors_mdl = R"mdl({UTF-8}
R: r1, r2 ~~|
C <-> R ~~|
m[r1, r1] = 4 + Time ~~|
m[r1, r2] = 7 ~~|
m[r2, r1] = 2 ~~|
m[r2, r2] = 6 - Time / 2 ~~|
inv[R, C] = INVERT MATRIX(m[R, C], 2) ~~|
branch: b1, b2, b3 ~~|
pprofile: ptype, ppriority, pwidth, pextra ~~|
demand[b1] = 5 + Time ~~|
demand[b2] = 3 ~~|
demand[b3] = 4 - Time / 4 ~~|
priorities[b1, pprofile] = 3, 5, 2, 0 ~~|
priorities[b2, pprofile] = 3, 6, 3, 0 ~~|
priorities[b3, pprofile] = 3, 4, 1, 0 ~~|
shipments[branch] = ALLOCATE AVAILABLE(demand[branch], priorities[branch, ptype], 7 + Time) ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 4 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = TIME STEP ~~|
)mdl";

TEST_CASE("generated: the vector functions give the interpreter's results, in both shapes") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    simtest::TempDir tmp("sim_generated_vectors");
    const std::pair<const char*, const char*> models[] = {{"vectors.yaml", vectors_yaml}, {"vectors.mdl", vectors_mdl}};
    for (const auto& fm : models) {
        const std::string file = fm.first;
        const char* const text = fm.second;
        INFO(file);
        sim::Diagnostics d;
        const sim::ModelSpec spec = sim::parse_model(text, file, d);
        std::optional<sim::Model> m;
        if (!d.has_errors()) m = sim::Model::compile(spec, d);
        REQUIRE_MESSAGE(m, d.str());
        const auto& vops = sim::detail::program_of(*m).vector_ops;
        REQUIRE_FALSE(vops.empty());
        if (file == "vectors.yaml") {  // every kind but INVERT MATRIX, which the .mdl has
            std::set<int> kinds;
            for (const auto& v : vops) kinds.insert(static_cast<int>(v.kind));
            CHECK(kinds.size() == 8);
        }
        auto gen = sim::compile_native(*m, d, native_options());
        REQUIRE_MESSAGE(gen, d.str());
        CHECK(compare_engines(file + ", locals", *m, *gen) == 0);
        const sim::Model mem = slot_vector_shape(*m, tmp, file == "vectors.yaml" ? "y" : "v", 2);
        CHECK(compare_engines(file + ", slot vector", *m, mem) == 0);
    }
}

TEST_CASE("generated: the fingerprint covers the vector functions' calls") {
    // Two programs whose tapes, slots and names are the same, with another
    // vector function: a kernel for one must not be attached to the other.
    auto fingerprint = [](const std::string& fn) {
        const std::string yaml = "name: v\nsim: {start: 0, stop: 2, dt: 1}\ndimensions:\n  r: [a, b, c]\n"
                                 "constants:\n  v: {dimensions: [r], value: [3, 1, 2]}\n"
                                 "aux:\n  o: {dimensions: [r], equation: \"" + fn + "(v[r], 1)\"}\n";
        sim::Diagnostics d;
        const sim::Model m = sim::Model::compile(sim::parse_model(yaml, "v.yaml", d));
        REQUIRE(!sim::detail::program_of(m).vector_ops.empty());
        return sim::program_fingerprint(m);
    };
    CHECK(fingerprint("VECTOR_SORT_ORDER") != fingerprint("VECTOR_RANK"));
    CHECK(fingerprint("VECTOR_RANK") == fingerprint("VECTOR_RANK"));
}

TEST_CASE("generated: a kernel for another program is refused") {
    if (!have_compiler()) {
        simtest::skip("no C++ compiler (c++) on the PATH");
        return;
    }
    sim::ModelSpec a;
    a.add_stock("x", "1", {"f"});
    a.add_flow("f", "x * 0.1");
    sim::ModelSpec b = a;
    b.variables[1].equation = sim::Equation::parse("x * 0.2");
    const sim::Model ma = sim::Model::compile(a), mb = sim::Model::compile(b);
    CHECK(sim::program_fingerprint(ma) != sim::program_fingerprint(mb));
    sim::Diagnostics d;
    auto ga = sim::compile_native(ma, d, native_options());
    REQUIRE_MESSAGE(ga, d.str());
    sim::Kernel k{};  // a kernel with another program's fingerprint
    k.abi = sim::kernel_abi_version;
    k.fingerprint = "0000";
    k.slot_count = 0;
    try {
        (void)sim::attach_kernel(mb, k);
        FAIL("no error");
    } catch (const sim::Error& e) {
        CHECK(e.diagnostics().items().at(0).code == sim::Code::E_GENERATED_MISMATCH);
        CHECK(std::string(e.what()).find("regenerate") != std::string::npos);
    }
    k.abi = sim::kernel_abi_version + 1;
    CHECK_THROWS_AS((void)sim::attach_kernel(ma, k), sim::Error);
}

TEST_CASE("generated: generate_cpp writes a class that compiles the embedded model") {
    sim::Diagnostics d;
    sim::ModelSpec spec = sim::parse_yaml(kitchen_sink, "sink.yaml", d);
    const sim::Model m = sim::Model::compile(spec);
    sim::GenerateOptions o;
    o.name = "sink";
    o.source_text = kitchen_sink;
    o.source_path = "sink.yaml";
    const sim::GeneratedCode g = sim::generate_cpp(m, o);
    CHECK(g.fingerprint == sim::program_fingerprint(m));
    CHECK(g.header.find("class sink : public sim::Model") != std::string::npos);
    CHECK(g.source.find("#include \"sink.hpp\"") != std::string::npos);
    CHECK(g.source.find("sim::model_from_kernel(kernel_def)") != std::string::npos);
    CHECK(g.locals);
    // Bad names are refused.
    o.name = "1abc";
    try {
        (void)sim::generate_cpp(m, o);
        FAIL("no error");
    } catch (const sim::Error& e) {
        CHECK(e.diagnostics().items().at(0).code == sim::Code::E_GENERATE);
    }
}
