# The Python module's pytest suite (python/tests). Skipped (77) when the
# module was not configured (no pybind11 or Python development files) or
# when its interpreter lacks numpy, pandas, pytest or PyYAML.
if(SIM_PYTHON)
  add_test(NAME python.pytest
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/python/tests/run_pytest.py
                   ${PROJECT_SOURCE_DIR}/python/tests)
  set_tests_properties(python.pytest PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS python
    ENVIRONMENT "PYTHONPATH=${PROJECT_BINARY_DIR}/python;SDSIM=$<TARGET_FILE:sdsim>;SIM_SOURCE_DIR=${PROJECT_SOURCE_DIR};SIM_BINARY_DIR=${PROJECT_BINARY_DIR};SIM_CONFORMANCE_DIR=${SIM_CONFORMANCE_DIR}")
else()
  add_test(NAME python.pytest
           COMMAND ${CMAKE_COMMAND} -E echo "SKIP: the Python module was not configured (SIM_PYTHON=OFF: pybind11-dev or python3-dev missing)")
  set_tests_properties(python.pytest PROPERTIES SKIP_RETURN_CODE 0 LABELS python)
endif()
