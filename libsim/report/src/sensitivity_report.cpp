// Reports of a sensitivity analysis: the CSV files, report.md, a fan chart
// (percentile bands over time) and a tornado chart (parameters by
// importance) per indicator, and the summary printed by `sdsim sensitivity`.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <set>
#include <sstream>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim {

using namespace report_detail;

namespace {

bool is_morris(const SensitivityResult& r) { return r.method == SensitivityMethod::morris; }
bool is_sobol(const SensitivityResult& r) { return r.method == SensitivityMethod::sobol; }

// The importance a tornado and the summary sort by: ST (Sobol'), mu*
// (Morris), |SRRC| (Latin hypercube); NaN last.
double importance(const SensitivityResult& r, const ParameterIndices& x) {
    switch (r.method) {
        case SensitivityMethod::sobol: return x.ST;
        case SensitivityMethod::morris: return x.mu_star;
        case SensitivityMethod::latin_hypercube: return std::fabs(x.SRRC);
    }
    return x.ST;
}

// Parameters at (indicator, a), most important first (stable: ties keep
// the declaration order).
std::vector<std::size_t> by_importance(const SensitivityResult& r, std::size_t ind, std::size_t a) {
    std::vector<std::size_t> order(r.parameters.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto key = [&](std::size_t p) {
        const double v = importance(r, r.index(ind, a, p));
        return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return key(x) > key(y); });
    return order;
}

std::string runs_text(const SensitivityResult& r, bool zh = false) {
    const std::size_t k = r.parameters.size(), n = r.base_samples, runs = r.samples.rows;
    if (zh) switch (r.method) {
            case SensitivityMethod::sobol:
                return std::to_string(n) + " 个基础样本 ×（" + std::to_string(k) + " + 2）= " + std::to_string(runs) +
                       " 次运行";
            case SensitivityMethod::morris:
                return std::to_string(n) + " 条轨迹 ×（" + std::to_string(k) + " + 1）= " + std::to_string(runs) +
                       " 次运行";
            case SensitivityMethod::latin_hypercube: return std::to_string(runs) + " 次运行";
        }
    switch (r.method) {
        case SensitivityMethod::sobol:
            return std::to_string(n) + " base samples x (" + std::to_string(k) + " + 2) = " + std::to_string(runs) +
                   " runs";
        case SensitivityMethod::morris:
            return std::to_string(n) + " trajectories x (" + std::to_string(k) + " + 1) = " + std::to_string(runs) +
                   " runs";
        case SensitivityMethod::latin_hypercube: return std::to_string(runs) + " runs";
    }
    return "";
}

const char* method_title(const SensitivityResult& r) {
    switch (r.method) {
        case SensitivityMethod::sobol: return "Sobol' indices (Saltelli's scheme)";
        case SensitivityMethod::morris: return "Morris elementary effects";
        case SensitivityMethod::latin_hypercube: return "Latin hypercube, rank measures";
    }
    return "";
}

// Quantile column name: 0.05 -> "p5".
std::string q_name(double q) { return "p" + text::number(q * 100); }

struct SensCharts {
    Gnuplot g;
    std::vector<std::string> fan, tornado;  // per indicator, relative to dir ("" if none)
};

SensCharts make_sensitivity_charts(const SensitivityResult& r, const std::string& dir, const ReportOptions& o) {
    SensCharts ch;
    const auto& e = r.ensemble;
    const std::string cdir = dir + "/charts";
    std::filesystem::create_directories(cdir);
    ch.g = probe_gnuplot(o, "960,560");
    const Gnuplot& g = ch.g;
    const std::size_t last = e.at.size() - 1, k = r.parameters.size();

    // The bands: quantiles paired from the outside in (q with 1 - q), the
    // median (if kept) as a line.
    std::vector<std::size_t> qs(e.trajectory_quantiles.size());
    std::iota(qs.begin(), qs.end(), std::size_t{0});
    std::sort(qs.begin(), qs.end(),
              [&](std::size_t a, std::size_t b) { return e.trajectory_quantiles[a] < e.trajectory_quantiles[b]; });

    std::set<std::string> used;
    std::ostringstream gp;
    gp << "# Charts of the sensitivity analysis; run in this directory: gnuplot charts.gp\n"
       << g.terminal << "\nset grid\nset key outside right top\n";
    std::vector<std::string> outputs;
    for (std::size_t ind = 0; ind < e.indicators.size(); ++ind) {
        const std::string& name = e.indicators[ind];
        const std::string stem = file_stem(name, used);
        std::string fan, tornado;
        if (!qs.empty() && !e.times.empty()) {
            const std::string dat = "fan_" + stem + ".dat";
            fan = "fan_" + stem + "." + g.ext;
            write_file_atomic(cdir + "/" + dat, [&](std::ostream& os) {
                os << "# time";
                for (std::size_t q : qs) os << ' ' << q_name(e.trajectory_quantiles[q]);
                os << '\n';
                for (std::size_t row = 0; row < e.times.size(); ++row) {
                    os << num(e.times[row]);
                    for (std::size_t q : qs) os << ' ' << num(e.trajectory(0, ind, row, q));
                    os << '\n';
                }
            });
            gp << "\n# " << name << "\nset output " << gp_quote(fan + ".tmp") << "\n"
               << "set style fill transparent solid 0.3 noborder\nset xlabel 'time'\nset ylabel "
               << gp_quote(name) << "\nset title "
               << gp_quote(name + ": percentiles over " + std::to_string(e.samples) + " runs") << "\nplot ";
            const std::size_t nq = qs.size();
            bool first = true;
            for (std::size_t i = 0; i < nq / 2; ++i) {
                gp << (first ? gp_quote(dat) + " " : ", '' ") << "using 1:" << i + 2 << ':' << nq - i + 1
                   << " with filledcurves lc rgb '#2166ac' title "
                   << gp_quote(q_name(e.trajectory_quantiles[qs[i]]) + " - " +
                               q_name(e.trajectory_quantiles[qs[nq - 1 - i]]));
                first = false;
            }
            if (nq % 2 == 1)
                gp << (first ? gp_quote(dat) + " " : ", '' ") << "using 1:" << nq / 2 + 2
                   << " with lines lw 2 lc rgb '#08306b' title " << gp_quote(q_name(e.trajectory_quantiles[qs[nq / 2]]));
            gp << "\n";
            outputs.push_back(fan);
        }
        if (k > 0) {
            const std::string dat = "tornado_" + stem + ".dat";
            tornado = "tornado_" + stem + "." + g.ext;
            auto order = by_importance(r, ind, last);
            std::reverse(order.begin(), order.end());  // most important at the top
            const bool morris = is_morris(r), sobol = is_sobol(r);
            write_file_atomic(cdir + "/" + dat, [&](std::ostream& os) {
                os << (morris ? "# parameter mu_star sigma\n" : sobol ? "# parameter ST S1\n" : "# parameter SRRC PRCC\n");
                for (std::size_t p : order) {
                    const auto& x = r.index(ind, last, p);
                    os << gp_label(r.parameters[p]) << ' '
                       << (morris ? num(x.mu_star) + ' ' + num(x.sigma)
                                  : sobol ? num(x.ST) + ' ' + num(x.S1) : num(x.SRRC) + ' ' + num(x.PRCC))
                       << '\n';
                }
            });
            const std::string what = morris ? "Morris mu* (bars) and sigma"
                                     : sobol ? "Sobol' total (ST) and first-order (S1) indices"
                                             : "SRRC and PRCC";
            const std::string a = morris ? "mu*" : sobol ? "ST" : "SRRC", b = morris ? "sigma" : sobol ? "S1" : "PRCC";
            const std::size_t height = std::max<std::size_t>(360, 120 + 36 * k);
            gp << "\n# " << name << " by parameter\n"
               << (height != 560 ? terminal_line(g, "960," + std::to_string(height)) + "\n" : "")
               << "set output " << gp_quote(tornado + ".tmp") << "\n"
               << "set style fill solid 0.8 border -1\nset yrange [-0.6:" << num(static_cast<double>(k) - 0.4)
               << "]\nset xrange [*:*]\n"
               << "set yzeroaxis lt -1\nset ytics nomirror\nset xlabel " << gp_quote(a + ", " + b)
               << "\nset ylabel ''\nset title "
               << gp_quote(name + " at " + time_str(e.at[last]) + ": " + what) << "\nplot " << gp_quote(dat)
               << " using (0):0:(0):2:($0-0.4):($0):ytic(1) with boxxyerror lc rgb '#2166ac' title " << gp_quote(a)
               << ", '' using (0):0:(0):3:($0):($0+0.4) with boxxyerror lc rgb '#f4a582' title " << gp_quote(b)
               << "\nunset yzeroaxis\nset yrange [*:*]\nset ytics mirror\nset autoscale\n"
               << (height != 560 ? g.terminal + "\n" : "");
            outputs.push_back(tornado);
        }
        ch.fan.push_back(fan.empty() ? "" : "charts/" + fan);
        ch.tornado.push_back(tornado.empty() ? "" : "charts/" + tornado);
    }
    gp << "unset output\n";
    render(ch.g, cdir, gp.str(), outputs, o);
    return ch;
}

void write_sensitivity_report(const SensitivityResult& r, const SensCharts& ch, const ReportOptions& o,
                              std::ostream& os) {
    const auto& e = r.ensemble;
    const std::size_t last = e.at.size() - 1;
    const bool sobol = is_sobol(r), morris = is_morris(r);
    const bool zh = o.lang == Lang::zh;
    auto tr = [zh](const char* en, const char* zh_text) { return zh ? zh_text : en; };
    os << tr("# Sensitivity analysis: ", "# 敏感性分析：") << (o.title.empty() ? tr("model", "模型") : o.title)
       << "\n\n";
    os << inputs_md(o.inputs, o.lang);
    // The summary first, in the report's language (the sentences of report.html).
    os << tr("## Summary\n\n", "## 主要结论\n\n");
    for (const auto& sentence : sensitivity_sentences(r, o)) os << "- " << sentence << "\n";
    os << "\n";
    if (zh) {
        os << "方法：";
        switch (r.method) {
            case SensitivityMethod::sobol:
                os << "Saltelli 方案的 Sobol' 指数（S1：Saltelli 等 2010；ST：Jansen 1999），" << runs_text(r, true) << "（种子 "
                   << r.seed << "）；95 % 区间来自基础样本的 " << r.bootstrap << " 次自助重抽样。SRRC 和 PRCC 基于矩阵 A 和 B 的 "
                   << 2 * r.base_samples << " 个独立点。";
                break;
            case SensitivityMethod::morris:
                os << "Morris 基本效应（Morris 1991；mu*：Campolongo 等 2007），" << runs_text(r, true) << "，" << r.morris_levels
                   << " 水平网格（种子 " << r.seed << "）。";
                break;
            case SensitivityMethod::latin_hypercube:
                os << "带声明的秩相关的拉丁超立方样本，" << runs_text(r, true) << "（种子 " << r.seed << "）；SRRC 和 PRCC。";
                break;
        }
        os << "百分位数基于全部运行。定义见 libsim 源代码中的 docs/uncertainty.md。\n\n";
    } else {
    os << "Method: ";
    switch (r.method) {
        case SensitivityMethod::sobol:
            os << "Sobol' indices by Saltelli's scheme (S1: Saltelli et al. 2010; ST: Jansen 1999), " << runs_text(r)
               << " (seed " << r.seed << "); 95 % intervals from " << r.bootstrap
               << " bootstrap resamples of the base samples. SRRC and PRCC over the " << 2 * r.base_samples
               << " independent points of the matrices A and B.";
            break;
        case SensitivityMethod::morris:
            os << "Morris elementary effects (Morris 1991; mu*: Campolongo et al. 2007), " << runs_text(r)
               << " on a " << r.morris_levels << "-level grid (seed " << r.seed << ").";
            break;
        case SensitivityMethod::latin_hypercube:
            os << "Latin hypercube sample with the declared rank correlations, " << runs_text(r) << " (seed "
               << r.seed << "); SRRC and PRCC.";
            break;
    }
    os << " Percentiles are over every run. Definitions: docs/uncertainty.md in the libsim sources.\n\n";
    }
    for (const auto& d : r.notes.items()) os << tr("Note: ", "注：") << d.message << tr(".\n\n", "。\n\n");

    os << tr("## Uncertain parameters\n\n| parameter | distribution | note |\n",
             "## 不确定参数\n\n| 参数 | 分布 | 说明 |\n")
       << "|---|---|---|\n";
    for (const auto& p : r.uncertainties)
        os << "| " << md_cell(p.name) << " | " << md_cell(describe(p.dist)) << " | " << md_cell(p.doc) << " |\n";
    os << '\n';

    for (std::size_t ind = 0; ind < e.indicators.size(); ++ind) {
        // Code names in English (as before), display titles in Chinese.
        const std::string name = zh ? title_of(o, e.indicators[ind]) : e.indicators[ind];
        if (zh)
            os << "## " << name << "\n\n" << e.samples << " 次运行的百分位数：\n\n"
               << "| 年份 | p5 | p25 | p50 | p75 | p95 | 均值 |\n";
        else
            os << "## " << name << "\n\nPercentiles over " << e.samples << " runs:\n\n"
               << "| time | p5 | p25 | p50 | p75 | p95 | mean |\n";
        os << "|---|---|---|---|---|---|---|\n";
        for (std::size_t a = 0; a < e.at.size(); ++a) {
            const Percentiles& p = r.percentiles[ind * e.at.size() + a];
            os << "| " << time_str(e.at[a]) << " | " << fmt(p.p5) << " | " << fmt(p.p25) << " | " << fmt(p.p50)
               << " | " << fmt(p.p75) << " | " << fmt(p.p95) << " | " << fmt(p.mean) << " |\n";
        }
        if (zh) os << "\n" << time_str(e.at[last]) << "年，按影响从大到小：\n\n";
        else os << "\nAt " << time_str(e.at[last]) << ", most influential first:\n\n";
        const auto order = by_importance(r, ind, last);
        const char* parameter = tr("parameter", "参数");
        if (sobol) {
            os << "| " << parameter << tr(" | S1 | S1 95 % interval | ST | ST 95 % interval | SRRC | PRCC |\n",
                                          " | S1 | S1 95 % 区间 | ST | ST 95 % 区间 | SRRC | PRCC |\n")
               << "|---|---|---|---|---|---|---|\n";
        } else if (morris) {
            os << "| " << parameter << " | mu* | mu | sigma |\n|---|---|---|---|\n";
        } else {
            os << "| " << parameter << " | SRRC | PRCC |\n|---|---|---|\n";
        }
        double s1 = 0, st = 0, r2 = 0;
        for (std::size_t p : order) {
            const auto& x = r.index(ind, last, p);
            os << "| " << md_cell(r.parameters[p]) << " | ";
            if (sobol)
                os << fmt(x.S1) << " | " << fmt(x.S1_low) << " - " << fmt(x.S1_high) << " | " << fmt(x.ST) << " | "
                   << fmt(x.ST_low) << " - " << fmt(x.ST_high) << " | " << fmt(x.SRRC) << " | " << fmt(x.PRCC)
                   << " |\n";
            else if (morris)
                os << fmt(x.mu_star) << " | " << fmt(x.mu) << " | " << fmt(x.sigma) << " |\n";
            else
                os << fmt(x.SRRC) << " | " << fmt(x.PRCC) << " |\n";
            s1 += x.S1;
            st += x.ST;
            r2 += x.SRRC * x.SRRC;
        }
        os << '\n';
        if (zh) {
            if (sobol) os << "S1 之和：" << fmt(s1) << "（1 减去它为交互作用所占方差份额）；ST 之和：" << fmt(st) << "。";
            if (!morris)
                os << "SRRC 平方和：" << fmt(r2) << "（接近 1：输出的秩与参数的秩接近线性；远小于 1：应以"
                   << (sobol ? "S1 和 ST" : "PRCC") << "而非 SRRC 为准）。";
            if (morris) os << "mu* 给出参数影响的排序；sigma 接近 mu* 表示非线性或交互作用。";
        } else {
        if (sobol)
            os << "Sum of S1: " << fmt(s1) << " (1 minus it is the share of the variance due to interactions); "
               << "sum of ST: " << fmt(st) << ".";
        if (!morris)
            os << (sobol ? " " : "") << "Sum of SRRC squared: " << fmt(r2)
               << " (near 1: the output's ranks are close to linear in the parameters' ranks; well below 1: trust "
               << (sobol ? "S1 and ST" : "PRCC") << " over SRRC).";
        if (morris) os << "mu* ranks the parameters' influence; a sigma near mu* shows non-linearity or interactions.";
        }
        os << "\n\n";
        if (ch.g.made) {
            if (!ch.fan[ind].empty())
                os << "![" << name << tr(": percentile bands over time](", "：百分位带随时间的变化](") << ch.fan[ind]
                   << ")\n\n";
            if (!ch.tornado[ind].empty())
                os << "![" << name << tr(" at ", "，") << time_str(e.at[last]) << tr(" by parameter](", "年，按参数](")
                   << ch.tornado[ind] << ")\n\n";
        }
    }
    if (!ch.g.made) os << tr("## Charts\n\n", "## 图表\n\n") << charts_note(ch.g) << '\n';
    if (zh) {
        os << "文件：samples.csv（每次运行的参数值）、indicators.csv（每次运行在报告年份的指标值）、percentiles.csv、indices.csv（"
           << (morris ? "Morris 方法下为空；见 morris.csv" : "每个指标和报告年份") << "）"
           << (e.trajectory_quantiles.empty() ? "" : "、trajectories.csv（每个保存时刻的百分位带）") << "。\n";
        return;
    }
    os << "Files: samples.csv (every run's parameter values), indicators.csv (every run's indicators at the "
          "report times), percentiles.csv, indices.csv ("
       << (morris ? "empty for the Morris method; see morris.csv" : "every indicator and report time") << ")"
       << (e.trajectory_quantiles.empty() ? "" : ", trajectories.csv (percentile bands at every saved time)")
       << ".\n";
}

}  // namespace

