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
