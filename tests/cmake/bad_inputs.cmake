# The bad-input corpus (tests/bad_inputs/, docs/reliability.md): one ctest per
# input, each asserting the exact diagnostic (file:line:col, variable, code,
# message fragment), exit code 1 and that `sdsim run --out` created nothing.
# The expectations are in tests/bad_inputs/expected.tsv, one row per input:
#   file  code  line  col  variable  message  [at]
# `file` is relative to tests/bad_inputs; gen/NAME.yaml is written at test
# time by check_bad_input.cmake (deep_parens, huge_equation); `variable` "-"
# means none; `at` is the file the diagnostic names if not the input itself.
# Codes found only by running (E-NONFINITE, E-DIV-ZERO, E-BUDGET) must pass
# `sdsim check`.
if(NOT TARGET sdsim)
  return()
endif()

set(SIM_BAD_DIR ${PROJECT_SOURCE_DIR}/tests/bad_inputs)
set(SIM_BAD_OUT ${CMAKE_CURRENT_BINARY_DIR}/bad-inputs-out)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SIM_BAD_DIR}/expected.tsv)

# ';' would split a row (a CMake list) and the test's arguments, and an
# unbalanced '[' stops list splitting: check_bad_input.cmake compares with
# ';' as <semicolon> and turns <lb>/<rb> back into brackets.
file(READ ${SIM_BAD_DIR}/expected.tsv sim_bad_text)
string(REPLACE ";" "<semicolon>" sim_bad_text "${sim_bad_text}")
string(REPLACE "[" "<lb>" sim_bad_text "${sim_bad_text}")
string(REPLACE "]" "<rb>" sim_bad_text "${sim_bad_text}")
string(REPLACE "\n" ";" sim_bad_rows "${sim_bad_text}")
foreach(row IN LISTS sim_bad_rows)
  if(row MATCHES "^#" OR row STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" f "${row}")
  list(LENGTH f n)
  if(n LESS 6)
    message(FATAL_ERROR "tests/bad_inputs/expected.tsv: malformed row: ${row}")
  endif()
  list(GET f 0 file)
  list(GET f 1 code)
  list(GET f 2 line)
  list(GET f 3 col)
  list(GET f 4 variable)
  list(GET f 5 msg)
  set(at "")
  if(n GREATER 6)
    list(GET f 6 at)
    if(at STREQUAL "-")
      set(at "")
    else()
      set(at "${SIM_BAD_DIR}/${at}")
    endif()
  endif()
  set(gen "")
  if(file MATCHES "^gen/([a-z_]+)\\.")
    set(gen "${CMAKE_MATCH_1}")
    set(input "${SIM_BAD_OUT}/${file}")
  else()
    set(input "${SIM_BAD_DIR}/${file}")
  endif()
  set(runtime OFF)
  if(code MATCHES "^E-(NONFINITE|DIV-ZERO|BUDGET)$")
    set(runtime ON)
  endif()
  string(REGEX REPLACE "\\.[a-z]+$" "" tname "${file}")
  string(REPLACE "/" "." tname "${tname}")
  set(sim_bad_tests ${sim_bad_tests} bad_input.${tname})
  add_test(NAME bad_input.${tname}
           COMMAND ${CMAKE_COMMAND} "-DSDSIM=$<TARGET_FILE:sdsim>" "-DINPUT=${input}" "-DGENERATE=${gen}"
                   "-DCODE=${code}" "-DLINE=${line}" "-DCOL=${col}" "-DVARIABLE=${variable}"
                   "-DMESSAGE=${msg}" "-DAT=${at}" "-DRUNTIME=${runtime}" "-DOUT_DIR=${SIM_BAD_OUT}"
                   -P ${SIM_BAD_DIR}/check_bad_input.cmake)
endforeach()

# Every input file must have its row; checked when the test runs (the
# corpus is data, not a source list): tests/bad_inputs/every_file_listed.cmake.
add_test(NAME bad_input.every_file_listed
         COMMAND ${CMAKE_COMMAND} -DDIR=${SIM_BAD_DIR} -P ${SIM_BAD_DIR}/every_file_listed.cmake)
set_tests_properties(bad_input.every_file_listed PROPERTIES LABELS quick)
set_tests_properties(${sim_bad_tests} PROPERTIES LABELS quick)
