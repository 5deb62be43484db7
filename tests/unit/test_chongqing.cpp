// Chongqing urban-rural integration model (models/chongqing): history fit against the
// published series in models/chongqing/data/historical.csv, lever directions (paper
// §5.1-§5.5), conservation, bounds, dt robustness and the scenario files. Extreme
// conditions and behaviour: test_chongqing_checks.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/ensemble.hpp"
#include "sim/load.hpp"
#include "sim/robustness.hpp"
#include "sim/spec.hpp"
#include "sim/results.hpp"
#include "sim/scenario.hpp"
#include "sim/model.hpp"
#include "../../bench/chongqing_hand.hpp"

namespace {

const std::string kDir = std::string(SIM_SOURCE_DIR) + "/models/chongqing";
const char* const kLevers[] = {"planning", "land", "infrastructure", "registration", "innovation"};

const sim::ModelSpec& cq_spec() {
    static const sim::ModelSpec spec = sim::load_model(kDir + "/model.yaml");
    return spec;
}

const sim::Model& cq_model() {
    static const sim::Model model = sim::Model::compile(cq_spec());
    return model;
}

sim::Results cq_run(std::vector<std::pair<std::string, double>> set = {},
                    std::optional<double> dt = std::nullopt) {
    sim::RunOptions opts;
    opts.set = std::move(set);
    opts.dt = dt;
    return cq_model().run(opts);
}

std::vector<std::pair<std::string, double>> lever_on(const std::string& lever) {
    return {{lever + "_on", 1.0}};
}

std::vector<std::pair<std::string, double>> all_on() {
    std::vector<std::pair<std::string, double>> s;
    for (const char* l : kLevers) s.emplace_back(std::string(l) + "_on", 1.0);
    return s;
}

// historical.csv: indicator,year,value,unit,source (no quoted commas).
using Data = std::map<std::pair<std::string, int>, double>;
const Data& history() {
    static const Data data = [] {
        Data d;
        std::ifstream in(kDir + "/data/historical.csv");
        REQUIRE(in.good());
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::stringstream ss(line);
            std::string ind, year, value;
            std::getline(ss, ind, ',');
            std::getline(ss, year, ',');
            std::getline(ss, value, ',');
            if (ind.empty()) continue;
            d[{ind, std::stoi(year)}] = std::stod(value);
        }
        return d;
    }();
    return data;
}

std::vector<std::pair<int, double>> series_of(const std::string& indicator, int from = 2013,
                                              int to = 2023) {
    std::vector<std::pair<int, double>> out;
    for (const auto& [key, v] : history())
        if (key.first == indicator && key.second >= from && key.second <= to)
            out.emplace_back(key.second, v);
    return out;
}

double data(const std::string& indicator, int year) {
    auto it = history().find({indicator, year});
    REQUIRE_MESSAGE(it != history().end(), indicator << " " << year << " missing in historical.csv");
    return it->second;
}

std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> all_scenarios() {
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> s;
    s.push_back({"baseline", {}});
    for (const char* l : kLevers) s.push_back({l, lever_on(l)});
    s.push_back({"all", all_on()});
    return s;
}

}  // namespace

TEST_CASE("chongqing: model declares the five levers with sections, start 2025 and costs") {
    const auto& spec = cq_spec();
    const std::map<std::string, std::string> sections = {{"planning", "§5.1"},
                                                         {"land", "§5.2"},
                                                         {"infrastructure", "§5.3"},
                                                         {"registration", "§5.4"},
                                                         {"innovation", "§5.5"}};
    CHECK(spec.levers.size() == 5);
    for (const auto& [name_, section_] : sections) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& name = name_;
        const auto& section = section_;
        const sim::Lever* l = const_cast<sim::ModelSpec&>(spec).find_lever(name);
        REQUIRE_MESSAGE(l != nullptr, name);
        CHECK(l->section == section);
        CHECK(!l->title.empty());
        CHECK(!l->description.empty());
        CHECK(l->start == 2025);
        CHECK(l->phase_in > 0);
        CHECK(l->intensity >= 0);
        CHECK(l->intensity <= 1);
        CHECK_FALSE(l->on);
        CHECK_FALSE(l->cost.empty());
    }
    CHECK(spec.specs.start == 2013);
    CHECK(spec.specs.stop == 2050);
}

