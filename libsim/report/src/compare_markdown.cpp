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

void write_report(const CompareResult& r, const Charts& ch, std::ostream& os, Lang lang) {
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
    os << ". Definitions of the effects: docs/compare.md in the libsim sources. The same report, with charts, "
          "is in report.html.\n\n";

    os << (lang == Lang::zh ? "## 主要结论\n\n" : "## Summary\n\n");
    for (const auto& s : summary_sentences(r, lang)) os << "- " << s << "\n";
    os << "\n";

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

    // Numbers for readers (format.cpp, as report.html): display units and
    // scales; the gain per cost restated per a round amount of cost.
    os << "## Best combinations\n\n";
    os << "Best value of each indicator, and best gain over the baseline per extra cumulative cost.\n\n";
    os << "| indicator | time | baseline | best combination | value | best per cost | gain | its extra cost |\n"
          "|---|---|---|---|---|---|---|---|\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const Display& d = indicator_display(r, ind);
            unsigned b = best_by_value(r, ind, a);
            unsigned c = best_per_cost(r, ind, a);
            std::string gain = "n/a";
            if (c) {
                auto p = format_per_cost(gain_per_cost(r, c, ind, a), d, cost_display(r), Lang::en);
                gain = p.value + " " + p.per;
            }
            os << "| " << md_cell(r.indicators[ind].name) << " | " << time_str(r.at[a]) << " | "
               << format_quantity(r.value(0, ind, a), d) << " | " << md_cell(r.label(b)) << " | "
               << format_quantity(r.value(b, ind, a), d) << " | " << (c ? md_cell(r.label(c)) : "n/a") << " | "
               << md_cell(gain) << " | "
               << (c ? format_quantity(r.combinations[c].cost[a] - r.combinations[0].cost[a], cost_display(r)) : "n/a")
               << " |\n";
        }

    os << "\n## Effects at " << time_str(r.at[last]) << "\n\n"
       << "Main effect: mean over all combinations with the lever on minus mean with it off. "
          "Shapley share: the lever's share of the all-levers effect (the shares add up to it).\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        const Display& d = indicator_display(r, ind);
        os << "### " << r.indicators[ind].name << "\n\nBaseline " << format_quantity(e.baseline, d) << ", all levers "
           << format_quantity(e.baseline + e.all, d) << " (effect " << format_quantity(e.all, d) << ").\n\n"
           << "| lever | main effect | Shapley share | share of all-levers effect |\n|---|---|---|---|\n";
        bool negative = false;
        for (std::size_t i = 0; i < k; ++i) {
            os << "| " << md_cell(r.levers[i]) << " | " << format_quantity(e.main[i], d) << " | "
               << format_quantity(e.shapley[i], d) << " | "
               << (e.all != 0 ? format_percent(100 * e.shapley[i] / e.all) : "n/a") << " |\n";
            negative = negative || (e.all != 0 && e.shapley[i] / e.all < -0.005);
        }
        if (negative)
            os << "\nA negative share means the lever works against the others on this indicator; the other "
                  "shares then add up to more than 100 %.\n";
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
                       << md_cell(r.levers[i] + " + " + r.levers[j]) << " | "
                       << format_quantity(I, indicator_display(r, ind)) << " | "
                       << format_quantity(e.main[i], indicator_display(r, ind)) << ", "
                       << format_quantity(e.main[j], indicator_display(r, ind)) << " | "
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
        throw Error(sim::Code::E_COMPARE_REPORT, "", "write_compare_outputs: empty comparison");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(sim::Code::E_IO, "", "cannot create directory '" + dir + "': " + ec.message(), ec);
    write_file_atomic(dir + "/combinations.csv", [&](std::ostream& os) { write_combinations_csv(r, os); });
    write_file_atomic(dir + "/effects.csv", [&](std::ostream& os) { write_effects_csv(r, os); });
    write_file_atomic(dir + "/trajectories.csv", [&](std::ostream& os) { write_trajectories_csv(r, os); });
    Charts ch;
    if (o.charts) {
        try {
            ch = make_charts(r, dir, o);
        } catch (const std::filesystem::filesystem_error& e) {  // one exception type reaches callers
            throw Error(sim::Code::E_IO, "", std::string("cannot write the charts: ") + e.what(), e.code());
        }
        if (!ch.made && o.warnings) *o.warnings << "warning: charts not made: " << ch.why_not << '\n';
    } else {
        ch.why_not = "disabled (CompareOutputOptions::charts, sdsim compare --no-charts)";
    }
    write_file_atomic(dir + "/report.md", [&](std::ostream& os) { write_report(r, ch, os, o.lang); });
    write_file_atomic(dir + "/report.html", [&](std::ostream& os) { write_compare_html(r, os, o.lang); });
}


}  // namespace sim
