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

void write_uncertainty_intro(const UncertainComparison& u, std::ostream& os) {
    const auto& r = u.nominal;
    os << "Uncertainty: every combination was also run over the same " << u.samples.rows << " samples ("
       << sample_method_words(u.method) << ", seed " << u.seed << ") of the " << u.uncertainties.size()
       << " uncertain parameters below, " << r.combinations.size() * u.samples.rows
       << " runs: within a sample the combinations differ only by their levers (common random numbers). "
          "A conclusion *holds* when it is true in at least "
       << fmt(100 * u.robust.threshold) << " % of the samples.\n\n";
    os << "| parameter | distribution | note |\n|---|---|---|\n";
    for (const auto& p : u.uncertainties)
        os << "| " << md_cell(p.name) << " | " << md_cell(describe(p.dist)) << " | " << md_cell(p.doc) << " |\n";
    if (!u.correlations.empty()) {
        os << "\nRank correlations (Iman-Conover): ";
        for (std::size_t i = 0; i < u.correlations.size(); ++i)
            os << (i ? ", " : "") << "`" << u.correlations[i].a << "` and `" << u.correlations[i].b << "` "
               << fmt(u.correlations[i].rho);
        os << ".\n";
    }
    os << '\n';
}

void write_robust_ranking(const UncertainComparison& u, std::ostream& os) {
    const auto& r = u.nominal;
    const std::size_t a = r.at.size() - 1;
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
        os << "### " << r.indicators[ind].name << " (" << (r.indicators[ind].lower_is_better ? "lower" : "higher")
           << " is better)\n\n"
           << "| rank | combination | value | p5 | p50 | p95 | p_best | regret mean | regret p95 |\n"
              "|---|---|---|---|---|---|---|---|---|\n";
        std::size_t rank = 0;
        for (unsigned m : order) {
            const CombinationStats& c = u.robust.stat(m, ind, a);
            os << "| " << ++rank << " | " << md_cell(r.label(m)) << " | " << fmt(r.value(m, ind, a)) << " | "
               << fmt(c.p5) << " | " << fmt(c.p50) << " | " << fmt(c.p95) << " | " << fmt_share(c.p_best) << " | "
               << fmt(c.regret_mean) << " | " << fmt(c.regret_p95) << " |\n";
        }
        os << '\n';
    }
}

void write_conclusions(const UncertainComparison& u, std::ostream& os) {
    const auto& r = u.nominal;
    const auto& rb = u.robust;
    const std::size_t a = r.at.size() - 1;
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
        os << "### " << r.indicators[ind].name << "\n\n";
        auto list = [&](const char* head, const std::vector<const Conclusion*>& v) {
            os << head << "\n\n";
            if (v.empty()) os << "- none\n";
            for (const Conclusion* c : v) {
                // The text starts with "indicator at time: "; the heading says that.
                std::string t = c->text;
                auto colon = t.find(": ");
                if (colon != std::string::npos) t = t.substr(colon + 2);
                os << "- " << t << " (" << fmt(100 * c->share) << " % of samples)\n";
            }
            os << '\n';
        };
        list("Holds:", hold);
        list("Does not hold:", fail);
    }
}

