# The dashboard (`sdsim serve`, libsim/serve, docs/serve.md):
#  - serve_tests (doctest): the JSON reader, the API's answers and refusals,
#    and the HTTP server on a free port, over real connections;
#  - serve.process: the sdsim process (address on stdout, SIGINT and SIGTERM,
#    a port in use, a broken model);
#  - serve.browser: the page in headless Chromium driven by Selenium. Without
#    chromium, chromedriver or python3-selenium it exits 77: "Skipped".
if(NOT TARGET sim_serve)
  return()
endif()

find_package(Threads REQUIRED)
add_executable(serve_tests main.cpp serve/test_json.cpp serve/test_api.cpp)
target_link_libraries(serve_tests PRIVATE sim::serve sim::sim doctest::doctest PkgConfig::HTTPLIB Threads::Threads)
target_include_directories(serve_tests PRIVATE ${PROJECT_SOURCE_DIR}/libsim/serve/src ${PROJECT_SOURCE_DIR}/libsim/src
                                               ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(serve_tests PRIVATE SIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
sim_warnings(serve_tests)
doctest_discover_tests(serve_tests WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       EXTRA_ARGS --skip-exit-code=77
                       PROPERTIES SKIP_RETURN_CODE 77 LABELS "quick;serve")

# /usr/bin/python3: the Debian interpreter that has python3-selenium (the
# python3 on PATH may be another one).
set(SIM_BROWSER_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with python3-selenium, for the dashboard's browser test")
add_test(NAME serve.process
         COMMAND ${SIM_BROWSER_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/serve/process_test.py
                 --sdsim $<TARGET_FILE:sdsim> --source ${PROJECT_SOURCE_DIR})
set_tests_properties(serve.process PROPERTIES LABELS "quick;serve" TIMEOUT 120)
add_test(NAME serve.browser
         COMMAND ${SIM_BROWSER_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/serve/browser_test.py
                 --sdsim $<TARGET_FILE:sdsim> --source ${PROJECT_SOURCE_DIR})
set_tests_properties(serve.browser PROPERTIES LABELS "serve;browser" TIMEOUT 600 SKIP_RETURN_CODE 77)