TEST_CASE("chongqing history: urbanization within 1.5 pp in every year with data") {
    const auto r = cq_run();
    const auto obs = series_of("urbanization_rate");
    REQUIRE(obs.size() >= 7);
    for (auto [year_, pct_] : obs) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& year = year_;
        const auto& pct = pct_;
        const double model = 100.0 * r.at("urbanization_rate", year);
        INFO("year " << year << " model " << model << " data " << pct);
        CHECK(std::abs(model - pct) <= 1.5);
    }
}

TEST_CASE("chongqing history: resident population within 3 % in every year with data") {
    const auto r = cq_run();
    const auto obs = series_of("pop_resident");
    REQUIRE(obs.size() >= 7);
    for (auto [year_, pop_] : obs) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& year = year_;
        const auto& pop = pop_;
        const double model = r.at("resident_population", year);
        INFO("year " << year << " model " << model << " data " << pop);
        CHECK(std::abs(model / pop - 1) <= 0.03);
    }
}

TEST_CASE("chongqing history: 2023 urban and rural income and their ratio within 3 %") {
    const auto r = cq_run();
    const double urban = r.at("urban_income", 2023), rural = r.at("rural_income", 2023);
    INFO("urban " << urban << " rural " << rural);
    CHECK(std::abs(urban / data("income_urban", 2023) - 1) <= 0.03);
    CHECK(std::abs(rural / data("income_rural", 2023) - 1) <= 0.03);
    const double ratio = r.at("income_ratio", 2023);
    CHECK(std::abs(ratio / data("urban_rural_income_ratio", 2023) - 1) <= 0.03);
}

TEST_CASE("chongqing history: 2023 income growth rates within 1.5 points") {
    const auto r = cq_run();
    const double gu = 100 * (r.at("urban_income", 2023) / r.at("urban_income", 2022) - 1);
    const double gr = 100 * (r.at("rural_income", 2023) / r.at("rural_income", 2022) - 1);
    INFO("urban growth " << gu << " rural growth " << gr);
    CHECK(std::abs(gu - data("income_urban_growth", 2023)) <= 1.5);
    CHECK(std::abs(gr - data("income_rural_growth", 2023)) <= 1.5);
}

TEST_CASE("chongqing history: nominal GDP within 5 % for 2018-2023 (revised series)") {
    const auto r = cq_run();
    const auto obs = series_of("gdp", 2018, 2023);
    REQUIRE(obs.size() == 6);
    for (auto [year_, gdp_] : obs) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& year = year_;
        const auto& gdp = gdp_;
        const double model = r.at("gdp", year);
        INFO("year " << year << " model " << model << " data " << gdp);
        CHECK(std::abs(model / gdp - 1) <= 0.05);
    }
}

TEST_CASE("chongqing history: 2023 rural income components each within 5 % (S36)") {
    const auto r = cq_run();
    double sum = 0;
    for (const char* c : {"wage", "operating", "property", "transfer"}) {
        const double model = r.at(std::string("rural_") + c + "_income", 2023);
        const double obs = data(std::string("income_rural_") + c, 2023);
        sum += obs;
        INFO(c << " model " << model << " data " << obs);
        CHECK(std::abs(model / obs - 1) <= 0.05);
    }
    // The four components of the source add up to the published total.
    CHECK(sum == doctest::Approx(data("income_rural", 2023)).epsilon(1e-4));
}

TEST_CASE("chongqing history: 2020 all-resident consumption/income ratio within 0.02") {
    const auto r = cq_run();
    const double obs = data("cons_all", 2020) / data("income_all", 2020);
    const double model = r.at("consumption_income_ratio", 2020);
    INFO("model " << model << " data " << obs);
    CHECK(std::abs(model - obs) <= 0.02);
    // The ratio is what the model says it is: resident-weighted consumption over income.
    CHECK(model == doctest::Approx(r.at("average_consumption", 2020) / r.at("average_income", 2020)));
}

