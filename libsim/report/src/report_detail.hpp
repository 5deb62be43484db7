// Shared by the report writers: number formatting for people and for
// files, and the comparison's "best" and "verdict" rules (docs/compare.md).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <ostream>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "sim/compare.hpp"
#include "sim/diagnostic.hpp"
#include "sim/report.hpp"
#include "util/text.hpp"

namespace sim::report_detail {

// Every number a program may read back (CSV, data files): shortest round
// trip, non-finite values as NaN, Inf, -Inf (as sdsim run's CSV).
inline std::string num(double v) { return text::csv_number(v); }

// For people: 6 significant digits; "n/a" for a missing value.
inline std::string fmt(double v) { return std::isnan(v) ? std::string("n/a") : text::number_sig(v, 6); }

inline std::string time_str(double t) { return num(t); }

inline std::string md_cell(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '|') o += '\\';
        o += c;
    }
    return o;
}

inline double better_sign(const Indicator& i) { return i.lower_is_better ? -1.0 : 1.0; }

inline unsigned all_mask(const CompareResult& r) {
    return static_cast<unsigned>(r.combinations.size() - 1);
}

// Best combination at report time a: the best value (ties: fewest levers, then
// lowest mask, so the choice is stable).
inline unsigned best_by_value(const CompareResult& r, std::size_t ind, std::size_t a) {
    const double s = better_sign(r.indicators[ind]);
    unsigned best = 0;
    for (unsigned m = 1; m < r.combinations.size(); ++m) {
        double d = s * (r.value(m, ind, a) - r.value(best, ind, a));
        if (d > 0 || (d == 0 && std::popcount(m) < std::popcount(best))) best = m;
    }
    return best;
}

// Gain over the baseline in the better direction per unit of extra cost;
// NaN when the combination costs no more than the baseline.
inline double gain_per_cost(const CompareResult& r, unsigned m, std::size_t ind, std::size_t a) {
    if (!r.has_cost) return std::nan("");
    double dc = r.combinations[m].cost[a] - r.combinations[0].cost[a];
    if (!(dc > 0)) return std::nan("");
    return better_sign(r.indicators[ind]) * (r.value(m, ind, a) - r.value(0, ind, a)) / dc;
}

// Combination with the largest gain per unit cost among those that cost more
// than the baseline and gain something; 0 if none.
inline unsigned best_per_cost(const CompareResult& r, std::size_t ind, std::size_t a) {
    unsigned best = 0;
    double bv = 0;
    for (unsigned m = 1; m < r.combinations.size(); ++m) {
        double g = gain_per_cost(r, m, ind, a);
        if (std::isnan(g) || g <= 0) continue;
        if (best == 0 || g > bv) best = m, bv = g;
    }
    return best;
}

enum class PairVerdict { none, reinforce, undercut };

// A pair interacts noticeably when |I_ij| exceeds 5% of the larger of the two
// main effects (and is not rounding noise). It reinforces when I_ij has the
// sign of main_i + main_j (each lever strengthens the other's push) and
// undercuts otherwise. See docs/compare.md.
inline PairVerdict pair_verdict(const FactorialEffects& e, std::size_t i, std::size_t j) {
    const double I = e.interaction_at(i, j);
    const double scale = std::max(std::fabs(e.main[i]), std::fabs(e.main[j]));
    const double noise = 1e-9 * std::max({std::fabs(e.baseline), std::fabs(e.all), scale});
    if (!(std::fabs(I) > 0.05 * scale) || !(std::fabs(I) > noise)) return PairVerdict::none;
    const double ref = e.main[i] + e.main[j];
    if (ref == 0) return PairVerdict::reinforce;  // pure interaction: together they do what neither does
    return (I > 0) == (ref > 0) ? PairVerdict::reinforce : PairVerdict::undercut;
}

// The runs shown over time: baseline, each lever alone, all levers.
struct Shown {
    std::string name;
    unsigned mask;
};

