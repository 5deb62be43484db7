// Lever comparison: factorial effects and Shapley shares against closed forms
// (linear, pure interaction, general multilinear responses), the runner on
// small models built in code, thread-count independence, and the outputs.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/compare.hpp"
#include "sim/report.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// Multilinear response y(x) = sum over subsets T of beta[T] * prod_{i in T} x_i.
// Over the full 0/1 factorial its effects have closed forms (docs/compare.md):
//   main_i        = sum_{T contains i}     beta[T] / 2^(|T|-1)
//   interaction_ij = sum_{T contains i,j}  beta[T] / 2^(|T|-1)
//   shapley_i     = sum_{T contains i}     beta[T] / |T|
std::vector<double> multilinear(const std::vector<double>& beta) {
    std::vector<double> y(beta.size(), 0.0);
    for (std::size_t m = 0; m < y.size(); ++m)
        for (std::size_t t = 0; t < beta.size(); ++t)
            if ((t & m) == t) y[m] += beta[t];
    return y;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path scratch(const std::string& name) {
    auto d = fs::temp_directory_path() / ("sim_compare_test_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

bool has_gnuplot() { return std::system("gnuplot --version >/dev/null 2>&1") == 0; }
bool has_pngcairo() { return std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") == 0; }

// A stand-in for gnuplot at dir/gnuplot: appends its arguments to dir/calls,
// then runs `probe` (sh) for the pngcairo probe (`gnuplot -e ...`), else
// `script` (in the charts directory).
std::string fake_gnuplot(const fs::path& dir, const std::string& probe, const std::string& script) {
    fs::create_directories(dir);
    {
        std::ofstream sh(dir / "gnuplot");
        sh << "#!/bin/sh\necho \"$*\" >> '" << (dir / "calls").string() << "'\n"
           << "if [ \"$1\" = -e ]; then\n" << probe << "\nfi\n" << script << "\n";
    }
    fs::permissions(dir / "gnuplot", fs::perms::owner_all);
    return (dir / "gnuplot").string();
}

// A fake gnuplot's script: writes a tiny SVG into every `set output` of charts.gp.
const std::string fake_draw = "sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" charts.gp | "
                              "while read f; do echo '<svg/>' > \"$f\"; done";

}  // namespace

TEST_CASE("compare: factorial effects of a linear response y = 10 + 3a + 5b - 2c") {
    std::vector<double> y(8);
    for (unsigned m = 0; m < 8; ++m) y[m] = 10 + 3.0 * (m & 1) + 5.0 * (m >> 1 & 1) - 2.0 * (m >> 2 & 1);
    auto e = sim::factorial_effects(y);
    REQUIRE(e.main.size() == 3);
    CHECK(e.baseline == 10);
    CHECK(e.all == doctest::Approx(6).epsilon(1e-12));
    CHECK(e.main[0] == doctest::Approx(3).epsilon(1e-12));
    CHECK(e.main[1] == doctest::Approx(5).epsilon(1e-12));
    CHECK(e.main[2] == doctest::Approx(-2).epsilon(1e-12));
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) CHECK(std::fabs(e.interaction_at(i, j)) < 1e-12);
    // No interaction: each lever's Shapley share is its main effect.
    CHECK(e.shapley[0] == doctest::Approx(3).epsilon(1e-12));
    CHECK(e.shapley[1] == doctest::Approx(5).epsilon(1e-12));
    CHECK(e.shapley[2] == doctest::Approx(-2).epsilon(1e-12));
}

TEST_CASE("compare: pure interaction y = 4ab, with and without an idle third lever") {
    // k = 2: cells 0, 0, 0, 4.
    auto e = sim::factorial_effects(std::vector<double>{0, 0, 0, 4});
    CHECK(e.main[0] == 2);  // mean(a on) = 2, mean(a off) = 0
    CHECK(e.main[1] == 2);
    // half of (effect of a with b on: 4) minus (effect of a with b off: 0)
    CHECK(e.interaction_at(0, 1) == 2);
    CHECK(e.interaction_at(1, 0) == 2);
    CHECK(e.interaction_at(0, 0) == 0);
    CHECK(e.shapley[0] == 2);  // the surplus 4 is split evenly
    CHECK(e.shapley[1] == 2);
    CHECK(e.all == 4);

    std::vector<double> y(8);
    for (unsigned m = 0; m < 8; ++m) y[m] = 4.0 * (m & 1) * (m >> 1 & 1);
    auto e3 = sim::factorial_effects(y);
    CHECK(e3.main[0] == 2);
    CHECK(e3.main[1] == 2);
    CHECK(e3.main[2] == 0);
    CHECK(e3.interaction_at(0, 1) == 2);
    CHECK(e3.interaction_at(0, 2) == 0);
    CHECK(e3.interaction_at(1, 2) == 0);
    CHECK(e3.shapley[0] == doctest::Approx(2).epsilon(1e-15));
    CHECK(e3.shapley[1] == doctest::Approx(2).epsilon(1e-15));
    CHECK(e3.shapley[2] == 0);
}

TEST_CASE("compare: three-way interaction y = 6abc") {
    std::vector<double> y(8, 0.0);
    y[7] = 6;
    auto e = sim::factorial_effects(y);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(e.main[i] == doctest::Approx(1.5));  // 6 / 2^2
        CHECK(e.shapley[i] == doctest::Approx(2));  // 6 / 3
        for (std::size_t j = i + 1; j < 3; ++j) CHECK(e.interaction_at(i, j) == doctest::Approx(1.5));
    }
}

TEST_CASE("compare: effects of random multilinear responses match the closed forms") {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> U(-10, 10);
    for (std::size_t k = 1; k <= 6; ++k) {
        const std::size_t n = std::size_t{1} << k;
        std::vector<double> beta(n);
        for (auto& b : beta) b = U(rng);
        auto e = sim::factorial_effects(multilinear(beta));
        for (std::size_t i = 0; i < k; ++i) {
            double main = 0, shap = 0;
            for (std::size_t t = 0; t < n; ++t)
                if (t >> i & 1) {
                    int sz = std::popcount(t);
                    main += beta[t] / std::ldexp(1.0, sz - 1);
                    shap += beta[t] / sz;
                }
            CHECK(e.main[i] == doctest::Approx(main).epsilon(1e-10));
            CHECK(e.shapley[i] == doctest::Approx(shap).epsilon(1e-10));
            for (std::size_t j = i + 1; j < k; ++j) {
                double inter = 0;
                for (std::size_t t = 0; t < n; ++t)
                    if ((t >> i & 1) && (t >> j & 1)) inter += beta[t] / std::ldexp(1.0, std::popcount(t) - 1);
                CHECK(e.interaction_at(i, j) == doctest::Approx(inter).epsilon(1e-10));
            }
        }
    }
}

TEST_CASE("compare: Shapley shares add up to the all-levers effect within 1e-9 relative") {
    std::mt19937_64 rng(777);
    std::uniform_real_distribution<double> U(-1, 1);
    for (std::size_t k = 1; k <= 12; ++k) {
        std::vector<double> y(std::size_t{1} << k);
        // A large common level and a small lever signal: the hard case for rounding.
        for (auto& v : y) v = 1e6 + U(rng);
        auto e = sim::factorial_effects(y);
        double sum = 0;
        for (double s : e.shapley) sum += s;
        CHECK(std::fabs(sum - e.all) <= 1e-9 * std::fabs(e.all));
    }
}

TEST_CASE("compare: factorial_effects rejects a size that is not a power of two") {
    CHECK_THROWS_AS(sim::factorial_effects(std::vector<double>{1, 2, 3}), sim::Error);
    CHECK_THROWS_AS(sim::factorial_effects(std::vector<double>{}), sim::Error);
    auto e = sim::factorial_effects(std::vector<double>{7});  // k = 0: no levers
    CHECK(e.main.empty());
    CHECK(e.all == 0);
}

namespace {

// A hand-made two-lever result: y = 100 + 3a + 4b + 2ab, cost rate 10 per lever.
sim::CompareResult synthetic() {
    sim::CompareResult r;
    r.model_name = "synthetic";
    r.levers = {"land", "registration"};
    r.lever_titles = {"Land reform", ""};
    r.indicators = {{"rural_income", false}, {"income_ratio", true}};
    r.at = {2030};
    r.times = {2020, 2025, 2030};
    r.has_cost = true;
    r.cost_name = "cumulative_fiscal_cost";
    r.cost_source = "test";
    for (unsigned m = 0; m < 4; ++m) {
        sim::Combination c;
        c.mask = m;
        double a = m & 1, b = m >> 1 & 1;
        for (int ind = 0; ind < 2; ++ind) {
            std::vector<double> s;
            for (double t : r.times) {
                double f = (t - 2020) / 10;
                s.push_back(ind == 0 ? 100 + f * (3 * a + 4 * b + 2 * a * b) : 2.5 - f * (0.125 * a + 0.25 * b));
            }
            c.series.push_back(s);
            c.values.push_back(s.back());
        }
        double rate = 10 * (a + b);
        c.cost_series = {0, 5 * rate, 10 * rate};
        c.cost = {10 * rate};
        r.combinations.push_back(c);
    }
    sim::analyse(r);
    return r;
}

}  // namespace

TEST_CASE("compare: CSV outputs of a two-lever comparison") {
    auto r = synthetic();
    std::ostringstream comb, eff, traj;
    sim::write_combinations_csv(r, comb);
    sim::write_effects_csv(r, eff);
    sim::write_trajectories_csv(r, traj);
    CHECK(comb.str() ==
          "combination,land,registration,rural_income@2030,income_ratio@2030,cumulative_fiscal_cost@2030\n"
          "baseline,0,0,100,2.5,0\n"
          "land,1,0,103,2.375,100\n"
          "registration,0,1,104,2.25,100\n"
          "land+registration,1,1,109,2.125,200\n");
    const std::string e = eff.str();
    CHECK(e.rfind("indicator,time,measure,lever,other_lever,value\n", 0) == 0);
    CHECK(e.find("rural_income,2030,baseline,,,100\n") != std::string::npos);
    CHECK(e.find("rural_income,2030,all_levers_effect,,,9\n") != std::string::npos);
    CHECK(e.find("rural_income,2030,main,land,,4\n") != std::string::npos);          // 3 + 2/2
    CHECK(e.find("rural_income,2030,main,registration,,5\n") != std::string::npos);  // 4 + 2/2
    CHECK(e.find("rural_income,2030,interaction,land,registration,1\n") != std::string::npos);
    CHECK(e.find("rural_income,2030,shapley,land,,4\n") != std::string::npos);       // 3 + 2/2
    const std::string t = traj.str();
    CHECK(t.rfind("run,combination,indicator,time,value\n", 0) == 0);
    CHECK(t.find("baseline,baseline,rural_income,2020,100\n") != std::string::npos);
    CHECK(t.find("all_levers,land+registration,rural_income,2030,109\n") != std::string::npos);
    CHECK(t.find("land,land,cumulative_fiscal_cost,2025,50\n") != std::string::npos);
}

TEST_CASE("compare: ranked table puts the best combination first, honouring lower-is-better") {
    auto r = synthetic();
    std::ostringstream a, b;
    sim::print_ranked_table(r, a, 0);
    sim::print_ranked_table(r, b, 1);
    auto first_row = [](const std::string& s) {
        auto l1 = s.find('\n');
        auto l2 = s.find('\n', l1 + 1);
        return s.substr(l2 + 1, s.find('\n', l2 + 1) - l2 - 1);
    };
    CHECK(first_row(a.str()).find("   1  land+registration") == 0);
    CHECK(first_row(b.str()).find("   1  land+registration") == 0);  // lowest income ratio
    CHECK(a.str().find("higher is better") != std::string::npos);
    CHECK(b.str().find("lower is better") != std::string::npos);
}

TEST_CASE("compare: outputs without gnuplot still write the CSVs and say so in the report") {
    auto r = synthetic();
    auto dir = scratch("nognuplot");
    std::ostringstream warn;
    sim::CompareOutputOptions o;
    o.gnuplot = "/nonexistent/gnuplot";
    o.warnings = &warn;
    sim::write_compare_outputs(r, dir.string(), o);
    CHECK(fs::exists(dir / "combinations.csv"));
    CHECK(fs::exists(dir / "effects.csv"));
    CHECK(fs::exists(dir / "trajectories.csv"));
    CHECK(fs::exists(dir / "charts" / "charts.gp"));
    CHECK_FALSE(fs::exists(dir / "charts" / "gnuplot.log"));  // nothing ran
    CHECK(slurp(dir / "charts" / "charts.gp").find("\nset terminal svg size 960,560 ") != std::string::npos);
    const auto report = slurp(dir / "report.md");
    CHECK(report.find("Charts were not made: gnuplot was not found ('/nonexistent/gnuplot' could not be run); "
                      "install it") != std::string::npos);
    CHECK(report.find("The data and the gnuplot script are in charts/.") != std::string::npos);
    CHECK(warn.str().find("warning: charts not made: gnuplot was not found") != std::string::npos);
    // Best per value and per cost: rural income gains 9 for 200 together,
    // 3 for 100 (land) and 4 for 100 (registration) alone: 0.045 per unit,
    // restated per 10,000 (docs/compare.md).
    CHECK(report.find("| rural_income | 2030 | 100 | land+registration | 109 | land+registration | "
                      "450 per 10,000 units of cost | 200 |") != std::string::npos);
    // Income ratio (lower is better) falls 0.375 for 200 together, 0.25 for
    // 100 with registration alone: 0.0025 per unit.
    CHECK(report.find("| income_ratio | 2030 | 2.5 | land+registration | 2.13 | registration | "
                      "25 per 10,000 units of cost | 100 |") != std::string::npos);
    // The interaction 1 (> 5% of main effects 4 and 5) pushes the same way.
    CHECK(report.find("| rural_income | 2030 | land + registration | 1 | 4, 5 | reinforce (better than additive) |") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("compare: without gnuplot, PNG asked for gives the same note as SVG") {
    auto r = synthetic();
    auto dir = scratch("nognuplot_png");
    std::ostringstream warn;
    sim::CompareOutputOptions o;
    o.gnuplot = "/nonexistent/gnuplot";
    o.chart_format = sim::ChartFormat::png;
    o.warnings = &warn;
    sim::write_compare_outputs(r, dir.string(), o);
    CHECK(fs::exists(dir / "charts" / "charts.gp"));
    CHECK_FALSE(fs::exists(dir / "charts" / "gnuplot.log"));
    CHECK(slurp(dir / "report.md").find("Charts were not made: gnuplot was not found ('/nonexistent/gnuplot' could "
                                        "not be run)") != std::string::npos);
    CHECK(warn.str().find("warning: charts not made: gnuplot was not found") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("compare: charts are drawn with gnuplot when it is installed, SVG by default") {
    if (!has_gnuplot()) {
        simtest::skip("gnuplot is not installed");
        return;
    }
    auto r = synthetic();
    auto dir = scratch("charts");
    std::ostringstream warn;
    sim::CompareOutputOptions o;
    o.warnings = &warn;
    sim::write_compare_outputs(r, dir.string(), o);
    CHECK(warn.str().empty());
    const auto report = slurp(dir / "report.md");
    CHECK(report.find("Charts were not made") == std::string::npos);
    for (const char* f : {"traj_rural_income", "effects_rural_income", "traj_income_ratio", "effects_income_ratio"}) {
        const fs::path svg = dir / "charts" / (std::string(f) + ".svg");
        REQUIRE_MESSAGE(fs::exists(svg), svg);
        const std::string text = slurp(svg);
        CHECK_MESSAGE(text.rfind("<?xml", 0) == 0, svg);
        CHECK_MESSAGE(text.find("<svg") != std::string::npos, svg);
        CHECK_MESSAGE(text.find("</svg>") != std::string::npos, svg);  // complete, not cut off
        CHECK_FALSE(fs::exists(dir / "charts" / (std::string(f) + ".png")));
        CHECK(report.find("](charts/" + std::string(f) + ".svg)") != std::string::npos);
    }
    CHECK(report.find(".png") == std::string::npos);
    CHECK(slurp(dir / "charts" / "charts.gp").find("\nset terminal svg size 960,560 ") != std::string::npos);
    for (const auto& f : fs::directory_iterator(dir / "charts")) {
        CHECK(f.path().extension() != ".tmp");
        CHECK(f.path().extension() != ".png");
    }
    fs::remove_all(dir);
}

TEST_CASE("compare: charts in PNG (pngcairo) when asked for") {
    if (!has_gnuplot() || !has_pngcairo()) {
        simtest::skip("gnuplot with the pngcairo terminal is not installed");
        return;
    }
    auto r = synthetic();
    auto dir = scratch("charts_png");
    sim::CompareOutputOptions o;
    o.chart_format = sim::ChartFormat::png;
    sim::write_compare_outputs(r, dir.string(), o);
    const auto report = slurp(dir / "report.md");
    CHECK(report.find("Charts were not made") == std::string::npos);
    for (const char* f : {"traj_rural_income", "effects_rural_income", "traj_income_ratio", "effects_income_ratio"}) {
        const fs::path png = dir / "charts" / (std::string(f) + ".png");
        REQUIRE_MESSAGE(fs::exists(png), png);
        CHECK_MESSAGE(slurp(png).rfind("\x89PNG\r\n\x1a\n", 0) == 0, png);
        CHECK_FALSE(fs::exists(dir / "charts" / (std::string(f) + ".svg")));
        CHECK(report.find("](charts/" + std::string(f) + ".png)") != std::string::npos);
    }
    CHECK(report.find(".svg)") == std::string::npos);
    CHECK(slurp(dir / "charts" / "charts.gp").find("\nset terminal pngcairo size 960,560 ") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("compare: SVG runs gnuplot once, on the script; PNG probes for pngcairo first and falls back to SVG") {
    auto r = synthetic();
    const fs::path fake = fs::absolute(scratch("fake_gnuplot_calls"));
    sim::CompareOutputOptions o;
    o.gnuplot = fake_gnuplot(fake, "exit 1", fake_draw);  // no pngcairo
    std::ostringstream warn;
    o.warnings = &warn;
    auto dir = scratch("charts_calls");
    sim::write_compare_outputs(r, dir.string(), o);
    CHECK(slurp(fake / "calls") == "charts.gp\n");  // no probe
    CHECK(slurp(dir / "charts" / "traj_rural_income.svg") == "<svg/>\n");
    CHECK(slurp(dir / "report.md").find("](charts/traj_rural_income.svg)") != std::string::npos);
    CHECK(warn.str().empty());

    fs::remove(fake / "calls");
    o.chart_format = sim::ChartFormat::png;
    sim::write_compare_outputs(r, dir.string(), o);
    CHECK(slurp(fake / "calls") == "-e set terminal pngcairo\ncharts.gp\n");
    CHECK(slurp(dir / "charts" / "charts.gp").find("\nset terminal svg size 960,560 ") != std::string::npos);
    CHECK(slurp(dir / "charts" / "traj_rural_income.svg") == "<svg/>\n");
    CHECK_FALSE(fs::exists(dir / "charts" / "traj_rural_income.png"));
    CHECK(slurp(dir / "report.md").find("](charts/traj_rural_income.svg)") != std::string::npos);
    CHECK(warn.str().empty());
    fs::remove_all(dir);
    fs::remove_all(fake);
}

TEST_CASE("compare: gnuplot that runs and fails, or is killed, is not taken for a missing gnuplot") {
    auto r = synthetic();
    const fs::path fake = fs::absolute(scratch("fake_gnuplot_fails"));
    const std::vector<std::pair<std::string, std::string>> cases = {{"echo broken >&2; exit 3", "3"},
                                                                     {"kill -9 $$", "-1"}};
    for (const auto& c : cases) {
        const std::string& script = c.first;  // not a structured binding: INFO captures it (clang 14)
        const std::string& status = c.second;
        INFO("gnuplot: " << script);
        sim::CompareOutputOptions o;
        o.gnuplot = fake_gnuplot(fake, "exit 0", script);
        std::ostringstream warn;
        o.warnings = &warn;
        auto dir = scratch("charts_fails");
        sim::write_compare_outputs(r, dir.string(), o);
        const std::string why = "gnuplot failed (exit status " + status + "); see charts/gnuplot.log";
        CHECK(warn.str() == "warning: charts not made: " + why + "\n");
        CHECK(slurp(dir / "report.md").find("Charts were not made: " + why + ".") != std::string::npos);
        CHECK(fs::exists(dir / "charts" / "charts.gp"));
        if (status == "3") CHECK(slurp(dir / "charts" / "gnuplot.log") == "broken\n");
        fs::remove_all(dir);
        fs::remove_all(fake);
    }
}

// Every regular file under `dir`, by relative path, with its bytes.
std::map<std::string, std::string> tree_of(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = slurp(e.path());
    return files;
}

TEST_CASE("compare: charts started before the rest of the outputs (CompareOutputs) give write_compare_outputs' files") {
    if (!has_gnuplot()) {
        simtest::skip("gnuplot is not installed");
        return;
    }
    auto r = synthetic();
    auto one = scratch("charts_one_go"), two = scratch("charts_two_steps");
    sim::write_compare_outputs(r, one.string());
    {
        sim::CompareOutputs out(two.string());
        out.start_charts(r);
        CHECK_FALSE(fs::exists(two / "report.md"));  // nothing in place before finish
        out.finish(r);
    }
    const auto a = tree_of(one), b = tree_of(two);
    CHECK(a.size() >= 10);  // CSVs, report, charts data, script and images
    CHECK(a.count("charts/traj_rural_income.svg") == 1);
    CHECK(a.count("charts/traj_rural_income.png") == 0);
    CHECK(a == b);
    fs::remove_all(one);
    fs::remove_all(two);
}

TEST_CASE("compare: CompareOutputs destroyed unfinished stops gnuplot and leaves the old directory as it was") {
    auto r = synthetic();
    auto dir = scratch("charts_unfinished");
    sim::CompareOutputOptions o;
    o.gnuplot = "/nonexistent/gnuplot";
    sim::write_compare_outputs(r, dir.string(), o);  // the old set
    const auto before = tree_of(dir);
    // A stand-in for gnuplot that would take 30 s over the script and leave
    // a mark when done (and answers a pngcairo probe at once).
    const fs::path fake = fs::absolute(scratch("fake_gnuplot_dir")), mark = fake / "finished";
    fs::create_directories(fake);
    {
        std::ofstream sh(fake / "gnuplot");
        sh << "#!/bin/sh\n[ \"$1\" = -e ] && exit 0\nsleep 30\ntouch '" << mark.string() << "'\n";
    }
    fs::permissions(fake / "gnuplot", fs::perms::owner_all);
    o.gnuplot = (fake / "gnuplot").string();
    {
        sim::CompareOutputs out(dir.string(), o);
        out.start_charts(r);
        // The run fails here: `out` is destroyed without finish().
    }
    CHECK_FALSE(fs::exists(mark));  // stopped, not waited for to the end
    errno = 0;
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // and reaped: no child left
    CHECK(errno == ECHILD);
    CHECK(tree_of(dir) == before);
    for (const auto& e : fs::directory_iterator(dir.parent_path()))
        CHECK(e.path().filename().string().find(dir.filename().string() + ".sdsim-tmp-") == std::string::npos);
    fs::remove_all(dir);
    fs::remove_all(fake);
}

// The tests below run the engine.

namespace {

// y = 10 + 3a + 5b - 2c (aux), S' = 2b (stock from 0), cost rates 100a and 50b.
sim::ModelSpec linear_model() {
    sim::ModelSpec s;
    s.name = "linear";
    s.specs.start = 0;
    s.specs.stop = 10;
    s.specs.dt = 0.5;
    s.specs.save_step = 1;
    for (const char* n : {"a", "b", "c"}) {
        auto& l = s.add_lever(n);
        l.start = 0;
        l.phase_in = 0;
    }
    s.find_lever("a")->cost.text = "100 * a_lever";
    s.find_lever("b")->cost.text = "50 * b_lever";
    s.add_aux("y", "10 + 3*a_lever + 5*b_lever - 2*c_lever");
    s.add_flow("growth", "2 * b_lever");
    s.add_stock("S", "0", {"growth"});
    return s;
}

// y = 4ab: a pure interaction.
sim::ModelSpec interaction_model() {
    sim::ModelSpec s;
    s.name = "interaction";
    s.specs.start = 2020;
    s.specs.stop = 2050;
    s.specs.dt = 1;
    for (const char* n : {"a", "b"}) {
        auto& l = s.add_lever(n);
        l.start = 2020;
        l.phase_in = 0;
    }
    s.add_aux("y", "4 * a_lever * b_lever");
    return s;
}

// Nonlinear dynamics with phased-in levers, so the runs differ in their last bits.
sim::ModelSpec logistic_model() {
    sim::ModelSpec s;
    s.name = "logistic";
    s.specs.start = 2000;
    s.specs.stop = 2050;
    s.specs.dt = 0.25;
    s.specs.method = sim::Method::rk4;
    const char* names[] = {"planning", "land", "infrastructure", "registration", "innovation"};
    for (int i = 0; i < 5; ++i) {
        auto& l = s.add_lever(names[i]);
        l.start = 2010 + 2 * i;
        l.phase_in = 5 + i;
        l.intensity = 0.5 + 0.1 * i;
        l.cost.text = std::to_string(1 + i) + " * " + names[i] + "_lever * P / 1000";
    }
    s.add_aux("r", "0.03 + 0.01*planning_lever + 0.02*land_lever*infrastructure_lever - 0.005*registration_lever");
    s.add_aux("K", "1000 * (1 + 0.3*innovation_lever + 0.1*land_lever)");
    s.add_flow("births", "r * P * (1 - P / K)");
    s.add_stock("P", "100", {"births"});
    s.add_aux("Q", "SQRT(P) + 3*registration_lever*planning_lever");
    return s;
}

}  // namespace

TEST_CASE("compare: runs of a linear model give its coefficients as effects") {
    auto spec = linear_model();
    sim::CompareOptions o;
    o.at = {5, 10};
    o.indicators = {{"y"}, {"S"}};
    o.threads = 2;
    auto r = sim::compare(spec, o);
    REQUIRE(r.combinations.size() == 8);
    REQUIRE(r.levers == std::vector<std::string>{"a", "b", "c"});
    for (std::size_t a = 0; a < 2; ++a) {
        const auto& e = r.effect(0, a);
        CHECK(e.baseline == doctest::Approx(10));
        CHECK(e.main[0] == doctest::Approx(3).epsilon(1e-12));
        CHECK(e.main[1] == doctest::Approx(5).epsilon(1e-12));
        CHECK(e.main[2] == doctest::Approx(-2).epsilon(1e-12));
        CHECK(std::fabs(e.interaction_at(0, 1)) < 1e-12);
        CHECK(e.shapley[1] == doctest::Approx(5).epsilon(1e-12));
    }
    // S = 2t with b on: main effect of b is 2t, of a and c nothing.
    CHECK(r.effect(1, 0).main[1] == doctest::Approx(10));
    CHECK(r.effect(1, 1).main[1] == doctest::Approx(20));
    CHECK(std::fabs(r.effect(1, 1).main[0]) < 1e-12);
    // Cumulative cost: 100 per year with a, 50 with b.
    REQUIRE(r.has_cost);
    CHECK(r.combinations[0].cost[1] == doctest::Approx(0));
    CHECK(r.combinations[1].cost[1] == doctest::Approx(1000));
    CHECK(r.combinations[3].cost[1] == doctest::Approx(1500));
    CHECK(r.combinations[3].cost[0] == doctest::Approx(750));
    CHECK(r.label(5) == "a+c");
}

TEST_CASE("compare: runs of a pure-interaction model") {
    auto spec = interaction_model();
    sim::CompareOptions o;
    o.indicators = {{"y"}};
    auto r = sim::compare(spec, o);
    REQUIRE(r.at == std::vector<double>{2050});  // the default report time: the stop time
    CHECK_FALSE(r.has_cost);
    for (std::size_t a = 0; a < r.at.size(); ++a) {
        const auto& e = r.effect(0, a);
        CHECK(e.main[0] == doctest::Approx(2));
        CHECK(e.main[1] == doctest::Approx(2));
        CHECK(e.interaction_at(0, 1) == doctest::Approx(2));
        CHECK(e.shapley[0] == doctest::Approx(2));
        CHECK(e.shapley[1] == doctest::Approx(2));
    }
}

TEST_CASE("compare: results are bit for bit the same with 1 and 2 threads") {
    auto spec = logistic_model();
    auto model = sim::Model::compile(spec);
    sim::CompareOptions o;
    o.indicators = {{"P"}, {"Q", true}};
    o.at = {2015, 2030, 2050};
    o.threads = 1;
    auto r1 = sim::compare(model, o);
    o.threads = 2;
    auto r2 = sim::compare(model, o);
    REQUIRE(r1.combinations.size() == 32);
    REQUIRE(r2.combinations.size() == 32);
    CHECK(r1.times == r2.times);
    for (std::size_t m = 0; m < 32; ++m) {
        CHECK(r1.combinations[m].series == r2.combinations[m].series);
        CHECK(r1.combinations[m].values == r2.combinations[m].values);
        CHECK(r1.combinations[m].cost_series == r2.combinations[m].cost_series);
    }
    for (std::size_t i = 0; i < r1.effects.size(); ++i) {
        CHECK(r1.effects[i].main == r2.effects[i].main);
        CHECK(r1.effects[i].interaction == r2.effects[i].interaction);
        CHECK(r1.effects[i].shapley == r2.effects[i].shapley);
    }
    std::ostringstream a, b;
    sim::write_effects_csv(r1, a);
    sim::write_effects_csv(r2, b);
    CHECK(a.str() == b.str());
    // The runs really differ, and the shares add up.
    CHECK(r1.value(31, 0, 2) != r1.value(0, 0, 2));
    for (const auto& e : r1.effects) {
        double sum = 0;
        for (double s : e.shapley) sum += s;
        CHECK(std::fabs(sum - e.all) <= 1e-9 * std::max(1.0, std::fabs(e.all)));
    }
}

TEST_CASE("compare: base overrides stay, the compared levers' switches are replaced") {
    auto spec = linear_model();
    sim::CompareOptions o;
    o.levers = {"B"};  // names are matched canonically
    o.indicators = {{"y"}};
    o.at = {10};
    o.base.set = {{"a_on", 1}, {"b_on", 1}};
    std::size_t calls = 0, last = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        last = done;
        CHECK(total == 2);
    };
    auto r = sim::compare(spec, o);
    REQUIRE(r.combinations.size() == 2);
    CHECK(r.value(0, 0, 0) == doctest::Approx(13));  // a stays on, b off
    CHECK(r.value(1, 0, 0) == doctest::Approx(18));
    CHECK(calls == 2);
    CHECK(last == 2);
}

TEST_CASE("compare: bad options are reported with E-COMPARE codes") {
    auto spec = linear_model();
    auto code_of = [&](sim::CompareOptions o) -> std::string {
        try {
            sim::compare(spec, o);
        } catch (const sim::Error& e) {
            return std::string(sim::name(e.diagnostics().items().at(0).code)) + ": " + e.diagnostics().items().at(0).message;
        }
        return "no error";
    };
    sim::CompareOptions o;
    o.indicators = {{"y"}};
    o.levers = {"a", "zz"};
    CHECK(code_of(o) == "E-COMPARE-LEVER: unknown lever 'zz'; the model's levers are: a, b, c");
    o.levers = {"a", "a"};
    CHECK(code_of(o) == "E-COMPARE-LEVER: lever 'a' is listed twice");
    o.levers = {};
    o.indicators = {{"nope"}};
    CHECK(code_of(o) == "E-COMPARE-INDICATOR: the model has no variable 'nope'");
    o.indicators = {{"y"}};
    o.at = {11};
    CHECK(code_of(o) == "E-COMPARE-AT: report time 11 is outside the run [0, 10]");
}
