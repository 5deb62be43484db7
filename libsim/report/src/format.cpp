// Numbers, labels and generated sentences for readers, in English and
// Chinese: the one formatting code behind report.md, report.html and the
// charts' labels (so they never disagree). Rules: sim/report.hpp.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "report_detail.hpp"
#include "util/interpolate.hpp"

namespace sim {

using namespace report_detail;

std::optional<Lang> parse_lang(std::string_view s) {
    if (s == "en") return Lang::en;
    if (s == "zh") return Lang::zh;
    return std::nullopt;
}

namespace {

int sig_digits(double a) { return a >= 1000 && a < 10000 ? 4 : 3; }

double round_sig(double a, int sig) {
    if (a == 0) return 0;
    const int e = static_cast<int>(std::floor(std::log10(a)));
    const double f = std::pow(10.0, sig - 1 - e);
    return std::round(a * f) / f;
}

// A non-negative number in fixed notation with `sig` significant digits,
// trailing zeros dropped, thousands separated by commas.
std::string fixed_sig(double a, int sig) {
    int decimals = 0;
    if (a > 0) decimals = std::max(0, sig - 1 - static_cast<int>(std::floor(std::log10(a))));
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, a);
    std::string s = buf;
    std::string frac;
    if (auto dot = s.find('.'); dot != std::string::npos) {
        frac = s.substr(dot);
        s.resize(dot);
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (frac == ".") frac.clear();
    }
    std::string grouped;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && (s.size() - i) % 3 == 0) grouped += ',';
        grouped += s[i];
    }
    return grouped + frac;
}

struct Magnitude {
    double factor;
    const char* word;
};
constexpr Magnitude en_magnitudes[] = {{1e12, " trillion"}, {1e9, " billion"}, {1e6, " million"}};
constexpr Magnitude zh_magnitudes[] = {{1e12, "万亿"}, {1e8, "亿"}, {1e4, "万"}};

bool dimensionless(const std::string& u) { return u.empty() || u == "dmnl" || u == "1" || u == "Dmnl"; }

}  // namespace

std::string format_number(double v, Lang lang) {
    if (std::isnan(v)) return lang == Lang::zh ? "无" : "n/a";
    if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
    const std::string sign = v < 0 ? "-" : "";
    const double a = std::fabs(v);
    if (a == 0) return "0";
    const auto& mags = lang == Lang::zh ? zh_magnitudes : en_magnitudes;
    // The magnitude is chosen on the rounded value: 999,999 is "1 million".
    const double rounded = round_sig(a, sig_digits(a));
    for (const auto& m : mags) {
        if (rounded < m.factor) continue;
        const double x = a / m.factor;
        return sign + fixed_sig(round_sig(x, sig_digits(x)), sig_digits(x)) + m.word;
    }
    return sign + fixed_sig(round_sig(a, sig_digits(a)), sig_digits(a));
}

std::string format_percent(double pct, Lang lang) {
    std::string s;
    if (std::isnan(pct)) return format_number(pct, lang);
    const double a = std::fabs(pct);
    if (a >= 10 || a == 0) {
        s = fixed_sig(std::round(a), 12);
        if (s.find('.') != std::string::npos) s.resize(s.find('.'));
    } else {
        s = fixed_sig(round_sig(a, 2), 2);
    }
    if (pct < 0 && s != "0") s = "-" + s;
    return s + (lang == Lang::zh ? "%" : " %");
}

std::string format_quantity(double v, const Display& d, Lang lang) {
    const std::string n = format_number(v * d.scale, lang);
    if (std::isnan(v)) return n;
    const bool zh_units = lang == Lang::zh && !d.units_zh.empty();
    const std::string& u = zh_units ? d.units_zh : d.units;
    if (dimensionless(u)) return n;
    if (u == "%") return n + (lang == Lang::zh ? "%" : " %");
    return n + (zh_units ? "" : " ") + u;
}

PerCost format_per_cost(double g, const Display& gain, const Display& cost, Lang lang) {
    struct Step {
        double m;
        const char *en, *zh;
    };
    static constexpr Step steps[] = {{1, "", ""},
                                     {1e4, "10,000 ", "万"},
                                     {1e6, "million ", "百万"},
                                     {1e8, "100 million ", "亿"},
                                     {1e12, "trillion ", "万亿"}};
    const double per_display = g / cost.scale;  // gain per displayed unit of cost
    std::size_t pick = std::size(steps) - 1;
    for (std::size_t i = 0; i < std::size(steps); ++i)
        if (std::fabs(per_display * steps[i].m * gain.scale) >= 1) {
            pick = i;
            break;
        }
    const Step& s = steps[pick];
    const bool zh = lang == Lang::zh;
    const std::string& cu = zh && !cost.units_zh.empty() ? cost.units_zh : cost.units;
    PerCost p;
    p.value = format_quantity(per_display * s.m, gain, lang);
    if (zh)
        p.per = std::string("每") + s.zh + (cu.empty() ? "单位成本" : cu);
    else
        p.per = std::string("per ") + s.en + (cu.empty() ? (s.m == 1 ? "unit of cost" : "units of cost") : cu);
    return p;
}

