// report.html of a comparison: one self-contained file (inline CSS, charts
// as inline SVG, no script, no external asset) that reads on a phone and
// prints. Numbers and sentences come from format.cpp, as in report.md.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <sstream>

#include "report_detail.hpp"

namespace sim {

using namespace report_detail;

namespace {

struct Words {
    const char *title, *summary, *ranking, *charts, *effects, *pairs, *method, *year, *rank, *combination,
        *baseline, *lever, *main_effect, *shapley, *share, *all_levers, *cost, *gain_per_cost, *nominal, *real_prefix,
        *real_suffix, *alone_note, *ranked_by, *no_pairs, *interaction, *verdict, *reinforce, *undercut, *files,
        *inputs, *levers_h, *section;
};

constexpr Words en_words{"Lever comparison",
                         "Summary",
                         "Every combination, ranked",
                         "Over time",
                         "What each lever contributes",
                         "Levers that reinforce or undercut each other",
                         "Method and files",
                         "year",
                         "rank",
                         "combination",
                         "baseline",
                         "lever",
                         "main effect",
                         "Shapley share",
                         "share of the all-levers change",
                         "all levers",
                         "cumulative cost",
                         "gain per cost, lever alone",
                         "current prices",
                         "constant ",
                         " prices",
                         "Baseline (grey), each lever alone, and all levers together (black).",
                         "ranked by",
                         "No pair interacts noticeably: the levers' effects add up.",
                         "interaction",
                         "verdict",
                         "reinforce",
                         "undercut",
                         "Files",
                         "Inputs",
                         "The levers",
                         "section"};

constexpr Words zh_words{"政策组合比较",
                         "主要结论",
                         "全部组合排序",
                         "随时间的变化",
                         "各项政策的贡献",
                         "相互加强或相互削弱的政策组合",
                         "方法与文件",
                         "年份",
                         "排名",
                         "组合",
                         "基准情景",
                         "政策",
                         "主效应",
                         "Shapley份额",
                         "占全部政策变化的份额",
                         "全部政策",
                         "累计成本",
                         "单独实施时的成本收益",
                         "当年价",
                         "",
                         "年不变价",
                         "基准情景（灰色）、单独实施各项政策、全部政策同时实施（黑色）。",
                         "排序依据",
                         "没有明显的相互作用：各项政策的效果可以相加。",
                         "相互作用",
                         "判断",
                         "相互加强",
                         "相互削弱",
                         "文件",
                         "输入",
                         "政策",
                         "章节"};

const Words& words(Lang l) { return l == Lang::zh ? zh_words : en_words; }

// ---------------------------------------------------------------- SVG charts

// "Nice" axis ticks covering [lo, hi]: steps of 1, 2, 2.5 or 5 x 10^n.
std::vector<double> nice_ticks(double lo, double hi, int target = 5) {
    if (!(hi > lo)) {
        const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        lo -= pad, hi += pad;
    }
    const double raw = (hi - lo) / target;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    double step = p;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * p >= raw) {
            step = m * p;
            break;
        }
    std::vector<double> t;
    for (double v = std::floor(lo / step) * step; v <= hi + step * 0.5 + 1e-12 * std::fabs(hi); v += step) {
        t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
        if (v >= hi) break;
    }
    return t;
}

struct Line {
    std::string label;
    std::vector<double> y;  // per saved time, displayed units
    std::string colour, dash;
    double width;
};

// The line styles: baseline grey and solid, all levers black and solid
// (thicker), each lever its own colour and dash pattern, so the lines are
// told apart without colour.
std::vector<Line> styled(const CompareResult& r, Lang lang) {
    static const char* colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#1f78b4"};
    static const char* dashes[] = {"9 4", "2 3", "12 3 2 3", "5 5", "1 3 7 3", "14 3", "3 2 3 6"};
    std::vector<Line> out;
    std::size_t n = 0;
    for (const auto& s : shown_runs(r)) {
        Line l;
        l.label = s.mask == 0 ? words(lang).baseline
                              : (s.mask == all_mask(r) && r.levers.size() > 1 ? words(lang).all_levers
                                                                               : combination_label(r, s.mask, lang));
        if (s.mask == 0) l.colour = "#8c8c8c", l.dash = "", l.width = 3;
        else if (s.mask == all_mask(r) && r.levers.size() > 1) l.colour = "#111111", l.dash = "", l.width = 4.5;
        else l.colour = colours[n % 7], l.dash = dashes[n % 7], l.width = 2, ++n;
        out.push_back(std::move(l));
    }
    return out;
}

void svg_chart(std::ostream& os, const CompareResult& r, std::size_t ind, bool real, Lang lang, const std::string& id) {
    const Words& w = words(lang);
    const Display& d = indicator_display(r, ind);
    auto lines = styled(r, lang);
    const auto shown = shown_runs(r);
    double pyear = 0;
    if (real) {
        auto f = real_factor(r, 0, r.deflator_year);  // P(year)/P(year) = 1: checks the year is in the run
        if (!f) return;
    }
    for (std::size_t s = 0; s < shown.size(); ++s) {
        const auto& c = r.combinations[shown[s].mask];
        for (std::size_t row = 0; row < r.times.size(); ++row) {
            double v = c.series[ind][row] * d.scale;
            if (real) {
                auto f = real_factor(r, shown[s].mask, r.times[row]);
                v = f ? v * *f : std::nan("");
            }
            lines[s].y.push_back(v);
        }
    }
    (void)pyear;
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& l : lines)
        for (double v : l.y)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    const auto yt = nice_ticks(lo, hi);
    const double y0 = yt.front(), y1 = yt.back();
    const double t0 = r.times.front(), t1 = r.times.back();
    const auto xt = nice_ticks(t0, t1, 6);

