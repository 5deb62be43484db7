// Charts of a comparison with gnuplot: data files, one script, and the
// images, each written atomically (gnuplot.cpp runs it).
#include <filesystem>
#include <set>
#include <sstream>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim::report_detail {

Charts start_charts(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o, Rendering& job,
                    Gnuplot& g) {
    Charts ch;
    namespace fs = std::filesystem;
    const std::string cdir = dir + "/charts";
    fs::create_directories(cdir);

    g = probe_gnuplot(o, "960,560");
    ch.why_not = g.why_not;
    ch.ext = g.ext;
    const bool zh = o.lang == Lang::zh;
    // Noto Sans CJK (Debian fonts-noto-cjk) renders the Chinese labels.
    const std::string term = !zh ? g.terminal
                             : g.ext == "png" ? "set terminal pngcairo size 960,560 noenhanced font 'Noto Sans CJK SC,10'"
                                              : "set terminal svg size 960,560 noenhanced font 'Noto Sans CJK SC,10'";

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
    job = start_render(g, cdir, gp.str(), std::move(outputs), o);
    return ch;
}

void finish_charts(Charts& ch, Rendering& job, Gnuplot& g) {
    ch.made = finish_render(g, job);
    if (!ch.made) ch.why_not = g.why_not;
}

Charts make_charts(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o) {
    Rendering job;
    Gnuplot g;
    Charts ch = start_charts(r, dir, o, job, g);
    finish_charts(ch, job, g);
    return ch;
}

}  // namespace sim::report_detail