namespace report_detail {

const Display& indicator_display(const CompareResult& r, std::size_t ind) {
    static const Display none;
    return ind < r.indicator_display.size() ? r.indicator_display[ind] : none;
}

Display cost_display(const CompareResult& r) {
    Display d = r.cost_display;
    if (d.units.empty() && d.scale == 1) d.units = r.cost_units;
    return d;
}

std::string lever_title(const CompareResult& r, std::size_t i, Lang lang) {
    if (lang == Lang::zh && i < r.lever_titles_zh.size() && !r.lever_titles_zh[i].empty()) return r.lever_titles_zh[i];
    return i < r.lever_titles.size() ? r.lever_titles[i] : std::string();
}

std::string lever_section(const CompareResult& r, std::size_t i) {
    return i < r.lever_sections.size() ? r.lever_sections[i] : std::string();
}

std::string indicator_title(const CompareResult& r, std::size_t ind, Lang lang) {
    const Display& d = indicator_display(r, ind);
    if (lang == Lang::zh && !d.title_zh.empty()) return d.title_zh;
    if (!d.title.empty()) return d.title;
    std::string n = r.indicators[ind].name;
    std::replace(n.begin(), n.end(), '_', ' ');
    return n;
}

std::string lever_label(const CompareResult& r, std::size_t i, Lang lang) {
    if (lang == Lang::zh) {
        if (i < r.lever_names_zh.size() && !r.lever_names_zh[i].empty()) return r.lever_names_zh[i];
        if (i < r.lever_titles_zh.size() && !r.lever_titles_zh[i].empty()) return r.lever_titles_zh[i];
    }
    return r.levers[i];
}

std::string combination_label(const CompareResult& r, unsigned mask, Lang lang) {
    if (mask == 0) return lang == Lang::zh ? "基准情景" : "baseline";
    std::string s;
    for (std::size_t i = 0; i < r.levers.size(); ++i)
        if (mask >> i & 1u) s += (s.empty() ? "" : "+") + lever_label(r, i, lang);
    return s;
}

std::string units_label(const Display& d, Lang lang) {
    const std::string& u = lang == Lang::zh && !d.units_zh.empty() ? d.units_zh : d.units;
    return dimensionless(u) ? std::string() : u;
}

std::optional<double> real_factor(const CompareResult& r, unsigned mask, double t) {
    if (r.deflator.empty()) return std::nullopt;
    const auto& p = r.combinations[mask].deflator_series;
    if (p.size() != r.times.size()) return std::nullopt;
    auto at = [&](double x) { return detail::interpolate(r.times, x, [&](std::size_t i) { return p[i]; }); };
    auto base = at(r.deflator_year), now = at(t);
    if (!base || !now || !(*now > 0) || !std::isfinite(*base)) return std::nullopt;
    return *base / *now;
}

std::string year_str(double t) { return text::number(t); }

}  // namespace report_detail

namespace {

const char* count_word(std::size_t k, Lang lang) {
    static const char* en[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    static const char* zh[] = {"零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"};
    if (k <= 10) return lang == Lang::zh ? zh[k] : en[k];
    return nullptr;
}

std::string join_list(const std::vector<std::string>& items, Lang lang) {
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            if (lang == Lang::zh) s += (i + 1 == items.size() ? "和" : "、");
            else s += (i + 1 == items.size() ? " and " : ", ");
        }
        s += items[i];
    }
    return s;
}

std::string signed_percent(double pct, Lang lang) {
    std::string p = format_percent(pct, lang);
    return (pct > 0 && p != format_percent(0, lang)) ? "+" + p : p;
}

}  // namespace

