// report.md of a comparison, and write_compare_outputs, which writes every
// file of a comparison into one directory.
#include <filesystem>
#include <ostream>
#include <system_error>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim {

using namespace report_detail;

namespace {

// ---------------------------------------------------------------- report.md

// report.md in the report's language: English or Chinese text for the same
// place (the numbers come from format.cpp in both, as in report.html). The
// English report names indicators and levers by their code names, the
// Chinese one by their display titles.
struct Tr {
    bool zh;
    const char* operator()(const char* en, const char* zh_text) const { return zh ? zh_text : en; }
};

std::string indicator_md(const CompareResult& r, std::size_t ind, Lang lang) {
    return lang == Lang::zh ? indicator_title(r, ind, lang) : r.indicators[ind].name;
}
std::string lever_md(const CompareResult& r, std::size_t i, Lang lang) {
    return lang == Lang::zh ? lever_label(r, i, lang) : r.levers[i];
}
std::string combination_md(const CompareResult& r, unsigned mask, Lang lang) {
    return lang == Lang::zh ? combination_label(r, mask, lang) : r.label(mask);
}

void write_uncertainty_intro(const UncertainComparison& u, std::ostream& os, Lang lang) {
    const auto& r = u.nominal;
    if (lang == Lang::zh) {
        os << "不确定性：每个组合还在下列 " << u.uncertainties.size() << " 个不确定参数的同一组 " << u.samples.rows
           << " 个样本（"
           << (u.method == SampleMethod::latin_hypercube ? "拉丁超立方抽样"
               : u.method == SampleMethod::sobol         ? "Sobol' 序列"
                                                         : "独立随机抽样")
           << "，种子 " << u.seed << "）上运行，共 "
           << r.combinations.size() * u.samples.rows
           << " 次：同一样本内各组合只有政策不同（共同随机数）。某一结论在至少 " << fmt(100 * u.robust.threshold)
           << " % 的样本中成立时视为*成立*。\n\n";
        os << "| 参数 | 分布 | 说明 |\n|---|---|---|\n";
    } else {
    os << "Uncertainty: every combination was also run over the same " << u.samples.rows << " samples ("
       << sample_method_words(u.method) << ", seed " << u.seed << ") of the " << u.uncertainties.size()
       << " uncertain parameters below, " << r.combinations.size() * u.samples.rows
       << " runs: within a sample the combinations differ only by their levers (common random numbers). "
          "A conclusion *holds* when it is true in at least "
       << fmt(100 * u.robust.threshold) << " % of the samples.\n\n";
    os << "| parameter | distribution | note |\n|---|---|---|\n";
    }
    for (const auto& p : u.uncertainties)
        os << "| " << md_cell(p.name) << " | " << md_cell(describe(p.dist)) << " | " << md_cell(p.doc) << " |\n";
    if (!u.correlations.empty()) {
        os << (lang == Lang::zh ? "\n秩相关（Iman-Conover）：" : "\nRank correlations (Iman-Conover): ");
        for (std::size_t i = 0; i < u.correlations.size(); ++i)
            os << (i ? ", " : "") << "`" << u.correlations[i].a << "` and `" << u.correlations[i].b << "` "
               << fmt(u.correlations[i].rho);
        os << (lang == Lang::zh ? "。\n" : ".\n");
    }
    os << '\n';
}

void write_robust_ranking(const UncertainComparison& u, std::ostream& os, Lang lang) {
    const auto& r = u.nominal;
    const std::size_t a = r.at.size() - 1;
    const Tr tr{lang == Lang::zh};
    if (tr.zh)
        os << "## 不确定性下的排序（" << time_str(r.at[a]) << "年）\n\n"
           << "组合按模型自身参数值下的取值排序；p5、p50、p95：各样本上的百分位数；p_best：该组合为最优的样本比例；"
              "regret：与同一样本中最优组合的差距（均值和第95百分位数）。\n\n";
    else
    os << "## Ranking under uncertainty at " << time_str(r.at[a]) << "\n\n"
       << "Combinations ranked by their value at the model's own parameter values; p5, p50, p95: percentiles "
          "over the samples; p_best: share of samples in which the combination is the best; regret: its "
          "shortfall from the best combination of the same sample (mean and 95th percentile).\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const double sgn = better_sign(r.indicators[ind]);
        std::vector<unsigned> order(r.combinations.size());
        for (unsigned m = 0; m < order.size(); ++m) order[m] = m;
        std::stable_sort(order.begin(), order.end(),
                         [&](unsigned x, unsigned y) { return sgn * r.value(x, ind, a) > sgn * r.value(y, ind, a); });
        os << "### " << indicator_md(r, ind, lang) << tr(" (", "（")
           << (r.indicators[ind].lower_is_better ? tr("lower is better", "越低越好") : tr("higher is better", "越高越好"))
           << tr(")\n\n", "）\n\n")
           << tr("| rank | combination | value | p5 | p50 | p95 | p_best | regret mean | regret p95 |\n",
                 "| 排名 | 组合 | 取值 | p5 | p50 | p95 | p_best | regret 均值 | regret p95 |\n")
           << "|---|---|---|---|---|---|---|---|---|\n";
        std::size_t rank = 0;
        for (unsigned m : order) {
            const CombinationStats& c = u.robust.stat(m, ind, a);
            os << "| " << ++rank << " | " << md_cell(combination_md(r, m, lang)) << " | " << fmt(r.value(m, ind, a)) << " | "
               << fmt(c.p5) << " | " << fmt(c.p50) << " | " << fmt(c.p95) << " | " << fmt_share(c.p_best) << " | "
               << fmt(c.regret_mean) << " | " << fmt(c.regret_p95) << " |\n";
        }
        os << '\n';
    }
}

