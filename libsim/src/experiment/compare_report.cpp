// Lever comparison, the engine-free half: factorial effects and Shapley
// shares, CSV/Markdown writers, gnuplot charts, the ranked terminal table.
// (compare.cpp runs the combinations.)
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "sim/compare.hpp"
#include "sim/write.hpp"

namespace sim {

// ---------------------------------------------------------------- analysis

namespace {

// Neumaier's compensated sum: the Shapley shares must add up to the
// all-levers effect to ~1 ulp of the terms, whatever k.
struct Sum {
    double s = 0, c = 0;
    void add(double x) {
        double t = s + x;
        c += std::fabs(s) >= std::fabs(x) ? (s - t) + x : (x - t) + s;
        s = t;
    }
    double value() const { return s + c; }
};

}  // namespace

FactorialEffects factorial_effects(std::span<const double> y) {
    const std::size_t n = y.size();
    if (n == 0 || !std::has_single_bit(n))
        throw std::invalid_argument("factorial_effects: " + std::to_string(n) +
                                    " values is not a power of two");
    const std::size_t k = static_cast<std::size_t>(std::countr_zero(n));
    if (k > 24) throw std::invalid_argument("factorial_effects: more than 24 levers");

    FactorialEffects e;
    e.baseline = y[0];
    e.all = y[n - 1] - y[0];
    e.main.assign(k, 0.0);
    e.interaction.assign(k * k, 0.0);
    e.shapley.assign(k, 0.0);
    const double half = static_cast<double>(n) / 2;

    // Contrasts with +-1 coding: main_i = (sum_on - sum_off) / (n/2);
    // interaction_ij = (sum over s_i s_j y) / (n/2).
    for (std::size_t i = 0; i < k; ++i) {
        Sum on, off;
        for (std::size_t m = 0; m < n; ++m) ((m >> i) & 1 ? on : off).add(y[m]);
        e.main[i] = (on.value() - off.value()) / half;
        for (std::size_t j = i + 1; j < k; ++j) {
            Sum same, diff;
            for (std::size_t m = 0; m < n; ++m)
                (((m >> i) ^ (m >> j)) & 1 ? diff : same).add(y[m]);
            double v = (same.value() - diff.value()) / half;
            e.interaction[i * k + j] = e.interaction[j * k + i] = v;
        }
    }

    // Shapley weights |S|!(k-|S|-1)!/k! = 1 / (k * C(k-1, |S|)); binomials up
    // to C(23, 11) are exact in a double.
    std::vector<double> w(k, 0.0);
    for (std::size_t s = 0; s < k; ++s) {
        double c = 1;
        for (std::size_t t = 1; t <= s; ++t) c = c * static_cast<double>(k - t) / static_cast<double>(t);
        w[s] = 1.0 / (static_cast<double>(k) * std::round(c));
    }
    for (std::size_t i = 0; i < k; ++i) {
        Sum phi;
        const std::size_t bit = std::size_t{1} << i;
        for (std::size_t m = 0; m < n; ++m) {
            if (m & bit) continue;
            phi.add(w[static_cast<std::size_t>(std::popcount(m))] * (y[m | bit] - y[m]));
        }
        e.shapley[i] = phi.value();
    }
    return e;
}

void analyse(CompareResult& r) {
    const std::size_t n = r.combinations.size();
    const std::size_t na = r.at.size();
    r.effects.clear();
    r.effects.reserve(r.indicators.size() * na);
    std::vector<double> y(n);
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < na; ++a) {
            for (std::size_t m = 0; m < n; ++m) y[m] = r.combinations[m].values[ind * na + a];
            r.effects.push_back(factorial_effects(y));
        }
}

std::string CompareResult::label(unsigned mask) const {
    if (mask == 0) return "baseline";
    std::string s;
    for (std::size_t i = 0; i < levers.size(); ++i)
        if (mask >> i & 1u) {
            if (!s.empty()) s += '+';
            s += levers[i];
        }
    return s;
}

