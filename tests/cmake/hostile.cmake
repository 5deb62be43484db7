# The hostile-input suite (tests/hostile/hostile.py, docs/reliability.md):
# one ctest per case, hostile.<case>, each asserting the exit code, the
# message, the peak memory and what is left on disk. Needs /usr/bin/python3;
# without it a single test reports the suite as skipped.
if(NOT TARGET sdsim)
  return()
endif()
set(SIM_HOSTILE ${PROJECT_SOURCE_DIR}/tests/hostile/hostile.py)
set(SIM_HOSTILE_ENV "")
if(CMAKE_CXX_FLAGS MATCHES "sanitize")
  # ASan reserves terabytes of address space: no RLIMIT_AS, no RSS bound there.
  set(SIM_HOSTILE_ENV "SIM_SANITIZED=1")
endif()
if(NOT EXISTS /usr/bin/python3)
  add_test(NAME hostile.suite COMMAND sh -c "echo '/usr/bin/python3 not found: hostile-input suite skipped'; exit 77")
  set_tests_properties(hostile.suite PROPERTIES SKIP_RETURN_CODE 77)
  return()
endif()
execute_process(COMMAND /usr/bin/python3 ${SIM_HOSTILE} sdsim --list OUTPUT_VARIABLE cases
                RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tests/hostile/hostile.py --list failed")
endif()
string(REPLACE "\n" ";" cases "${cases}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SIM_HOSTILE})
foreach(c IN LISTS cases)
  add_test(NAME hostile.${c} COMMAND /usr/bin/python3 ${SIM_HOSTILE} $<TARGET_FILE:sdsim> ${c})
  set_tests_properties(hostile.${c} PROPERTIES LABELS hostile TIMEOUT 300 ENVIRONMENT "${SIM_HOSTILE_ENV}"
                                             SKIP_RETURN_CODE 77)
endforeach()
# The kill and concurrency cases run many compares: not beside each other.
set_tests_properties(hostile.output_compare_kill hostile.output_compare_concurrent PROPERTIES RUN_SERIAL ON)
