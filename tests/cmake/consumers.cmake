# Consumers of libsim: an ODR test (two translation units that each include
# every public header, linked together, with warnings as errors) and a
# consumer project that takes libsim in through add_subdirectory (the
# find_package consumer is tests/cmake/packaging.cmake).
add_executable(odr_test ${CMAKE_CURRENT_SOURCE_DIR}/odr/odr_a.cpp ${CMAKE_CURRENT_SOURCE_DIR}/odr/odr_b.cpp)
target_link_libraries(odr_test PRIVATE sim::sim sim::report)
sim_warnings(odr_test)
target_compile_options(odr_test PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Werror>)
add_test(NAME consumers.odr COMMAND odr_test)
set_tests_properties(consumers.odr PROPERTIES LABELS quick)

add_test(NAME consumers.add_subdirectory
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}/test-subdir-consumer
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/subdir_consumer.cmake)
set_tests_properties(consumers.add_subdirectory PROPERTIES TIMEOUT 900 LABELS packaging)
