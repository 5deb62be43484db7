# SDXorg conformance cases: one ctest test per line of cases.tsv, named
# conformance.<model path>, e.g. conformance.tests/lookups/test_lookups.xmile.
# The case files are read in place from SIM_CONFORMANCE_DIR (never copied).
set(SIM_CONFORMANCE_CASES "${SIM_CONFORMANCE_DIR}/test-models/cases.tsv")
if(NOT EXISTS "${SIM_CONFORMANCE_CASES}")
  # Reported as skipped by ctest (exit 77), never silently absent or passed.
  message(STATUS "Conformance cases not found at ${SIM_CONFORMANCE_CASES}: the conformance test is skipped")
  add_test(NAME conformance.suite
           COMMAND sh -c "echo 'conformance cases not found at $0 (set SIM_CONFORMANCE_DIR): skipped'; exit 77"
                   "${SIM_CONFORMANCE_CASES}")
  set_tests_properties(conformance.suite PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
  return()
endif()

add_executable(conformance_runner ${CMAKE_CURRENT_SOURCE_DIR}/conformance/conformance_runner.cpp)
target_link_libraries(conformance_runner PRIVATE sim::sim)
target_compile_options(conformance_runner PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic>)

# Re-configure when the case list changes.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${SIM_CONFORMANCE_CASES}")
file(STRINGS "${SIM_CONFORMANCE_CASES}" _sim_case_lines)
list(POP_FRONT _sim_case_lines)  # header: model, expected, notes
foreach(_line IN LISTS _sim_case_lines)
  string(REPLACE "\t" ";" _fields "${_line}")
  list(LENGTH _fields _n)
  if(_n LESS 2)
    continue()
  endif()
  list(GET _fields 0 _model)
  list(GET _fields 1 _expected)
  add_test(NAME conformance.${_model}
           COMMAND conformance_runner "${SIM_CONFORMANCE_DIR}/test-models" "${_model}" "${_expected}")
  set_tests_properties(conformance.${_model} PROPERTIES LABELS conformance TIMEOUT 60)
  # The CSV `sdsim run` writes names its columns as the expected file does.
  if(TARGET sdsim)
    string(MAKE_C_IDENTIFIER "${_model}" _id)
    set(_csv "${CMAKE_CURRENT_BINARY_DIR}/conformance-csv/${_id}.csv")
    add_test(NAME conformance_header.${_model}
             COMMAND sh -c "mkdir -p \"$(dirname \"$3\")\" && \"$0\" run \"$1\" --out \"$3\" && \"$4\" --header \"$2\" \"$3\""
                     $<TARGET_FILE:sdsim> "${SIM_CONFORMANCE_DIR}/test-models/${_model}"
                     "${SIM_CONFORMANCE_DIR}/test-models/${_expected}" "${_csv}" $<TARGET_FILE:conformance_runner>)
    set_tests_properties(conformance_header.${_model} PROPERTIES LABELS conformance TIMEOUT 60)
  endif()
endforeach()

# XMILE <macro>: the suite's XMILE macro cases call macros they never
# define (broken as shipped, known_failures_xmile.tsv); tests/xmile_macro
# holds our own models defining the macros of their .mdl twins, each run
# and compared with the suite's expected output, read in place.
foreach(_case macro_expression macro_multi_expression macro_multi_macros macro_stock)
  add_test(NAME xmile_macro.${_case}
           COMMAND conformance_runner "${SIM_CONFORMANCE_DIR}/test-models"
                   "${CMAKE_CURRENT_SOURCE_DIR}/xmile_macro/${_case}.xmile" "tests/${_case}/output.tab")
  set_tests_properties(xmile_macro.${_case} PROPERTIES LABELS "conformance;xmile" TIMEOUT 60)
endforeach()

# Every XMILE case of the suite (cases-xmile.tsv, 90 cases): one ctest per
# case not already registered from cases.tsv, named the same way. Cases
# listed in conformance/known_failures_xmile.tsv (with their reasons; cases
# broken as shipped say so) are run with --known-failure: each must still
# fail, and one that passes fails its test until its line is removed.
set(_sim_xmile_cases "${SIM_CONFORMANCE_DIR}/test-models/cases-xmile.tsv")
set(_sim_xmile_known_list "${CMAKE_CURRENT_SOURCE_DIR}/conformance/known_failures_xmile.tsv")
if(EXISTS "${_sim_xmile_cases}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_sim_xmile_cases}" "${_sim_xmile_known_list}")
  file(STRINGS "${_sim_xmile_known_list}" _known_lines REGEX "^[^#]")
  set(_sim_xmile_known "")
  foreach(_line IN LISTS _known_lines)
    string(REPLACE "\t" ";" _fields "${_line}")
    list(GET _fields 0 _m)
    list(APPEND _sim_xmile_known "${_m}")
  endforeach()
  set(_sim_core "")
  foreach(_line IN LISTS _sim_case_lines)
    string(REPLACE "\t" ";" _fields "${_line}")
    list(GET _fields 0 _m)
    list(APPEND _sim_core "${_m}")
  endforeach()
  file(STRINGS "${_sim_xmile_cases}" _lines)
  list(POP_FRONT _lines)
  foreach(_line IN LISTS _lines)
    string(REPLACE "\t" ";" _fields "${_line}")
    list(LENGTH _fields _n)
    if(_n LESS 2)
      continue()
    endif()
    list(GET _fields 0 _model)
    list(GET _fields 1 _expected)
    if(_model IN_LIST _sim_core)
      continue()  # registered above from cases.tsv
    endif()
    set(_args "")
    if(_model IN_LIST _sim_xmile_known)
      set(_args --known-failure)
    endif()
    add_test(NAME conformance.${_model}
             COMMAND conformance_runner "${SIM_CONFORMANCE_DIR}/test-models" "${_model}" "${_expected}" ${_args})
    set_tests_properties(conformance.${_model} PROPERTIES LABELS "conformance;xmile" TIMEOUT 120)
  endforeach()
else()
  message(STATUS "XMILE case list not found at ${_sim_xmile_cases}: those cases are skipped")
  add_test(NAME conformance_xmile.suite
           COMMAND sh -c "echo 'cases not found at $0: skipped'; exit 77" "${_sim_xmile_cases}")
  set_tests_properties(conformance_xmile.suite PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
endif()

# docs/conformance.md's per-case tables are what the runs give today:
# scripts/conformance_report.py --check reruns every case of both case lists
# and fails if the document differs (regenerate it without --check).
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND AND EXISTS "${SIM_CONFORMANCE_DIR}/test-models/cases-mdl.tsv"
   AND EXISTS "${SIM_CONFORMANCE_DIR}/test-models/cases-xmile.tsv")
  add_test(NAME conformance.report_current
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/conformance_report.py --check
                   --runner $<TARGET_FILE:conformance_runner> --suite "${SIM_CONFORMANCE_DIR}/test-models"
                   --doc ${PROJECT_SOURCE_DIR}/docs/conformance.md)
  set_tests_properties(conformance.report_current PROPERTIES LABELS conformance TIMEOUT 600)
else()
  add_test(NAME conformance.report_current
           COMMAND sh -c "echo 'python3 or the case lists not found: skipped'; exit 77")
  set_tests_properties(conformance.report_current PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
endif()