void write_conclusions(const UncertainComparison& u, std::ostream& os, Lang lang) {
    const auto& r = u.nominal;
    const auto& rb = u.robust;
    const std::size_t a = r.at.size() - 1;
    const Tr tr{lang == Lang::zh};
    if (tr.zh)
        os << "## 不确定性下的结论（" << time_str(r.at[a]) << "年）\n\n"
           << "每条结论附其成立的样本比例；比例达到 " << fmt(100 * rb.threshold)
           << " % 或以上即视为成立。对每个指标：其最优组合（按 p_best）、各项政策主效应的符号（按中位数），以及按中位数"
              "排名前五的组合中哪个优于下一个。所有报告年份的全部结论见 conclusions.csv。结论的文字为英文。\n\n";
    else
    os << "## Conclusions under uncertainty at " << time_str(r.at[a]) << "\n\n"
       << "Each conclusion with the share of samples in which it is true; it holds at "
       << fmt(100 * rb.threshold) << " % or more. For each indicator: its best combination (by p_best), "
          "the sign of each lever's main effect (the median's), and which of the five combinations best by "
          "median beats the next. Every conclusion at every report time: conclusions.csv.\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        std::vector<const Conclusion*> hold, fail;
        std::size_t beats = 0;
        for (const auto& c : rb.conclusions) {
            if (c.indicator != ind || c.a != a) continue;
            if (c.kind == Conclusion::Kind::beats && ++beats > 4) continue;
            (c.holds ? hold : fail).push_back(&c);
        }
        os << "### " << indicator_md(r, ind, lang) << "\n\n";
        auto list = [&](const char* head, const std::vector<const Conclusion*>& v) {
            os << head << "\n\n";
            if (v.empty()) os << tr("- none\n", "- 无\n");
            for (const Conclusion* c : v) {
                // The text starts with "indicator at time: "; the heading says that.
                std::string t = c->text;
                auto colon = t.find(": ");
                if (colon != std::string::npos) t = t.substr(colon + 2);
                os << "- " << t << tr(" (", "（") << fmt(100 * c->share) << tr(" % of samples)\n", " % 的样本）\n");
            }
            os << '\n';
        };
        list(tr("Holds:", "成立："), hold);
        list(tr("Does not hold:", "不成立："), fail);
    }
}