void write_percentile_trajectories_csv(const SensitivityResult& r, std::ostream& out) {
    const auto& e = r.ensemble;
    out << "indicator,time";
    for (double q : e.trajectory_quantiles) out << ',' << q_name(q);
    out << '\n';
    for (std::size_t i = 0; i < e.indicators.size(); ++i)
        for (std::size_t row = 0; row < e.times.size(); ++row) {
            out << text::csv_field(e.indicators[i]) << ',' << num(e.times[row]);
            for (std::size_t q = 0; q < e.trajectory_quantiles.size(); ++q) out << ',' << num(e.trajectory(0, i, row, q));
            out << '\n';
        }
}

void write_sensitivity_outputs(const SensitivityResult& r, const std::string& dir, const ReportOptions& o) {
    const auto& e = r.ensemble;
    if (e.indicators.empty() || e.at.empty() || e.samples == 0)
        throw Error(sim::Code::E_SENSITIVITY, "", "write_sensitivity_outputs: empty analysis");
    // One output set: built beside `dir` and swapped in whole.
    write_output_set(
        dir,
        [&](const std::string& tmp) {
            write_file_atomic(tmp + "/samples.csv", [&](std::ostream& os) { write_samples_csv(r.samples, os); });
            write_file_atomic(tmp + "/indicators.csv", [&](std::ostream& os) { write_indicators_csv(e, os); });
            write_file_atomic(tmp + "/percentiles.csv", [&](std::ostream& os) { write_percentiles_csv(r, os); });
            write_file_atomic(tmp + "/indices.csv", [&](std::ostream& os) { write_indices_csv(r, os); });
            if (is_morris(r)) write_file_atomic(tmp + "/morris.csv", [&](std::ostream& os) { write_morris_csv(r, os); });
            if (!e.trajectory_quantiles.empty())
                write_file_atomic(tmp + "/trajectories.csv",
                                  [&](std::ostream& os) { write_percentile_trajectories_csv(r, os); });
            const SensCharts ch = charts_if_wanted<SensCharts>(o, [&] { return make_sensitivity_charts(r, tmp, o); });
            write_file_atomic(tmp + "/report.md", [&](std::ostream& os) { write_sensitivity_report(r, ch, o, os); });
            write_file_atomic(tmp + "/report.html", [&](std::ostream& os) { write_sensitivity_html(r, os, o); });
        },
        sensitivity_output_set(o.input_files));
}

