// The Chongqing model (models/chongqing/model.yaml) translated by hand into a
// plain C++ Euler loop: the program a modeller would write without libsim,
// used by bench_chongqing_hand as the yardstick for the generated code and
// the interpreter. Levers at the model's settings (all off), dt 1/8 from 2013
// to 2050, one saved row a year (the stocks and the key outputs: `columns`).
//
// Semantics followed (docs/model-format.md, libsim's engine):
// - Euler: every flow from the state at t, then stock += dt * (inflows -
//   outflows); TIME is start + k*dt, never accumulated; INT is floor.
// - A non-negative flow is MAX(0, equation). A non-negative stock whose next
//   value would be negative delivers only what it holds: its outflows are cut
//   in proportion and the stocks they feed receive that much less; then it is
//   clipped at 0 (Stella's rule, libsim's limit_outflows). The baseline never
//   needs it, so the benchmark's check does not exercise it.
// - Lookups: `continuous` interpolates and clamps at the ends; `discrete` is
//   the y of the last point with x <= input (the first y below the range).
// The model has no SMOOTH, DELAY or PREVIOUS (its delays are written as stocks).
//
// CHONGQING_HAND_CONST is `constexpr`, as a modeller would write it;
// chongqing_hand_runtime.cpp compiles this file again with non-const
// globals instead (in namespace chongqing_hand_runtime), the constants then
// run-time values as in libsim's generated code, to measure what folding
// them is worth.
//
// CHONGQING_HAND_REAL is the number type of the model's values (constants,
// stocks, auxiliaries; not the time, the lookup tables and what depends on
// the time only): double, or a lane type holding several runs' values
// (bench/lanes.hpp, as chongqing_lanes_impl.hpp compiles this file), which
// brings its own min_, max_, pow_, log_, exp_, withheld and take_back, found
// by argument-dependent lookup beside the double ones below. Whoever sets
// CHONGQING_HAND_REAL also sets CHONGQING_HAND_IF(c, a, b): for double
// c ? a : b (only the side chosen computed), for lanes a per-lane select.
#pragma once