std::vector<Indicator> default_indicators(const ModelSpec& spec, const RunOptions& base) {
    static const Indicator chongqing[] = {
        {"rural_income", false},        {"urban_income", false},
        {"income_ratio", true},         {"total_household_consumption", false},
        {"urbanization_rate", false},   {"non_citizenized_migrants", true},
    };
    std::vector<Indicator> out;
    for (const auto& i : chongqing)
        if (spec.find(i.name)) out.push_back(i);
    if (!out.empty()) return out;
    if (!base.save.empty()) {
        for (const auto& s : base.save)
            if (auto* v = spec.find(s); v && v->kind == VarKind::stock) out.push_back({v->name, false});
    } else {
        for (const auto& v : spec.variables)
            if (v.kind == VarKind::stock) out.push_back({v.name, false});
    }
    return out;
}

// ---------------------------------------------------------------- formatting

namespace {

std::string num(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip
    return std::string(buf, res.ptr);
}

// For people: 6 significant digits.
std::string fmt(double v) {
    if (std::isnan(v)) return "n/a";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) {
        if (c == '"') o += '"';
        o += c;
    }
    return o + '"';
}

std::string md_cell(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '|') o += '\\';
        o += c;
    }
    return o;
}

double better_sign(const Indicator& i) { return i.lower_is_better ? -1.0 : 1.0; }

unsigned all_mask(const CompareResult& r) {
    return static_cast<unsigned>(r.combinations.size() - 1);
}

// Best combination at report time a: the best value (ties: fewest levers, then
// lowest mask, so the choice is stable).
unsigned best_by_value(const CompareResult& r, std::size_t ind, std::size_t a) {
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
double gain_per_cost(const CompareResult& r, unsigned m, std::size_t ind, std::size_t a) {
    if (!r.has_cost) return std::nan("");
    double dc = r.combinations[m].cost[a] - r.combinations[0].cost[a];
    if (!(dc > 0)) return std::nan("");
    return better_sign(r.indicators[ind]) * (r.value(m, ind, a) - r.value(0, ind, a)) / dc;
}

// Combination with the largest gain per unit cost among those that cost more
// than the baseline and gain something; 0 if none.
unsigned best_per_cost(const CompareResult& r, std::size_t ind, std::size_t a) {
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
PairVerdict pair_verdict(const FactorialEffects& e, std::size_t i, std::size_t j) {
    const double I = e.interaction_at(i, j);
    const double scale = std::max(std::fabs(e.main[i]), std::fabs(e.main[j]));
    const double noise = 1e-9 * std::max({std::fabs(e.baseline), std::fabs(e.all), scale});
    if (!(std::fabs(I) > 0.05 * scale) || !(std::fabs(I) > noise)) return PairVerdict::none;
    const double ref = e.main[i] + e.main[j];
    if (ref == 0) return PairVerdict::reinforce;  // pure interaction: together they do what neither does
    return (I > 0) == (ref > 0) ? PairVerdict::reinforce : PairVerdict::undercut;
}

std::string time_str(double t) { return num(t); }

}  // namespace

// ---------------------------------------------------------------- CSV

void write_combinations_csv(const CompareResult& r, std::ostream& out) {
    out << "combination";
    for (const auto& l : r.levers) out << ',' << csv_field(l);
    for (const auto& ind : r.indicators)
        for (double t : r.at) out << ',' << csv_field(ind.name + "@" + time_str(t));
    if (r.has_cost)
        for (double t : r.at) out << ",cumulative_fiscal_cost@" << time_str(t);
    out << '\n';
    for (const auto& c : r.combinations) {
        out << csv_field(r.label(c.mask));
        for (std::size_t i = 0; i < r.levers.size(); ++i) out << ',' << (c.mask >> i & 1u);
        for (double v : c.values) out << ',' << num(v);
        if (r.has_cost)
            for (double v : c.cost) out << ',' << num(v);
        out << '\n';
    }
}

void write_effects_csv(const CompareResult& r, std::ostream& out) {
    out << "indicator,time,measure,lever,other_lever,value\n";
    const std::size_t k = r.levers.size();
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const auto& e = r.effect(ind, a);
            const std::string head = csv_field(r.indicators[ind].name) + "," + time_str(r.at[a]) + ",";
            out << head << "baseline,,," << num(e.baseline) << '\n';
            out << head << "all_levers_effect,,," << num(e.all) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "main," << csv_field(r.levers[i]) << ",," << num(e.main[i]) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = i + 1; j < k; ++j)
                    out << head << "interaction," << csv_field(r.levers[i]) << ','
                        << csv_field(r.levers[j]) << ',' << num(e.interaction_at(i, j)) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "shapley," << csv_field(r.levers[i]) << ",," << num(e.shapley[i]) << '\n';
        }
}

