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

void write_effects_csv(const CompareResult& r, std::ostream& out) {
    out << "indicator,time,measure,lever,other_lever,value\n";
    const std::size_t k = r.levers.size();
    for (std::size_t ind = 0; ind < r.indicators.size(); ++ind)
        for (std::size_t a = 0; a < r.at.size(); ++a) {
            const auto& e = r.effect(ind, a);
            const std::string head = text::csv_field(r.indicators[ind].name) + "," + time_str(r.at[a]) + ",";
            out << head << "baseline,,," << num(e.baseline) << '\n';
            out << head << "all_levers_effect,,," << num(e.all) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "main," << text::csv_field(r.levers[i]) << ",," << num(e.main[i]) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = i + 1; j < k; ++j)
                    out << head << "interaction," << text::csv_field(r.levers[i]) << ','
                        << text::csv_field(r.levers[j]) << ',' << num(e.interaction_at(i, j)) << '\n';
            for (std::size_t i = 0; i < k; ++i)
                out << head << "shapley," << text::csv_field(r.levers[i]) << ",," << num(e.shapley[i]) << '\n';
        }
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

void print_ranked_table(const CompareResult& r, std::ostream& out, std::size_t rank_by) {
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
    out << std::right << std::setw(4) << "rank" << "  " << std::left << std::setw(static_cast<int>(wlab))
        << "combination";
    for (std::size_t i = 0; i < r.indicators.size(); ++i)
        out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << r.indicators[i].name;
    const std::size_t wcost = std::max<std::size_t>(12, r.cost_name.size());
    if (r.has_cost) out << "  " << std::setw(static_cast<int>(wcost)) << r.cost_name;
    out << '\n';
    std::size_t rank = 0;
    for (unsigned m : order) {
        out << std::right << std::setw(4) << ++rank << "  " << std::left
            << std::setw(static_cast<int>(wlab)) << r.label(m);
        for (std::size_t i = 0; i < r.indicators.size(); ++i)
            out << "  " << std::right << std::setw(static_cast<int>(wcol[i])) << fmt(r.value(m, i, a));
        if (r.has_cost) out << "  " << std::setw(static_cast<int>(wcost)) << fmt(r.combinations[m].cost[a]);
        out << '\n';
    }
    out << std::left;
}

}  // namespace sim