#ifndef CHONGQING_HAND_CONST
#define CHONGQING_HAND_CONST constexpr
#define CHONGQING_HAND_NAMESPACE chongqing_hand
#endif
#ifndef CHONGQING_HAND_REAL
#define CHONGQING_HAND_REAL double
#define CHONGQING_HAND_IF(c, a, b) ((c) ? (a) : (b))
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace CHONGQING_HAND_NAMESPACE {

using real = CHONGQING_HAND_REAL;

// The operations on numbers, for double: std's (MIN and MAX as std::min and
// std::max, so MAX(0, NaN) is 0 here, unlike sim::ops::max).
inline double min_(double a, double b) { return std::min(a, b); }
inline double max_(double a, double b) { return std::max(a, b); }
inline double pow_(double a, double b) { return std::pow(a, b); }
inline double log_(double a) { return std::log(a); }
inline double exp_(double a) { return std::exp(a); }

// --- time
CHONGQING_HAND_CONST double start = 2013, dt = 0.125;
constexpr int steps = 296;       // (2050 - 2013) / dt
constexpr int save_every = 8;    // save_step 1 year
constexpr int rows = steps / save_every + 1;

// --- areas (dimension `area`)
constexpr int A = 4;  // core, metro, northeast, southeast

// --- constants (model.yaml `constants:`)
CHONGQING_HAND_CONST real initial_rural_share[A] = {0.058, 0.392, 0.401, 0.149};
CHONGQING_HAND_CONST real initial_urban_share[A] = {0.469, 0.273, 0.193, 0.065};
CHONGQING_HAND_CONST real core_migration_propensity = 1, northeast_migration_propensity = 0.898619,
               southeast_migration_propensity = 0.829347;
CHONGQING_HAND_CONST real wing_local_destination_share = 0.5, core_destination_share = 0.69096;
CHONGQING_HAND_CONST real core_rural_income_level = 1.2, metro_rural_income_level = 1.05,
               northeast_rural_income_level = 0.95, southeast_rural_income_level = 0.93;
CHONGQING_HAND_CONST real infrastructure_wing_targeting = 0;
CHONGQING_HAND_CONST real initial_rural_residents = 1237.24, initial_urban_residents = 1732.76;
CHONGQING_HAND_CONST real initial_migrant_share = 0.175;
CHONGQING_HAND_CONST real normal_migration_rate = 0.0396041, reference_expected_income_ratio = 2;
CHONGQING_HAND_CONST real perception_delay = 5;
CHONGQING_HAND_CONST real reference_employment_probability = 0.9, employment_growth_sensitivity = 10;
CHONGQING_HAND_CONST real reference_real_growth = 0.07, job_perception_time = 2, initial_perceived_real_growth = 0.12;
CHONGQING_HAND_CONST real normal_return_rate = 0.02;
CHONGQING_HAND_CONST real settlement_intention = 0.57, settlement_time = 5.59871, registration_settlement_boost = 1.0;
CHONGQING_HAND_CONST real citizenization_cost_per_person = 80000, citizenization_budget_share = 0.04;
CHONGQING_HAND_CONST real registration_budget_share = 0.02, migrant_service_cost = 2000;
CHONGQING_HAND_CONST real census_revision_urban = 91.9053, census_revision_total_level = 72.721094;
CHONGQING_HAND_CONST real initial_gdp = 12385;
CHONGQING_HAND_CONST real tfp_base_growth = 0.015, innovation_rd_increase = 0.25, tfp_rd_elasticity = 0.27;
CHONGQING_HAND_CONST real innovation_adjustment_time = 8, rd_intensity = 0.0236, public_rd_share = 0.5;
CHONGQING_HAND_CONST real income_gdp_elasticity = 0.9, demand_feedback_strength = 0.5;
CHONGQING_HAND_CONST real utilization_adjustment_time = 1, reference_tracking_time = 0.25;
CHONGQING_HAND_CONST real initial_urban_income = 24691.009673, initial_operating_income = 3327.63;
CHONGQING_HAND_CONST real initial_property_income = 219.956, initial_public_transfer = 1100;
CHONGQING_HAND_CONST real remittance_share = 0.209388, outside_work_intensity = 0.081004;
CHONGQING_HAND_CONST real initial_remitting_fraction = 0.6, remittance_duration = 15;
CHONGQING_HAND_CONST real consumer_price_growth = 0.02, agri_tfp_premium = 0.012;
CHONGQING_HAND_CONST real consolidation_elasticity = 0.3, processing_value_uplift = 1.0;
CHONGQING_HAND_CONST real rural_local_spending_share = 0.5, urban_rural_product_share = 0.06;
CHONGQING_HAND_CONST real initial_county_supply_share = 0.4, county_supply_processing_elasticity = 1.0;
CHONGQING_HAND_CONST real county_supply_landing_elasticity = 0.5, county_labour_share = 0.5, local_wage_ratio = 0.8;
CHONGQING_HAND_CONST real wage_infrastructure_elasticity = 0.1, operating_infrastructure_elasticity = 0.1;
CHONGQING_HAND_CONST real transfer_service_elasticity = 1.0;
CHONGQING_HAND_CONST real rural_construction_land = 500, initial_vacancy_rate = 0.1, initial_market_share = 0.015;
CHONGQING_HAND_CONST real vacate_fraction = 0.4, base_entry_rate = 0.015, reform_entry_rate = 0.03;
CHONGQING_HAND_CONST real land_development_delay = 2, land_ticket_price = 93000, farmer_land_share = 0.5;
CHONGQING_HAND_CONST real annual_land_rent = 1500, land_reform_cost_per_mu = 5000;
CHONGQING_HAND_CONST real rural_infra_investment_share = 0.02, initial_infrastructure_capital = 1263.8;
CHONGQING_HAND_CONST real infra_extra_share = 0.01, infrastructure_depreciation = 0.096;
CHONGQING_HAND_CONST real initial_public_service_index = 0.55, service_infrastructure_elasticity = 0.5;
CHONGQING_HAND_CONST real service_gap_closure = 0.4, service_adjustment_time = 5, service_cost_per_rural_resident = 1000;
CHONGQING_HAND_CONST real initial_processing_rate = 0.3, processing_infrastructure_elasticity = 0.2;
CHONGQING_HAND_CONST real processing_adjustment_time = 5, max_processing_rate = 0.75, planning_processing_boost = 0.15;
CHONGQING_HAND_CONST real initial_landing_rate = 0.45, landing_land_elasticity = 0.2;
CHONGQING_HAND_CONST real landing_infrastructure_elasticity = 0.1, planning_landing_boost = 0.15;
CHONGQING_HAND_CONST real landing_adjustment_time = 3, processing_innovation_elasticity = 1.0;
CHONGQING_HAND_CONST real planning_spend_share = 0.001;
CHONGQING_HAND_CONST real national_apc_rural = 0.829, national_apc_urban = 0.665, propensity_scale = 1.19413;
CHONGQING_HAND_CONST real income_perception_time = 1, habit_strength = 0.5, initial_income_growth = 0.09;
CHONGQING_HAND_CONST real habit_time = 1, migrant_consumption_gap = 0.18, migrant_income_ratio = 0.8;
CHONGQING_HAND_CONST real registration_gap_closure = 0.5, service_consumption_effect = 0.3;

// Per-area constants (the model's `definitions:` per element).
CHONGQING_HAND_CONST real area_migration_propensity[A] = {core_migration_propensity, 1, northeast_migration_propensity,
                                               southeast_migration_propensity};
CHONGQING_HAND_CONST real area_local_destination_share[A] = {1, 1, wing_local_destination_share,
                                                  wing_local_destination_share};
CHONGQING_HAND_CONST real area_centre_destination_share[A] = {core_destination_share, 1 - core_destination_share, 0, 0};
CHONGQING_HAND_CONST real area_is_wing[A] = {0, 0, 1, 1};
CHONGQING_HAND_CONST real area_income_level[A] = {core_rural_income_level, metro_rural_income_level,
                                       northeast_rural_income_level, southeast_rural_income_level};

// --- levers: L_lever = L_on * L_intensity * MIN(1, MAX(0, (TIME - L_start) / L_phase_in)),
// every one off (`on: false`) as the model ships.
struct Lever {
    real on, intensity, start, phase_in;
    real at(double t) const { return on * intensity * min_(1.0, max_(0.0, (t - start) / phase_in)); }
};
CHONGQING_HAND_CONST Lever planning{0, 1, 2025, 5}, land{0, 1, 2025, 3}, infrastructure{0, 1, 2025, 5},
    registration{0, 1, 2025, 3}, innovation{0, 1, 2025, 5};

// --- graphical functions (model.yaml `lookups:`)
template <std::size_t N>
inline double continuous(const double (&x)[N], const double (&y)[N], double v) {
    if (v <= x[0]) return y[0];
    if (v >= x[N - 1]) return y[N - 1];
    std::size_t i = 1;
    while (i < N - 1 && x[i] <= v) ++i;  // x[i-1] <= v < x[i]
    return y[i - 1] + (y[i] - y[i - 1]) * (v - x[i - 1]) / (x[i] - x[i - 1]);
}
template <std::size_t N>
inline double discrete(const double (&x)[N], const double (&y)[N], double v) {
    std::size_t i = 0;
    while (i < N && x[i] <= v) ++i;
    return i == 0 ? y[0] : y[i - 1];
}

CHONGQING_HAND_CONST double switch_x[] = {2013, 2024}, switch_y[] = {1, 0};
CHONGQING_HAND_CONST double natural_x[] = {2013, 2018, 2019, 2020, 2021, 2022, 2023, 2030, 2040, 2050};
CHONGQING_HAND_CONST double natural_y[] = {0.0035, 0.003, 0.0025, 0.001, -0.0005, -0.00211, -0.003, -0.0045, -0.006, -0.007};
CHONGQING_HAND_CONST double external_x[] = {2014, 2019, 2020, 2021, 2022, 2023, 2024};
CHONGQING_HAND_CONST double external_y[] = {14.457044, 21.744582, 5, 5, 7.7, -12, 0};
CHONGQING_HAND_CONST double census_x[] = {2013, 2020, 2021}, census_y[] = {0, 1, 0};
CHONGQING_HAND_CONST double real_growth_x[] = {2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023};
CHONGQING_HAND_CONST double real_growth_y[] = {0.109, 0.11, 0.107, 0.093, 0.06, 0.063, 0.039, 0.083, 0.026, 0.061};
CHONGQING_HAND_CONST double input_x[] = {2024, 2030, 2040, 2050}, input_y[] = {0.04, 0.03, 0.02, 0.012};
CHONGQING_HAND_CONST double deflator_x[] = {2014, 2019, 2020, 2021, 2022, 2023, 2024, 2026};
CHONGQING_HAND_CONST double deflator_y[] = {0.02, 0.0286, 0.021, 0.0285, 0.0178, -0.0246, 0.01, 0.015};
CHONGQING_HAND_CONST double urban_growth_x[] = {2014, 2019, 2021, 2023};
CHONGQING_HAND_CONST double urban_growth_y[] = {0.0742703, 0.0621931, 0.0679255, 0.042};

// --- stocks
struct Stocks {
    real rural[A], migrants[A], hukou[A];  // area_rural_residents, area_non_citizenized_migrants, area_urban_hukou_residents
    real perceived_expected_income_ratio, perceived_real_growth;
    real cumulative_natural_change, cumulative_external_migration, cumulative_census_revision;
    real tfp_trend, innovation_capability, factor_input_index, demand_utilization;
    real consumption_share_reference, price_level, urban_income;
    real rural_operating_core, rural_property_core, rural_transfer_core;
    real occupied[A], idle[A], in_market[A], productive[A];  // area_occupied_homesteads, area_idle_construction_land,
                                                            // area_land_in_market, area_productive_market_land
    real infra[A];  // area_rural_infrastructure_capital
    real public_service_index, processing_conversion_rate, project_landing_rate;
    real remitting_migrants, perceived_rural_income, perceived_urban_income;
    real rural_consumption_habit, migrant_consumption_habit, hukou_consumption_habit;
    real cumulative_fiscal_cost;
};

// --- what one evaluation gives: every flow, the saved outputs, and the
// auxiliaries some initial values are defined by.
struct Vars {
    // flows by area
    real area_rural_natural_change[A], area_migrant_natural_change[A], area_hukou_natural_change[A];
    real area_external_migration[A], area_census_revision_urban_flow[A], area_census_revision_rural_flow[A];
    real area_rural_to_urban_migration[A], area_migrant_arrivals[A], area_return_migration[A],
        area_citizenization[A];
    // citywide flows
    real perceived_expected_ratio_change, perceived_growth_change, rural_to_urban_migration;
    real return_migration_of_remitters, remittance_ties_ending;
    real natural_change_total, external_migration_total, census_revision_total;
    real tfp_trend_growth, innovation_capability_change, factor_input_growth, utilization_change;
    real consumption_share_reference_change, price_level_change, urban_income_change;
    real rural_operating_core_change, rural_property_core_change, rural_transfer_core_change;
    real area_homestead_vacating[A], area_market_entry[A], area_land_development[A];
    real occupied_homesteads, idle_construction_land, land_in_market, productive_market_land;  // sums
    real area_infrastructure_investment[A], area_infrastructure_depreciation[A];
    real public_service_change, processing_rate_change, landing_rate_change;
    real perceived_rural_income_change, perceived_urban_income_change;
    real rural_habit_change, migrant_habit_change, hukou_habit_change, fiscal_cost_rate;
    // saved outputs
    real non_citizenized_migrants, urbanization_rate, hukou_urbanization_rate, gdp, rural_income;
    real income_ratio, total_household_consumption, average_consumption, area_urbanization_rate[A];
    real rural_infrastructure_capital, area_rural_income[A];
    // for the initial values
    real expected_income_ratio, consumption_share_of_supply, rural_operating_income, rural_property_income;
    real rural_transfer_income, outside_wage_income, local_wage_from_urban_demand, county_supply_share;
    real rural_propensity_effective, migrant_consumption_target, hukou_consumption_target;
};

// Every auxiliary and flow at time t from the stocks s.
inline void evaluate(const Stocks& s, double t, Vars& v) {
    // Time and levers.
    const double formation_year = std::floor(t) + 1;
    const double history_weight = discrete(switch_x, switch_y, formation_year);
    const double natural_increase_rate = continuous(natural_x, natural_y, t);
    const real planning_lever = planning.at(t), land_lever = land.at(t);
    const real infrastructure_lever = infrastructure.at(t), registration_lever = registration.at(t);
    const real innovation_lever = innovation.at(t);
    const real land_reform_level = min_(1.0, land_lever);

    // Population.
    real rural_residents = 0, non_citizenized_migrants = 0, urban_hukou_residents = 0;
    for (int a = 0; a < A; ++a) {
        rural_residents += s.rural[a];
        non_citizenized_migrants += s.migrants[a];
        urban_hukou_residents += s.hukou[a];
    }
    const real resident_population = rural_residents + non_citizenized_migrants + urban_hukou_residents;
    const real urban_residents = non_citizenized_migrants + urban_hukou_residents;
    for (int a = 0; a < A; ++a)
        v.area_urbanization_rate[a] = (s.migrants[a] + s.hukou[a]) / (s.rural[a] + s.migrants[a] + s.hukou[a]);
    v.non_citizenized_migrants = non_citizenized_migrants;
    v.urbanization_rate = urban_residents / resident_population;
    v.hukou_urbanization_rate = urban_hukou_residents / resident_population;

    // Boundary flows: natural change, migration from other provinces, 2020 census revision.
    const double net_external_migration = discrete(external_x, external_y, formation_year);
    const double census_window = discrete(census_x, census_y, formation_year);
    const real census_revision_urban_flow = census_revision_urban * census_window;
    const real census_revision_rural_flow = (census_revision_total_level - census_revision_urban) * census_window;
    const real rural_natural_change = rural_residents * natural_increase_rate;
    const real migrant_natural_change = non_citizenized_migrants * natural_increase_rate;
    const real hukou_natural_change = urban_hukou_residents * natural_increase_rate;
    v.natural_change_total = rural_natural_change + migrant_natural_change + hukou_natural_change;
    v.external_migration_total = net_external_migration;
    v.census_revision_total = census_revision_urban_flow + census_revision_rural_flow;
    const real population_growth = (v.natural_change_total + net_external_migration) / resident_population;

    // Production: trend TFP x innovation x factor inputs, pulled by demand.
    const real tfp = s.tfp_trend * s.innovation_capability;
    const real innovation_target = pow_(1 + innovation_rd_increase * innovation_lever, tfp_rd_elasticity);
    v.innovation_capability_change = (innovation_target - s.innovation_capability) / innovation_adjustment_time;
    const real tfp_growth_rate =
        (1 + tfp_base_growth) * (1 + v.innovation_capability_change / s.innovation_capability) - 1;
    v.tfp_trend_growth = s.tfp_trend * log_(1 + tfp_base_growth);
    const real input_growth =
        history_weight * ((1 + discrete(real_growth_x, real_growth_y, formation_year)) / (1 + tfp_base_growth) - 1) +
        (1 - history_weight) * continuous(input_x, input_y, t);
    v.factor_input_growth = s.factor_input_index * log_(1 + input_growth);
    const real supply_real_gdp = s.factor_input_index * tfp;
    const real supply_gdp = supply_real_gdp * s.price_level;
    const real real_gdp = supply_real_gdp * s.demand_utilization;
    const real gdp = real_gdp * s.price_level;
    v.gdp = gdp;
    const double deflator_growth = discrete(deflator_x, deflator_y, formation_year);
    v.price_level_change = s.price_level * log_(1 + deflator_growth);

    // Rural infrastructure and public services.
    // Land: the citywide stocks are the areas' sums.
    real occupied_homesteads = 0, idle_construction_land = 0, land_in_market = 0, productive_market_land = 0;
    for (int a = 0; a < A; ++a) {
        occupied_homesteads += s.occupied[a];
        idle_construction_land += s.idle[a];
        land_in_market += s.in_market[a];
        productive_market_land += s.productive[a];
    }
    v.occupied_homesteads = occupied_homesteads;
    v.idle_construction_land = idle_construction_land;
    v.land_in_market = land_in_market;
    v.productive_market_land = productive_market_land;

    // Capital by area: ordinary investment by rural residents, the lever's
    // extra investment as infrastructure_wing_targeting directs it.
    real rural_infrastructure_capital = 0, wing_rural = 0;
    for (int a = 0; a < A; ++a) {
        rural_infrastructure_capital += s.infra[a];
        wing_rural += area_is_wing[a] * s.rural[a];
    }
    v.rural_infrastructure_capital = rural_infrastructure_capital;
    const real infrastructure_index = (rural_infrastructure_capital / s.price_level / rural_residents) /
                                      (initial_infrastructure_capital / initial_rural_residents);
    real area_wage_effect[A], area_operating_effect[A];
    real wage_effect_sum = 0, operating_effect_sum = 0;
    for (int a = 0; a < A; ++a) {
        const real lever_share = (1 - infrastructure_wing_targeting) * s.rural[a] / rural_residents +
                                 infrastructure_wing_targeting * area_is_wing[a] * s.rural[a] / max_(1e-6, wing_rural);
        v.area_infrastructure_investment[a] =
            max_(0.0, gdp * (rural_infra_investment_share * s.rural[a] / rural_residents +
                             infra_extra_share * infrastructure_lever * lever_share));
        v.area_infrastructure_depreciation[a] = max_(0.0, s.infra[a] * infrastructure_depreciation);
        const real area_index = (s.infra[a] / s.price_level / max_(1e-6, s.rural[a])) /
                                (initial_infrastructure_capital / initial_rural_residents);
        area_wage_effect[a] = pow_(area_index, wage_infrastructure_elasticity);
        area_operating_effect[a] = pow_(area_index, operating_infrastructure_elasticity);
        wage_effect_sum += s.rural[a] * area_wage_effect[a];
        operating_effect_sum += s.rural[a] * area_operating_effect[a];
    }
    const real wage_infrastructure_effect = wage_effect_sum / rural_residents;
    const real operating_infrastructure_effect = operating_effect_sum / rural_residents;
    const real supported_public_service =
        1 - 1 / (1 + initial_public_service_index / (1 - initial_public_service_index) *
                         pow_(infrastructure_index, service_infrastructure_elasticity));
    const real indicated_public_service_index =
        1 - (1 - supported_public_service) * (1 - service_gap_closure * infrastructure_lever);
    v.public_service_change = (indicated_public_service_index - s.public_service_index) / service_adjustment_time;
    const real indicated_processing_rate =
        min_(max_processing_rate, initial_processing_rate *
                                          pow_(infrastructure_index, processing_infrastructure_elasticity) *
                                          pow_(s.innovation_capability, processing_innovation_elasticity) +
                                      planning_processing_boost * planning_lever);
    v.processing_rate_change = (indicated_processing_rate - s.processing_conversion_rate) / processing_adjustment_time;
    const real indicated_landing_rate =
        min_(0.95, initial_landing_rate *
                           pow_(productive_market_land / (rural_construction_land * initial_market_share),
                                landing_land_elasticity) *
                           pow_(infrastructure_index, landing_infrastructure_elasticity) +
                       planning_landing_boost * planning_lever);
    v.landing_rate_change = (indicated_landing_rate - s.project_landing_rate) / landing_adjustment_time;

    // Construction land, by area (vacating below, with the areas' migration).
    real market_entry = 0;
    for (int a = 0; a < A; ++a) {
        v.area_market_entry[a] = max_(0.0, s.idle[a] * (base_entry_rate + reform_entry_rate * land_reform_level));
        v.area_land_development[a] = (s.in_market[a] - s.productive[a]) / land_development_delay;
        market_entry += v.area_market_entry[a];
    }

    // Migration (Harris-Todaro) and citizenization, citywide.
    const real employment_probability =
        1 / (1 + (1 - reference_employment_probability) / reference_employment_probability *
                     exp_(-employment_growth_sensitivity * (s.perceived_real_growth - reference_real_growth)));
    const real migrant_income = s.urban_income * migrant_income_ratio;
    const real expected_urban_income = migrant_income * employment_probability;
    const real migration_pull = log_(s.perceived_expected_income_ratio) / log_(reference_expected_income_ratio);
    v.rural_to_urban_migration = max_(0.0, rural_residents * normal_migration_rate * max_(0.0, migration_pull));
    const real return_migration =
        max_(0.0, non_citizenized_migrants *
                      (normal_return_rate * (1 - employment_probability) / (1 - reference_employment_probability) +
                       normal_migration_rate * max_(0.0, -migration_pull)));
    const real baseline_citizenization_demand = non_citizenized_migrants * settlement_intention / settlement_time;
    const real citizenization_demand =
        baseline_citizenization_demand * (1 + registration_settlement_boost * registration_lever);
    const real citizenization_capacity =
        (citizenization_budget_share + registration_budget_share * registration_lever) * gdp * 1e8 /
        citizenization_cost_per_person / 1e4;
    const real baseline_citizenization = min_(
        baseline_citizenization_demand, citizenization_budget_share * gdp * 1e8 / citizenization_cost_per_person / 1e4);
    const real citizenization = max_(0.0, min_(citizenization_demand, citizenization_capacity));
    v.return_migration_of_remitters =
        max_(0.0, return_migration * s.remitting_migrants / (s.remitting_migrants + non_citizenized_migrants));
    v.remittance_ties_ending = s.remitting_migrants / remittance_duration;

    // Rural incomes other than local wages.
    v.rural_operating_income =
        s.rural_operating_core *
        (1 + processing_value_uplift * (s.processing_conversion_rate - initial_processing_rate)) *
        s.innovation_capability * pow_(initial_rural_residents / rural_residents, consolidation_elasticity) *
        operating_infrastructure_effect;
    const real land_property_income = (market_entry * 1e4 * land_ticket_price * s.price_level +
                                       productive_market_land * 1e4 * annual_land_rent * s.price_level) *
                                      farmer_land_share / (rural_residents * 1e4);
    v.rural_property_income = s.rural_property_core + land_property_income;
    const real public_transfer_income =
        s.rural_transfer_core *
        pow_(s.public_service_index / initial_public_service_index, transfer_service_elasticity);
    const real remittance_income = s.remitting_migrants * migrant_income * remittance_share / rural_residents;
    v.rural_transfer_income = public_transfer_income + remittance_income;
    v.outside_wage_income = s.urban_income * outside_work_intensity *
                            wage_infrastructure_effect * employment_probability /
                            reference_employment_probability;

    // Household consumption: propensity x perceived income, held back by habit.
    const real perceived_migrant_income = s.perceived_urban_income * migrant_income_ratio;
    const real perceived_hukou_income =
        (s.perceived_urban_income * urban_residents - perceived_migrant_income * non_citizenized_migrants) /
        urban_hukou_residents;
    const real rural_propensity = national_apc_rural * propensity_scale;
    const real urban_propensity = national_apc_urban * propensity_scale;
    v.rural_propensity_effective =
        rural_propensity * (1 + service_consumption_effect * (s.public_service_index - initial_public_service_index));
    const real rural_consumption_target = v.rural_propensity_effective * s.perceived_rural_income;
    v.migrant_consumption_target = perceived_migrant_income * urban_propensity *
                                   (1 - migrant_consumption_gap * (1 - registration_gap_closure * registration_lever));
    v.hukou_consumption_target = perceived_hukou_income * urban_propensity;
    const real rural_consumption =
        habit_strength * s.rural_consumption_habit + (1 - habit_strength) * rural_consumption_target;
    const real migrant_consumption =
        habit_strength * s.migrant_consumption_habit + (1 - habit_strength) * v.migrant_consumption_target;
    const real hukou_consumption =
        habit_strength * s.hukou_consumption_habit + (1 - habit_strength) * v.hukou_consumption_target;
    v.total_household_consumption = (rural_consumption * rural_residents + migrant_consumption * non_citizenized_migrants +
                                     hukou_consumption * urban_hukou_residents) /
                                    1e4;
    v.average_consumption = v.total_household_consumption * 1e4 / resident_population;

    // County industry and processing: local demand met locally pays local wages.
    const real county_demand_from_rural = rural_consumption * rural_residents * rural_local_spending_share / 1e4;
    const real county_demand_from_urban =
        (migrant_consumption * non_citizenized_migrants + hukou_consumption * urban_hukou_residents) *
        urban_rural_product_share / 1e4;
    const real county_supply_odds =
        initial_county_supply_share / (1 - initial_county_supply_share) *
        pow_(s.processing_conversion_rate / initial_processing_rate, county_supply_processing_elasticity) *
        pow_(s.project_landing_rate / initial_landing_rate, county_supply_landing_elasticity);
    v.county_supply_share = county_supply_odds / (1 + county_supply_odds);
    const real local_wage_from_rural_demand =
        county_demand_from_rural * v.county_supply_share * county_labour_share * 1e4 / rural_residents;
    v.local_wage_from_urban_demand =
        county_demand_from_urban * v.county_supply_share * county_labour_share * 1e4 / rural_residents;
    const real local_wage_income = local_wage_from_rural_demand + v.local_wage_from_urban_demand;

    // Rural income and the expected-income ratio.
    const real rural_wage_income = local_wage_income + v.outside_wage_income;
    const real rural_income =
        rural_wage_income + v.rural_operating_income + v.rural_property_income + v.rural_transfer_income;
    v.rural_income = rural_income;
    v.income_ratio = s.urban_income / rural_income;
    v.expected_income_ratio = expected_urban_income / rural_income;
    v.perceived_expected_ratio_change =
        (v.expected_income_ratio - s.perceived_expected_income_ratio) / perception_delay;

    // Migration and boundary flows by area.
    // An area's infrastructure narrows its expected-income gap: the towns'
    // pull relative to the city's, f^(-1/LN(reference_expected_income_ratio)).
    real income_weight[A], own_income_factor[A], income_weight_sum = 0;
    for (int a = 0; a < A; ++a) {
        const real area_land_property_income = (v.area_market_entry[a] * 1e4 * land_ticket_price * s.price_level +
                                                s.productive[a] * 1e4 * annual_land_rent * s.price_level) *
                                               farmer_land_share / (max_(1e-6, s.rural[a]) * 1e4);
        income_weight[a] = (area_income_level[a] *
                                (v.outside_wage_income * area_wage_effect[a] / wage_infrastructure_effect +
                                 v.rural_operating_income * area_operating_effect[a] / operating_infrastructure_effect +
                                 rural_income - v.outside_wage_income - v.rural_operating_income -
                                 land_property_income) +
                            area_land_property_income) /
                           rural_income;
        own_income_factor[a] = (v.outside_wage_income * area_wage_effect[a] / wage_infrastructure_effect +
                                v.rural_operating_income * area_operating_effect[a] / operating_infrastructure_effect +
                                rural_income - v.outside_wage_income - v.rural_operating_income -
                                land_property_income + area_land_property_income) /
                               rural_income;
        income_weight_sum += s.rural[a] * income_weight[a];
    }
    real migration_income_factor[A];
    for (int a = 0; a < A; ++a) {
        v.area_rural_income[a] = rural_income * income_weight[a] * rural_residents / income_weight_sum;
        migration_income_factor[a] = pow_(own_income_factor[a], -1 / log_(reference_expected_income_ratio));
    }
    real migration_weight[A], weight_sum = 0;
    for (int a = 0; a < A; ++a) {
        migration_weight[a] = s.rural[a] * area_migration_propensity[a] * migration_income_factor[a];
        weight_sum += migration_weight[a];
    }
    real long_distance = 0;  // the wings' migrants who leave their own area
    for (int a = 0; a < A; ++a) {
        v.area_rural_to_urban_migration[a] =
            max_(0.0, v.rural_to_urban_migration * migration_weight[a] / max_(1e-9, weight_sum));
        long_distance += v.area_rural_to_urban_migration[a] * (1 - area_local_destination_share[a]);
    }
    for (int a = 0; a < A; ++a) {
        v.area_migrant_arrivals[a] = max_(0.0, v.area_rural_to_urban_migration[a] * area_local_destination_share[a] +
                                                   area_centre_destination_share[a] * long_distance);
        const auto any = non_citizenized_migrants > 0;
        v.area_return_migration[a] =
            max_(0.0, CHONGQING_HAND_IF(any, return_migration * s.migrants[a] / non_citizenized_migrants, 0.0));
        v.area_citizenization[a] =
            max_(0.0, CHONGQING_HAND_IF(any, citizenization * s.migrants[a] / non_citizenized_migrants, 0.0));
        v.area_external_migration[a] =
            CHONGQING_HAND_IF(any, net_external_migration * s.migrants[a] / non_citizenized_migrants, 0.0);
        v.area_census_revision_urban_flow[a] = census_revision_urban_flow * s.migrants[a] / non_citizenized_migrants;
        v.area_census_revision_rural_flow[a] = census_revision_rural_flow * s.rural[a] / rural_residents;
        v.area_rural_natural_change[a] = s.rural[a] * natural_increase_rate;
        v.area_migrant_natural_change[a] = s.migrants[a] * natural_increase_rate;
        v.area_hukou_natural_change[a] = s.hukou[a] * natural_increase_rate;
        v.area_homestead_vacating[a] =
            max_(0.0, s.occupied[a] * vacate_fraction *
                          max_(0.0, v.area_rural_to_urban_migration[a] - v.area_return_migration[a]) /
                          max_(1e-6, s.rural[a]));
    }

    // Demand pull on output, real growth, urban income growth.
    v.consumption_share_of_supply = v.total_household_consumption / supply_gdp;
    const real indicated_utilization = 1 + (1 - history_weight) * demand_feedback_strength *
                                               (v.consumption_share_of_supply - s.consumption_share_reference);
    v.utilization_change = (indicated_utilization - s.demand_utilization) / utilization_adjustment_time;
    v.consumption_share_reference_change =
        history_weight * (v.consumption_share_of_supply - s.consumption_share_reference) / reference_tracking_time;
    const real real_gdp_growth =
        (1 + input_growth) * (1 + tfp_growth_rate) * (1 + v.utilization_change / s.demand_utilization) - 1;
    v.perceived_growth_change = (real_gdp_growth - s.perceived_real_growth) / job_perception_time;
    const real urban_income_growth =
        history_weight * discrete(urban_growth_x, urban_growth_y, formation_year) +
        (1 - history_weight) *
            ((1 + deflator_growth) * (1 + income_gdp_elasticity * (real_gdp_growth - population_growth)) - 1);
    v.urban_income_change = s.urban_income * log_(1 + urban_income_growth);
    const real agri_productivity_growth = tfp_base_growth + agri_tfp_premium;
    v.rural_operating_core_change =
        s.rural_operating_core *
        log_((1 + history_weight * consumer_price_growth + (1 - history_weight) * deflator_growth) *
             (1 + agri_productivity_growth));
    v.rural_property_core_change = s.rural_property_core * log_(1 + urban_income_growth);
    v.rural_transfer_core_change = s.rural_transfer_core * log_(1 + urban_income_growth);

    // Perceptions and habits (first-order).
    v.perceived_rural_income_change = (rural_income - s.perceived_rural_income) / income_perception_time;
    v.perceived_urban_income_change = (s.urban_income - s.perceived_urban_income) / income_perception_time;
    v.rural_habit_change = (rural_consumption - s.rural_consumption_habit) / habit_time;
    v.migrant_habit_change = (migrant_consumption - s.migrant_consumption_habit) / habit_time;
    v.hukou_habit_change = (hukou_consumption - s.hukou_consumption_habit) / habit_time;

    // Public cost of the levers (L_cost).
    const real planning_cost = planning_lever * planning_spend_share * gdp * 1e8;
    const real land_cost =
        land_reform_level * reform_entry_rate * idle_construction_land * 1e4 * land_reform_cost_per_mu;
    const real infrastructure_cost =
        infrastructure_lever *
        (infra_extra_share * gdp * 1e8 + service_cost_per_rural_resident * s.price_level * rural_residents * 1e4);
    const real registration_cost =
        (citizenization - baseline_citizenization) * 1e4 * citizenization_cost_per_person +
        registration_lever * non_citizenized_migrants * 1e4 * migrant_service_cost * s.price_level;
    const real innovation_cost = innovation_lever * innovation_rd_increase * rd_intensity * public_rd_share * gdp * 1e8;
    v.fiscal_cost_rate = planning_cost + land_cost + infrastructure_cost + registration_cost + innovation_cost;
}

// Initial values (model.yaml `initial:`), in the order they depend on each
// other: the stocks whose initial value is an auxiliary get it from an
// evaluation of the stocks set so far (the others then hold placeholders the
// auxiliary does not use).
inline Stocks initial(Vars& v) {
    Stocks s{};
    real rural_share_sum = 0, urban_share_sum = 0;
    for (int a = 0; a < A; ++a) {
        rural_share_sum += initial_rural_share[a];
        urban_share_sum += initial_urban_share[a];
    }
    const real residents = initial_rural_residents + initial_urban_residents;
    for (int a = 0; a < A; ++a) {
        s.rural[a] = initial_rural_residents * initial_rural_share[a] / rural_share_sum;
        s.migrants[a] = initial_migrant_share * residents * initial_urban_share[a] / urban_share_sum;
        s.hukou[a] = (initial_urban_residents - initial_migrant_share * residents) * initial_urban_share[a] /
                     urban_share_sum;
    }
    s.perceived_real_growth = initial_perceived_real_growth;
    s.tfp_trend = 1;
    s.innovation_capability = 1;
    s.factor_input_index = initial_gdp;
    s.demand_utilization = 1;
    s.price_level = 1;
    s.urban_income = initial_urban_income;
    s.rural_operating_core = initial_operating_income;
    s.rural_property_core = initial_property_income;
    s.rural_transfer_core = initial_public_transfer;
    for (int a = 0; a < A; ++a) {
        s.occupied[a] = rural_construction_land * (1 - initial_market_share) * (1 - initial_vacancy_rate) *
                        initial_rural_share[a] / rural_share_sum;
        s.idle[a] = rural_construction_land * (1 - initial_market_share) * initial_vacancy_rate *
                    initial_rural_share[a] / rural_share_sum;
        s.in_market[a] = rural_construction_land * initial_market_share * initial_rural_share[a] / rural_share_sum;
        s.productive[a] = rural_construction_land * initial_market_share * initial_rural_share[a] / rural_share_sum;
    }
    for (int a = 0; a < A; ++a) s.infra[a] = initial_infrastructure_capital * initial_rural_share[a] / rural_share_sum;
    s.public_service_index = initial_public_service_index;
    s.processing_conversion_rate = initial_processing_rate;
    s.project_landing_rate = initial_landing_rate;
    s.remitting_migrants = initial_migrant_share * residents * initial_remitting_fraction;
    // Placeholders until set below.
    s.perceived_expected_income_ratio = s.consumption_share_reference = 1;
    s.perceived_rural_income = s.rural_consumption_habit = 1;
    s.migrant_consumption_habit = s.hukou_consumption_habit = 1;

    // Steady growth at initial_income_growth before 2013.
    const real initial_perception_factor = 1 / (1 + initial_income_growth * income_perception_time);
    const real initial_habit_factor = 1 / (1 + initial_income_growth * habit_time);
    const real initial_consumption_factor = (1 - habit_strength) / (1 - habit_strength * initial_habit_factor);

    s.perceived_urban_income = s.urban_income * initial_perception_factor;
    evaluate(s, start, v);  // consumption targets of urban residents
    s.migrant_consumption_habit = v.migrant_consumption_target * initial_consumption_factor * initial_habit_factor;
    s.hukou_consumption_habit = v.hukou_consumption_target * initial_consumption_factor * initial_habit_factor;
    evaluate(s, start, v);  // rural incomes but local wages from rural spending
    s.perceived_rural_income =
        initial_perception_factor *
        (v.rural_operating_income + v.rural_property_income + v.rural_transfer_income + v.outside_wage_income +
         v.local_wage_from_urban_demand) /
        (1 - rural_local_spending_share * v.county_supply_share * county_labour_share * v.rural_propensity_effective *
                 initial_consumption_factor * initial_perception_factor);
    s.rural_consumption_habit =
        v.rural_propensity_effective * s.perceived_rural_income * initial_consumption_factor * initial_habit_factor;
    evaluate(s, start, v);  // rural income, consumption
    s.perceived_expected_income_ratio = v.expected_income_ratio;
    s.consumption_share_reference = v.consumption_share_of_supply;
    return s;
}

// Saved columns, as libsim names them.
constexpr const char* columns[] = {
    "area_rural_residents[core]", "area_rural_residents[metro]", "area_rural_residents[northeast]",
    "area_rural_residents[southeast]", "area_non_citizenized_migrants[core]", "area_non_citizenized_migrants[metro]",
    "area_non_citizenized_migrants[northeast]", "area_non_citizenized_migrants[southeast]",
    "area_urban_hukou_residents[core]", "area_urban_hukou_residents[metro]", "area_urban_hukou_residents[northeast]",
    "area_urban_hukou_residents[southeast]", "perceived_expected_income_ratio", "perceived_real_growth",
    "cumulative_natural_change", "cumulative_external_migration", "cumulative_census_revision", "tfp_trend",
    "innovation_capability", "factor_input_index", "demand_utilization", "consumption_share_reference",
    "price_level", "urban_income", "rural_operating_core", "rural_property_core", "rural_transfer_core",
    "occupied_homesteads", "idle_construction_land", "land_in_market", "productive_market_land",
    "rural_infrastructure_capital", "public_service_index", "processing_conversion_rate", "project_landing_rate",
    "remitting_migrants", "perceived_rural_income", "perceived_urban_income", "rural_consumption_habit",
    "migrant_consumption_habit", "hukou_consumption_habit", "cumulative_fiscal_cost",
    // key outputs
    "non_citizenized_migrants", "urbanization_rate", "hukou_urbanization_rate", "gdp", "rural_income",
    "income_ratio", "total_household_consumption", "average_consumption", "fiscal_cost_rate",
    "area_urbanization_rate[core]", "area_urbanization_rate[metro]", "area_urbanization_rate[northeast]",
    "area_urbanization_rate[southeast]", "area_rural_infrastructure_capital[core]",
    "area_rural_infrastructure_capital[metro]", "area_rural_infrastructure_capital[northeast]",
    "area_rural_infrastructure_capital[southeast]", "area_rural_income[core]", "area_rural_income[metro]",
    "area_rural_income[northeast]", "area_rural_income[southeast]"};
constexpr std::size_t cols = sizeof(columns) / sizeof(columns[0]);

inline void save(const Stocks& s, const Vars& v, real* out) {
    for (int a = 0; a < A; ++a) out[a] = s.rural[a];
    for (int a = 0; a < A; ++a) out[4 + a] = s.migrants[a];
    for (int a = 0; a < A; ++a) out[8 + a] = s.hukou[a];
    const real scalars[] = {s.perceived_expected_income_ratio, s.perceived_real_growth,
                            s.cumulative_natural_change, s.cumulative_external_migration,
                            s.cumulative_census_revision, s.tfp_trend, s.innovation_capability,
                            s.factor_input_index, s.demand_utilization, s.consumption_share_reference,
                            s.price_level, s.urban_income, s.rural_operating_core, s.rural_property_core,
                            s.rural_transfer_core, v.occupied_homesteads, v.idle_construction_land,
                            v.land_in_market, v.productive_market_land, v.rural_infrastructure_capital,
                            s.public_service_index, s.processing_conversion_rate, s.project_landing_rate,
                            s.remitting_migrants, s.perceived_rural_income, s.perceived_urban_income,
                            s.rural_consumption_habit, s.migrant_consumption_habit, s.hukou_consumption_habit,
                            s.cumulative_fiscal_cost, v.non_citizenized_migrants, v.urbanization_rate,
                            v.hukou_urbanization_rate, v.gdp, v.rural_income, v.income_ratio,
                            v.total_household_consumption, v.average_consumption, v.fiscal_cost_rate,
                            v.area_urbanization_rate[0], v.area_urbanization_rate[1],
                            v.area_urbanization_rate[2], v.area_urbanization_rate[3],
                            s.infra[0], s.infra[1], s.infra[2], s.infra[3],
                            v.area_rural_income[0], v.area_rural_income[1],
                            v.area_rural_income[2], v.area_rural_income[3]};
    static_assert(12 + sizeof(scalars) / sizeof(scalars[0]) == cols);
    std::copy(std::begin(scalars), std::end(scalars), out + 12);
}

// A non-negative stock's next value when its outflows (already times dt) may
// take more than it holds: the fraction of them withheld, and the stock then
// 0. Returns 0 when nothing is withheld.
inline double withheld(double& next, double outflow_total) {
    if (next >= 0) return 0;
    const double w = outflow_total > 0 ? std::min(1.0, -next / outflow_total) : 0;
    next = 0;
    return w;
}
// The fraction w of a non-negative flow (per year) withheld, taken back
// from the stock it feeds.
inline void take_back(double& stock, double w, double step, double flow) {
    if (w > 0) stock -= step * std::max(0.0, flow) * w;
}

// One Euler step: every stock from the flows in v.
inline void step(Stocks& s, const Vars& v) {
    Stocks n = s;
    for (int a = 0; a < A; ++a) {
        n.rural[a] += dt * (v.area_rural_natural_change[a] + v.area_return_migration[a] +
                            v.area_census_revision_rural_flow[a] - v.area_rural_to_urban_migration[a]);
        n.migrants[a] += dt * (v.area_migrant_arrivals[a] + v.area_migrant_natural_change[a] +
                               v.area_external_migration[a] + v.area_census_revision_urban_flow[a] -
                               v.area_return_migration[a] - v.area_citizenization[a]);
        n.hukou[a] += dt * (v.area_citizenization[a] + v.area_hukou_natural_change[a]);
    }
    n.perceived_expected_income_ratio += dt * v.perceived_expected_ratio_change;
    n.perceived_real_growth += dt * v.perceived_growth_change;
    n.cumulative_natural_change += dt * v.natural_change_total;
    n.cumulative_external_migration += dt * v.external_migration_total;
    n.cumulative_census_revision += dt * v.census_revision_total;
    n.tfp_trend += dt * v.tfp_trend_growth;
    n.innovation_capability += dt * v.innovation_capability_change;
    n.factor_input_index += dt * v.factor_input_growth;
    n.demand_utilization += dt * v.utilization_change;
    n.consumption_share_reference += dt * v.consumption_share_reference_change;
    n.price_level += dt * v.price_level_change;
    n.urban_income += dt * v.urban_income_change;
    n.rural_operating_core += dt * v.rural_operating_core_change;
    n.rural_property_core += dt * v.rural_property_core_change;
    n.rural_transfer_core += dt * v.rural_transfer_core_change;
    for (int a = 0; a < A; ++a) {
        n.occupied[a] += dt * (-v.area_homestead_vacating[a]);
        n.idle[a] += dt * (v.area_homestead_vacating[a] - v.area_market_entry[a]);
        n.in_market[a] += dt * v.area_market_entry[a];
        n.productive[a] += dt * v.area_land_development[a];
    }
    for (int a = 0; a < A; ++a)
        n.infra[a] += dt * (v.area_infrastructure_investment[a] - v.area_infrastructure_depreciation[a]);
    n.public_service_index += dt * v.public_service_change;
    n.processing_conversion_rate += dt * v.processing_rate_change;
    n.project_landing_rate += dt * v.landing_rate_change;
    n.remitting_migrants += dt * (v.rural_to_urban_migration - v.return_migration_of_remitters -
                                  v.remittance_ties_ending);
    n.perceived_rural_income += dt * v.perceived_rural_income_change;
    n.perceived_urban_income += dt * v.perceived_urban_income_change;
    n.rural_consumption_habit += dt * v.rural_habit_change;
    n.migrant_consumption_habit += dt * v.migrant_habit_change;
    n.hukou_consumption_habit += dt * v.hukou_habit_change;
    n.cumulative_fiscal_cost += dt * v.fiscal_cost_rate;

    // Non-negative stocks with outflows, in the model's order; what an
    // outflow withholds is taken back from the stock it feeds.
    auto pos = [](real f) { return max_(0.0, f); };
    for (int a = 0; a < A; ++a) withheld(n.rural[a], dt * pos(v.area_rural_to_urban_migration[a]));
    for (int a = 0; a < A; ++a) {
        const real w = withheld(n.migrants[a], dt * (pos(v.area_return_migration[a]) + pos(v.area_citizenization[a])));
        take_back(n.rural[a], w, dt, v.area_return_migration[a]);
        take_back(n.hukou[a], w, dt, v.area_citizenization[a]);
    }
    for (int a = 0; a < A; ++a)
        take_back(n.idle[a], withheld(n.occupied[a], dt * pos(v.area_homestead_vacating[a])), dt,
                  v.area_homestead_vacating[a]);
    for (int a = 0; a < A; ++a)
        take_back(n.in_market[a], withheld(n.idle[a], dt * pos(v.area_market_entry[a])), dt, v.area_market_entry[a]);
    for (int a = 0; a < A; ++a) withheld(n.infra[a], dt * pos(v.area_infrastructure_depreciation[a]));
    withheld(n.remitting_migrants, dt * (pos(v.return_migration_of_remitters) + pos(v.remittance_ties_ending)));
    // Then every non-negative stock is clipped at 0.
    for (int a = 0; a < A; ++a) {
        n.rural[a] = max_(0.0, n.rural[a]);
        n.migrants[a] = max_(0.0, n.migrants[a]);
        n.hukou[a] = max_(0.0, n.hukou[a]);
        n.infra[a] = max_(0.0, n.infra[a]);
        n.occupied[a] = max_(0.0, n.occupied[a]);
        n.idle[a] = max_(0.0, n.idle[a]);
        n.in_market[a] = max_(0.0, n.in_market[a]);
        n.productive[a] = max_(0.0, n.productive[a]);
    }
    for (real* x : {&n.perceived_expected_income_ratio, &n.tfp_trend, &n.innovation_capability,
                    &n.factor_input_index, &n.demand_utilization, &n.consumption_share_reference, &n.price_level,
                    &n.urban_income, &n.rural_operating_core, &n.rural_property_core, &n.rural_transfer_core,
                    &n.public_service_index,
                    &n.processing_conversion_rate, &n.project_landing_rate, &n.remitting_migrants,
                    &n.perceived_rural_income, &n.perceived_urban_income, &n.rural_consumption_habit,
                    &n.migrant_consumption_habit, &n.hukou_consumption_habit})
        *x = max_(0.0, *x);
    s = n;
}

struct Results {
    std::vector<double> times;
    std::vector<real> values;  // row-major, `columns`
};

// The run: one saved row a year, allocated per run as libsim does.
inline Results run() {
    Results r;
    r.times.resize(rows);
    r.values.resize(rows * cols);
    Vars v;
    Stocks s = initial(v);
    for (int k = 0;; ++k) {
        const double t = start + k * dt;
        evaluate(s, t, v);
        if (k % save_every == 0) {
            r.times[k / save_every] = t;
            save(s, v, &r.values[(k / save_every) * cols]);
        }
        if (k == steps) break;
        step(s, v);
    }
    return r;
}

}  // namespace CHONGQING_HAND_NAMESPACE