namespace {

// The runs shown over time: baseline, each lever alone, all levers.
struct Shown {
    std::string name;
    unsigned mask;
};

std::vector<Shown> shown_runs(const CompareResult& r) {
    std::vector<Shown> s{{"baseline", 0}};
    for (std::size_t i = 0; i < r.levers.size(); ++i) s.push_back({r.levers[i], 1u << i});
    if (r.levers.size() > 1) s.push_back({"all_levers", all_mask(r)});
    return s;
}

}  // namespace

void write_trajectories_csv(const CompareResult& r, std::ostream& out) {
    out << "run,combination,indicator,time,value\n";
    for (const auto& s : shown_runs(r)) {
        const auto& c = r.combinations[s.mask];
        const std::string head = csv_field(s.name) + "," + csv_field(r.label(s.mask)) + ",";
        for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
            for (std::size_t row = 0; row < r.times.size(); ++row)
                out << head << csv_field(r.indicators[ind].name) << ',' << num(r.times[row]) << ','
                    << num(c.series[ind][row]) << '\n';
        if (r.has_cost)
            for (std::size_t row = 0; row < r.times.size(); ++row)
                out << head << "cumulative_fiscal_cost," << num(r.times[row]) << ','
                    << num(c.cost_series[row]) << '\n';
    }
}

// ---------------------------------------------------------------- ranked table

void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by) {
    if (r.combinations.empty() || r.indicators.empty() || r.at.empty()) return;
    if (rank_by >= r.indicators.size()) rank_by = 0;
    const std::size_t a = r.at.size() - 1;
    const double s = better_sign(r.indicators[rank_by]);
    std::vector<unsigned> order(r.combinations.size());
    for (unsigned m = 0; m < order.size(); ++m) order[m] = m;
    std::stable_sort(order.begin(), order.end(), [&](unsigned x, unsigned y) {
        return s * r.value(x, rank_by, a) > s * r.value(y, rank_by, a);
    });

    std::size_t wlab = 11;
    for (unsigned m : order) wlab = std::max(wlab, r.label(m).size());
    std::vector<std::size_t> wcol;
    for (const auto& ind : r.indicators) wcol.push_back(std::max<std::size_t>(12, ind.name.size()));

    out << r.combinations.size() << " combinations of " << r.levers.size() << " levers, ranked by "
        << r.indicators[rank_by].name << " at " << time_str(r.at[a]) << " ("
        << (r.indicators[rank_by].lower_is_better ? "lower" : "higher") << " is better)\n";
    out << std::right << std::setw(4) << "rank" << "  " << std::left << std::setw(static_cast<int>(wlab))
        << "combination";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << r.indicators[i].name;
    if (r.has_cost) out << "  " << std::setw(14) << "fiscal cost";
    out << '\n';
    std::size_t rank = 0;
    for (unsigned m : order) {
        out << std::right << std::setw(4) << ++rank << "  " << std::left
            << std::setw(static_cast<int>(wlab)) << r.label(m);
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << fmt(r.value(m, i, a));
        if (r.has_cost) out << "  " << std::setw(14) << fmt(r.combinations[m].cost[a]);
        out << '\n';
    }
    out << std::left;
}

// ---------------------------------------------------------------- charts

namespace {

std::string gp_quote(const std::string& s) {  // gnuplot single-quoted string
    std::string o = "'";
    for (char c : s) {
        if (c == '\'') o += '\'';
        o += c;
    }
    return o + "'";
}

std::string file_stem(const std::string& name, std::set<std::string>& used) {
    std::string s;
    for (char c : name)
        s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    if (s.empty()) s = "x";
    std::string u = s;
    for (int i = 2; !used.insert(u).second; ++i) u = s + "_" + std::to_string(i);
    return u;
}

// Runs argv in `dir` with stdout and stderr appended to `log` (which may be
// ""); returns the exit status, or -1 if the program could not be started.
int run_in(const std::string& dir, const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
        int fd = ::open(log.empty() ? "/dev/null" : log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status)) return -1;
    int rc = WEXITSTATUS(status);
    return rc == 127 ? -1 : rc;
}