std::vector<std::string> summary_sentences(const CompareResult& r, Lang lang, const UncertainComparison* u) {
    std::vector<std::string> out;
    if (r.combinations.empty() || r.at.empty()) return out;
    const bool zh = lang == Lang::zh;
    const std::size_t k = r.levers.size();
    const std::size_t last = r.at.size() - 1;
    const double T = r.at[last];
    const unsigned all = all_mask(r);
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const Display& d = indicator_display(r, ind);
        const auto& e = r.effect(ind, last);
        const std::string title = indicator_title(r, ind, lang);
        const double b = e.baseline, v = b + e.all;
        const double sgn = better_sign(r.indicators[ind]);
        std::string s;

        // Headline: the all-levers value, in constant prices too, against the baseline.
        std::string who;
        if (zh) who = k == 1 ? "实施" + lever_label(r, 0, lang) + "时，" : std::string(count_word(k, lang) ? count_word(k, lang) : std::to_string(k).c_str()) + "项政策全部实施时，";
        else who = k == 1 ? "With the " + lever_label(r, 0, lang) + " lever, "
                   : k == 2 ? std::string("With both levers, ")
                          : std::string("With all ") + (count_word(k, lang) ? count_word(k, lang) : std::to_string(k).c_str()) + " levers, ";
        std::string value = format_quantity(v, d, lang);
        if (d.money)
            if (auto f = real_factor(r, all, T))
                value += zh ? "（按" + year_str(r.deflator_year) + "年价格计为" + format_quantity(v * *f, d, lang) + "）"
                            : " (" + format_quantity(v * *f, d, lang) + " at " + year_str(r.deflator_year) + " prices)";
        const double noise = 1e-9 * std::max(std::fabs(b), std::fabs(v));
        if (!(std::fabs(e.all) > noise)) {
            s = zh ? who + year_str(T) + "年" + title + "为" + value + "，与基准情景相同：没有一项政策改变它。"
                   : who + title + " in " + year_str(T) + " is " + value + ", the same as the baseline: no lever changes it.";
            out.push_back(s);
            continue;
        }
        const bool gain = sgn * e.all > 0;
        std::string change;
        // A share in % changes by percentage points, not by a percentage of itself.
        const bool points = (zh && !d.units_zh.empty() ? d.units_zh : d.units) == "%";
        auto pts = [&](double dv) {
            return format_number(std::fabs(dv) * d.scale, lang) + (zh ? "个百分点" : " percentage points");
        };
        if (points) {
            change = zh ? "比基准情景（" + format_quantity(b, d, lang) + "）" + (e.all > 0 ? "高" : "低") + pts(e.all)
                        : pts(e.all) + (e.all > 0 ? " above" : " below") + " the baseline (" + format_quantity(b, d, lang) + ")";
        } else if (b != 0 && std::isfinite(b)) {
            const double pct = 100 * e.all / std::fabs(b);
            change = zh ? "比基准情景（" + format_quantity(b, d, lang) + "）" + (e.all > 0 ? "高" : "低") +
                              format_percent(std::fabs(pct), lang)
                        : format_percent(std::fabs(pct), lang) + (e.all > 0 ? " above" : " below") + " the baseline (" +
                              format_quantity(b, d, lang) + ")";
        } else {
            change = zh ? "比基准情景" + std::string(e.all > 0 ? "高" : "低") + format_quantity(std::fabs(e.all), d, lang)
                        : format_quantity(std::fabs(e.all), d, lang) + (e.all > 0 ? " above" : " below") + " the baseline";
        }
        if (!gain) change += zh ? "，变差了（" + std::string(r.indicators[ind].lower_is_better ? "越低越好" : "越高越好") + "）"
                                : std::string(", which is worse (") + (r.indicators[ind].lower_is_better ? "lower" : "higher") + " is better)";
        s = zh ? who + year_str(T) + "年" + title + "为" + value + "，" + change
               : who + title + " in " + year_str(T) + " is " + value + ", " + change;

        // Shapley shares of the change, largest first.
        if (k > 1) {
            std::vector<std::size_t> order(k);
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t x, std::size_t y) { return e.shapley[x] / e.all > e.shapley[y] / e.all; });
            std::vector<std::string> parts;
            for (std::size_t n = 0; n < order.size(); ++n) {
                const std::size_t i = order[n];
                const std::string p = format_percent(100 * e.shapley[i] / e.all, lang);
                parts.push_back(zh ? lever_label(r, i, lang) + (n == 0 ? "贡献了其中的" : "") + p
                                   : lever_label(r, i, lang) + (n == 0 ? " contributes " + p + " of the " +
                                                                             (gain ? "gain" : "change")
                                                                       : " " + p));
            }
            std::string listed;  // Chinese lists the shares with commas: 乙贡献了其中的67%，甲33%
            for (std::size_t n = 0; n < parts.size(); ++n) listed += (n ? "，" : "") + parts[n];
            s += zh ? "；" + listed + "。" : "; " + join_list(parts, lang) + ".";
        } else {
            s += zh ? "。" : ".";
        }

        // The levers alone, ranked; the best combination when it is not all of them.
        {
            std::vector<std::pair<double, std::size_t>> alone;
            for (std::size_t i = 0; i < k; ++i) alone.emplace_back(sgn * (r.value(1u << i, ind, last) - b), i);
            std::stable_sort(alone.begin(), alone.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
            auto pct_of = [&](std::size_t i) {
                const double dv = r.value(1u << i, ind, last) - b;
                if (points) return (dv > 0 ? "+" : dv < 0 ? "-" : "") + format_number(std::fabs(dv) * d.scale, lang) +
                                   (zh ? "个百分点" : " points");
                return b != 0 ? signed_percent(100 * dv / std::fabs(b), lang)
                              : (dv >= 0 ? "+" : "") + format_quantity(dv, d, lang);
            };
            std::vector<std::string> better, worse;
            for (const auto& [g, i] : alone) {
                const std::string item = lever_label(r, i, lang) + (zh ? "（" : " (") + pct_of(i) + (zh ? "）" : ")");
                if (g > noise) better.push_back(item);
                else if (g < -noise) worse.push_back(item);
            }
            if (k > 1) {
                if (better.empty()) {
                    s += zh ? "单独实施时，没有一项政策能改善它。" : " Alone, no lever improves it.";
                } else {
                    const std::string first = better.front();
                    better.erase(better.begin());
                    s += zh ? "单独实施时，" + first + "的改善最大" + (better.empty() ? "" : "，其次是" + join_list(better, lang)) + "。"
                            : " Alone, " + first + " improves it most" + (better.empty() ? "" : ", then " + join_list(better, lang)) + ".";
                }
                if (!worse.empty())
                    s += zh ? "单独实施会使它变差的有：" + join_list(worse, lang) + "。"
                            : " Alone, " + join_list(worse, lang) + (worse.size() == 1 ? " makes" : " make") + " it worse.";
                const unsigned best = best_by_value(r, ind, last);
                if (best != all)
                    s += zh ? "最好的组合是" + combination_label(r, best, lang) + "（" + format_quantity(r.value(best, ind, last), d, lang) + "），而不是全部政策。"
                            : " The best combination is " + combination_label(r, best, lang) + " (" +
                                  format_quantity(r.value(best, ind, last), d, lang) + "), not all levers together.";
            }
        }

        // Why a share is above 100 % or below zero.
        if (k > 1) {
            std::vector<std::string> against;
            for (std::size_t i = 0; i < k; ++i)
                if (e.shapley[i] / e.all < -0.005)
                    against.push_back(lever_label(r, i, lang) + (zh ? "（" : " (") +
                                      format_percent(100 * e.shapley[i] / e.all, lang) + (zh ? "）" : ")"));
            if (!against.empty())
                s += zh ? "份额为负的" + join_list(against, lang) + "在这一指标上与其他政策方向相反，因此其余政策的份额之和超过100%。"
                        : " A negative share means a lever works against the others here: " + join_list(against, lang) +
                              (against.size() == 1 ? " pulls" : " pull") +
                              " the other way, so the other levers' shares add up to more than 100 %.";
        }
        // Under uncertainty: how often all levers help, and how often the best is best.
        if (u && u->robust.all.size() == r.indicators.size() * r.at.size() &&
            u->robust.stats.size() == r.combinations.size() * r.indicators.size() * r.at.size()) {
            const auto& all = u->robust.all[ind * r.at.size() + last];
            const double improve = sgn > 0 ? all.share_positive : all.share_negative;
            const unsigned best = best_by_value(r, ind, last);
            const double pb = u->robust.stat(best, ind, last).p_best;
            const std::string n = std::to_string(u->samples.rows), p = std::to_string(u->uncertainties.size());
            if (zh)
                s += "在参数不确定性下（" + p + "个不确定参数的" + n + "个样本），全部政策在" + format_percent(100 * improve, lang) +
                     "的样本中改善该指标（变化的第5至第95百分位数为" + format_quantity(all.p5, d, lang) + "至" +
                     format_quantity(all.p95, d, lang) + "），" + combination_label(r, best, lang) + "在" +
                     format_percent(100 * pb, lang) + "的样本中是最好的组合。";
            else
                s += " Over " + n + " samples of the " + p + " uncertain parameters, all levers together improve it in " +
                     format_percent(100 * improve, lang) + " of the samples (the change runs from " +
                     format_quantity(all.p5, d, lang) + " to " + format_quantity(all.p95, d, lang) +
                     ", 5th to 95th percentile), and " + combination_label(r, best, lang) +
                     " is the best combination in " + format_percent(100 * pb, lang) + " of them.";
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace sim