inline std::vector<Shown> shown_runs(const CompareResult& r) {
    std::vector<Shown> s{{"baseline", 0}};
    for (std::size_t i = 0; i < r.levers.size(); ++i) s.push_back({r.levers[i], 1u << i});
    if (r.levers.size() > 1) s.push_back({"all_levers", all_mask(r)});
    return s;
}

// Labels for readers (format.cpp): the indicator's display title (else its
// name with spaces), the lever's name (Chinese short name or title under
// zh), a combination's label, the display units ("" when dimensionless),
// the factor that turns a nominal value of combination `mask` at t into
// constant prices of the deflator year (nullopt without a deflator), and a
// time as a year.
const Display& indicator_display(const CompareResult& r, std::size_t ind);  // default if not filled
std::string indicator_title(const CompareResult& r, std::size_t ind, Lang lang);
std::string lever_title(const CompareResult& r, std::size_t i, Lang lang);
Display cost_display(const CompareResult& r);  // cost_units when cost_display is not filled
std::string lever_section(const CompareResult& r, std::size_t i);
std::string lever_label(const CompareResult& r, std::size_t i, Lang lang);
std::string combination_label(const CompareResult& r, unsigned mask, Lang lang);
std::string units_label(const Display& d, Lang lang);
std::optional<double> real_factor(const CompareResult& r, unsigned mask, double t);
std::string year_str(double t);
// gnuplot (gnuplot.cpp): whether it runs, the terminal used, and whether
// the charts were made.
struct Gnuplot {
    // false once o.gnuplot could not be run: by the pngcairo probe (png), or
    // when the script was started (svg, which runs nothing before).
    bool found = false;
    bool disabled = false;  // ReportOptions::charts false: nothing was tried
    bool made = false;
    std::string ext;        // "svg", or "png" (pngcairo) when asked for and gnuplot has it
    std::string terminal;   // the `set terminal` line
    std::string why_not;    // when !made
};
// The charts of a sensitivity or calibration report: make() (which draws
// into the output directory) unless o.charts is off. A file-system failure
// is E-IO; charts not made (no gnuplot) are a warning on o.warnings.
// `Charts` has a Gnuplot member `g`.
// f(), with a file-system error while drawing charts turned into E-IO (one
// exception type reaches callers).
template <class F>
decltype(auto) charts_io(F&& f) {
    try {
        return f();
    } catch (const std::filesystem::filesystem_error& x) {
        throw Error(sim::Code::E_IO, "", std::string("cannot write the charts: ") + x.what(), x.code());
    }
}
template <class Charts, class Make>
Charts charts_if_wanted(const ReportOptions& o, Make make) {
    Charts ch;
    if (!o.charts) {
        ch.g.disabled = true;
        ch.g.why_not = "disabled (ReportOptions::charts, --no-charts)";
        return ch;
    }
    ch = charts_io(make);
    if (!ch.g.made && o.warnings) *o.warnings << "warning: charts not made: " << ch.g.why_not << '\n';
    return ch;
}
// The `set terminal` line of g's terminal at another size ("960,560").
inline std::string terminal_line(const Gnuplot& g, const std::string& size) {
    return g.ext == "png" ? "set terminal pngcairo size " + size + " noenhanced font ',10'"
                          : "set terminal svg size " + size + " noenhanced font 'sans,10'";
}
// The terminal for o.chart_format at `size` ("960,560"): svg runs nothing
// (g.found until the script is started); png first asks o.gnuplot whether
// it has pngcairo (g.found false if it cannot be run; svg if it lacks it).
Gnuplot probe_gnuplot(const ReportOptions& o, const std::string& size);
// Writes cdir/charts.gp (kept, so the charts can be redrawn) and, if gnuplot
// was found, runs it in cdir (if it cannot be run: g.found false and the
// not-found why_not; if the system makes no process for it: g.found false
// and a could-not-start why_not with the reason); each of `outputs` is written by the script as
// NAME.tmp and renamed into place only if the whole script succeeded.
// Returns g.made.
bool render(Gnuplot& g, const std::string& cdir, const std::string& script, const std::vector<std::string>& outputs,
            const ReportOptions& o);