    const double W = 640, H = 360, L = 78, R = 16, Tm = 14, B = 48;
    auto X = [&](double t) { return L + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * (W - L - R); };
    auto Y = [&](double v) { return Tm + (y1 > y0 ? (y1 - v) / (y1 - y0) : 0.5) * (H - Tm - B); };
    const std::string units = units_label(d, lang);
    std::string ylabel = indicator_title(r, ind, lang);
    std::string unit_note = units;
    if (d.money && !r.deflator.empty())
        unit_note += (unit_note.empty() ? "" : ", ") +
                     (real ? std::string(w.real_prefix) + year_str(r.deflator_year) + w.real_suffix : std::string(w.nominal));
    if (!unit_note.empty()) ylabel += lang == Lang::zh ? "（" + unit_note + "）" : " (" + unit_note + ")";

    os << "<svg class=\"chart\" id=\"" << id << "\" viewBox=\"0 0 " << W << ' ' << H
       << "\" role=\"img\" aria-labelledby=\"" << id << "-t\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\""
       << id << "-t\">" << esc(ylabel) << "</title>\n";
    os << "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">";
    for (double v : yt) os << "<line x1=\"" << L << "\" x2=\"" << W - R << "\" y1=\"" << Y(v) << "\" y2=\"" << Y(v) << "\"/>";
    os << "</g>\n<g class=\"axis y-axis\" font-size=\"11\" text-anchor=\"end\">";
    for (double v : yt) os << "<text x=\"" << L - 6 << "\" y=\"" << Y(v) + 4 << "\">" << esc(format_number(v, lang)) << "</text>";
    os << "</g>\n<g class=\"axis x-axis\" font-size=\"11\" text-anchor=\"middle\">";
    for (double t : xt)
        if (t >= t0 - 1e-9 && t <= t1 + 1e-9)
            os << "<line x1=\"" << X(t) << "\" x2=\"" << X(t) << "\" y1=\"" << H - B << "\" y2=\"" << H - B + 5
               << "\" stroke=\"#444\"/><text x=\"" << X(t) << "\" y=\"" << H - B + 18 << "\">" << year_str(t) << "</text>";
    os << "</g>\n<line x1=\"" << L << "\" x2=\"" << W - R << "\" y1=\"" << H - B << "\" y2=\"" << H - B
       << "\" stroke=\"#444\"/><line x1=\"" << L << "\" x2=\"" << L << "\" y1=\"" << Tm << "\" y2=\"" << H - B
       << "\" stroke=\"#444\"/>\n";
    os << "<text class=\"axis-label x-label\" x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 8
       << "\" font-size=\"12\" text-anchor=\"middle\">" << esc(w.year) << "</text>\n";
    os << "<text class=\"axis-label y-label\" transform=\"translate(14," << (Tm + H - B) / 2
       << ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">" << esc(ylabel) << "</text>\n";
    for (const auto& l : lines) {
        os << "<path class=\"series\" data-run=\"" << esc(l.label) << "\" fill=\"none\" stroke=\"" << l.colour
           << "\" stroke-width=\"" << l.width << "\"" << (l.dash.empty() ? "" : " stroke-dasharray=\"" + l.dash + "\"")
           << " d=\"";
        bool pen = false;
        for (std::size_t row = 0; row < r.times.size(); ++row) {
            if (!std::isfinite(l.y[row])) {
                pen = false;
                continue;
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%c%.1f %.1f", pen ? 'L' : 'M', X(r.times[row]), Y(l.y[row]));
            os << (row ? " " : "") << buf;
            pen = true;
        }
        os << "\"/>\n";
    }
    os << "</svg>\n";
}

void legend(std::ostream& os, const CompareResult& r, Lang lang) {
    os << "<ul class=\"legend\">";
    for (const auto& l : styled(r, lang))
        os << "<li><svg width=\"40\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"40\" y1=\"5\" y2=\"5\" stroke=\""
           << l.colour << "\" stroke-width=\"" << l.width << "\"" << (l.dash.empty() ? "" : " stroke-dasharray=\"" + l.dash + "\"")
           << "/></svg> " << esc(l.label) << "</li>";
    os << "</ul>\n";
}

constexpr const char* css = R"(body{font-family:"Noto Sans","Noto Sans CJK SC","Helvetica Neue",Arial,sans-serif;margin:0;color:#1a1a1a;line-height:1.5}
main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
.finding{background:#f4f7fb;border-left:4px solid #2b5c8a;padding:.6rem .8rem;margin:.6rem 0}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.3rem .5rem;text-align:right;white-space:nowrap}
th:first-child,td:first-child,td.text,th.text{text-align:left}
svg.chart{width:100%;height:auto;max-width:720px;display:block;font-family:inherit}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem}
.meta,.note{font-size:.85rem;color:#444}
code{overflow-wrap:anywhere;word-break:break-all}
h1,h2,h3,p{overflow-wrap:anywhere}
@media print{main{max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}.finding{background:none}}
)";

}  // namespace

