# Golden command-line tests: each tests/cli/golden/CASE.txt holds the arguments,
# the exact exit code, stdout and stderr of one sdsim run (tests/cli/golden.cmake
# compares). Regenerate a case after an intended change with
#   cmake -DSDSIM=build/cli/sdsim -DCASE=tests/cli/golden/CASE.txt -DSOURCE_DIR=$PWD -DUPDATE=ON -P tests/cli/golden.cmake
# and review the diff (a case that writes files, '--out @OUT@', also needs
# -DOUT_DIR=/tmp/some-dir). Cases are listed explicitly (no globbing).
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
  compare_bad_lang
  compare_bad_charts
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
  compare_samples
  compare_samples_bad
  compare_samples_zero
  compare_seed_without_samples
  compare_samples_none
  compare_samples_too_large
  compare_samples_correlated_few
  sensitivity_help
  sensitivity_missing_samples
  sensitivity_missing_out
  sensitivity_bad_method
  sensitivity_bad_charts
  sensitivity_bad_seed
  sensitivity_bootstrap_morris
  sensitivity_too_large
  sensitivity_no_uncertainties
  sensitivity_sobol
  sensitivity_morris
  sensitivity_correlated
  calibrate_help
  calibrate_missing_data
  calibrate_missing_fit
  calibrate_bad_bounds
  calibrate_bounds_order
  calibrate_bad_starts
  calibrate_bad_weights
  calibrate_bad_charts
  calibrate_data_missing_file
  calibrate_unknown_parameter
  calibrate_decay
  check_behaviour
  check_behaviour_fail
  check_behaviour_none
  check_behaviour_program
  graph_help
  graph_levers
  graph_stocks
  graph_bad_levels
  graph_model_error
  graph_vars
  graph_unknown_var
  serve_help
  serve_missing_file
  serve_bad_port
  serve_bad_concurrent
  serve_unknown_option
  serve_model_error
)
foreach(c ${SIM_GOLDEN_CASES})
  add_test(NAME golden.${c}
           COMMAND ${CMAKE_COMMAND} -DSDSIM=$<TARGET_FILE:sdsim> -DCASE=${CMAKE_CURRENT_SOURCE_DIR}/cli/golden/${c}.txt
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUT_DIR=${CMAKE_CURRENT_BINARY_DIR}/golden-out/${c}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/golden.cmake)
  set_tests_properties(golden.${c} PROPERTIES LABELS "quick;cli")
endforeach()
