// report.html of a sensitivity analysis: one self-contained page (inline CSS
// and SVG, no script, no external asset), English or Chinese, with numbers
// and labels from format.cpp (as the comparison's report.html).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>

#include "report_detail.hpp"

namespace sim {

using namespace report_detail;

std::string report_detail::title_of(const ReportOptions& o, const std::string& name) {
    const Display d = o.spec ? o.spec->display_of(name) : Display{};
    if (o.lang == Lang::zh && !d.title_zh.empty()) return d.title_zh;
    if (!d.title.empty()) return d.title;
    std::string n = name;
    std::replace(n.begin(), n.end(), '_', ' ');
    return n;
}

namespace {

Display display_of(const ReportOptions& o, const std::string& name) {
    return o.spec ? o.spec->display_of(name) : Display{};
}

// The parameters of indicator i at report time a, most influential first:
// by total Sobol' index, else Morris mu*, else |SRRC|; NaN measures last.
std::vector<std::pair<double, std::size_t>> ranked(const SensitivityResult& r, std::size_t i, std::size_t a) {
    std::vector<std::pair<double, std::size_t>> v;
    for (std::size_t p = 0; p < r.parameters.size(); ++p) {
        const auto& x = r.index(i, a, p);
        double m = !std::isnan(x.ST) ? x.ST : !std::isnan(x.mu_star) ? x.mu_star : std::fabs(x.SRRC);
        v.emplace_back(std::isnan(m) ? -1 : m, p);
    }
    std::stable_sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    return v;
}

const char* measure_name(const SensitivityResult& r, Lang lang) {
    const bool zh = lang == Lang::zh;
    switch (r.method) {
        case SensitivityMethod::sobol: return zh ? "总效应Sobol指数" : "total Sobol' index";
        case SensitivityMethod::morris: return zh ? "Morris μ*" : "Morris mu*";
        default: return zh ? "|标准化秩回归系数|" : "|SRRC|";
    }
}

}  // namespace

std::vector<std::string> sensitivity_sentences(const SensitivityResult& r, const ReportOptions& o) {
    std::vector<std::string> out;
    const auto& e = r.ensemble;
    if (e.at.empty()) return out;
    const bool zh = o.lang == Lang::zh;
    const std::size_t a = e.at.size() - 1;
    for (std::size_t i = 0; i < e.indicators.size(); ++i) {
        const Display d = display_of(o, e.indicators[i]);
        const auto& pc = r.percentiles[i * e.at.size() + a];
        const std::string runs = std::to_string(e.samples), k = std::to_string(r.parameters.size());
        std::string s = zh ? "在" + k + "个不确定参数的" + runs + "次运行中，" + year_str(e.at[a]) + "年" +
                                 title_of(o, e.indicators[i]) + "的第5至第95百分位数为" + format_quantity(pc.p5, d, o.lang) +
                                 "至" + format_quantity(pc.p95, d, o.lang) + "（中位数" + format_quantity(pc.p50, d, o.lang) + "）"
                           : "Over " + runs + " runs of the " + k + " uncertain parameters, " + title_of(o, e.indicators[i]) +
                                 " in " + year_str(e.at[a]) + " lies between " + format_quantity(pc.p5, d, o.lang) + " and " +
                                 format_quantity(pc.p95, d, o.lang) + " (5th to 95th percentile; median " +
                                 format_quantity(pc.p50, d, o.lang) + ")";
        const auto rk = ranked(r, i, a);
        std::vector<std::string> top;
        for (std::size_t n = 0; n < rk.size() && n < 3; ++n)
            if (rk[n].first > 0)
                top.push_back(r.parameters[rk[n].second] + (zh ? "（" : " (") + format_number(rk[n].first, o.lang) +
                              (zh ? "）" : ")"));
        if (top.empty()) {
            s += zh ? "；没有参数对它有可测的影响。" : "; no parameter has a measurable effect on it.";
        } else {
            std::string list;
            for (std::size_t n = 0; n < top.size(); ++n)
                list += (n ? (n + 1 == top.size() ? (zh ? "和" : " and ") : (zh ? "、" : ", ")) : "") + top[n];
            s += zh ? "；影响最大的参数是" + list + "（" + measure_name(r, o.lang) + "）。"
                    : "; the parameters that matter most are " + list + " (" + measure_name(r, o.lang) + ").";
        }
        out.push_back(s);
    }
    return out;
}

void write_sensitivity_html(const SensitivityResult& r, std::ostream& os, const ReportOptions& o) {
    const bool zh = o.lang == Lang::zh;
    const auto& e = r.ensemble;
    const std::string title = zh ? "敏感性分析" : "Sensitivity analysis";
    os << "<!DOCTYPE html>\n<html lang=\"" << (zh ? "zh-CN" : "en") << "\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << esc(title)
       << (o.title.empty() ? "" : ": " + esc(o.title)) << "</title>\n<style>\n"
       << "body{font-family:\"Noto Sans\",\"Noto Sans CJK SC\",Arial,sans-serif;margin:0;color:#1a1a1a;line-height:1.5}"
          "main{max-width:960px;margin:0 auto;padding:1rem}h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;"
          "border-bottom:1px solid #ddd}.finding{background:#f4f7fb;border-left:4px solid #2b5c8a;padding:.6rem .8rem}"
          ".table-wrap{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem}th,td{border-bottom:1px solid "
          "#e3e3e3;padding:.3rem .5rem;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}"
          "svg.chart{width:100%;height:auto;max-width:720px;display:block}code,p,h1{overflow-wrap:anywhere}"
          ".note{font-size:.85rem;color:#444}@media print{figure,table{break-inside:avoid}}\n"
       << "</style>\n</head>\n<body>\n<main>\n<h1>" << esc(title) << (o.title.empty() ? "" : ": " + esc(o.title))
       << "</h1>\n<section id=\"summary\">\n<h2>" << (zh ? "主要结论" : "Summary") << "</h2>\n";
    const auto sentences = sensitivity_sentences(r, o);
    for (std::size_t i = 0; i < sentences.size(); ++i)
        os << "<p class=\"finding\" data-indicator=\"" << esc(e.indicators[i]) << "\">" << esc(sentences[i]) << "</p>\n";
    os << "</section>\n";

    // Fans: the kept trajectory quantiles, outer band, inner band, median.
    const std::size_t nq = e.trajectory_quantiles.size();
    if (nq >= 3 && !e.times.empty()) {
        os << "<section id=\"charts\">\n<h2>" << (zh ? "随时间的不确定性范围" : "Uncertainty over time") << "</h2>\n<p class=\"note\">"
           << (zh ? "外层：第5至第95百分位数；内层：第25至第75百分位数；实线：中位数。"
                  : "Outer band: 5th to 95th percentile; inner band: 25th to 75th; line: median.")
           << "</p>\n";
        for (std::size_t i = 0; i < e.indicators.size(); ++i) {
            const Display d = display_of(o, e.indicators[i]);
            auto q = [&](std::size_t row, std::size_t k) { return e.trajectory(0, i, row, k) * d.scale; };
            double lo = INFINITY, hi = -INFINITY;
            for (std::size_t row = 0; row < e.times.size(); ++row)
                for (std::size_t k = 0; k < nq; ++k)
                    if (std::isfinite(q(row, k))) lo = std::min(lo, q(row, k)), hi = std::max(hi, q(row, k));
            if (!std::isfinite(lo)) continue;
            if (!(hi > lo)) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
            const double W = 640, H = 320, L = 78, R = 16, T = 14, B = 48;
            const double t0 = e.times.front(), t1 = e.times.back();
            auto X = [&](double t) { return L + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * (W - L - R); };
            auto Y = [&](double v) { return T + (hi - v) / (hi - lo) * (H - T - B); };
            const std::string u = units_label(d, o.lang);
            const std::string yl = title_of(o, e.indicators[i]) + (u.empty() ? "" : zh ? "（" + u + "）" : " (" + u + ")");
            os << "<figure><svg class=\"chart\" viewBox=\"0 0 " << W << ' ' << H
               << "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>" << esc(yl) << "</title>\n";
            auto band = [&](std::size_t a, std::size_t b, const char* fill) {
                os << "<path fill=\"" << fill << "\" stroke=\"none\" d=\"";
                for (std::size_t row = 0; row < e.times.size(); ++row)
                    os << (row ? " L" : "M") << X(e.times[row]) << ' ' << Y(q(row, b));
                for (std::size_t row = e.times.size(); row-- > 0;) os << " L" << X(e.times[row]) << ' ' << Y(q(row, a));
                os << " Z\"/>\n";
            };
            band(0, nq - 1, "#c6dbef");
            if (nq >= 5) band(1, nq - 2, "#6baed6");
            os << "<path class=\"series median\" fill=\"none\" stroke=\"#08306b\" stroke-width=\"2.5\" d=\"";
            for (std::size_t row = 0; row < e.times.size(); ++row)
                os << (row ? " L" : "M") << X(e.times[row]) << ' ' << Y(q(row, nq / 2));
            os << "\"/>\n<g font-size=\"11\" text-anchor=\"end\">";
            for (int k = 0; k <= 4; ++k) {
                const double v = lo + (hi - lo) * k / 4;
                os << "<text x=\"" << L - 6 << "\" y=\"" << Y(v) + 4 << "\">" << esc(format_number(v, o.lang)) << "</text>";
            }
            os << "</g>\n<g font-size=\"11\" text-anchor=\"middle\"><text x=\"" << X(t0) << "\" y=\"" << H - B + 18 << "\">"
               << year_str(t0) << "</text><text x=\"" << X(t1) << "\" y=\"" << H - B + 18 << "\">" << year_str(t1)
               << "</text></g>\n<line x1=\"" << L << "\" x2=\"" << W - R << "\" y1=\"" << H - B << "\" y2=\"" << H - B
               << "\" stroke=\"#444\"/><line x1=\"" << L << "\" x2=\"" << L << "\" y1=\"" << T << "\" y2=\"" << H - B
               << "\" stroke=\"#444\"/>\n<text class=\"axis-label x-label\" x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 8
               << "\" font-size=\"12\" text-anchor=\"middle\">" << (zh ? "年份" : "year")
               << "</text>\n<text class=\"axis-label y-label\" transform=\"translate(14," << (T + H - B) / 2
               << ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">" << esc(yl) << "</text>\n</svg>\n<figcaption>"
               << esc(yl) << "</figcaption></figure>\n";
        }
        os << "</section>\n";
    }

    // Indices at the last report time.
    if (!e.at.empty()) {
        const std::size_t a = e.at.size() - 1;
        os << "<section id=\"indices\">\n<h2>" << (zh ? "参数的影响" : "Which parameters matter") << " (" << year_str(e.at[a])
           << ")</h2>\n";
        for (std::size_t i = 0; i < e.indicators.size(); ++i) {
            os << "<h3>" << esc(title_of(o, e.indicators[i])) << "</h3>\n<div class=\"table-wrap\"><table>\n<tr><th>"
               << (zh ? "参数" : "parameter") << "</th><th>S1</th><th>ST</th><th>SRRC</th><th>PRCC</th><th>mu*</th></tr>\n";
            for (const auto& [m, p] : ranked(r, i, a)) {
                const auto& x = r.index(i, a, p);
                os << "<tr><td>" << esc(r.parameters[p]) << "</td>";
                for (double v : {x.S1, x.ST, x.SRRC, x.PRCC, x.mu_star}) os << "<td>" << esc(format_number(v, o.lang)) << "</td>";
                os << "</tr>\n";
            }
            os << "</table></div>\n";
        }
        os << "</section>\n";
    }
    if (!o.inputs.empty()) {
        os << "<section id=\"method\"><h2>" << (zh ? "输入" : "Inputs") << "</h2><ul class=\"note\">";
        for (const auto& l : o.inputs) os << "<li><code>" << esc(l) << "</code></li>";
        os << "</ul></section>\n";
    }
    os << "</main>\n</body>\n</html>\n";
}

}  // namespace sim
