// The comparison's CSV files and the ranked terminal table.
#include <iomanip>
#include <ostream>

#include "report_detail.hpp"

namespace sim {

using namespace report_detail;

// ---------------------------------------------------------------- CSV

void write_combinations_csv(const CompareResult& r, std::ostream& out) {
    out << "combination";
    for (const auto& l : r.levers) out << ',' << text::csv_field(l);
    for (const auto& ind : r.indicators)
        for (double t : r.at) out << ',' << text::csv_field(ind.name + "@" + time_str(t));
    if (r.has_cost)
        for (double t : r.at) out << ',' << text::csv_field(r.cost_name + "@" + time_str(t));
    out << '\n';
    for (const auto& c : r.combinations) {
        out << text::csv_field(r.label(c.mask));
        for (std::size_t i = 0; i < r.levers.size(); ++i) out << ',' << (c.mask >> i & 1u);
        for (double v : c.values) out << ',' << num(v);
        if (r.has_cost)
            for (double v : c.cost) out << ',' << num(v);
        out << '\n';
    }
}

namespace {

// Percentile intervals over the samples, as extra columns ("" without).
std::string interval(const EffectSummary* e) {
    if (!e) return "";
    return "," + num(e->mean) + "," + num(e->p5) + "," + num(e->p50) + "," + num(e->p95) + "," +
           num(e->share_positive) + "," + num(e->share_negative);
}

void effects_rows(const CompareResult& r, const RobustnessResult* u, std::ostream& out) {
    out << "indicator,time,measure,lever,other_lever,value"
        << (u ? ",mean,p5,p50,p95,share_positive,share_negative" : "") << "\n";
    const std::size_t k = r.levers.size();
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const auto& e = r.effect(ind, a);
            const std::size_t x = ind * r.at.size() + a;
            const std::string head = text::csv_field(r.indicators[ind].name) + "," + time_str(r.at[a]) + ",";
            out << head << "baseline,,," << num(e.baseline) << interval(u ? &u->baseline[x] : nullptr) << '\n';
            out << head << "all_levers_effect,,," << num(e.all) << interval(u ? &u->all[x] : nullptr) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "main," << text::csv_field(r.levers[i]) << ",," << num(e.main[i])
                    << interval(u ? &u->main_effect(ind, a, i) : nullptr) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = i + 1; j < k; ++j)
                    out << head << "interaction," << text::csv_field(r.levers[i]) << ','
                        << text::csv_field(r.levers[j]) << ',' << num(e.interaction_at(i, j))
                        << interval(u ? &u->interaction_at(ind, a, i, j) : nullptr) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "shapley," << text::csv_field(r.levers[i]) << ",," << num(e.shapley[i])
                    << interval(u ? &u->shapley_share(ind, a, i) : nullptr) << '\n';
        }
}

}  // namespace

void report_detail::check_matches(const CompareResult& r, const RobustnessResult& u) {
    bool same = r.levers == u.levers && r.at == u.at && r.indicators.size() == u.indicators.size();
    for (std::size_t i = 0; same && i < r.indicators.size(); ++i)
        same = canonical_name(r.indicators[i].name) == canonical_name(u.indicators[i].name);
    if (!same)
        throw Error(sim::Code::E_COMPARE_REPORT, "",
                    "the robustness analysis does not have the comparison's levers, indicators and report times");
}

void write_effects_csv(const CompareResult& r, std::ostream& out) { effects_rows(r, nullptr, out); }

void write_effects_csv(const CompareResult& r, const RobustnessResult& robust, std::ostream& out) {
    report_detail::check_matches(r, robust);
    effects_rows(r, &robust, out);
}

void write_trajectories_csv(const CompareResult& r, std::ostream& out) {
    out << "run,combination,indicator,time,value\n";
    for (const auto& s : shown_runs(r)) {
        const auto& c = r.combinations[s.mask];
        const std::string head = text::csv_field(s.name) + "," + text::csv_field(r.label(s.mask)) + ",";
        for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
            for (std::size_t row = 0; row < r.times.size(); ++row)
                out << head << text::csv_field(r.indicators[ind].name) << ',' << num(r.times[row]) << ','
                    << num(c.series[ind][row]) << '\n';
        if (r.has_cost)
            for (std::size_t row = 0; row < r.times.size(); ++row)
                out << head << text::csv_field(r.cost_name) << ',' << num(r.times[row]) << ','
                    << num(c.cost_series[row]) << '\n';
    }
}

// ---------------------------------------------------------------- ranked table

namespace {

void ranked_table(const CompareResult& r, const UncertainComparison* u, std::ostream& out, std::size_t rank_by) {
    if (r.combinations.empty() || r.indicators.empty() || r.at.empty()) return;
    if (rank_by >= r.indicators.size()) rank_by = 0;
    const std::size_t a = r.at.size() - 1;
    const double s = better_sign(r.indicators[rank_by]);
    std::vector<unsigned> order(r.combinations.size());
    for (unsigned m = 0; m < order.size(); ++m) order[m] = m;
    std::stable_sort(order.begin(), order.end(), [&](unsigned x, unsigned y) {
        return s * r.value(x, rank_by, a) > s * r.value(y, rank_by, a);
    });

    std::size_t wlab = 11;
    for (unsigned m : order) wlab = std::max(wlab, r.label(m).size());
    std::vector<std::size_t> wcol;
    for (const auto& ind : r.indicators) wcol.push_back(std::max<std::size_t>(12, ind.name.size()));

    out << r.combinations.size() << " combinations of " << r.levers.size() << " levers, ranked by "
        << r.indicators[rank_by].name << " at " << time_str(r.at[a]) << " ("
        << (r.indicators[rank_by].lower_is_better ? "lower" : "higher") << " is better)\n";
    if (u)
        out << "p_best, regret: " << r.indicators[rank_by].name << " at " << time_str(r.at[a]) << " over "
            << u->samples.rows << " samples of " << u->samples.cols() << " uncertain parameters ("
            << sample_method_words(u->method) << ", seed " << u->seed << ")\n"
            << "  p_best: share of the samples in which the combination is the best; regret: its mean shortfall "
               "from the best of each sample\n";
    out << std::right << std::setw(4) << "rank" << "  " << std::left << std::setw(static_cast<int>(wlab))
        << "combination";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << r.indicators[i].name;
    const std::size_t wcost = std::max<std::size_t>(12, r.cost_name.size());
    if (r.has_cost) out << "  " << std::setw(static_cast<int>(wcost)) << r.cost_name;
    if (u) out << "  " << std::setw(6) << "p_best" << "  " << std::setw(12) << "regret";
    out << '\n';
    std::size_t rank = 0;
    for (unsigned m : order) {
        out << std::right << std::setw(4) << ++rank << "  " << std::left
            << std::setw(static_cast<int>(wlab)) << r.label(m);
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << fmt(r.value(m, i, a));
        if (r.has_cost) out << "  " << std::setw(static_cast<int>(wcost)) << fmt(r.combinations[m].cost[a]);
        if (u) {
            const CombinationStats& c = u->robust.stat(m, rank_by, a);
            out << "  " << std::setw(6) << fmt_share(c.p_best) << "  " << std::setw(12) << fmt(c.regret_mean);
        }
        out << '\n';
    }
    out << std::left;
}

}  // namespace

void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by) {
    ranked_table(r, nullptr, out, rank_by);
}

void print_ranked_table(const UncertainComparison& u, std::ostream& out, std::size_t rank_by) {
    report_detail::check_matches(u.nominal, u.robust);
    ranked_table(u.nominal, &u, out, rank_by);
}

}  // namespace sim