TEST_CASE("chongqing history: 2023 urbanization gain within 0.3 pp") {
    const auto r = cq_run();
    const double model = 100 * (r.at("urbanization_rate", 2023) - r.at("urbanization_rate", 2022));
    const double obs = data("urbanization_rate", 2023) - data("urbanization_rate", 2022);
    INFO("model " << model << " pp, data " << obs << " pp");
    CHECK(std::abs(model - obs) <= 0.3);
}

TEST_CASE("chongqing areas: 2022 urbanization of the four areas within 2 pp (S40)") {
    const auto r = cq_run();
    // S40's metropolitan area (79.8 %) is the core plus the rest of the metropolitan area.
    const std::pair<const char*, const char*> targets[] = {
        {"area_urbanization_rate[core]", "urbanization_central_city"},
        {"metropolitan_urbanization_rate", "urbanization_metropolitan_area"},
        {"area_urbanization_rate[metro]", "urbanization_metro_new_districts"},
        {"area_urbanization_rate[northeast]", "urbanization_northeast"},
        {"area_urbanization_rate[southeast]", "urbanization_southeast"}};
    for (const auto& [column_, indicator_] : targets) {
        const std::string column = column_, indicator = indicator_;
        const double model = 100.0 * r.at(column, 2022);
        const double obs = data(indicator, 2022);
        INFO(column << ": model " << model << " data " << obs);
        CHECK(std::abs(model - obs) <= 2.0);
    }
}

TEST_CASE("chongqing areas: 2022 area populations within 5 % (S40), and the areas add up to the city") {
    const auto r = cq_run();
    const std::pair<const char*, const char*> targets[] = {
        {"area_resident_population[core]", "pop_central_city"},
        {"area_resident_population[metro]", "pop_metro_new_districts"},
        {"area_resident_population[northeast]", "pop_northeast"},
        {"area_resident_population[southeast]", "pop_southeast"}};
    for (const auto& [column_, indicator_] : targets) {
        const std::string column = column_, indicator = indicator_;
        const double model = r.at(column, 2022);
        const double obs = data(indicator, 2022);
        INFO(column << ": model " << model << " data " << obs);
        CHECK(std::abs(model / obs - 1) <= 0.05);
    }
    for (int year = 2013; year <= 2050; ++year) {
        double pop = 0, urban = 0;
        for (const char* a : {"core", "metro", "northeast", "southeast"}) {
            pop += r.at(std::string("area_resident_population[") + a + "]", year);
            urban += r.at(std::string("area_urban_residents[") + a + "]", year);
        }
        INFO("year " << year);
        CHECK(pop == doctest::Approx(r.at("resident_population", year)).epsilon(1e-12));
        CHECK(urban / pop == doctest::Approx(r.at("urbanization_rate", year)).epsilon(1e-12));
    }
}

TEST_CASE("chongqing areas: rural incomes and infrastructure by area add up to the city's") {
    const char* const areas[] = {"core", "metro", "northeast", "southeast"};
    for (const auto& set : {std::vector<std::pair<std::string, double>>{}, all_on(),
                            std::vector<std::pair<std::string, double>>{{"infrastructure_on", 1},
                                                                        {"infrastructure_wing_targeting", 1}}}) {
        const auto r = cq_run(set);
        for (int year = 2013; year <= 2050; ++year) {
            double capital = 0, income = 0, rural = 0, idle = 0, market = 0;
            for (const char* a : areas) {
                const std::string e = std::string("[") + a + "]";
                idle += r.at("area_idle_construction_land" + e, year);
                market += r.at("area_land_in_market" + e, year);
                capital += r.at("area_rural_infrastructure_capital" + e, year);
                income += r.at("area_rural_income" + e, year) * r.at("area_rural_residents" + e, year);
                rural += r.at("area_rural_residents" + e, year);
            }
            INFO("year " << year << ", " << set.size() << " overrides");
            CHECK(capital == doctest::Approx(r.at("rural_infrastructure_capital", year)).epsilon(1e-12));
            CHECK(idle == doctest::Approx(r.at("idle_construction_land", year)).epsilon(1e-12));
            CHECK(market == doctest::Approx(r.at("land_in_market", year)).epsilon(1e-12));
            CHECK(income / rural == doctest::Approx(r.at("rural_income", year)).epsilon(1e-12));
        }
    }
    // The wings are poorer than the city, but not poorer than the former poverty
    // counties (most of them in the wings): 15,019 yuan in 2020 against 16,361 (S2).
    const auto b = cq_run();
    for (const char* w : {"northeast", "southeast"}) {
        const double rel = b.at(std::string("area_relative_rural_income[") + w + "]", 2020);
        INFO(w << " 2020 rural income / city's " << rel);
        CHECK(rel < 1);
        CHECK(rel >= 15019.0 / 16361.0 - 1e-9);
    }
}

