# Consumer test through add_subdirectory: configures, builds and runs
# examples/consumer_subdir, which takes libsim in with add_subdirectory (as
# package_consumer.cmake does through find_package). Registered by
# tests/cmake/consumers.cmake.
#   -DBUILD_DIR=<scratch build dir> -DSOURCE_DIR=<repo> -DGENERATOR=... -DCXX_COMPILER=...
cmake_minimum_required(VERSION 3.25)
foreach(v BUILD_DIR SOURCE_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "subdir_consumer.cmake: ${v} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE ${BUILD_DIR})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# Built without optimisation (-O0, no build type): the test is about taking
# libsim in through add_subdirectory, and an optimised rebuild of the library
# took 3-4 minutes of CI time (Release: 222 s).
step("configuring the consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/consumer_subdir -B ${BUILD_DIR}
     -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O0
     -DSIM_SOURCE_DIR=${SOURCE_DIR})
# Not the top-level project: libsim must not add its tools, tests or install rules.
file(STRINGS ${BUILD_DIR}/CMakeCache.txt cli REGEX "^SIM_BUILD_CLI:")
if(NOT cli MATCHES "=OFF$")
  message(FATAL_ERROR "as a subdirectory, libsim should default SIM_BUILD_CLI to OFF: ${cli}")
endif()
step("building the consumer" ${CMAKE_COMMAND} --build ${BUILD_DIR} --target app)
find_program(app NAMES app PATHS ${BUILD_DIR} NO_DEFAULT_PATH)
if(NOT app)
  message(FATAL_ERROR "the consumer's executable was not built")
endif()
step("running the consumer" ${app})
message(STATUS "${step_output}")
