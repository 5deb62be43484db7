// Numbers and sentences for readers (sim/report.hpp, libsim/report/src/format.cpp):
// golden values of the formatting rules in English and Chinese, and the
// summary sentences of a small model whose effects are known in closed form.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sim/compare.hpp"
#include "sim/report.hpp"
#include "sim/sensitivity.hpp"
#include "support.hpp"

using sim::Lang;

TEST_CASE("report format: numbers for readers, English") {
    const Lang en = Lang::en;
    CHECK(sim::format_number(161000, en) == "161,000");
    CHECK(sim::format_number(161234, en) == "161,000");
    CHECK(sim::format_number(68991, en) == "69,000");
    CHECK(sim::format_number(6766, en) == "6,766");  // 4 significant digits between 1,000 and 9,999
    CHECK(sim::format_number(3.0643e12, en) == "3.06 trillion");
    CHECK(sim::format_number(1234567, en) == "1.23 million");
    CHECK(sim::format_number(2.5e9, en) == "2.5 billion");
    CHECK(sim::format_number(999999, en) == "1 million");  // the magnitude follows the rounded value
    CHECK(sim::format_number(999.96, en) == "1,000");
    CHECK(sim::format_number(1.83133, en) == "1.83");
    CHECK(sim::format_number(4.71641e-07, en) == "0.000000472");  // never scientific notation
    CHECK(sim::format_number(0, en) == "0");
    CHECK(sim::format_number(-2.5, en) == "-2.5");
    CHECK(sim::format_number(-68991, en) == "-69,000");
    CHECK(sim::format_number(std::nan(""), en) == "n/a");
    CHECK(sim::format_number(5e15, en) == "5,000 trillion");
}

TEST_CASE("report format: numbers for readers, Chinese (万, 亿, 万亿)") {
    const Lang zh = Lang::zh;
    CHECK(sim::format_number(161000, zh) == "16.1万");
    CHECK(sim::format_number(12345, zh) == "1.23万");
    CHECK(sim::format_number(9999, zh) == "9,999");
    CHECK(sim::format_number(9999.7, zh) == "1万");
    CHECK(sim::format_number(1.5e8, zh) == "1.5亿");
    CHECK(sim::format_number(3.0643e12, zh) == "3.06万亿");
    CHECK(sim::format_number(1.83133, zh) == "1.83");
    CHECK(sim::format_number(std::nan(""), zh) == "无");
}

TEST_CASE("report format: quantities with display units and scale, percentages, gain per cost") {
    sim::Display yuan;
    yuan.units = "yuan";
    yuan.units_zh = "元";
    CHECK(sim::format_quantity(3.0643e12, yuan) == "3.06 trillion yuan");
    CHECK(sim::format_quantity(3.0643e12, yuan, Lang::zh) == "3.06万亿元");
    sim::Display hundred_million = yuan;  // a model variable in 100 million yuan
    hundred_million.scale = 1e8;
    CHECK(sim::format_quantity(12345.6, hundred_million) == "1.23 trillion yuan");
    CHECK(sim::format_quantity(12345.6, hundred_million, Lang::zh) == "1.23万亿元");
    sim::Display share;
    share.scale = 100;
    share.units = "%";
    CHECK(sim::format_quantity(0.72345, share) == "72.3 %");
    CHECK(sim::format_quantity(0.72345, share, Lang::zh) == "72.3%");
    sim::Display dmnl;
    dmnl.units = "dmnl";
    CHECK(sim::format_quantity(1.83133, dmnl) == "1.83");
    sim::Display no_zh;  // Chinese without Chinese units: the English units, spaced
    no_zh.units = "people";
    CHECK(sim::format_quantity(23100, no_zh, Lang::zh) == "2.31万 people");

    CHECK(sim::format_percent(22.4) == "22 %");
    CHECK(sim::format_percent(3.94) == "3.9 %");
    CHECK(sim::format_percent(112.75) == "113 %");
    CHECK(sim::format_percent(-12.3) == "-12 %");
    CHECK(sim::format_percent(0.52) == "0.52 %");
    CHECK(sim::format_percent(22.4, Lang::zh) == "22%");

    sim::Display per_person;
    per_person.units = "yuan per person";
    per_person.units_zh = "元/人";
    // 4.71641e-07 yuan per person per yuan = 47.2 yuan per person per 100 million yuan.
    auto p = sim::format_per_cost(4.71641e-07, per_person, yuan);
    CHECK(p.value == "47.2 yuan per person");
    CHECK(p.per == "per 100 million yuan");
    auto pz = sim::format_per_cost(4.71641e-07, per_person, yuan, Lang::zh);
    CHECK(pz.value == "47.2元/人");
    CHECK(pz.per == "每亿元");
    auto q = sim::format_per_cost(0.045, sim::Display{}, sim::Display{});
    CHECK(q.value == "450");
    CHECK(q.per == "per 10,000 units of cost");
    auto one = sim::format_per_cost(2, sim::Display{}, yuan);
    CHECK(one.value == "2");
    CHECK(one.per == "per yuan");
}