TEST_CASE("chongqing areas: homesteads are vacated where rural residents leave, and the land lever acts in every area") {
    const char* const areas[] = {"core", "metro", "northeast", "southeast"};
    // Without migration no area vacates homesteads.
    const auto still = cq_run({{"normal_migration_rate", 0}});
    for (const char* a : areas) {
        const std::string e = std::string("[") + a + "]";
        INFO(e);
        for (int year = 2013; year <= 2050; ++year)
            CHECK(still.at("area_homestead_vacating" + e, year) == 0);
    }
    // The wings lose rural residents to the towns: their idle land grows, and more of it
    // reaches the market with the land lever, paying their rural residents property income.
    const auto base = cq_run(), land = cq_run(lever_on("land"));
    for (const char* w : {"[northeast]", "[southeast]"}) {
        const std::string a = w;
        INFO(a);
        CHECK(base.at("area_homestead_vacating" + a, 2030) > 0);
        CHECK(land.at("area_land_in_market" + a, 2035) > base.at("area_land_in_market" + a, 2035));
        CHECK(land.at("area_land_property_income" + a, 2035) > base.at("area_land_property_income" + a, 2035));
    }
}

TEST_CASE("chongqing lever infrastructure targeted at the wings: more for the wings, less for the metropolitan area") {
    const auto spread = cq_run(lever_on("infrastructure"));
    const auto wings = cq_run({{"infrastructure_on", 1}, {"infrastructure_wing_targeting", 1}});
    const auto base = cq_run();
    for (const char* w : {"[northeast]", "[southeast]"}) {
        const std::string a = w;
        INFO(a);
        CHECK(wings.at("area_infrastructure_index" + a, 2035) > spread.at("area_infrastructure_index" + a, 2035));
        CHECK(wings.at("area_rural_income" + a, 2035) > spread.at("area_rural_income" + a, 2035));
        CHECK(wings.at("area_relative_rural_income" + a, 2035) > spread.at("area_relative_rural_income" + a, 2035));
        // Better roads keep rural residents: fewer leave the wings than untargeted.
        CHECK(wings.at("area_rural_residents" + a, 2035) > spread.at("area_rural_residents" + a, 2035));
    }
    for (const char* m : {"[core]", "[metro]"}) {
        const std::string a = m;
        INFO(a);
        CHECK(wings.at("area_infrastructure_index" + a, 2035) < spread.at("area_infrastructure_index" + a, 2035));
        // Untargeted, the lever still raises every area's capital above the baseline.
        CHECK(spread.at("area_infrastructure_index" + a, 2035) > base.at("area_infrastructure_index" + a, 2035));
    }
    // The same lever, the same extra investment (to the demand feedback's small effect on GDP).
    CHECK(wings.at("rural_infrastructure_capital", 2035) ==
          doctest::Approx(spread.at("rural_infrastructure_capital", 2035)).epsilon(0.01));
    // The scenario file says the same.
    sim::Diagnostics diags;
    sim::Scenario sc = sim::load_scenario(kDir + "/scenarios/infrastructure-wings.yaml", diags);
    REQUIRE_FALSE(diags.has_errors());
    auto m = sim::Model::compile(sc.model, diags);
    REQUIRE(m.has_value());
    const auto r = m->run(sc.run);
    CHECK(r.at("area_rural_income[southeast]", 2035) == doctest::Approx(wings.at("area_rural_income[southeast]", 2035)));
}

TEST_CASE("chongqing history: 2023 land, processing and landing rates respect the paper's bounds") {
    const auto r = cq_run();
    CHECK(100 * r.at("land_market_share", 2023) < data("land_market_share_max", 2023));
    CHECK(100 * r.at("processing_conversion_rate", 2023) <
          data("processing_conversion_rate_max", 2023));
    CHECK(100 * r.at("project_landing_rate", 2023) < data("project_landing_rate_max", 2023));
    // Levers are off before 2025: no fiscal cost in the history.
    CHECK(r.at("cumulative_fiscal_cost", 2023) == 0);
}