void write_report(const CompareResult& r, const Charts& ch, std::ostream& os, const UncertainComparison* u,
                  Lang lang) {
    const std::size_t k = r.levers.size();
    const std::size_t last = r.at.size() - 1;
    const Tr tr{lang == Lang::zh};
    os << tr("# Lever comparison: ", "# 政策组合比较：") << (r.model_name.empty() ? tr("model", "模型") : r.model_name)
       << "\n\n";
    os << inputs_md(r.inputs, lang);
    if (tr.zh) {
        os << k << " 项政策的全部组合（同一编译模型的 " << r.combinations.size() << " 次运行），叠加在基准情景之上；取值年份：";
        for (std::size_t a = 0; a < r.at.size(); ++a) os << (a ? "、" : "") << time_str(r.at[a]);
        os << "。各效应的定义见 libsim 源代码中的 docs/compare.md。含图表的同一报告见 report.html。\n\n";
    } else {
    os << "Every combination of " << k << " levers (" << r.combinations.size()
       << " runs of one compiled model) on top of the base scenario; values at ";
    for (std::size_t a = 0; a < r.at.size(); ++a) os << (a ? ", " : "") << time_str(r.at[a]);
    os << ". Definitions of the effects: docs/compare.md in the libsim sources. The same report, with charts, "
          "is in report.html.\n\n";
    }

    os << (lang == Lang::zh ? "## 主要结论\n\n" : "## Summary\n\n");
    for (const auto& s : summary_sentences(r, lang, u)) os << "- " << s << "\n";
    os << "\n";

    if (tr.zh) {
        os << "| 政策 | 内容 |\n|---|---|\n";
        for (std::size_t i = 0; i < k; ++i)
            os << "| " << md_cell(lever_md(r, i, lang)) << " | " << md_cell(lever_title(r, i, lang)) << " |\n";
        os << "\n指标：";
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            os << (i ? "；" : "") << indicator_md(r, i, lang) << "（`" << r.indicators[i].name << "`，"
               << (r.indicators[i].lower_is_better ? "越低越好" : "越高越好") << "）";
        os << "。\n\n成本："
           << (r.has_cost ? r.cost_source + (r.cost_units.empty() ? "" : "，单位 " + r.cost_units)
                          : std::string("无（没有政策设定成本，模型也没有成本变量）"))
           << "。\n\n";
    } else {
    os << "| lever | title |\n|---|---|\n";
    for (std::size_t i = 0; i < k; ++i)
        os << "| " << md_cell(r.levers[i]) << " | " << md_cell(r.lever_titles[i]) << " |\n";
    os << "\nIndicators: ";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        os << (i ? ", " : "") << "`" << r.indicators[i].name << "` ("
           << (r.indicators[i].lower_is_better ? "lower" : "higher") << " is better)";
    os << ".\n\nCost: "
       << (r.has_cost ? r.cost_source + (r.cost_units.empty() ? "" : ", in " + r.cost_units)
                      : std::string("none (no lever has a cost and the model has no cost variable)"))
       << ".\n\n";
    }
    if (u) write_uncertainty_intro(*u, os, lang);

    // Numbers for readers (format.cpp, as report.html): display units and
    // scales; the gain per cost restated per a round amount of cost.
    os << tr("## Best combinations\n\n", "## 最优组合\n\n");
    os << tr("Best value of each indicator, and best gain over the baseline per extra cumulative cost.\n\n",
             "各指标的最优取值，以及单位新增累计成本带来的相对基准情景的最大增益。\n\n");
    os << tr("| indicator | time | baseline | best combination | value | best per cost | gain | its extra cost |\n",
             "| 指标 | 年份 | 基准情景 | 最优组合 | 取值 | 成本收益最优 | 增益 | 新增成本 |\n")
       << "|---|---|---|---|---|---|---|---|\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const Display& d = indicator_display(r, ind);
            unsigned b = best_by_value(r, ind, a);
            unsigned c = best_per_cost(r, ind, a);
            const std::string na = tr("n/a", "无");
            std::string gain = na;
            if (c) {
                auto p = format_per_cost(gain_per_cost(r, c, ind, a), d, cost_display(r), lang);
                gain = p.value + " " + p.per;
            }
            os << "| " << md_cell(indicator_md(r, ind, lang)) << " | " << time_str(r.at[a]) << " | "
               << format_quantity(r.value(0, ind, a), d, lang) << " | " << md_cell(combination_md(r, b, lang))
               << " | " << format_quantity(r.value(b, ind, a), d, lang) << " | "
               << (c ? md_cell(combination_md(r, c, lang)) : na) << " | " << md_cell(gain) << " | "
               << (c ? format_quantity(r.combinations[c].cost[a] - r.combinations[0].cost[a], cost_display(r), lang)
                     : na)
               << " |\n";
        }

    if (u) {
        os << '\n';
        write_robust_ranking(*u, os, lang);
    }
    if (tr.zh)
        os << (u ? "" : "\n") << "## " << time_str(r.at[last]) << "年的政策效应\n\n"
           << "主效应：所有开启该政策的组合的平均值减去所有未开启该政策的组合的平均值。"
              "Shapley份额：该政策在全部政策效应中所占的份额（各份额之和等于全部政策效应）。"
           << (u ? "p5 - p95：该效应在各样本上的第5至第95百分位数。" : "") << "\n\n";
    else
    os << (u ? "" : "\n") << "## Effects at " << time_str(r.at[last]) << "\n\n"
       << "Main effect: mean over all combinations with the lever on minus mean with it off. "
          "Shapley share: the lever's share of the all-levers effect (the shares add up to it)."
       << (u ? " p5 - p95: the 5th to 95th percentile of the effect over the samples." : "") << "\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        const Display& d = indicator_display(r, ind);
        os << "### " << indicator_md(r, ind, lang) << tr("\n\nBaseline ", "\n\n基准情景 ")
           << format_quantity(e.baseline, d, lang) << tr(", all levers ", "，全部政策 ")
           << format_quantity(e.baseline + e.all, d, lang) << tr(" (effect ", "（效应 ")
           << format_quantity(e.all, d, lang) << tr(").\n\n", "）。\n\n");
        if (!u) {
            os << tr("| lever | main effect | Shapley share | share of all-levers effect |\n",
                     "| 政策 | 主效应 | Shapley份额 | 占全部政策效应的份额 |\n")
               << "|---|---|---|---|\n";
        } else {
            os << tr("| lever | main effect | p5 - p95 | Shapley share | p5 - p95 | share of all-levers effect |\n",
                     "| 政策 | 主效应 | p5 - p95 | Shapley份额 | p5 - p95 | 占全部政策效应的份额 |\n")
               << "|---|---|---|---|---|---|\n";
        }
        bool negative = false;
        for (std::size_t i = 0; i < k; ++i) {
            os << "| " << md_cell(lever_md(r, i, lang)) << " | " << format_quantity(e.main[i], d, lang) << " | ";
            if (u) {
                const auto& m = u->robust.main_effect(ind, last, i);
                os << format_quantity(m.p5, d, lang) << " - " << format_quantity(m.p95, d, lang) << " | ";
            }
            os << format_quantity(e.shapley[i], d, lang) << " | ";
            if (u) {
                const auto& sh = u->robust.shapley_share(ind, last, i);
                os << format_quantity(sh.p5, d, lang) << " - " << format_quantity(sh.p95, d, lang) << " | ";
            }
            os << (e.all != 0 ? format_percent(100 * e.shapley[i] / e.all, lang) : std::string(tr("n/a", "无")))
               << " |\n";
            negative = negative || (e.all != 0 && e.shapley[i] / e.all < -0.005);
        }
        if (negative)
            os << tr("\nA negative share means the lever works against the others on this indicator; the other "
                     "shares then add up to more than 100 %.\n",
                     "\n份额为负表示该政策在这一指标上与其他政策方向相反，此时其余份额之和超过 100 %。\n");
        os << '\n';
    }
    if (u) write_conclusions(*u, os, lang);

    os << tr("## Lever pairs that reinforce or undercut each other\n\n"
             "Flagged when the two-lever interaction exceeds 5% of the larger main effect: "
             "*reinforce* when it has the sign of the pair's combined main effects, *undercut* otherwise; "
             "*better/worse than additive* says whether it moves the indicator the good way.\n\n",
             "## 相互加强或相互削弱的政策组合\n\n"
             "两项政策的交互作用超过较大主效应的 5% 时列出：与两者主效应之和同号为*相互加强*，否则为*相互削弱*；"
             "*优于/劣于简单相加*表示交互作用使指标向好还是向坏的方向变化。\n\n");
    bool any = false;
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const auto& e = r.effect(ind, a);
            for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = i + 1; j < k; ++j) {
                    auto v = pair_verdict(e, i, j);
                    if (v == PairVerdict::none) continue;
                    if (!any)
                        os << tr("| indicator | time | pair | interaction | main effects | verdict |\n",
                                 "| 指标 | 年份 | 政策组合 | 交互作用 | 主效应 | 判断 |\n")
                           << "|---|---|---|---|---|---|\n";
                    any = true;
                    const double I = e.interaction_at(i, j);
                    const Display& d = indicator_display(r, ind);
                    const bool better = better_sign(r.indicators[ind]) * I > 0;
                    os << "| " << md_cell(indicator_md(r, ind, lang)) << " | " << time_str(r.at[a]) << " | "
                       << md_cell(lever_md(r, i, lang) + " + " + lever_md(r, j, lang)) << " | "
                       << format_quantity(I, d, lang) << " | " << format_quantity(e.main[i], d, lang)
                       << tr(", ", "，") << format_quantity(e.main[j], d, lang) << " | ";
                    if (tr.zh)
                        os << (v == PairVerdict::reinforce ? "相互加强" : "相互削弱") << "（"
                           << (better ? "优于" : "劣于") << "简单相加） |\n";
                    else
                        os << (v == PairVerdict::reinforce ? "reinforce" : "undercut") << " ("
                           << (better ? "better" : "worse") << " than additive) |\n";
                }
        }
    if (!any)
        os << tr("No pair interacts noticeably: the levers' effects add up.\n",
                 "没有明显的相互作用：各项政策的效果可以相加。\n");

    os << tr("\n## Charts\n\n", "\n## 图表\n\n");
    if (!ch.made && ch.ext.empty()) {
        os << tr("Charts were not made: ", "未生成图表：") << ch.why_not << tr(".\n", "。\n");
    } else if (!ch.made) {
        os << tr("Charts were not made: ", "未生成图表：") << ch.why_not
           << tr(". The data and the gnuplot script are in charts/.\n", "。数据和 gnuplot 脚本在 charts/ 中。\n");
    } else {
        for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
            const std::string n = indicator_md(r, ind, lang);
            os << "### " << n << "\n\n![" << n << tr(" over time](", "随时间的变化](") << ch.traj[ind] << ")\n\n!["
               << n << tr(" main effects](", "的主效应](") << ch.effects[ind] << ")\n\n";
        }
    }
    if (tr.zh) {
        os << "\n文件：combinations.csv（全部组合）、effects.csv（主效应、交互作用、Shapley份额"
           << (u ? "；及其在各样本上的均值、百分位数和符号比例" : "") << "）、trajectories.csv（长表）"
           << (u ? "、samples.csv（参数样本）、robustness.csv（每个组合、指标和报告年份的 p_best、regret 和百分位数）、"
                   "conclusions.csv（每条结论及其成立比例）"
                 : "")
           << "。\n";
        return;
    }
    os << "\nFiles: combinations.csv (every combination), effects.csv (main effects, interactions, "
          "Shapley shares"
       << (u ? "; with their mean, percentiles and sign shares over the samples" : "")
       << "), trajectories.csv (long form)"
       << (u ? ", samples.csv (the parameter samples), robustness.csv (p_best, regret and percentiles of every "
               "combination, indicator and report time), conclusions.csv (every conclusion with its share)"
             : "")
       << ".\n";
}

}  // namespace