void write_report(const CompareResult& r, const Charts& ch, std::ostream& os, const UncertainComparison* u,
                  Lang lang) {
    const std::size_t k = r.levers.size();
    const std::size_t last = r.at.size() - 1;
    os << "# Lever comparison: " << (r.model_name.empty() ? "model" : r.model_name) << "\n\n";
    os << inputs_md(r.inputs);
    os << "Every combination of " << k << " levers (" << r.combinations.size()
       << " runs of one compiled model) on top of the base scenario; values at ";
    for (std::size_t a = 0; a < r.at.size(); ++a) os << (a ? ", " : "") << time_str(r.at[a]);
    os << ". Definitions of the effects: docs/compare.md in the libsim sources. The same report, with charts, "
          "is in report.html.\n\n";

    os << (lang == Lang::zh ? "## 主要结论\n\n" : "## Summary\n\n");
    for (const auto& s : summary_sentences(r, lang, u)) os << "- " << s << "\n";
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
    if (u) write_uncertainty_intro(*u, os);

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

    if (u) {
        os << '\n';
        write_robust_ranking(*u, os);
    }
    os << (u ? "" : "\n") << "## Effects at " << time_str(r.at[last]) << "\n\n"
       << "Main effect: mean over all combinations with the lever on minus mean with it off. "
          "Shapley share: the lever's share of the all-levers effect (the shares add up to it)."
       << (u ? " p5 - p95: the 5th to 95th percentile of the effect over the samples." : "") << "\n\n";
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind) {
        const auto& e = r.effect(ind, last);
        const Display& d = indicator_display(r, ind);
        os << "### " << r.indicators[ind].name << "\n\nBaseline " << format_quantity(e.baseline, d) << ", all levers "
           << format_quantity(e.baseline + e.all, d) << " (effect " << format_quantity(e.all, d) << ").\n\n";
        if (!u) {
            os << "| lever | main effect | Shapley share | share of all-levers effect |\n|---|---|---|---|\n";
        } else {
            os << "| lever | main effect | p5 - p95 | Shapley share | p5 - p95 | share of all-levers effect |\n"
                  "|---|---|---|---|---|---|\n";
        }
        bool negative = false;
        for (std::size_t i = 0; i < k; ++i) {
            os << "| " << md_cell(r.levers[i]) << " | " << format_quantity(e.main[i], d) << " | ";
            if (u) {
                const auto& m = u->robust.main_effect(ind, last, i);
                os << format_quantity(m.p5, d) << " - " << format_quantity(m.p95, d) << " | ";
            }
            os << format_quantity(e.shapley[i], d) << " | ";
            if (u) {
                const auto& sh = u->robust.shapley_share(ind, last, i);
                os << format_quantity(sh.p5, d) << " - " << format_quantity(sh.p95, d) << " | ";
            }
            os << (e.all != 0 ? format_percent(100 * e.shapley[i] / e.all) : "n/a") << " |\n";
            negative = negative || (e.all != 0 && e.shapley[i] / e.all < -0.005);
        }
        if (negative)
            os << "\nA negative share means the lever works against the others on this indicator; the other "
                  "shares then add up to more than 100 %.\n";
        os << '\n';
    }
    if (u) write_conclusions(*u, os);

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

void write_all(const CompareResult& r, const UncertainComparison* u, const std::string& dir,
               const CompareOutputOptions& o) {
    if (r.combinations.empty() || r.at.empty())
        throw Error(sim::Code::E_COMPARE_REPORT, "", "write_compare_outputs: empty comparison");
    if (u) check_matches(r, u->robust);
    make_directory(dir);
    write_file_atomic(dir + "/combinations.csv", [&](std::ostream& os) { write_combinations_csv(r, os); });
    write_file_atomic(dir + "/effects.csv", [&](std::ostream& os) {
        if (u) write_effects_csv(r, u->robust, os);
        else write_effects_csv(r, os);
    });
    write_file_atomic(dir + "/trajectories.csv", [&](std::ostream& os) { write_trajectories_csv(r, os); });
    if (u) {
        write_file_atomic(dir + "/samples.csv", [&](std::ostream& os) { write_samples_csv(u->samples, os); });
        write_file_atomic(dir + "/robustness.csv", [&](std::ostream& os) { write_robustness_csv(u->robust, os); });
        write_file_atomic(dir + "/conclusions.csv", [&](std::ostream& os) { write_conclusions_csv(u->robust, os); });
    }
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
    write_file_atomic(dir + "/report.md", [&](std::ostream& os) { write_report(r, ch, os, u, o.lang); });
    write_file_atomic(dir + "/report.html", [&](std::ostream& os) { write_compare_html(r, os, o.lang, u); });
}

}  // namespace

void write_compare_outputs(const CompareResult& r, const std::string& dir, const CompareOutputOptions& o) {
    write_all(r, nullptr, dir, o);
}

void write_compare_outputs(const UncertainComparison& u, const std::string& dir, const CompareOutputOptions& o) {
    write_all(u.nominal, &u, dir, o);
}

}  // namespace sim
