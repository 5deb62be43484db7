# End-to-end tests of `sdsim sensitivity`, `sdsim compare --samples`,
# `sdsim calibrate` and `sdsim check --behaviour` through the real binary on
# small fixtures whose answers are known (tests/cli/uncertain.yaml,
# decay.yaml with decay_data.csv): the same seed gives the same bytes with
# 1 and 2 threads, another seed other samples, and the files hold the known
# values. Help texts, usage errors and exact outputs: the golden cases.
if(NOT TARGET sdsim)
  return()
endif()

set(SIM_UNC_DIR ${CMAKE_CURRENT_SOURCE_DIR}/cli)
set(SIM_UNC_OUT ${CMAKE_CURRENT_BINARY_DIR}/uncertainty-out)
set(unc ${SIM_UNC_DIR}/uncertain.yaml)

# sim_same_bytes(NAME ARGS_A a|b|... ARGS_B ... FILES f1,f2 [EXPECT differ] [REGEX file|re]...)
function(sim_same_bytes name)
  cmake_parse_arguments(PARSE_ARGV 1 T "" "ARGS_A;ARGS_B;FILES;EXPECT" "REGEX")
  set(defs -DSDSIM=$<TARGET_FILE:sdsim> -DOUT=${SIM_UNC_OUT}/${name} "-DARGS_A=${T_ARGS_A}"
           "-DARGS_B=${T_ARGS_B}" -DFILES=${T_FILES})
  if(T_EXPECT)
    list(APPEND defs -DEXPECT=${T_EXPECT})
  endif()
  set(n 0)
  foreach(re IN LISTS T_REGEX)
    math(EXPR n "${n} + 1")
    list(APPEND defs "-DREGEX_${n}=${re}")
  endforeach()
  add_test(NAME uncertainty.${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${SIM_UNC_DIR}/same_bytes.cmake)
  set_tests_properties(uncertainty.${name} PROPERTIES LABELS "quick;cli")
endfunction()

# Sobol': x(4) = 4 g, so h's indices are exactly 0 (f(A) = f(AB_h)); the
# files are the same bytes with 1 and 2 threads.
set(sens "sensitivity|${unc}|--samples|64|--seed|3|--no-charts|--out|@OUT@")
sim_same_bytes(sensitivity_threads
               ARGS_A "${sens}|--threads|1" ARGS_B "${sens}|--threads|2"
               FILES samples.csv,indicators.csv,percentiles.csv,indices.csv,trajectories.csv,report.md
               REGEX "indices.csv|^indicator,time,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,SRRC,PRCC\\nx,4,g,0\\.9"
                     "indices.csv|\\nx,4,h,0,0,0,0,0,0,"
                     "samples.csv|^sample,g,h\\n0,"
                     "percentiles.csv|^indicator,time,p5,p25,p50,p75,p95,mean\\nx,4,"
                     "report.md|Charts were not made: disabled")
# Another seed, other samples.
sim_same_bytes(sensitivity_seed
               ARGS_A "${sens}" ARGS_B "sensitivity|${unc}|--samples|64|--seed|4|--no-charts|--out|@OUT@"
               FILES samples.csv EXPECT differ)
# The same bytes on the generated code (--engine generated, compiled by the
# system C++ compiler and cached in the build tree).
sim_same_bytes(sensitivity_engines
               ARGS_A "${sens}|--engine|interpreter" ARGS_B "${sens}|--engine|generated"
               FILES samples.csv,indicators.csv,percentiles.csv,indices.csv,trajectories.csv,report.md)
set_tests_properties(uncertainty.sensitivity_engines PROPERTIES
                     ENVIRONMENT "SDSIM_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/test-native-cache")
set(morris "sensitivity|${unc}|--method|morris|--samples|12|--seed|3|--no-charts|--out|@OUT@")
sim_same_bytes(sensitivity_morris_threads
               ARGS_A "${morris}|--threads|1" ARGS_B "${morris}|--threads|2"
               FILES samples.csv,indicators.csv,morris.csv,indices.csv,report.md
               REGEX "morris.csv|^indicator,time,parameter,mu,mu_star,sigma\\nx,4,g,4,4,"
                     "morris.csv|\\nx,4,h,0,0,0\\n")

# compare --samples: a+b is best in every sample (p_best 1, no regret); b
# beats a exactly when 2h > g.
set(cmp "compare|${unc}|--samples|50|--seed|7|--no-charts|--out|@OUT@")
sim_same_bytes(compare_samples_threads
               ARGS_A "${cmp}|--threads|1" ARGS_B "${cmp}|--threads|2"
               FILES combinations.csv,effects.csv,trajectories.csv,samples.csv,robustness.csv,conclusions.csv,report.md
               REGEX "robustness.csv|^combination,indicator,time,p_best,regret_mean,regret_p95,p5,p50,p95\\n"
                     "robustness.csv|\\na\\+b,x,4,1,0,0,"
                     "conclusions.csv|\\nx,4,x at 4: a\\+b is the best combination,1,yes\\n"
                     "effects.csv|^indicator,time,measure,lever,other_lever,value,mean,p5,p50,p95,share_positive,share_negative\\nx,4,baseline,,,4,"
                     "report.md|## Conclusions under uncertainty at 4")
sim_same_bytes(compare_samples_seed
               ARGS_A "${cmp}" ARGS_B "compare|${unc}|--samples|50|--seed|8|--no-charts|--out|@OUT@"
               FILES samples.csv EXPECT differ)

# calibrate: the rate of decay.yaml from data made at 0.3 with small errors;
# the starts run in parallel, the result does not depend on it.
set(cal "calibrate|${SIM_UNC_DIR}/decay.yaml|--data|${SIM_UNC_DIR}/decay_data.csv|--fit|rate|--bounds|rate=0.05:0.95|--no-charts|--out|@OUT@")
sim_same_bytes(calibrate_threads
               ARGS_A "${cal}|--threads|1" ARGS_B "${cal}|--threads|2"
               FILES fit.csv,correlation.csv,fitted.csv,starts.csv,report.md
               REGEX "fit.csv|^parameter,estimate,std_error,lower,upper,start\\nrate,0\\.299[0-9]*,0\\.00[0-9]"
                     "fitted.csv|^indicator,time,data,model,residual,weight\\nx,0,100,100,0,1\\n")
# The same bytes on the generated code (--engine generated, compiled by the
# system C++ compiler and cached in the build tree).
sim_same_bytes(calibrate_engines
               ARGS_A "${cal}|--engine|interpreter" ARGS_B "${cal}|--engine|generated"
               FILES fit.csv,correlation.csv,fitted.csv,starts.csv,report.md)
set_tests_properties(uncertainty.calibrate_engines PROPERTIES
                     ENVIRONMENT "SDSIM_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/test-native-cache")

if(COMMAND sim_cli_test)
  # Without --samples, compare writes none of the uncertainty files.
  sim_cli_test(compare_without_samples RC 0
               ARGS compare ${unc} --no-charts --out ${SIM_UNC_OUT}/plain
               FILE ${SIM_UNC_OUT}/plain/effects.csv
               FILE_RE "^indicator,time,measure,lever,other_lever,value\\nx,4,baseline,,,4\\n")
  # A scenario's checks add to its model's; one fails at t = 3.
  sim_cli_test(check_behaviour_scenario RC 1 ARGS check ${SIM_UNC_DIR}/uncertain_fail.yaml --behaviour
               STDOUT_RE "\\nFAIL x stays below 3: 'x < 3' is false at time 3 \\(x = 3\\)\\n2 of 3 checks passed\\n$")
endif()

# The Chongqing model: its comparison under uncertainty (the main job's
# command, N = 120: a round N above its 110 correlated parameters)
# and its behaviour checks, if it declares them.
set(SIM_UNC_CQ ${PROJECT_SOURCE_DIR}/models/chongqing)
if(EXISTS ${SIM_UNC_CQ}/model.yaml)
  file(READ ${SIM_UNC_CQ}/model.yaml cq_text)
  if(cq_text MATCHES "\nuncertainties:")
    set(cq "compare|${SIM_UNC_CQ}/scenarios/compare.yaml|--samples|120|--seed|1|--no-charts|--out|@OUT@")
    sim_same_bytes(chongqing_compare_samples
                   ARGS_A "${cq}|--threads|1" ARGS_B "${cq}|--threads|2"
                   FILES robustness.csv,conclusions.csv,effects.csv,report.md
                   REGEX "report.md|## Ranking under uncertainty at 2050")
  endif()
  if(cq_text MATCHES "\nchecks:" AND COMMAND sim_cli_test)
    # Exit 0 only if every check passes (CMake regexes have no backreferences).
    sim_cli_test(chongqing_behaviour RC 0 ARGS check ${SIM_UNC_CQ}/model.yaml --behaviour
                 STDOUT_RE "\\nPASS [^\\n]*\\n[0-9]+ of [0-9]+ checks passed\\n$")
  endif()
endif()