OutputSetOptions sensitivity_output_set(std::vector<std::string> inputs) {
    OutputSetOptions s;
    s.inputs = std::move(inputs);
    s.names = {"samples.csv", "indicators.csv", "percentiles.csv", "indices.csv", "morris.csv",
               "trajectories.csv", "charts", "report.md", "report.html"};
    return s;
}

void print_sensitivity_summary(const SensitivityResult& r, std::ostream& out) {
    const auto& e = r.ensemble;
    if (e.indicators.empty() || e.at.empty()) return;
    const std::size_t last = e.at.size() - 1;
    const bool sobol = is_sobol(r), morris = is_morris(r);
    out << method_title(r) << ": " << runs_text(r) << ", " << r.parameters.size() << " parameters, seed " << r.seed
        << '\n';
    std::size_t wname = 9;
    for (const auto& p : r.parameters) wname = std::max(wname, p.size());
    for (std::size_t ind = 0; ind < e.indicators.size(); ++ind) {
        const Percentiles& p = r.percentiles[ind * e.at.size() + last];
        out << '\n'
            << e.indicators[ind] << " at " << time_str(e.at[last]) << ": p5 " << fmt(p.p5) << ", p50 " << fmt(p.p50)
            << ", p95 " << fmt(p.p95) << ", mean " << fmt(p.mean) << '\n';
        const std::vector<const char*> cols = sobol    ? std::vector<const char*>{"S1", "ST", "SRRC", "PRCC"}
                                              : morris ? std::vector<const char*>{"mu*", "mu", "sigma"}
                                                       : std::vector<const char*>{"SRRC", "PRCC"};
        out << "  " << std::left << std::setw(static_cast<int>(wname)) << "parameter" << std::right;
        for (const char* c : cols) out << "  " << std::setw(12) << c;
        out << '\n';
        for (std::size_t q : by_importance(r, ind, last)) {
            const auto& x = r.index(ind, last, q);
            const std::vector<double> v = sobol    ? std::vector<double>{x.S1, x.ST, x.SRRC, x.PRCC}
                                          : morris ? std::vector<double>{x.mu_star, x.mu, x.sigma}
                                                   : std::vector<double>{x.SRRC, x.PRCC};
            out << "  " << std::left << std::setw(static_cast<int>(wname)) << r.parameters[q] << std::right;
            for (double d : v) out << "  " << std::setw(12) << fmt(d);
            out << '\n';
        }
    }
    out << std::left;
}

}  // namespace sim