namespace {
struct Effect {
    const sim::Results& base;
    const sim::Results& run;
    double rel(const std::string& v, double t = 2035) const {
        return run.at(v, t) / base.at(v, t) - 1;
    }
};
}  // namespace

TEST_CASE("chongqing lever planning (§5.1): raises processing conversion and rural wage income") {
    const auto b = cq_run(), p = cq_run(lever_on("planning"));
    Effect e{b, p};
    CHECK(e.rel("processing_conversion_rate") > 0.05);
    CHECK(e.rel("project_landing_rate") > 0);
    CHECK(e.rel("rural_wage_income") > 0.01);
    CHECK(e.rel("rural_income") > 0);
}

TEST_CASE("chongqing lever land (§5.2): raises market share and property income, lowers vacancy") {
    const auto b = cq_run(), p = cq_run(lever_on("land"));
    Effect e{b, p};
    CHECK(e.rel("land_market_share") > 0.1);
    CHECK(e.rel("rural_property_income") > 0.05);
    CHECK(e.rel("vacancy_rate") < -0.05);
}

TEST_CASE("chongqing lever infrastructure (§5.3): raises public services and rural income") {
    const auto b = cq_run(), p = cq_run(lever_on("infrastructure"));
    Effect e{b, p};
    CHECK(e.rel("public_service_index") > 0.02);
    CHECK(e.rel("rural_income") > 0.01);
    CHECK(e.rel("rural_infrastructure_capital") > 0);
}

TEST_CASE("chongqing lever registration (§5.4): fewer non-citizenized migrants, higher consumption") {
    const auto b = cq_run(), p = cq_run(lever_on("registration"));
    Effect e{b, p};
    CHECK(e.rel("non_citizenized_migrants") < -0.1);
    CHECK(e.rel("migrant_consumption") > 0.02);
    CHECK(e.rel("hukou_urbanization_rate") > 0);
    CHECK(e.rel("total_household_consumption") > 0);
}

TEST_CASE("chongqing lever innovation (§5.5): raises productivity and incomes") {
    const auto b = cq_run(), p = cq_run(lever_on("innovation"));
    Effect e{b, p};
    CHECK(e.rel("tfp") > 0.01);
    CHECK(e.rel("gdp") > 0.01);
    CHECK(e.rel("urban_income") > 0);
    CHECK(e.rel("rural_income") > 0);
}

TEST_CASE("chongqing all levers: narrower income ratio, more consumption than any single lever") {
    const auto b = cq_run(), all = cq_run(all_on());
    const double t = 2035;
    CHECK(all.at("income_ratio", t) < b.at("income_ratio", t));
    const double c_all = all.at("total_household_consumption", t);
    for (const char* l : kLevers) {
        const auto single = cq_run(lever_on(l));
        INFO("lever " << l);
        CHECK(c_all > single.at("total_household_consumption", t));
        CHECK(all.at("income_ratio", t) <= single.at("income_ratio", t));
    }
    CHECK(c_all > b.at("total_household_consumption", t));
}

TEST_CASE("chongqing: each lever has a positive fiscal cost once active and none when off") {
    const auto b = cq_run();
    CHECK(b.at("cumulative_fiscal_cost", 2050) == 0);
    for (const char* l : kLevers) {
        const auto r = cq_run(lever_on(l));
        INFO("lever " << l);
        CHECK(r.at(std::string(l) + "_cost", 2024) == 0);
        CHECK(r.at(std::string(l) + "_cost", 2035) > 0);
        CHECK(r.at("cumulative_fiscal_cost", 2050) > r.at("cumulative_fiscal_cost", 2035));
    }
}

TEST_CASE("chongqing: population is conserved to 1e-9 relative in every scenario") {
    for (const auto& [name_, set_] : all_scenarios()) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& name = name_;
        const auto& set = set_;
        const auto r = cq_run(set);
        const auto total = r.series("resident_population");
        const auto nat = r.series("cumulative_natural_change");
        const auto ext = r.series("cumulative_external_migration");
        const auto rev = r.series("cumulative_census_revision");
        const double initial = total.front();
        for (std::size_t i = 0; i < total.size(); ++i) {
            const double expected = initial + nat[i] + ext[i] + rev[i];
            INFO("scenario " << name << " time " << r.times[i]);
            CHECK(std::abs(total[i] - expected) <= 1e-9 * std::abs(expected));
        }
    }
}

