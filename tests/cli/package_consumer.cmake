# Packaging test: install the built project into a prefix under the build
# directory, then configure, build and run examples/consumer against it through
# find_package(sim CONFIG). Registered by tests/cmake/packaging.cmake.
#
#   -DBUILD_DIR=<the project's build dir> -DSOURCE_DIR=<the project's source dir>
#   -DGENERATOR=<generator> -DCXX_COMPILER=<compiler> -DBUILD_TYPE=<config>
cmake_minimum_required(VERSION 3.25)

foreach(v BUILD_DIR SOURCE_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "package_consumer.cmake: ${v} is not set")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()

set(prefix ${BUILD_DIR}/test-install)
set(consumer_build ${BUILD_DIR}/test-consumer)
# Start from nothing so that stale files from an earlier run prove nothing.
file(REMOVE_RECURSE ${prefix} ${consumer_build})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${BUILD_TYPE})

# The package must be complete without the source or build tree.
include(GNUInstallDirs)
foreach(f include/sim/sim.hpp include/sim/model.hpp include/sim/write.hpp include/sim/report.hpp
          include/sim/expected.hpp include/sim/version.hpp include/sim/graph.hpp
          ${CMAKE_INSTALL_LIBDIR}/libsim.a ${CMAKE_INSTALL_LIBDIR}/libsim_report.a
          ${CMAKE_INSTALL_LIBDIR}/cmake/sim/sim-config.cmake
          ${CMAKE_INSTALL_LIBDIR}/cmake/sim/sim-config-version.cmake
          ${CMAKE_INSTALL_LIBDIR}/cmake/sim/sim-targets.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()

# The installed tool runs from the prefix.
if(NOT EXISTS ${prefix}/${CMAKE_INSTALL_BINDIR}/sdsim)
  message(FATAL_ERROR "not installed: ${prefix}/${CMAKE_INSTALL_BINDIR}/sdsim")
endif()
step("the installed sdsim" ${prefix}/${CMAKE_INSTALL_BINDIR}/sdsim --version)
if(NOT step_output MATCHES "^sdsim [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "the installed sdsim --version printed: ${step_output}")
endif()

step("configuring the consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/consumer -B ${consumer_build}
     -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
# It must have found the installed package, not some other libsim.
file(STRINGS ${consumer_build}/CMakeCache.txt sim_dir REGEX "^sim_DIR:")
if(NOT sim_dir MATCHES "test-install/")
  message(FATAL_ERROR "the consumer found sim elsewhere: ${sim_dir}")
endif()

step("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build} --config ${BUILD_TYPE})

find_program(app NAMES app PATHS ${consumer_build} ${consumer_build}/${BUILD_TYPE} NO_DEFAULT_PATH)
if(NOT app)
  message(FATAL_ERROR "the consumer's executable was not built")
endif()
step("running the consumer" ${app})
message(STATUS "${step_output}")

# The model compiled ahead of time by sim_add_model (the installed sdsim generated it).
find_program(aot NAMES aot PATHS ${consumer_build} ${consumer_build}/${BUILD_TYPE} NO_DEFAULT_PATH)
if(NOT aot)
  message(FATAL_ERROR "the consumer's sim_add_model executable (aot) was not built")
endif()
if(NOT EXISTS ${consumer_build}/sim_models/aot/decay.cpp)
  message(FATAL_ERROR "sim_add_model did not generate ${consumer_build}/sim_models/aot/decay.cpp")
endif()
step("running the consumer's model compiled ahead of time" ${aot})
message(STATUS "${step_output}")