struct Charts {
    bool made = false;
    std::string why_not;                          // when !made
    std::string ext;                              // "png" or "svg"
    std::vector<std::string> traj, effects;       // per indicator, relative to dir
};

Charts make_charts(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o) {
    Charts ch;
    namespace fs = std::filesystem;
    const std::string cdir = dir + "/charts";
    fs::create_directories(cdir);

    const std::string abs_cdir = fs::absolute(cdir).string();
    const std::string log = abs_cdir + "/gnuplot.log";
    int probe = run_in("", {o.gnuplot, "-e", "set terminal pngcairo"}, "");
    if (probe < 0) {
        ch.why_not = "gnuplot was not found ('" + o.gnuplot + "' could not be run); install it "
                     "(Debian: apt-get install gnuplot-nox) and run `gnuplot charts.gp` in charts/";
    }
    ch.ext = probe == 0 ? "png" : "svg";
    const std::string term = probe == 0
        ? "set terminal pngcairo size 960,560 noenhanced font ',10'"
        : "set terminal svg size 960,560 noenhanced font 'sans,10'";

    // Data files and one script; the script is kept so the charts can be redrawn.
    std::set<std::string> used;
    std::ostringstream gp;
    gp << "# Charts of the lever comparison; run in this directory: gnuplot charts.gp\n"
       << term << "\nset grid\nset key outside right top\n";
    const auto shown = shown_runs(r);
    std::vector<std::string> outputs;  // final names
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const std::string& name = r.indicators[ind].name;
        const std::string stem = file_stem(name, used);
        const std::string tdat = "traj_" + stem + ".dat", edat = "effects_" + stem + ".dat";
        const std::string timg = "traj_" + stem + "." + ch.ext, eimg = "effects_" + stem + "." + ch.ext;

        write_file_atomic(cdir + "/" + tdat, [&](std::ostream& os) {
            os << "# time";
            for (const auto& s : shown) os << ' ' << s.name;
            os << '\n';
            for (std::size_t row = 0; row < r.times.size(); ++row) {
                os << num(r.times[row]);
                for (const auto& s : shown) os << ' ' << num(r.combinations[s.mask].series[ind][row]);
                os << '\n';
            }
        });
        write_file_atomic(cdir + "/" + edat, [&](std::ostream& os) {
            os << "# lever";
            for (double t : r.at) os << " main@" << time_str(t);
            os << " shapley@" << time_str(r.at.back()) << '\n';
            for (std::size_t i = 0; i < r.levers.size(); ++i) {
                std::string l = r.levers[i];
                std::replace(l.begin(), l.end(), '"', '\'');
                os << '"' << l << '"';
                for (std::size_t a = 0; a < r.at.size(); ++a) os << ' ' << num(r.effect(ind, a).main[i]);
                os << ' ' << num(r.effect(ind, r.at.size() - 1).shapley[i]) << '\n';
            }
        });

        gp << "\n# " << name << "\nset output " << gp_quote(timg + ".tmp") << "\n"
           << "set style data lines\nset autoscale y\nset xlabel 'time'\nset ylabel " << gp_quote(name) << "\n"
           << "set title " << gp_quote(name + ": baseline, each lever alone, all levers") << "\n"
           << "plot ";
        for (std::size_t s = 0; s < shown.size(); ++s)
            gp << (s ? ", '' " : gp_quote(tdat) + " ") << "using 1:" << s + 2 << " lw "
               << (s == 0 || (shown.size() > 2 && s + 1 == shown.size()) ? 3 : 1.5)
               << " title " << gp_quote(shown[s].name);
        gp << "\nset output " << gp_quote(eimg + ".tmp") << "\n"
           << "set style data histograms\nset style histogram clustered gap 1\n"
           << "set style fill solid 0.8 border -1\nset xzeroaxis lt -1\nset xlabel 'lever'\n"
           << "set yrange [*<0:0<*]\n"  // bars start at zero
           << "set ylabel " << gp_quote("effect on " + name) << "\n"
           << "set title " << gp_quote(name + ": main effects (full factorial) and Shapley shares") << "\n"
           << "plot ";
        for (std::size_t a = 0; a <= r.at.size(); ++a) {
            const std::string title = a < r.at.size() ? "main effect " + time_str(r.at[a])
                                                      : "Shapley share " + time_str(r.at.back());
            gp << (a ? ", '' using " : gp_quote(edat) + " using ") << a + 2 << (a ? "" : ":xtic(1)")
               << " title " << gp_quote(title);
        }
        gp << "\nunset xzeroaxis\nset style data lines\n";
        ch.traj.push_back("charts/" + timg);
        ch.effects.push_back("charts/" + eimg);
        outputs.push_back(timg);
        outputs.push_back(eimg);
    }
    gp << "unset output\n";
    write_file_atomic(cdir + "/charts.gp", [&](std::ostream& os) { os << gp.str(); });
    if (probe < 0) return ch;

    std::error_code ec;
    fs::remove(log, ec);
    int rc = run_in(abs_cdir, {o.gnuplot, "charts.gp"}, log);
    bool ok = rc == 0;
    for (const auto& f : outputs) {
        const std::string tmp = cdir + "/" + f + ".tmp";
        if (ok && fs::exists(tmp)) {
            fs::rename(tmp, cdir + "/" + f);
        } else {
            ok = false;
            fs::remove(tmp, ec);
        }
    }
    if (!ok) {
        ch.why_not = "gnuplot failed (exit status " + std::to_string(rc) + "); see charts/gnuplot.log";
        return ch;
    }
    ch.made = true;
    return ch;
}