namespace {

// income = 100 + 10a + 30b + 20ab (money; price 1 + 0.1 (t - 2020), deflator
// year 2020); pressure = 5 - a + 2b (lower is better). At 2030 with both
// levers: income 160 (80 at 2020 prices: the price doubled), baseline 100;
// Shapley a = 10 + 20/2 = 20, b = 30 + 20/2 = 40. Pressure 6 against 5;
// Shapley a = -1, b = +2 (shares -100 %, 200 %); a alone gives 4, the best.
sim::CompareResult known() {
    sim::ModelSpec s;
    s.name = "known";
    s.specs.start = 2020;
    s.specs.stop = 2030;
    s.specs.dt = 1;
    for (const char* n : {"a", "b"}) {
        auto& l = s.add_lever(n);
        l.start = 2020;
        l.phase_in = 0;
        l.name_zh = std::string(n) == "a" ? "甲" : "乙";
    }
    auto& inc = s.add_aux("income", "100 + 10*a_lever + 30*b_lever + 20*a_lever*b_lever");
    inc.display.title = "income per person";
    inc.display.title_zh = "人均收入";
    inc.display.units = "yuan per person";
    inc.display.units_zh = "元/人";
    inc.display.money = true;
    s.add_aux("price", "1 + 0.1*(TIME - 2020)");
    s.deflator.variable = "price";
    s.deflator.year = 2020;
    auto& pr = s.add_aux("pressure", "5 - a_lever + 2*b_lever");
    pr.display.title_zh = "压力";
    sim::CompareOptions o;
    o.indicators = {{"income"}, {"pressure", true}};
    o.threads = 1;
    return sim::compare(s, o);
}

}  // namespace

TEST_CASE("report summary: sentences of a model whose effects are known exactly (English)") {
    const auto r = known();
    const auto s = sim::summary_sentences(r, Lang::en);
    REQUIRE(s.size() == 2);
    CHECK(s[0] ==
          "With both levers, income per person in 2030 is 160 yuan per person (80 yuan per person at 2020 prices), "
          "60 % above the baseline (100 yuan per person); b contributes 67 % of the gain and a 33 %. "
          "Alone, b (+30 %) improves it most, then a (+10 %).");
    CHECK(s[1] ==
          "With both levers, pressure in 2030 is 6, 20 % above the baseline (5), which is worse (lower is better); "
          "b contributes 200 % of the change and a -100 %. Alone, a (-20 %) improves it most. "
          "Alone, b (+40 %) makes it worse. The best combination is a (4), not all levers together. "
          "A negative share means a lever works against the others here: a (-100 %) pulls the other way, "
          "so the other levers' shares add up to more than 100 %.");
}

TEST_CASE("report summary: sentences of a model whose effects are known exactly (Chinese)") {
    const auto r = known();
    const auto s = sim::summary_sentences(r, Lang::zh);
    REQUIRE(s.size() == 2);
    CHECK(s[0] ==
          "两项政策全部实施时，2030年人均收入为160元/人（按2020年价格计为80元/人），比基准情景（100元/人）高60%；"
          "乙贡献了其中的67%，甲33%。单独实施时，乙（+30%）的改善最大，其次是甲（+10%）。");
    CHECK(s[1] ==
          "两项政策全部实施时，2030年压力为6，比基准情景（5）高20%，变差了（越低越好）；乙贡献了其中的200%，甲-100%。"
          "单独实施时，甲（-20%）的改善最大。单独实施会使它变差的有：乙（+40%）。最好的组合是甲（4），而不是全部政策。"
          "份额为负的甲（-100%）在这一指标上与其他政策方向相反，因此其余政策的份额之和超过100%。");
}