// render in two steps: gnuplot started (in the background) and waited for.
// A Rendering destroyed unfinished stops gnuplot (SIGTERM) and reaps it.
struct Rendering {
    std::string cdir;
    std::vector<std::string> outputs;
    pid_t pid = -1;
    bool started = false;  // gnuplot was found and has not been waited for
    Rendering() = default;
    Rendering(Rendering&& o) noexcept
        : cdir(std::move(o.cdir)), outputs(std::move(o.outputs)), pid(o.pid), started(std::exchange(o.started, false)) {}
    Rendering& operator=(Rendering&& o) noexcept {
        if (this != &o) {
            stop();
            cdir = std::move(o.cdir);
            outputs = std::move(o.outputs);
            pid = o.pid;
            started = std::exchange(o.started, false);
        }
        return *this;
    }
    ~Rendering() { stop(); }
    void stop() noexcept;  // if started: SIGTERM to gnuplot, reaped
};
Rendering start_render(Gnuplot& g, const std::string& cdir, const std::string& script,
                       std::vector<std::string> outputs, const ReportOptions& o);
// Waits for gnuplot and moves the finished images into place; g.made.
bool finish_render(Gnuplot& g, Rendering& job);
// "Charts were not made: ...\n" for report.md, or "" if they were.
std::string charts_note(const Gnuplot& g);
std::string gp_quote(const std::string& s);  // a single-quoted gnuplot string
std::string gp_label(const std::string& s);  // a double-quoted label in a data file
// A file name made of `name` (unique among `used`).
std::string file_stem(const std::string& name, std::set<std::string>& used);

// The heading's input list, "Inputs:\n\n- `line`\n...\n" (nothing if none),
// headed in the report's language.
inline std::string inputs_md(const std::vector<std::string>& inputs, Lang lang = Lang::en) {
    if (inputs.empty()) return "";
    std::string s = lang == Lang::zh ? "输入文件：\n\n" : "Inputs:\n\n";
    for (const auto& line : inputs) s += "- `" + line + "`\n";
    return s + "\n";
}

// Throws E-COMPARE-REPORT unless `u` analyses `r`'s levers, indicators and times.
void check_matches(const CompareResult& r, const RobustnessResult& u);

// A share (p_best) with three decimals: "0.335".
inline std::string fmt_share(double v) {
    if (std::isnan(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

inline const char* sample_method_words(SampleMethod m) {
    switch (m) {
        case SampleMethod::random: return "independent random draws";
        case SampleMethod::latin_hypercube: return "Latin hypercube";
        case SampleMethod::sobol: return "Sobol' sequence";
    }
    return "?";
}

// A variable of a sensitivity or calibration report as readers see it: its
// display title in the report's language (ReportOptions::spec), else its
// name with spaces (sensitivity_html.cpp).
std::string title_of(const ReportOptions& o, const std::string& name);

// A distribution in words: "uniform on [1, 3]", "normal (mean 0.27, sd 0.05) on [0.1, 0.45]".
std::string describe(const Distribution& d);

// Creates `dir`, or throws E-IO.
void make_directory(const std::string& dir);

// Text for HTML (report.html): & < > " escaped.
inline std::string esc(const std::string& s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) switch (c) {
            case '&': o += "&amp;"; break;
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    return o;
}

// What make_charts produced (charts.cpp).
struct Charts {
    bool made = false;
    std::string why_not;                     // when !made
    std::string ext;                         // "png" or "svg"
    std::vector<std::string> traj, effects;  // per indicator, relative to dir
};

Charts make_charts(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o);
// make_charts in two steps: the data and script written and gnuplot started
// (`job`), then finish_charts waits for it (ch.made, ch.why_not).
Charts start_charts(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o, Rendering& job,
                    Gnuplot& g);
void finish_charts(Charts& ch, Rendering& job, Gnuplot& g);

}  // namespace sim::report_detail
