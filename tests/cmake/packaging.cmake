# Packaging: install into <build>/test-install and build examples/consumer
# against it with find_package(sim CONFIG) (see tests/cli/package_consumer.cmake).
# Needs the whole project built first (the install step installs sdsim too).
if(NOT SIM_INSTALL)
  return()
endif()
add_test(NAME packaging.consumer
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -DBUILD_TYPE=$<CONFIG>
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/package_consumer.cmake)
set_tests_properties(packaging.consumer PROPERTIES TIMEOUT 600 LABELS packaging)
