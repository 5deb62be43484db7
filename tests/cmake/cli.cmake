# End-to-end tests of the sdsim tool through the real binary, and the
# write_file_atomic test binary. Expected values come from the fixtures'
# analytic solutions (see the comments in tests/cli/*.yaml), not from sdsim.
if(NOT TARGET sdsim)
  return()
endif()

set(SIM_CLI_DIR ${CMAKE_CURRENT_SOURCE_DIR}/cli)
set(SIM_CLI_OUT ${CMAKE_CURRENT_BINARY_DIR}/cli-out)
file(MAKE_DIRECTORY ${SIM_CLI_OUT})

# sim_cli_test(NAME RC <code> ARGS <arg>... [STDOUT_RE re] [STDERR_RE re]
#              [STDOUT_NOT_RE re] [STDERR_NOT_RE re] [FILE path] [FILE_BEFORE text]
#              [FILE_RE re] [FILE_EQUALS text] [FILE_ABSENT bool])
# Runs tests/cli/expect.cmake, which checks the exact exit code. In regexes
# and texts "\\n" stands for a newline.
function(sim_cli_test name)
  set(one RC STDOUT_RE STDERR_RE STDOUT_NOT_RE STDERR_NOT_RE FILE FILE_BEFORE FILE_RE FILE_EQUALS FILE_ABSENT)
  cmake_parse_arguments(PARSE_ARGV 1 T "" "${one}" "ARGS")
  list(JOIN T_ARGS "|" args)
  set(defs "-DSDSIM=$<TARGET_FILE:sdsim>" "-DARGS=${args}" "-DEXPECT_RC=${T_RC}")
  foreach(k ${one})
    if(DEFINED T_${k} AND NOT k STREQUAL "RC")
      list(APPEND defs "-D${k}=${T_${k}}")
    endif()
  endforeach()
  add_test(NAME cli.${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${SIM_CLI_DIR}/expect.cmake)
  set_tests_properties(cli.${name} PROPERTIES LABELS "quick;cli")
endfunction()

set(decay ${SIM_CLI_DIR}/decay.yaml)
set(broken ${SIM_CLI_DIR}/unknown_name.yaml)
# Euler, dt = 1: x = 100 * 0.5^t, draining = rate * x.
set(decay_csv "^time,x,draining,rate\\n0,100,50,0\\.5\\n1,50,25,0\\.5\\n2,25,12\\.5,0\\.5\\n3,12\\.5,6\\.25,0\\.5\\n4,6\\.25,3\\.125,0\\.5\\n$")

# --- run: output --------------------------------------------------------------
sim_cli_test(run_csv RC 0 ARGS run ${decay} STDOUT_RE "${decay_csv}" STDERR_RE "^$")
sim_cli_test(run_vars RC 0 ARGS run ${decay} --vars x
             STDOUT_RE "^time,x\\n0,100\\n1,50\\n2,25\\n3,12\\.5\\n4,6\\.25\\n$")
sim_cli_test(run_vars_two RC 0 ARGS run ${decay} "--vars=x, draining"
             STDOUT_RE "^time,x,draining\\n0,100,50\\n")
# RK4 with h*rate = 0.5: growth factor 233/384 per step.
sim_cli_test(run_rk4 RC 0 ARGS run ${decay} --method rk4 --vars x
             STDOUT_RE "^time,x\\n0,100\\n1,60\\.67708333333")
sim_cli_test(run_method_is_used RC 0 ARGS run ${decay} --method rk4 --vars x
             STDOUT_NOT_RE "\\n1,50\\n")
# dt = 0.5: factor 0.75 per step, 4 steps to t = 2.
sim_cli_test(run_stop_dt RC 0 ARGS run ${decay} --stop 2 --dt=0.5 --vars x
             STDOUT_RE "^time,x\\n0,100\\n0\\.5,75\\n1,56\\.25\\n1\\.5,42\\.1875\\n2,31\\.640625\\n$")
sim_cli_test(run_set RC 0 ARGS run ${decay} --set rate=0.25 --stop 1
             STDOUT_RE "^time,x,draining,rate\\n0,100,25,0\\.25\\n1,75,18\\.75,0\\.25\\n$")
sim_cli_test(run_json RC 0 ARGS run ${decay} --format json --vars x
             STDOUT_RE "^\\{\"time\":\\[0,1,2,3,4\\],\"variables\":\\{\"x\":\\[100,50,25,12\\.5,6\\.25\\]\\}\\}\\n$")

# --- run: --out is atomic -------------------------------------------------------
sim_cli_test(out_creates RC 0 ARGS run ${decay} --out ${SIM_CLI_OUT}/created.csv
             FILE ${SIM_CLI_OUT}/created.csv FILE_BEFORE "<absent>" FILE_RE "${decay_csv}" STDOUT_RE "^$")
sim_cli_test(out_replaces RC 0 ARGS run ${decay} -o ${SIM_CLI_OUT}/replaced.csv
             FILE ${SIM_CLI_OUT}/replaced.csv FILE_BEFORE "old content\\n" FILE_RE "${decay_csv}")
sim_cli_test(out_untouched_model_error RC 1 ARGS run ${broken} --out ${SIM_CLI_OUT}/kept1.csv
             FILE ${SIM_CLI_OUT}/kept1.csv FILE_BEFORE "previous results\\n1,2\\n" FILE_EQUALS "previous results\\n1,2\\n")
sim_cli_test(out_untouched_run_error RC 1 ARGS run ${decay} --vars no_such_variable --out ${SIM_CLI_OUT}/kept2.csv
             FILE ${SIM_CLI_OUT}/kept2.csv FILE_BEFORE "previous results\\n" FILE_EQUALS "previous results\\n"
             STDERR_RE "no_such_variable")
sim_cli_test(out_untouched_bad_dt RC 1 ARGS run ${decay} --dt -1 --out ${SIM_CLI_OUT}/kept3.csv
             FILE ${SIM_CLI_OUT}/kept3.csv FILE_BEFORE "previous results\\n" FILE_EQUALS "previous results\\n")
sim_cli_test(out_untouched_usage_error RC 2 ARGS run ${decay} --dt abc --out ${SIM_CLI_OUT}/kept4.csv
             FILE ${SIM_CLI_OUT}/kept4.csv FILE_BEFORE "previous results\\n" FILE_EQUALS "previous results\\n")
sim_cli_test(out_missing_directory RC 1 ARGS run ${decay} --out ${SIM_CLI_OUT}/no/such/dir/r.csv
             STDERR_RE "sdsim: error: cannot .*no/such/dir.*: No such file or directory")

# --- run: errors ----------------------------------------------------------------
sim_cli_test(unknown_name RC 1 ARGS run ${broken}
             STDERR_RE "unknown_name\\.yaml:9:17: error: .*rtae" STDOUT_RE "^$")
sim_cli_test(missing_model_file RC 1 ARGS run ${SIM_CLI_DIR}/no_such_model.yaml
             STDERR_RE "no_such_model\\.yaml" STDOUT_RE "^$")
sim_cli_test(unknown_option RC 2 ARGS run ${decay} --frobnicate
             STDERR_RE "sdsim: error: unknown option '--frobnicate'\\nTry 'sdsim run --help'\\." STDOUT_RE "^$")
sim_cli_test(bad_dt RC 2 ARGS run ${decay} --dt abc STDERR_RE "invalid number 'abc' for --dt")
sim_cli_test(bad_dt_trailing RC 2 ARGS run ${decay} --dt 0.5x STDERR_RE "invalid number '0\\.5x' for --dt")
sim_cli_test(bad_stop RC 2 ARGS run ${decay} --stop= STDERR_RE "invalid number '' for --stop")
sim_cli_test(unknown_method RC 2 ARGS run ${decay} --method leapfrog STDERR_RE "unknown method 'leapfrog'")
sim_cli_test(unknown_format RC 2 ARGS run ${decay} --format xml STDERR_RE "unknown format 'xml'")
sim_cli_test(missing_value RC 2 ARGS run ${decay} --dt STDERR_RE "option --dt requires a value")
sim_cli_test(missing_file RC 2 ARGS run STDERR_RE "missing FILE")
sim_cli_test(two_files RC 2 ARGS run ${decay} ${decay} STDERR_RE "unexpected argument")
sim_cli_test(empty_vars RC 2 ARGS run ${decay} --vars x,,rate STDERR_RE "empty variable name")
sim_cli_test(unknown_command RC 2 ARGS simulate ${decay} STDERR_RE "unknown command 'simulate'")
sim_cli_test(no_command RC 2 STDERR_RE "sdsim: error: missing command")

# --- check ----------------------------------------------------------------------
sim_cli_test(check_good RC 0 ARGS check ${decay} STDOUT_RE "^[^\\n]*decay\\.yaml: 0 errors, 0 warnings\\n$")
sim_cli_test(check_broken RC 1 ARGS check ${broken}
             STDOUT_RE "unknown_name\\.yaml:9:17: error: [^\\n]*rtae.*\\n[^\\n]*unknown_name\\.yaml: [1-9][0-9]* errors?, [0-9]+ warnings?\\n$")
sim_cli_test(check_unknown_option RC 2 ARGS check ${decay} --dt 1 STDERR_RE "Try 'sdsim check --help'")

# --- help and version -------------------------------------------------------------
sim_cli_test(help RC 0 ARGS --help STDOUT_RE "^Usage: sdsim <command>.*run.*check")
sim_cli_test(run_help RC 0 ARGS run --help STDOUT_RE "^Usage: sdsim run FILE.*--method.*--out")
sim_cli_test(check_help RC 0 ARGS check -h STDOUT_RE "^Usage: sdsim check FILE")
sim_cli_test(version RC 0 ARGS --version STDOUT_RE "^sdsim ${PROJECT_VERSION}\\n$")

# --- the bundled models, once present -------------------------------------------------
if(EXISTS ${PROJECT_SOURCE_DIR}/models/classic/teacup.yaml)
  # Teacup: 180 degrees in a 70 degree room, characteristic time 10, so the
  # heat loss starts at 11; Euler with dt 0.125 gives 180 - 0.125 * 11.
  sim_cli_test(classic_teacup RC 0 ARGS run ${PROJECT_SOURCE_DIR}/models/classic/teacup.yaml
               STDOUT_RE "^time,teacup temperature,heat loss to room,room temperature,characteristic time\\n0,180,11,70,10\\n0\\.125,178\\.625,10\\.8625,70,10\\n")
endif()
# Every bundled model must check clean (models/classic/README.md lists them).
foreach(n aging_chain bass sir teacup)
  sim_cli_test(check_classic.${n} RC 0 ARGS check ${PROJECT_SOURCE_DIR}/models/classic/${n}.yaml
               STDOUT_RE "${n}\\.yaml: 0 errors")
endforeach()
set(sim_cli_sir_xmile ${SIM_CONFORMANCE_DIR}/test-models/samples/SIR/SIR.xmile)
if(EXISTS ${sim_cli_sir_xmile})
  # SIR.xmile: 1000 people in total, 5 infectious at t = 0.
  sim_cli_test(xmile_sir RC 0 ARGS run ${sim_cli_sir_xmile} --stop 1 --vars infectious
               STDOUT_RE "^time,infectious\\n0,5\\n0\\.03125,")
endif()

# --- scenarios ---------------------------------------------------------------------
# decay_scenario.yaml: rate 0.25, stop 2, saves x; Euler: x = 100 * 0.75^t.
set(scen ${SIM_CLI_DIR}/decay_scenario.yaml)
# The content hashes are computed here by CMake, independently of sdsim.
file(SHA256 ${scen} scen_sha)
file(SHA256 ${decay} decay_sha)
set(scen_ext ${SIM_CLI_DIR}/decay_extends.yaml)
file(SHA256 ${scen_ext} scen_ext_sha)
sim_cli_test(scenario_csv RC 0 ARGS run ${scen}
             STDOUT_RE "^time,x\\n0,100\\n1,75\\n2,56\\.25\\n$"
             STDERR_RE "^scenario: slow decay\\nscenario file: [^\\n]*decay_scenario\\.yaml sha256:${scen_sha}\\nmodel: [^\\n]*decay\\.yaml sha256:${decay_sha}\\n$")
sim_cli_test(scenario_json RC 0 ARGS run ${scen} --format json
             STDOUT_RE "^\\{\"scenario\":\"slow decay\",\"sources\":\\{\"scenario\":\\[\\{\"path\":\"[^\"]*decay_scenario\\.yaml\",\"sha256\":\"${scen_sha}\"\\}\\],\"model\":\\{\"path\":\"[^\"]*decay\\.yaml\",\"sha256\":\"${decay_sha}\"\\}\\},\"time\":\\[0,1,2\\],\"variables\":\\{\"x\":\\[100,75,56\\.25\\]\\}\\}\\n$")
# extends: the stop comes from the extending file, the rest from the base;
# every file of the chain is hashed, the extending file first.
sim_cli_test(scenario_extends RC 0 ARGS run ${scen_ext}
             STDOUT_RE "^time,x\\n0,100\\n1,75\\n2,56\\.25\\n3,42\\.1875\\n$"
             STDERR_RE "^scenario: longer slow decay\\nscenario file: [^\\n]*decay_extends\\.yaml sha256:${scen_ext_sha}\\nextends: [^\\n]*decay_scenario\\.yaml sha256:${scen_sha}\\nmodel: [^\\n]*decay\\.yaml sha256:${decay_sha}\\n$")
# CSV stays plain; the sources go to the sidecar PATH.meta.json.
sim_cli_test(scenario_out_meta RC 0 ARGS run ${scen_ext} --out ${SIM_CLI_OUT}/ext.csv
             FILE ${SIM_CLI_OUT}/ext.csv.meta.json FILE_BEFORE "<absent>"
             FILE_RE "^\\{\"scenario\":\"longer slow decay\",\"sources\":\\{\"scenario\":\\[\\{\"path\":\"[^\"]*decay_extends\\.yaml\",\"sha256\":\"${scen_ext_sha}\"\\},\\{\"path\":\"[^\"]*decay_scenario\\.yaml\",\"sha256\":\"${scen_sha}\"\\}\\],\"model\":\\{\"path\":\"[^\"]*decay\\.yaml\",\"sha256\":\"${decay_sha}\"\\}\\},\"output\":\"[^\"]*ext\\.csv\"\\}\\n$")
sim_cli_test(model_run_no_meta RC 0 ARGS run ${decay} --out ${SIM_CLI_OUT}/plain.csv
             FILE ${SIM_CLI_OUT}/plain.csv.meta.json FILE_BEFORE "<absent>" FILE_ABSENT TRUE)
# The command line wins: --stop over `sim:`, --vars over `save:`, --set over `set:`.
sim_cli_test(scenario_cli_wins RC 0 ARGS run ${scen} --stop 1 --vars x,draining --set rate=0.5
             STDOUT_RE "^time,x,draining\\n0,100,50\\n1,50,25\\n$")
sim_cli_test(scenario_out RC 0 ARGS run ${scen} --out ${SIM_CLI_OUT}/scenario.csv
             FILE ${SIM_CLI_OUT}/scenario.csv FILE_BEFORE "<absent>" FILE_RE "^time,x\\n0,100\\n1,75\\n2,56\\.25\\n$")
sim_cli_test(scenario_error RC 1 ARGS run ${SIM_CLI_DIR}/bad_scenario.yaml
             STDERR_RE "bad_scenario\\.yaml:5:3: error: [^\\n]*rtae" STDOUT_RE "^$")
sim_cli_test(scenario_check RC 0 ARGS check ${scen} STDOUT_RE "decay_scenario\\.yaml: 0 errors, 0 warnings\\n$")

# --- graph: --out is atomic too ------------------------------------------------
sim_cli_test(graph_out_creates RC 0 ARGS graph ${decay} -o ${SIM_CLI_OUT}/decay.dot
             FILE ${SIM_CLI_OUT}/decay.dot FILE_BEFORE "<absent>"
             FILE_RE "^// Stock-and-flow structure \\(sdsim graph, levels all\\)[^\\n]*\\ndigraph \"decay\" {\\n"
             STDOUT_RE "^$")
sim_cli_test(graph_out_untouched_model_error RC 1 ARGS graph ${broken} --out ${SIM_CLI_OUT}/kept.dot
             FILE ${SIM_CLI_OUT}/kept.dot FILE_BEFORE "old graph\\n" FILE_EQUALS "old graph\\n"
             STDERR_RE "unknown name")

# --- write_file_atomic ------------------------------------------------------------------
add_executable(io_atomic_test ${SIM_CLI_DIR}/io_atomic_test.cpp)
target_link_libraries(io_atomic_test PRIVATE sim::sim)
sim_warnings(io_atomic_test)
add_test(NAME cli.io_atomic COMMAND io_atomic_test ${SIM_CLI_OUT})
set_tests_properties(cli.io_atomic PROPERTIES LABELS "quick;cli")

# Standard output that cannot be written (a full disk: /dev/full) is an
# error, exit 1, with a message, for every command that prints its results there.
if(EXISTS /dev/full)
  foreach(case "run|${SIM_CLI_DIR}/decay.yaml" "graph|${SIM_CLI_DIR}/decay.yaml"
               "compare|${PROJECT_SOURCE_DIR}/models/chongqing/scenarios/compare.yaml|--levers|land,planning")
    string(REGEX REPLACE "\\|.*" "" cmd "${case}")
    string(REPLACE "|" ";" argv "${case}")
    add_test(NAME cli.stdout_full_${cmd}
             COMMAND sh -c "err=$(\"$0\" \"$@\" 2>&1 >/dev/full); rc=$?; echo \"exit $rc: $err\"; [ $rc -eq 1 ] && case $err in *'cannot write to standard output'*) exit 0 ;; esac; exit 1"
                     $<TARGET_FILE:sdsim> ${argv})
    set_tests_properties(cli.stdout_full_${cmd} PROPERTIES LABELS "quick;cli")
  endforeach()
endif()

# --- charts: SVG by default, PNG with --charts png ------------------------------------
# report.md links the charts only if gnuplot drew every one of them (each
# image is renamed into place from NAME.tmp only when the whole script ran).
find_program(SIM_GNUPLOT gnuplot)
if(SIM_GNUPLOT)
  sim_cli_test(compare_charts_svg RC 0 ARGS compare ${SIM_CLI_DIR}/levers.yaml --out ${SIM_CLI_OUT}/charts_svg
               FILE ${SIM_CLI_OUT}/charts_svg/report.md FILE_BEFORE "<absent>"
               FILE_RE "\\]\\(charts/traj_x\\.svg\\)[^\\n]*\\n\\n!\\[[^]]*\\]\\(charts/effects_x\\.svg\\)"
               STDERR_NOT_RE "warning")
  execute_process(COMMAND ${SIM_GNUPLOT} -e "set terminal pngcairo" RESULT_VARIABLE sim_pngcairo
                  OUTPUT_QUIET ERROR_QUIET)
  if(sim_pngcairo EQUAL 0)
    sim_cli_test(compare_charts_png RC 0
                 ARGS compare ${SIM_CLI_DIR}/levers.yaml --charts png --out ${SIM_CLI_OUT}/charts_png
                 FILE ${SIM_CLI_OUT}/charts_png/report.md FILE_BEFORE "<absent>"
                 FILE_RE "\\]\\(charts/traj_x\\.png\\)[^\\n]*\\n\\n!\\[[^]]*\\]\\(charts/effects_x\\.png\\)"
                 STDERR_NOT_RE "warning")
  endif()
endif()
