# Vensim .mdl cases: one ctest per line of the SDXorg suite's cases-mdl.tsv
# (conformance.<model path>, as the XMILE cases) and one per wild model of
# ../shared/wild-models/cases.tsv (wild.<folder>), each run by
# conformance_runner under the suite's pass rule (rtol = atol = 1e-5; the
# wild models' NaN cells, Vensim's :NA:, are not compared). The files are
# read in place, never copied. Cases listed in
# conformance/known_failures_mdl.tsv must fail (each has its reason there).
set(_sim_mdl_cases "${SIM_CONFORMANCE_DIR}/test-models/cases-mdl.tsv")
set(_sim_wild_cases "${SIM_WILD_MODELS_DIR}/cases.tsv")

if(NOT TARGET conformance_runner)
  add_executable(conformance_runner ${CMAKE_CURRENT_SOURCE_DIR}/conformance/conformance_runner.cpp)
  target_link_libraries(conformance_runner PRIVATE sim::sim)
endif()

# Cases known not to pass, with their reasons: run with --known-failure.
set(_sim_known_list "${CMAKE_CURRENT_SOURCE_DIR}/conformance/known_failures_mdl.tsv")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_sim_known_list}")
file(STRINGS "${_sim_known_list}" _sim_known_lines REGEX "^[^#]")
set(_sim_known "")
foreach(_line IN LISTS _sim_known_lines)
  string(REPLACE "\t" ";" _fields "${_line}")
  list(GET _fields 0 _m)
  list(APPEND _sim_known "${_m}")
endforeach()

# Reads a case list; registers PREFIX.<model> for each line.
function(sim_vensim_cases list root prefix label extra)
  if(NOT EXISTS "${list}")
    message(STATUS "Vensim cases not found at ${list}: skipped")
    add_test(NAME ${prefix}.suite COMMAND sh -c "echo 'cases not found at $0: skipped'; exit 77" "${list}")
    set_tests_properties(${prefix}.suite PROPERTIES SKIP_RETURN_CODE 77 LABELS ${label})
    return()
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${list}")
  file(STRINGS "${list}" _lines)
  list(POP_FRONT _lines)
  foreach(_line IN LISTS _lines)
    string(REPLACE "\t" ";" _fields "${_line}")
    list(LENGTH _fields _n)
    if(_n LESS 2)
      continue()
    endif()
    list(GET _fields 0 _model)
    list(GET _fields 1 _expected)
    if(prefix STREQUAL "wild")
      get_filename_component(_name "${_model}" DIRECTORY)
    else()
      set(_name "${_model}")
    endif()
    set(_args ${extra})
    if(_model IN_LIST _sim_known)
      list(APPEND _args --known-failure)
    endif()
    add_test(NAME ${prefix}.${_name} COMMAND conformance_runner "${root}" "${_model}" "${_expected}" ${_args})
    set_tests_properties(${prefix}.${_name} PROPERTIES LABELS ${label} TIMEOUT 120)
  endforeach()
endfunction()

sim_vensim_cases("${_sim_mdl_cases}" "${SIM_CONFORMANCE_DIR}/test-models" conformance conformance "")
sim_vensim_cases("${_sim_wild_cases}" "${SIM_WILD_MODELS_DIR}" wild wild "--skip-nan")