TEST_CASE("chongqing: stocks positive, shares in [0, 1], income ratio in [1, 4] to 2050") {
    // Accounting stocks and the perceived growth rate may legitimately be negative.
    const std::vector<std::string> signed_stocks = {"cumulative_natural_change",
                                                    "cumulative_external_migration",
                                                    "cumulative_census_revision",
                                                    "perceived_real_growth"};
    // Each element of an arrayed stock is its own column, `name[element]`.
    std::vector<std::string> stocks;
    const auto columns = cq_model().run().names;
    for (const auto& v : cq_spec().variables)
        if (v.kind == sim::VarKind::stock &&
            std::find(signed_stocks.begin(), signed_stocks.end(), v.name) == signed_stocks.end())
            for (const auto& c : columns)
                if (c == v.name || c.rfind(v.name + "[", 0) == 0) stocks.push_back(c);
    REQUIRE(stocks.size() > 30);
    const std::vector<std::string> shares = {"urbanization_rate", "hukou_urbanization_rate",
                                             "area_urbanization_rate[core]", "area_urbanization_rate[metro]",
                                             "area_urbanization_rate[northeast]", "area_urbanization_rate[southeast]",
                                             "land_market_share", "vacancy_rate",
                                             "public_service_index", "processing_conversion_rate",
                                             "project_landing_rate", "county_supply_share",
                                             "employment_probability"};
    for (const auto& [name_, set_] : all_scenarios()) {
        // copies: clang 14 cannot capture a structured binding (doctest macros use lambdas)
        const auto& name = name_;
        const auto& set = set_;
        const auto r = cq_run(set);
        REQUIRE(r.times.back() == doctest::Approx(2050));
        for (const auto& s : stocks) {
            const auto xs = r.series(s);
            const double lo = *std::min_element(xs.begin(), xs.end());
            INFO("scenario " << name << " stock " << s << " min " << lo);
            // cumulative_fiscal_cost is 0 in the baseline; all others must stay strictly positive
            // (a clamp at zero would hide a negative flow).
            if (s == "cumulative_fiscal_cost") CHECK(lo >= 0);
            else CHECK(lo > 0);
        }
        for (const auto& v : shares)
            for (double x : r.series(v)) {
                INFO("scenario " << name << " " << v << " " << x);
                CHECK(x >= 0);
                CHECK(x <= 1);
            }
        for (double x : r.series("income_ratio")) {
            INFO("scenario " << name);
            CHECK(x >= 1);
            CHECK(x <= 4);
        }
    }
}

TEST_CASE("chongqing: results change by less than 1 % when dt halves") {
    const std::vector<std::string> indicators = {
        "resident_population",  "urbanization_rate",        "non_citizenized_migrants",
        "hukou_urbanization_rate", "urban_income",          "rural_income",
        "income_ratio",         "total_household_consumption", "land_market_share",
        "vacancy_rate",         "public_service_index",     "processing_conversion_rate",
        "tfp",                  "gdp",                      "cumulative_fiscal_cost",
        "rural_wage_income",    "rural_transfer_income",    "county_output",
        "consumption_income_ratio", "demand_utilization"};
    const double dt = cq_model().specs().dt;
    for (const auto& set : {std::vector<std::pair<std::string, double>>{}, all_on()}) {
        const auto a = cq_run(set, dt), b = cq_run(set, dt / 2);
        REQUIRE(a.rows() == b.rows());
        for (const auto& v : indicators) {
            const auto xa = a.series(v), xb = b.series(v);
            for (std::size_t i = 0; i < xa.size(); ++i) {
                if (xa[i] == 0 && xb[i] == 0) continue;
                // The cumulative cost integrates a ramp that starts at 0 in 2025: in its first
                // years the Euler sum has a large *relative* error on a tiny total, so it is
                // compared once it has accumulated ten years of spending.
                if (v == "cumulative_fiscal_cost" && a.times[i] < 2035) continue;
                INFO(v << " at " << a.times[i] << ": " << xa[i] << " vs " << xb[i]);
                CHECK(std::abs(xb[i] / xa[i] - 1) < 0.01);
            }
        }
    }
}