TEST_CASE("report html: one self-contained page with the summary, units and charts") {
    const auto r = known();
    std::ostringstream en, zh;
    sim::write_compare_html(r, en, Lang::en);
    sim::write_compare_html(r, zh, Lang::zh);
    const std::string h = en.str(), z = zh.str();
    CHECK(h.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(h.find("http://") == h.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
    CHECK(h.find("https://") == std::string::npos);
    CHECK(h.find("<script") == std::string::npos);
    CHECK(h.find("income per person in 2030 is 160 yuan per person") != std::string::npos);
    CHECK(h.find(">year</text>") != std::string::npos);
    CHECK(h.find("income per person (yuan per person, constant 2020 prices)") != std::string::npos);
    CHECK(h.find("income per person (yuan per person, current prices)") != std::string::npos);
    CHECK(z.find("lang=\"zh-CN\"") != std::string::npos);
    CHECK(z.find("人均收入") != std::string::npos);
    CHECK(z.find(">年份</text>") != std::string::npos);
}

TEST_CASE("report.md in Chinese: headings, table headers, titles and units in the report's language") {
    const auto r = known();
    simtest::TempDir tmp("report_md_zh");
    auto read = [&](sim::Lang lang) {
        sim::CompareOutputOptions o;
        o.charts = false;
        o.lang = lang;
        const std::string dir = (tmp.root / (lang == Lang::zh ? "zh" : "en")).string();
        sim::write_compare_outputs(r, dir, o);
        std::ifstream f(dir + "/report.md");
        return std::string(std::istreambuf_iterator<char>(f), {});
    };
    const std::string en = read(Lang::en), zh = read(Lang::zh);
    CHECK(en.find("## Best combinations") != std::string::npos);
    CHECK(en.find("| income | 2030 | 100 yuan per person |") != std::string::npos);
    for (const char* heading : {"# 政策组合比较：", "## 主要结论", "## 最优组合", "## 2030年的政策效应", "### 人均收入",
                                "## 相互加强或相互削弱的政策组合", "## 图表", "| 指标 | 年份 | 基准情景 |"})
        CHECK_MESSAGE(zh.find(heading) != std::string::npos, heading);
    CHECK(zh.find("| 人均收入 | 2030 | 100元/人 |") != std::string::npos);
    CHECK(zh.find("| 甲 | ") != std::string::npos);
    // No English heading or table header is left.
    for (const char* english : {"## Best", "## Effects", "## Lever pairs", "## Charts", "| indicator |", "| lever |",
                                "Baseline ", "Files:"})
        CHECK_MESSAGE(zh.find(english) == std::string::npos, english);
}

TEST_CASE("report html: a sensitivity analysis in sentences, with its fan charts") {
    // y = 10 a + b with a, b uniform on [0, 1]: a matters most.
    sim::ModelSpec s;
    s.name = "sens";
    s.specs.start = 0;
    s.specs.stop = 2;
    s.specs.dt = 1;
    s.add_constant("a", 0.5);
    s.add_constant("b", 0.5);
    auto& y = s.add_aux("y", "10 * a + b");
    y.display.title = "output";
    y.display.units = "tonnes";
    sim::Uncertainty ua, ub;
    ua.name = "a";
    ua.dist.min = 0, ua.dist.max = 1;
    ub.name = "b";
    ub.dist.min = 0, ub.dist.max = 1;
    sim::SensitivityOptions o;
    o.method = sim::SensitivityMethod::latin_hypercube;
    o.samples = 200;
    o.indicators = {"y"};
    o.threads = 1;
    o.trajectory_quantiles = {0.05, 0.25, 0.5, 0.75, 0.95};
    const auto model = sim::Model::compile(s);
    const auto r = sim::sensitivity(model, {ua, ub}, {}, o);
    sim::ReportOptions ro;
    ro.spec = &s;
    const auto sentences = sim::sensitivity_sentences(r, ro);
    REQUIRE(sentences.size() == 1);
    CHECK(sentences[0].rfind("Over 200 runs of the 2 uncertain parameters, output in 2 lies between ", 0) == 0);
    CHECK(sentences[0].find("tonnes") != std::string::npos);
    CHECK(sentences[0].find("the parameters that matter most are a (") != std::string::npos);
    std::ostringstream html;
    sim::write_sensitivity_html(r, html, ro);
    CHECK(html.str().find("<svg class=\"chart\"") != std::string::npos);
    CHECK(html.str().find("output (tonnes)") != std::string::npos);
    ro.lang = Lang::zh;
    CHECK(sim::sensitivity_sentences(r, ro)[0].find("影响最大的参数是a（") != std::string::npos);

    // report.md: the summary first, in the report's language; no English heading under zh.
    simtest::TempDir tmp("sens_md");
    auto md = [&](Lang lang) {
        ro.lang = lang;
        ro.charts = false;
        const std::string dir = (tmp.root / (lang == Lang::zh ? "zh" : "en")).string();
        sim::write_sensitivity_outputs(r, dir, ro);
        std::ifstream f(dir + "/report.md");
        return std::string(std::istreambuf_iterator<char>(f), {});
    };
    const std::string en = md(Lang::en), zh = md(Lang::zh);
    CHECK(en.find("## Summary\n\n- Over 200 runs of the 2 uncertain parameters, output in 2 lies between ") !=
          std::string::npos);
    CHECK(en.find("## y\n\nPercentiles over 200 runs") != std::string::npos);
    for (const char* heading : {"# 敏感性分析：", "## 主要结论\n\n- ", "## 不确定参数", "## output\n\n200 次运行的百分位数",
                                "| 年份 | p5 |", "| 参数 | SRRC | PRCC |", "方法：带声明的秩相关的拉丁超立方样本，200 次运行"})
        CHECK_MESSAGE(zh.find(heading) != std::string::npos, heading);
    for (const char* english : {"## Summary", "## Uncertain", "Percentiles over", "| parameter |", "Method:", "Files:"})
        CHECK_MESSAGE(zh.find(english) == std::string::npos, english);
}