void write_compare_html(const CompareResult& r, std::ostream& os, Lang lang, const UncertainComparison* u) {
    const Words& w = words(lang);
    const bool zh = lang == Lang::zh;
    const std::size_t k = r.levers.size();
    const std::size_t last = r.at.size() - 1;
    const std::string model = r.model_name.empty() ? "model" : r.model_name;
    os << "<!DOCTYPE html>\n<html lang=\"" << (zh ? "zh-CN" : "en") << "\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << esc(w.title) << ": "
       << esc(model) << "</title>\n<style>\n" << css << "</style>\n</head>\n<body>\n<main>\n";
    os << "<h1>" << esc(w.title) << ": " << esc(model) << "</h1>\n<p class=\"meta\">";
    if (zh)
        os << k << "项政策的全部" << r.combinations.size() << "种组合（同一个编译后的模型运行" << r.combinations.size()
           << "次），比较时点：";
    else
        os << "Every combination of " << k << " levers (" << r.combinations.size()
           << " runs of one compiled model), compared at ";
    for (std::size_t a = 0; a < r.at.size(); ++a) os << (a ? ", " : "") << year_str(r.at[a]);
    os << (zh ? "。" : ".") << "</p>\n";

    // Summary.
    os << "<section id=\"summary\">\n<h2>" << esc(w.summary) << "</h2>\n";
    const auto sentences = summary_sentences(r, lang, u);
    for (std::size_t i = 0; i < sentences.size(); ++i)
        os << "<p class=\"finding\" data-indicator=\"" << esc(r.indicators[i].name) << "\">" << esc(sentences[i]) << "</p>\n";
    os << "</section>\n";

    // The levers.
    os << "<section id=\"levers\">\n<h2>" << esc(w.levers_h) << "</h2>\n<div class=\"table-wrap\"><table>\n<tr><th>"
       << esc(w.lever) << "</th><th class=\"text\">" << esc(w.section) << "</th><th class=\"text\">"
       << (zh ? "内容" : "title") << "</th></tr>\n";
    for (std::size_t i = 0; i < k; ++i) {
        const std::string title = lever_title(r, i, lang);
        os << "<tr><td>" << esc(lever_label(r, i, lang)) << "</td><td class=\"text\">" << esc(lever_section(r, i))
           << "</td><td class=\"text\">" << esc(title) << "</td></tr>\n";
    }
    os << "</table></div>\n</section>\n";

    // Ranked combinations.
    {
        const std::size_t rank_by = 0;
        const double s = better_sign(r.indicators[rank_by]);
        std::vector<unsigned> order(r.combinations.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [&](unsigned x, unsigned y) {
            return s * r.value(x, rank_by, last) > s * r.value(y, rank_by, last);
        });
        os << "<section id=\"ranking\">\n<h2>" << esc(w.ranking) << "</h2>\n<p class=\"note\">" << esc(w.ranked_by) << ' '
           << esc(indicator_title(r, rank_by, lang)) << (zh ? "，" : ", ") << year_str(r.at[last])
           << (zh ? "年" : "") << (zh ? "。" : ".") << "</p>\n<div class=\"table-wrap\"><table>\n<tr><th>" << esc(w.rank)
           << "</th><th class=\"text\">" << esc(w.combination) << "</th>";
        for (std::size_t i = 0; i < r.indicators.size(); ++i) {
            const std::string u = units_label(indicator_display(r, i), lang);
            os << "<th>" << esc(indicator_title(r, i, lang)) << (u.empty() ? "" : "<br>(" + esc(u) + ")") << "</th>";
        }
        if (r.has_cost) os << "<th>" << esc(w.cost) << "</th>";
        os << "</tr>\n";
        std::size_t rank = 0;
        for (unsigned m : order) {
            os << "<tr><td>" << ++rank << "</td><td class=\"text\">" << esc(combination_label(r, m, lang)) << "</td>";
            for (std::size_t i = 0; i < r.indicators.size(); ++i) {
                Display nd = indicator_display(r, i);
                nd.units.clear(), nd.units_zh.clear();  // units in the header
                os << "<td>" << esc(format_quantity(r.value(m, i, last), nd, lang)) << "</td>";
            }
            if (r.has_cost) os << "<td>" << esc(format_quantity(r.combinations[m].cost[last], cost_display(r), lang)) << "</td>";
            os << "</tr>\n";
        }
        os << "</table></div>\n</section>\n";
    }

    // Charts.
    os << "<section id=\"charts\">\n<h2>" << esc(w.charts) << "</h2>\n<p class=\"note\">" << esc(w.alone_note) << "</p>\n";
    legend(os, r, lang);
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const Display& d = indicator_display(r, ind);
        const bool real = d.money && real_factor(r, 0, r.deflator_year).has_value();
        os << "<figure data-indicator=\"" << esc(r.indicators[ind].name) << "\">\n";
        svg_chart(os, r, ind, real, lang, "chart-" + std::to_string(ind) + (real ? "-real" : ""));
        os << "<figcaption>" << esc(indicator_title(r, ind, lang));
        if (real)
            os << (zh ? "，" : ", ") << esc(w.real_prefix) << year_str(r.deflator_year) << esc(w.real_suffix)
               << (zh ? "（按" : " (deflated by ") << esc(r.deflator) << (zh ? "平减）" : ")");
        os << "</figcaption>\n</figure>\n";
        if (real) {
            os << "<figure data-indicator=\"" << esc(r.indicators[ind].name) << "\" class=\"nominal\">\n";
            svg_chart(os, r, ind, false, lang, "chart-" + std::to_string(ind) + "-nominal");
            os << "<figcaption>" << esc(indicator_title(r, ind, lang)) << (zh ? "，" : ", ") << esc(w.nominal)
               << "</figcaption>\n</figure>\n";
        }
    }
    os << "</section>\n";

    // Effects.
    os << "<section id=\"effects\">\n<h2>" << esc(w.effects) << " (" << year_str(r.at[last]) << ")</h2>\n<p class=\"note\">"
       << (zh ? "主效应：所有开启该政策的组合的平均值减去所有未开启该政策的组合的平均值。Shapley份额：把全部政策的变化分给各项政策，份额之和等于全部政策的变化；份额为负表示该政策在这一指标上与其他政策方向相反，此时其余份额之和超过100%。"
              : "Main effect: the mean over every combination with the lever on minus the mean with it off. "
                "Shapley share: the lever's part of the all-levers change; the parts add up to that change. "
                "A negative share means the lever works against the others on this indicator, and then the "
                "other shares add up to more than 100 %.")
       << "</p>\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        const Display& d = indicator_display(r, ind);
        os << "<h3>" << esc(indicator_title(r, ind, lang)) << "</h3>\n<div class=\"table-wrap\"><table>\n<tr><th>"
           << esc(w.lever) << "</th><th>" << esc(w.main_effect) << "</th><th>" << esc(w.shapley) << "</th><th>"
           << esc(w.share) << "</th>";
        if (r.has_cost) os << "<th>" << esc(w.gain_per_cost) << "</th>";
        os << "</tr>\n";
        for (std::size_t i = 0; i < k; ++i) {
            os << "<tr><td>" << esc(lever_label(r, i, lang)) << "</td><td>" << esc(format_quantity(e.main[i], d, lang))
               << "</td><td>" << esc(format_quantity(e.shapley[i], d, lang)) << "</td><td>"
               << (e.all != 0 ? esc(format_percent(100 * e.shapley[i] / e.all, lang)) : std::string(zh ? "无" : "n/a")) << "</td>";
            if (r.has_cost) {
                const double g = gain_per_cost(r, 1u << i, ind, last);
                if (std::isnan(g)) {
                    os << "<td>" << (zh ? "无" : "n/a") << "</td>";
                } else {
                    auto p = format_per_cost(g, d, cost_display(r), lang);
                    os << "<td>" << esc(p.value) << ' ' << esc(p.per) << "</td>";
                }
            }
            os << "</tr>\n";
        }
        os << "</table></div>\n";
    }
    os << "</section>\n";

    // Pairs.
    os << "<section id=\"pairs\">\n<h2>" << esc(w.pairs) << "</h2>\n";
    bool any = false;
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = i + 1; j < k; ++j) {
                auto v = pair_verdict(e, i, j);
                if (v == PairVerdict::none) continue;
                if (!any)
                    os << "<div class=\"table-wrap\"><table>\n<tr><th class=\"text\">" << (zh ? "指标" : "indicator")
                       << "</th><th class=\"text\">" << (zh ? "组合" : "pair") << "</th><th>" << esc(w.interaction)
                       << "</th><th class=\"text\">" << esc(w.verdict) << "</th></tr>\n";
                any = true;
                os << "<tr><td class=\"text\">" << esc(indicator_title(r, ind, lang)) << "</td><td class=\"text\">"
                   << esc(lever_label(r, i, lang)) << " + " << esc(lever_label(r, j, lang)) << "</td><td>"
                   << esc(format_quantity(e.interaction_at(i, j), indicator_display(r, ind), lang))
                   << "</td><td class=\"text\">" << esc(v == PairVerdict::reinforce ? w.reinforce : w.undercut) << "</td></tr>\n";
            }
    }
    if (any) os << "</table></div>\n";
    else os << "<p>" << esc(w.no_pairs) << "</p>\n";
    os << "</section>\n";

    // Method and inputs.
    os << "<section id=\"method\">\n<h2>" << esc(w.method) << "</h2>\n<p class=\"note\">";
    if (r.has_cost) os << esc(w.cost) << ": " << esc(r.cost_source) << ". ";
    if (!r.deflator.empty())
        os << (zh ? "不变价：以" : "Constant prices: deflated by ") << esc(r.deflator)
           << (zh ? "平减，基年" : ", base year ") << year_str(r.deflator_year) << (zh ? "。" : ". ");
    os << esc(w.files) << ": combinations.csv, effects.csv, trajectories.csv, report.md.</p>\n";
    if (!r.inputs.empty()) {
        os << "<h3>" << esc(w.inputs) << "</h3>\n<ul class=\"meta\">";
        for (const auto& l : r.inputs) os << "<li><code>" << esc(l) << "</code></li>";
        os << "</ul>\n";
    }
    os << "</section>\n</main>\n</body>\n</html>\n";
}

}  // namespace sim