// The hand translation bench_chongqing_hand times libsim against: a change to
// the model that is not made there too fails here.
TEST_CASE("chongqing: the hand translation in bench/ saves the interpreter's values (relative 1e-9)") {
    sim::RunOptions o;
    o.save.assign(std::begin(chongqing_hand::columns), std::end(chongqing_hand::columns));
    const sim::Results r = cq_model().run(o);
    const chongqing_hand::Results h = chongqing_hand::run();
    REQUIRE(r.rows() == static_cast<std::size_t>(chongqing_hand::rows));
    REQUIRE(r.cols() == chongqing_hand::cols);
    CHECK(r.times == h.times);
    for (std::size_t c = 0; c < chongqing_hand::cols; ++c) {
        const auto col = r.column(chongqing_hand::columns[c]);
        REQUIRE(col.has_value());
        for (std::size_t row = 0; row < r.rows(); ++row) {
            const double a = r.at(row, *col), b = h.values[row * chongqing_hand::cols + c];
            INFO(chongqing_hand::columns[c] << " at " << r.times[row] << ": " << a << " vs " << b);
            CHECK(std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)));
        }
    }
}

TEST_CASE("chongqing: every scenario file loads and runs") {
    const std::vector<std::string> files = {"baseline",     "planning",   "land",
                                            "infrastructure", "registration", "innovation",
                                            "all-levers"};
    const auto base = cq_run();
    for (const auto& f : files) {
        const std::string path = kDir + "/scenarios/" + f + ".yaml";
        INFO(path);
        sim::Diagnostics diags;
        CHECK(sim::is_scenario_file(path));
        sim::Scenario sc = sim::load_scenario(path, diags);
        REQUIRE_FALSE(diags.has_errors());
        int on = 0;
        for (const auto& l : sc.model.levers) on += l.on ? 1 : 0;
        if (f == "baseline") CHECK(on == 0);
        else if (f == "all-levers") CHECK(on == 5);
        else {
            CHECK(on == 1);
            const sim::Lever* l = sc.model.find_lever(f);
            REQUIRE(l != nullptr);
            CHECK(l->on);
        }
        auto m = sim::Model::compile(sc.model, diags);
        REQUIRE(m.has_value());
        const auto r = m->run(sc.run);
        CHECK(r.times.back() == doctest::Approx(2050));
        if (f != "baseline")
            CHECK(r.at("cumulative_fiscal_cost", 2050) > 0);
        else
            CHECK(r.at("rural_income", 2050) == doctest::Approx(base.at("rural_income", 2050)));
    }
}

TEST_CASE("chongqing: the 32 lever combinations share the steps before 2025, the same bytes as runs from the start") {
    const sim::ModelSpec& spec = cq_spec();
    // The first 4 of N = parameters + 1 correlated Latin-hypercube samples.
    auto samples = sim::sample(spec.uncertainties, spec.correlations, spec.uncertainties.size() + 1,
                               sim::SampleMethod::latin_hypercube, 1);
    samples.rows = 4;
    samples.values.resize(4 * samples.cols());
    std::vector<std::string> levers(std::begin(kLevers), std::end(kLevers));
    sim::EnsembleOptions o;
    o.indicators = {"rural_income", "income_ratio", "urbanization_rate", "non_citizenized_migrants"};
    o.at = {2024, 2025, 2030, 2050};
    o.variants = sim::lever_variants(levers);
    o.threads = 2;
    const auto shared = sim::run_ensemble(cq_model(), samples, o);
    // Every lever starts in 2025: each combination continues its sample's run.
    CHECK(shared.continued == 32 * samples.rows);
    o.share_steps = false;
    const auto whole = sim::run_ensemble(cq_model(), samples, o);
    CHECK(whole.continued == 0);
    REQUIRE(shared.values.size() == whole.values.size());
    CHECK(std::memcmp(shared.values.data(), whole.values.data(), whole.values.size() * sizeof(double)) == 0);
}
