# Reliability tests beyond the bad-input corpus (docs/reliability.md):
# killing a run mid-write, and valgrind memcheck on end-to-end runs.
if(NOT TARGET sdsim)
  return()
endif()

add_test(NAME reliability.kill_mid_write
         COMMAND sh ${PROJECT_SOURCE_DIR}/tests/reliability/kill_mid_write.sh $<TARGET_FILE:sdsim>
                 ${CMAKE_CURRENT_BINARY_DIR}/kill-mid-write)

# valgrind memcheck on a few end-to-end runs (skipped where valgrind is not
# installed, or in sanitizer builds, where valgrind cannot run).
find_program(SIM_VALGRIND valgrind)
option(SIM_VALGRIND_TESTS "Run the valgrind memcheck tests" ON)
if(NOT SIM_VALGRIND OR NOT SIM_VALGRIND_TESTS OR CMAKE_CXX_FLAGS MATCHES "sanitize")
  # Reported as skipped (exit 77), so that a run without valgrind says so.
  add_test(NAME reliability.valgrind
           COMMAND sh -c "echo 'valgrind not found, turned off or a sanitizer build: memcheck skipped'; exit 77")
  set_tests_properties(reliability.valgrind PROPERTIES SKIP_RETURN_CODE 77)
endif()
if(SIM_VALGRIND AND SIM_VALGRIND_TESTS AND NOT CMAKE_CXX_FLAGS MATCHES "sanitize")
  set(vg ${SIM_VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect -q)
  set(sim_vg_runs
      "sir|run|${PROJECT_SOURCE_DIR}/models/classic/sir.yaml|--method|rk45"
      "scenario|run|${PROJECT_SOURCE_DIR}/tests/cli/decay_scenario.yaml|--format|json"
      "bad_yaml|check|${PROJECT_SOURCE_DIR}/tests/bad_inputs/yaml/unknown_name.yaml"
      "bad_xmile|check|${PROJECT_SOURCE_DIR}/tests/bad_inputs/xmile/unclosed_tag.xmile"
      "nonfinite|run|${PROJECT_SOURCE_DIR}/tests/bad_inputs/yaml/runtime_div_zero.yaml")
  foreach(r IN LISTS sim_vg_runs)
    string(REPLACE "|" ";" args "${r}")
    list(POP_FRONT args name)
    # sdsim's own exit code (0, or 1 for the bad inputs) is fine; valgrind's
    # 99 (an error or a definite leak) is not.
    add_test(NAME reliability.valgrind.${name}
             COMMAND sh -c "\"$@\" >/dev/null; test $? -ne 99" sh ${vg} $<TARGET_FILE:sdsim> ${args})
    set_tests_properties(reliability.valgrind.${name} PROPERTIES FAIL_REGULAR_EXPRESSION "==[0-9]+== [A-Z]")
  endforeach()
endif()

# --- sdsim flags for run-time faults (sim_cli_test: tests/cmake/cli.cmake) ---
if(COMMAND sim_cli_test)
  set(sim_rel_bad ${PROJECT_SOURCE_DIR}/tests/bad_inputs/yaml)
  set(sim_rel_out ${CMAKE_CURRENT_BINARY_DIR}/reliability-out)
  sim_cli_test(nonfinite_error RC 1 ARGS run ${sim_rel_bad}/runtime_div_zero.yaml --out ${sim_rel_out}/nf.csv
               FILE ${sim_rel_out}/nf.csv FILE_BEFORE "old\\n" FILE_EQUALS "old\\n"
               STDERR_RE "runtime_div_zero\\.yaml:6:11: error: variable 'growth': division by zero at time 3 " STDOUT_RE "^$")
  sim_cli_test(nonfinite_warn RC 0 ARGS run ${sim_rel_bad}/runtime_div_zero.yaml --on-nonfinite=warn --vars x
               STDERR_RE "runtime_div_zero\\.yaml:6:11: warning: variable 'growth': division by zero at time 3 .*\\[E-DIV-ZERO\\]\\n$"
               STDOUT_RE "^time,x\\n0,1\\n1,1\\.3333333333333333\\n2,2\\n3,4\\n4,Inf\\n")
  sim_cli_test(nonfinite_ignore RC 0 ARGS run ${sim_rel_bad}/runtime_div_zero.yaml --on-nonfinite ignore --vars x
               STDERR_RE "^$" STDOUT_RE "\\n4,Inf\\n")
  sim_cli_test(nonfinite_bad_value RC 2 ARGS run ${sim_rel_bad}/runtime_div_zero.yaml --on-nonfinite=maybe
               STDERR_RE "unknown --on-nonfinite 'maybe'")
  sim_cli_test(max_steps RC 1 ARGS run ${PROJECT_SOURCE_DIR}/tests/cli/decay.yaml --max-steps 3 --out ${sim_rel_out}/ms.csv
               FILE ${sim_rel_out}/ms.csv FILE_BEFORE "<absent>" FILE_ABSENT ON
               STDERR_RE "error: the run needs 4 steps, more than the step budget of 3 \\(--max-steps\\)[^\\n]*\\[E-BUDGET\\]")
  sim_cli_test(max_steps_enough RC 0 ARGS run ${PROJECT_SOURCE_DIR}/tests/cli/decay.yaml --max-steps 4 --vars x
               STDOUT_RE "\\n4,6\\.25\\n$")
  sim_cli_test(max_steps_bad RC 2 ARGS run ${PROJECT_SOURCE_DIR}/tests/cli/decay.yaml --max-steps 2.5
               STDERR_RE "--max-steps expects a positive whole number")
  # 1e8 Euler steps: far more than any machine does in 0.05 s, so the
  # wall-clock budget (not the run's end) must stop it.
  sim_cli_test(max_seconds RC 1 ARGS run ${PROJECT_SOURCE_DIR}/tests/cli/decay.yaml --stop 100000 --dt 0.001
               --save-step 1000 --max-seconds 0.05 --out ${sim_rel_out}/wall.csv
               FILE ${sim_rel_out}/wall.csv FILE_BEFORE "<absent>" FILE_ABSENT ON
               STDERR_RE "wall-clock budget of 0\\.05 s \\(--max-seconds\\)[^\\n]*\\[E-BUDGET\\]")
endif()
