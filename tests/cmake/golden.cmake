# Golden command-line tests: each tests/cli/golden/CASE.txt holds the arguments,
# the exact exit code, stdout and stderr of one sdsim run (tests/cli/golden.cmake
# compares). Regenerate a case after an intended change with
#   cmake -DSDSIM=build/cli/sdsim -DCASE=tests/cli/golden/CASE.txt -DSOURCE_DIR=$PWD -DUPDATE=ON -P tests/cli/golden.cmake
# and review the diff. Cases are listed explicitly (no globbing).
if(NOT TARGET sdsim)
  return()
endif()
set(SIM_GOLDEN_CASES
  help
  help_word
  help_short
  version
  run_help
  check_help
  check_program
  compare_help
  no_command
  unknown_command
  unknown_top_option
  run_missing_file
  run_two_files
  run_unknown_option
  run_unknown_option_value
  run_bad_dt
  run_bad_dt_trailing
  run_empty_stop
  run_missing_value
  run_unknown_method
  run_unknown_format
  run_empty_vars
  run_bad_set
  run_bad_set_value
  run_set_unknown
  run_set_stock
  compare_set_unknown
  run_bad_max_steps
  run_bad_max_seconds
  run_bad_nonfinite
  run_help_value
  run_csv
  run_json_vars
  run_vars_set_stop
  run_options_after_file
  run_dashdash
  run_unknown_variable
  run_model_error
  run_missing_model
  run_scenario
  run_scenario_json
  run_nonfinite_warn
  run_max_steps
  check_good
  check_broken
  check_scenario
  check_unknown_option
  check_missing_file
  compare_missing_file
  compare_bad_threads
  compare_bad_indicator
  compare_empty_levers
  compare_bad_at
  compare_no_levers
  compare_unknown_option
  compare_bad_scenario
  compare_chongqing_two
  compare_rank_by
  compare_rank_by_unknown
  compare_defaults
  graph_help
  graph_levers
  graph_stocks
  graph_bad_levels
  graph_model_error
  graph_vars
  graph_unknown_var
)
foreach(c ${SIM_GOLDEN_CASES})
  add_test(NAME golden.${c}
           COMMAND ${CMAKE_COMMAND} -DSDSIM=$<TARGET_FILE:sdsim> -DCASE=${CMAKE_CURRENT_SOURCE_DIR}/cli/golden/${c}.txt
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/golden.cmake)
  set_tests_properties(golden.${c} PROPERTIES LABELS "quick;cli")
endforeach()