namespace {

void check_comparison(const CompareResult& r) {
    if (r.combinations.empty() || r.at.empty())
        throw Error(sim::Code::E_COMPARE_REPORT, "", "write_compare_outputs: empty comparison");
}

}  // namespace

// The whole directory is one output set: built beside `dir` and swapped in,
// so a reader (or a kill, or a failed chart) never sees new CSVs beside an
// old report.
struct CompareOutputs::State {
    OutputSet set;
    ReportOptions o;
    Rendering job;
    Gnuplot g;
    Charts ch;
    bool charts_started = false, finished = false;
    State(const std::string& dir, const ReportOptions& opts) : set(dir, compare_output_set(opts.input_files)), o(opts) {}
    void start_charts(const CompareResult& r) {
        ch = charts_io([&] { return report_detail::start_charts(r, set.tmp(), o, job, g); });
        charts_started = true;
    }
};

CompareOutputs::CompareOutputs(const std::string& dir, const ReportOptions& o)
    : s_(std::make_unique<State>(dir, o)) {}
CompareOutputs::~CompareOutputs() = default;

void CompareOutputs::start_charts(const CompareResult& nominal) {
    if (s_->finished || s_->charts_started)
        throw Error(sim::Code::E_COMPARE_REPORT, "", "CompareOutputs::start_charts: called twice or after finish");
    check_comparison(nominal);
    if (s_->o.charts) s_->start_charts(nominal);
}

