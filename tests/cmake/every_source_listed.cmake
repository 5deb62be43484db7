# Fails if a unit-test source in DIR/unit or an example in EXAMPLES is not in
# the explicit lists (UNIT: tests/CMakeLists.txt, EXAMPLE_LIST:
# examples/CMakeLists.txt), so that no test or example is silently left
# unbuilt, or if a listed file does not exist.
#   cmake -DDIR=tests -DEXAMPLES=examples -DUNIT=unit/a.cpp,... -DEXAMPLE_LIST=a,b -P every_source_listed.cmake
cmake_minimum_required(VERSION 3.25)
string(REPLACE "," ";" UNIT "${UNIT}")
string(REPLACE "," ";" EXAMPLE_LIST "${EXAMPLE_LIST}")
set(problems "")
file(GLOB units RELATIVE ${DIR} ${DIR}/unit/*.cpp)
foreach(f IN LISTS units)
  if(NOT f IN_LIST UNIT)
    string(APPEND problems "${f} is not in SIM_UNIT_TESTS (tests/CMakeLists.txt)\n")
  endif()
endforeach()
foreach(f IN LISTS UNIT)
  if(NOT EXISTS ${DIR}/${f})
    string(APPEND problems "SIM_UNIT_TESTS names ${f}, which does not exist\n")
  endif()
endforeach()
set(examples "")
if(EXAMPLE_LIST)  # empty when the examples are not built
  file(GLOB examples RELATIVE ${EXAMPLES} ${EXAMPLES}/*.cpp)
endif()
foreach(f IN LISTS examples)
  string(REGEX REPLACE "\\.cpp$" "" name "${f}")
  if(NOT name IN_LIST EXAMPLE_LIST)
    string(APPEND problems "examples/${f} is not in SIM_EXAMPLES (examples/CMakeLists.txt)\n")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "${problems}")
endif()
