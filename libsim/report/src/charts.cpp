// Charts of a comparison with gnuplot: data files, one script, and the
// images, each written atomically. The only code in libsim that starts
// another program for a report.
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <sstream>
#include <system_error>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim::report_detail {

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

}  // namespace

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
    // Noto Sans CJK (Debian fonts-noto-cjk) renders the Chinese labels.
    const std::string font = o.lang == Lang::zh ? "Noto Sans CJK SC" : "";
    const std::string term = probe == 0
        ? "set terminal pngcairo size 960,560 noenhanced font '" + font + ",10'"
        : "set terminal svg size 960,560 noenhanced font '" + (font.empty() ? std::string("sans") : font) + ",10'";
    const bool zh = o.lang == Lang::zh;

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
            os << " (displayed: value * " << num(indicator_display(r, ind).scale) << ")\n";
            for (std::size_t row = 0; row < r.times.size(); ++row) {
                os << num(r.times[row]);
                for (const auto& s : shown)
                    os << ' ' << num(r.combinations[s.mask].series[ind][row] * indicator_display(r, ind).scale);
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
                const double sc = indicator_display(r, ind).scale;
                for (std::size_t a = 0; a < r.at.size(); ++a) os << ' ' << num(r.effect(ind, a).main[i] * sc);
                os << ' ' << num(r.effect(ind, r.at.size() - 1).shapley[i] * sc) << '\n';
            }
        });

        // Labels from the same code as report.html: title and display units.
        const std::string title = indicator_title(r, ind, o.lang);
        const std::string units = units_label(indicator_display(r, ind), o.lang);
        const std::string ylabel = units.empty() ? title : zh ? title + "（" + units + "）" : title + " (" + units + ")";
        gp << "\n# " << name << "\nset output " << gp_quote(timg + ".tmp") << "\n"
           << "set style data lines\nset autoscale y\nset xlabel " << gp_quote(zh ? "年份" : "year")
           << "\nset ylabel " << gp_quote(ylabel) << "\n"
           << "set title " << gp_quote(title + (zh ? "：基准情景、单独实施各项政策、全部政策" : ": baseline, each lever alone, all levers")) << "\n"
           << "plot ";
        for (std::size_t s = 0; s < shown.size(); ++s)
            gp << (s ? ", '' " : gp_quote(tdat) + " ") << "using 1:" << s + 2 << " lw "
               << (s == 0 || (shown.size() > 2 && s + 1 == shown.size()) ? 3 : 1.5) << " dt " << (s % 5) + 1
               << " title " << gp_quote(shown[s].mask == 0 ? (zh ? "基准情景" : "baseline")
                                        : combination_label(r, shown[s].mask, o.lang));
        gp << "\nset output " << gp_quote(eimg + ".tmp") << "\n"
           << "set style data histograms\nset style histogram clustered gap 1\n"
           << "set style fill solid 0.8 border -1\nset xzeroaxis lt -1\nset xlabel " << gp_quote(zh ? "政策" : "lever") << "\n"
           << "set yrange [*<0:0<*]\n"  // bars start at zero
           << "set ylabel " << gp_quote((zh ? "对" + title + "的效果" : "effect on " + title) +
                                     (units.empty() ? "" : zh ? "（" + units + "）" : " (" + units + ")")) << "\n"
           << "set title " << gp_quote(title + (zh ? "：主效应与Shapley份额" : ": main effects (full factorial) and Shapley shares")) << "\n"
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

}  // namespace sim::report_detail
