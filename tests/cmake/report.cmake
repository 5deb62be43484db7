# Reports for readers (issue 18): report.html of the Chongqing comparison in
# headless Chromium, English and Chinese (tests/report/report_html_test.py).
# Without chromium, chromedriver or python3-selenium it exits 77: "Skipped"
# (scripts/install-deps.sh installs them, so CI runs it).
set(SIM_BROWSER_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with python3-selenium, for the browser tests")
add_test(NAME report.html_browser
         COMMAND ${SIM_BROWSER_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/report/report_html_test.py
                 --sdsim $<TARGET_FILE:sdsim> --source ${PROJECT_SOURCE_DIR})
set_tests_properties(report.html_browser PROPERTIES LABELS "report;browser" TIMEOUT 600 SKIP_RETURN_CODE 77)
