# sdsim generate, run --engine and bench through the real binary (the
# results' equality with the interpreter, bit for bit, is tested in
# tests/unit/test_generated.cpp). Generated code is cached under the build
# directory; skipped (77) where there is no C++ compiler.
if(NOT TARGET sdsim)
  return()
endif()
set(gen_out ${CMAKE_CURRENT_BINARY_DIR}/cli-out/generated)
set(gen_env "SDSIM_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/cli-out/generated-cache")

sim_cli_test(generate_writes RC 0 ARGS generate ${decay} --cpp ${gen_out}
             FILE ${gen_out}/decay.hpp FILE_RE "class decay : public sim::Model"
             STDERR_RE "decay\\.cpp")
sim_cli_test(generate_name_namespace RC 0 ARGS generate ${decay} --cpp ${gen_out} --name mydecay --namespace app::models
             FILE ${gen_out}/mydecay.hpp FILE_RE "namespace app::models \\{.*class mydecay : public sim::Model")
sim_cli_test(generate_bad_name RC 2 ARGS generate ${decay} --cpp ${gen_out} --name 9x
             STDERR_RE "--name expects a C\\+\\+ identifier.*got '9x'")
sim_cli_test(generate_bad_namespace RC 1 ARGS generate ${decay} --cpp ${gen_out} --namespace "a b"
             STDERR_RE "namespace 'a b' is not a C\\+\\+ namespace name.*E-GENERATE")
sim_cli_test(generate_needs_cpp RC 2 ARGS generate ${decay} STDERR_RE "--cpp")
sim_cli_test(generate_model_error RC 1 ARGS generate ${broken} --cpp ${gen_out} STDERR_RE "E-UNKNOWN-NAME")

sim_cli_test(run_engine_generated RC 0 ARGS run ${decay} --engine generated STDOUT_RE "${decay_csv}")
sim_cli_test(run_engine_interpreter RC 0 ARGS run ${decay} --engine interpreter STDOUT_RE "${decay_csv}")
sim_cli_test(run_engine_unknown RC 2 ARGS run ${decay} --engine fast STDERR_RE "unknown engine 'fast'")
sim_cli_test(bench_interpreter RC 0 ARGS bench ${decay} --runs 5
             STDOUT_RE "engine interpreter, method euler, 4 steps.*5 runs: CPU time per run median .* runs per second")
sim_cli_test(bench_generated RC 0 ARGS bench ${decay} --runs 3 --engine generated --method rk4
             STDOUT_RE "generated code: .*engine generated, method rk4.*3 runs: CPU time per run median")
sim_cli_test(bench_bad_runs RC 2 ARGS bench ${decay} --runs 0 STDERR_RE "--runs expects")
# A DELAY FIXED time that turns negative: the same diagnostic, whole, from both engines.
set(negative_delay_err "^error: variable 'draining': the delay time of DELAY FIXED became -0\\.5 in the step to time 3; it must be zero or positive \\(a negative delay would reach into the future\\) \\[E-DELAY-TIME\\]\\n$")
foreach(engine generated interpreter)
  sim_cli_test(run_negative_delay_${engine} RC 1 ARGS run ${SIM_CLI_DIR}/negative_delay.yaml --engine ${engine}
               STDOUT_RE "^$" STDERR_RE "${negative_delay_err}")
endforeach()
foreach(t run_engine_generated bench_generated run_negative_delay_generated)
  set_tests_properties(cli.${t} PROPERTIES ENVIRONMENT "${gen_env}")
endforeach()
