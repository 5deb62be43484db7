# Fails if an example (examples/*.cpp) is not in SIM_EXAMPLES
# (examples/CMakeLists.txt): an example left out is never built or run.
#   cmake -DDIR=examples -DLISTED=a,b -P every_example_listed.cmake
cmake_minimum_required(VERSION 3.25)
string(REPLACE "," ";" LISTED "${LISTED}")
file(GLOB files RELATIVE ${DIR} ${DIR}/*.cpp)
set(problems "")
foreach(f IN LISTS files)
  string(REGEX REPLACE "\\.cpp$" "" name "${f}")
  if(NOT name IN_LIST LISTED)
    string(APPEND problems "examples/${f} is not in SIM_EXAMPLES (examples/CMakeLists.txt)\n")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "${problems}")
endif()
