# Finds what the Python module needs and sets SIM_PYTHON (docs/python.md).
#
# The interpreter: -DPython3_EXECUTABLE=... if given. Otherwise the first of
# `python3` on PATH and /usr/bin/python3 that imports numpy and pandas (a
# pyenv or virtualenv python3 on PATH often lacks the Debian packages that
# scripts/install-deps.sh installs for /usr/bin/python3), else FindPython3's
# own choice. The module is built for that interpreter's headers and ABI.
#
# SIM_PYTHON defaults to ON when Python 3 development files and pybind11 are
# found and libsim is the top-level project (OFF inside a consumer's
# add_subdirectory); -DSIM_PYTHON=ON makes a missing one an error, OFF skips
# the module.
if((DEFINED SIM_PYTHON AND NOT SIM_PYTHON) OR (NOT DEFINED SIM_PYTHON AND NOT SIM_TOP_LEVEL))
  option(SIM_PYTHON "Build the Python module libsim (pybind11)" OFF)
  return()
endif()
if(NOT Python3_EXECUTABLE)
  find_program(_sim_path_python3 NAMES python3 NO_CACHE)
  foreach(_py ${_sim_path_python3} /usr/bin/python3)
    if(EXISTS "${_py}")
      execute_process(COMMAND "${_py}" -c "import numpy, pandas" RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
      if(_rc EQUAL 0)
        set(Python3_EXECUTABLE "${_py}" CACHE FILEPATH "Python 3 interpreter the libsim module is built for")
        break()
      endif()
    endif()
  endforeach()
endif()
find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
if(Python3_FOUND)
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
set(_sim_python_found OFF)
if(Python3_FOUND AND pybind11_FOUND)
  set(_sim_python_found ON)
endif()
option(SIM_PYTHON "Build the Python module libsim (pybind11)" ${_sim_python_found})
if(SIM_PYTHON AND NOT _sim_python_found)
  message(FATAL_ERROR "SIM_PYTHON=ON but Python 3 development files (python3-dev) or pybind11 (pybind11-dev) "
                      "were not found; run scripts/install-deps.sh or configure with -DSIM_PYTHON=OFF")
endif()
if(SIM_PYTHON)
  message(STATUS "Python module: ON (${Python3_EXECUTABLE}, Python ${Python3_VERSION}, pybind11 ${pybind11_VERSION})")
else()
  message(STATUS "Python module: OFF (Python 3 development files or pybind11 not found)")
endif()