void CompareOutputs::finish(const CompareResult& r) { finish(r, nullptr); }
void CompareOutputs::finish(const UncertainComparison& u) { finish(u.nominal, &u); }

void CompareOutputs::finish(const CompareResult& r, const UncertainComparison* u) {
    if (s_->finished) throw Error(sim::Code::E_COMPARE_REPORT, "", "CompareOutputs::finish: called twice");
    s_->finished = true;
    check_comparison(r);
    if (u) check_matches(r, u->robust);
    const std::string& tmp = s_->set.tmp();
    const ReportOptions& o = s_->o;
    write_file_atomic(tmp + "/combinations.csv", [&](std::ostream& os) { write_combinations_csv(r, os); });
    write_file_atomic(tmp + "/effects.csv", [&](std::ostream& os) {
        if (u) write_effects_csv(r, u->robust, os);
        else write_effects_csv(r, os);
    });
    write_file_atomic(tmp + "/trajectories.csv", [&](std::ostream& os) { write_trajectories_csv(r, os); });
    if (u) {
        write_file_atomic(tmp + "/samples.csv", [&](std::ostream& os) { write_samples_csv(u->samples, os); });
        write_file_atomic(tmp + "/robustness.csv", [&](std::ostream& os) { write_robustness_csv(u->robust, os); });
        write_file_atomic(tmp + "/conclusions.csv", [&](std::ostream& os) { write_conclusions_csv(u->robust, os); });
    }
    Charts& ch = s_->ch;
    if (o.charts) {
        if (!s_->charts_started) s_->start_charts(r);
        charts_io([&] { finish_charts(ch, s_->job, s_->g); });
        if (!ch.made && o.warnings) *o.warnings << "warning: charts not made: " << ch.why_not << '\n';
    } else {
        ch.why_not = "disabled (CompareOutputOptions::charts, sdsim compare --no-charts)";
    }
    write_file_atomic(tmp + "/report.md", [&](std::ostream& os) { write_report(r, ch, os, u, o.lang); });
    write_file_atomic(tmp + "/report.html", [&](std::ostream& os) { write_compare_html(r, os, o.lang, u); });
    s_->set.commit();
}

OutputSetOptions compare_output_set(std::vector<std::string> inputs) {
    OutputSetOptions s;
    s.inputs = std::move(inputs);
    // Either form's names: a directory written by the other form is replaceable too.
    s.names = {"combinations.csv", "effects.csv", "trajectories.csv", "report.md", "report.html", "charts",
               "samples.csv",      "robustness.csv", "conclusions.csv"};
    return s;
}

// An empty comparison is refused before the set's temporary directory is made.
void write_compare_outputs(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o) {
    check_comparison(r);
    CompareOutputs out(dir, o);
    out.finish(r);
}

void write_compare_outputs(const UncertainComparison& u, const std::string& dir, const CompareOutputOptions& o) {
    check_comparison(u.nominal);
    CompareOutputs out(dir, o);
    out.finish(u);
}

}  // namespace sim