// ---------------------------------------------------------------- report.md

void write_report(const CompareResult& r, const Charts& ch, std::ostream& os) {
    const std::size_t k = r.levers.size();
    const std::size_t last = r.at.size() - 1;
    os << "# Lever comparison: " << (r.model_name.empty() ? "model" : r.model_name) << "\n\n";
    if (!r.inputs.empty()) {
        os << "Inputs:\n\n";
        for (const auto& line : r.inputs) os << "- `" << line << "`\n";
        os << "\n";
    }
    os << "Every combination of " << k << " levers (" << r.combinations.size()
       << " runs of one compiled model) on top of the base scenario; values at ";
    for (std::size_t a = 0; a < r.at.size(); ++a) os << (a ? ", " : "") << time_str(r.at[a]);
    os << ". Definitions of the effects: docs/compare.md in the libsim sources.\n\n";

    os << "| lever | title |\n|---|---|\n";
    for (std::size_t i = 0; i < k; ++i)
        os << "| " << md_cell(r.levers[i]) << " | " << md_cell(r.lever_titles[i]) << " |\n";
    os << "\nIndicators: ";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        os << (i ? ", " : "") << "`" << r.indicators[i].name << "` ("
           << (r.indicators[i].lower_is_better ? "lower" : "higher") << " is better)";
    os << ".\n\nFiscal cost: " << (r.has_cost ? r.cost_source : "none (no lever has a cost and the model has no cumulative_fiscal_cost)")
       << ".\n\n";

    os << "## Best combinations\n\n";
    os << "Best value of each indicator, and best gain over the baseline per unit of extra cumulative "
          "fiscal cost (per yuan when the cost is in yuan).\n\n";
    os << "| indicator | time | baseline | best combination | value | best per yuan | gain per yuan | its extra cost |\n"
          "|---|---|---|---|---|---|---|---|\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            unsigned b = best_by_value(r, ind, a);
            unsigned c = best_per_cost(r, ind, a);
            os << "| " << md_cell(r.indicators[ind].name) << " | " << time_str(r.at[a]) << " | "
               << fmt(r.value(0, ind, a)) << " | " << md_cell(r.label(b)) << " | " << fmt(r.value(b, ind, a))
               << " | " << (c ? md_cell(r.label(c)) : "n/a") << " | "
               << (c ? fmt(gain_per_cost(r, c, ind, a)) : "n/a") << " | "
               << (c ? fmt(r.combinations[c].cost[a] - r.combinations[0].cost[a]) : "n/a") << " |\n";
        }

    os << "\n## Effects at " << time_str(r.at[last]) << "\n\n"
       << "Main effect: mean over all combinations with the lever on minus mean with it off. "
          "Shapley share: the lever's share of the all-levers effect (the shares add up to it).\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        os << "### " << r.indicators[ind].name << "\n\nBaseline " << fmt(e.baseline) << ", all levers "
           << fmt(e.baseline + e.all) << " (effect " << fmt(e.all) << ").\n\n"
           << "| lever | main effect | Shapley share | share of all-levers effect |\n|---|---|---|---|\n";
        for (std::size_t i = 0; i < k; ++i)
            os << "| " << md_cell(r.levers[i]) << " | " << fmt(e.main[i]) << " | " << fmt(e.shapley[i])
               << " | " << (e.all != 0 ? fmt(100 * e.shapley[i] / e.all) + " %" : "n/a") << " |\n";
        os << '\n';
    }

    os << "## Lever pairs that reinforce or undercut each other\n\n"
       << "Flagged when the two-lever interaction exceeds 5% of the larger main effect: "
          "*reinforce* when it has the sign of the pair's combined main effects, *undercut* otherwise; "
          "*better/worse than additive* says whether it moves the indicator the good way.\n\n";
    bool any = false;
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const auto& e = r.effect(ind, a);
            for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = i + 1; j < k; ++j) {
                    auto v = pair_verdict(e, i, j);
                    if (v == PairVerdict::none) continue;
                    if (!any)
                        os << "| indicator | time | pair | interaction | main effects | verdict |\n"
                              "|---|---|---|---|---|---|\n";
                    any = true;
                    const double I = e.interaction_at(i, j);
                    os << "| " << md_cell(r.indicators[ind].name) << " | " << time_str(r.at[a]) << " | "
                       << md_cell(r.levers[i] + " + " + r.levers[j]) << " | " << fmt(I) << " | "
                       << fmt(e.main[i]) << ", " << fmt(e.main[j]) << " | "
                       << (v == PairVerdict::reinforce ? "reinforce" : "undercut") << " ("
                       << (better_sign(r.indicators[ind]) * I > 0 ? "better" : "worse")
                       << " than additive) |\n";
                }
        }
    if (!any) os << "No pair interacts noticeably: the levers' effects add up.\n";

    os << "\n## Charts\n\n";
    if (!ch.made && ch.ext.empty()) {
        os << "Charts were not made: " << ch.why_not << ".\n";
    } else if (!ch.made) {
        os << "Charts were not made: " << ch.why_not << ". The data and the gnuplot script are in "
           << "charts/.\n";
    } else {
        for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
            const auto& n = r.indicators[ind].name;
            os << "### " << n << "\n\n![" << n << " over time](" << ch.traj[ind] << ")\n\n![" << n
               << " main effects](" << ch.effects[ind] << ")\n\n";
        }
    }
    os << "\nFiles: combinations.csv (every combination), effects.csv (main effects, interactions, "
          "Shapley shares), trajectories.csv (long form).\n";
}

}  // namespace

void write_compare_outputs(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o) {
    if (r.combinations.empty() || r.at.empty())
        throw std::invalid_argument("write_compare_outputs: empty comparison");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "cannot create directory '" + dir + "'");
    write_file_atomic(dir + "/combinations.csv", [&](std::ostream& os) { write_combinations_csv(r, os); });
    write_file_atomic(dir + "/effects.csv", [&](std::ostream& os) { write_effects_csv(r, os); });
    write_file_atomic(dir + "/trajectories.csv", [&](std::ostream& os) { write_trajectories_csv(r, os); });
    Charts ch;
    if (o.charts) {
        ch = make_charts(r, dir, o);
        if (!ch.made && o.warnings) *o.warnings << "warning: charts not made: " << ch.why_not << '\n';
    } else {
        ch.why_not = "disabled (CompareOutputOptions::charts, sdsim compare --no-charts)";
    }
    write_file_atomic(dir + "/report.md", [&](std::ostream& os) { write_report(r, ch, os); });
}

}  // namespace sim
