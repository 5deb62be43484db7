# End-to-end tests of `sdsim compare` through the real binary: thread-count
# independence, the scenario's indicators and report times, and agreement of
# combinations.csv with single `sdsim run` calls (tests/cli/compare_e2e.cpp).
if(NOT TARGET sdsim)
  return()
endif()

set(SIM_CMP_DIR ${CMAKE_CURRENT_SOURCE_DIR}/cli)
set(SIM_CMP_OUT ${CMAKE_CURRENT_BINARY_DIR}/compare-out)
set(SIM_CMP_CQ ${PROJECT_SOURCE_DIR}/models/chongqing)
file(MAKE_DIRECTORY ${SIM_CMP_OUT})

if(NOT EXISTS ${SIM_CMP_CQ}/model.yaml)
  return()
endif()

# (b) Same files with 1 and 2 threads.
add_test(NAME compare.threads_identical
         COMMAND ${CMAKE_COMMAND} -DSDSIM=$<TARGET_FILE:sdsim> -DFILE=${SIM_CMP_CQ}/scenarios/compare.yaml
                 -DOUT=${SIM_CMP_OUT}/threads -P ${SIM_CMP_DIR}/compare_threads.cmake)
# Same table and files with the interpreter and the generated code (--engine
# generated: the system C++ compiler, its object cached in the build tree),
# over samples of the uncertainties too (111: the least the scenario's 110
# correlated parameters allow).
set(cmp_samples "compare|${SIM_CMP_CQ}/scenarios/compare.yaml|--samples|111|--seed|3|--no-charts|--out|@OUT@")
add_test(NAME compare.engines_identical
         COMMAND ${CMAKE_COMMAND} -E env SDSIM_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/test-native-cache
                 ${CMAKE_COMMAND} -DSDSIM=$<TARGET_FILE:sdsim> -DOUT=${SIM_CMP_OUT}/engines
                 "-DARGS_A=${cmp_samples}|--engine|interpreter" "-DARGS_B=${cmp_samples}|--engine|generated"
                 -DFILES=combinations.csv,effects.csv,trajectories.csv,robustness.csv,conclusions.csv,samples.csv,report.md
                 -P ${SIM_CMP_DIR}/same_bytes.cmake)

# The scenario's `indicators:` and `report_at:` are used when the command line
# gives none; the levers are the five of the model, in model order.
if(COMMAND sim_cli_test)
  sim_cli_test(compare_scenario_indicators RC 0
               ARGS compare ${SIM_CMP_CQ}/scenarios/compare.yaml --no-charts --threads 2 --out ${SIM_CMP_OUT}/scenario
               FILE ${SIM_CMP_OUT}/scenario/combinations.csv FILE_BEFORE "<absent>"
               FILE_RE "^combination,planning,land,infrastructure,registration,innovation,rural_income@2030,rural_income@2035,rural_income@2050,urban_income@2030,[^\\n]*,non_citizenized_migrants@2050,cumulative_fiscal_cost@2030,cumulative_fiscal_cost@2035,cumulative_fiscal_cost@2050\\n"
               STDOUT_RE "^32 combinations of 5 levers, ranked by rural_income at 2050"
               STDERR_RE "^scenario: five-lever comparison\\nscenario file: [^\\n]*compare\\.yaml sha256:[0-9a-f]+\\nextends: [^\\n]*baseline\\.yaml sha256:[0-9a-f]+\\nmodel: [^\\n]*model\\.yaml sha256:[0-9a-f]+\\n")
  # The command line wins over the scenario.
  sim_cli_test(compare_cli_wins RC 0
               ARGS compare ${SIM_CMP_CQ}/scenarios/compare.yaml --levers land,planning --at 2040 --indicators income_ratio:min
               STDOUT_RE "^4 combinations of 2 levers, ranked by income_ratio at 2040 \\(lower is better\\)")
  sim_cli_test(compare_bad_engine RC 2 ARGS compare ${SIM_CMP_CQ}/scenarios/compare.yaml --engine fast
               STDERR_RE "unknown engine 'fast' \\(expected interpreter or generated\\)")
  sim_cli_test(compare_scenario_error RC 1 ARGS compare ${SIM_CMP_DIR}/bad_compare_scenario.yaml
               STDERR_RE "bad_compare_scenario\\.yaml:5:19: error: report time 2070 is outside the run")
endif()

# (c) combinations.csv agrees with single runs of the same combinations (the
# baseline scenario: every stock, and the cost from the model's own
# cumulative_fiscal_cost, so that every column is a variable a run can save).
add_executable(compare_e2e ${SIM_CMP_DIR}/compare_e2e.cpp)
target_compile_options(compare_e2e PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic>)
target_compile_features(compare_e2e PRIVATE cxx_std_20)
add_test(NAME compare.matches_single_runs
         COMMAND compare_e2e $<TARGET_FILE:sdsim> ${SIM_CMP_CQ}/scenarios/baseline.yaml ${SIM_CMP_OUT}/e2e)
