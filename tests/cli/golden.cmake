# Runs one golden case of sdsim and compares its exit code, stdout and
# stderr exactly with tests/cli/golden/CASE.txt. Used by tests/cmake/golden.cmake:
#   cmake -DSDSIM=<sdsim> -DCASE=<file> -DSOURCE_DIR=<repo> [-DUPDATE=ON] -P golden.cmake
# A case file:
#   args: run|tests/cli/decay.yaml|--dt|abc      ('|' separates the arguments)
#   exit: 2
#   --- stdout
#   <exact standard output>--- stderr
#   <exact standard error>
# (each block starts on the line after its marker and ends where the next
# marker or the file begins/ends). The command runs in SOURCE_DIR, so paths
# in the output are as given. -DUPDATE=ON rewrites the file from the output.
# With -DOUT_DIR=<dir> (emptied first), '@OUT@' in the arguments stands for
# that directory, and the directory is written back as '@OUT@' in stdout
# and stderr, so a case may write files (e.g. --out @OUT@).
cmake_minimum_required(VERSION 3.25)
foreach(v SDSIM CASE SOURCE_DIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "golden.cmake: ${v} is not set")
  endif()
endforeach()

file(READ "${CASE}" text)
string(REGEX MATCH "^args: ([^\n]*)\nexit: ([0-9]+)\n--- stdout\n" head "${text}")
if(NOT head)
  message(FATAL_ERROR "${CASE}: expected 'args: ...', 'exit: N' and '--- stdout' lines first")
endif()
set(args_line "${CMAKE_MATCH_1}")
set(want_rc "${CMAKE_MATCH_2}")
string(LENGTH "${head}" head_len)
string(SUBSTRING "${text}" ${head_len} -1 rest)
string(FIND "${rest}" "--- stderr\n" sep)
if(sep LESS 0)
  message(FATAL_ERROR "${CASE}: no '--- stderr' line")
endif()
string(SUBSTRING "${rest}" 0 ${sep} want_out)
math(EXPR err_start "${sep} + 11")
string(SUBSTRING "${rest}" ${err_start} -1 want_err)

string(REPLACE "|" ";" args "${args_line}")
if(NOT DEFINED OUT_DIR AND args_line MATCHES "@OUT@")
  message(FATAL_ERROR "${CASE} writes to @OUT@: pass -DOUT_DIR=<scratch dir>")
endif()
if(DEFINED OUT_DIR)
  file(REMOVE_RECURSE "${OUT_DIR}")
  string(REPLACE "@OUT@" "${OUT_DIR}" args "${args}")
endif()
execute_process(COMMAND "${SDSIM}" ${args} WORKING_DIRECTORY "${SOURCE_DIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(DEFINED OUT_DIR)
  string(REPLACE "${OUT_DIR}" "@OUT@" out "${out}")
  string(REPLACE "${OUT_DIR}" "@OUT@" err "${err}")
endif()

if(UPDATE)
  file(WRITE "${CASE}" "args: ${args_line}\nexit: ${rc}\n--- stdout\n${out}--- stderr\n${err}")
  message(STATUS "updated ${CASE}")
  return()
endif()

set(failed "")
if(NOT rc STREQUAL want_rc)
  string(APPEND failed "exit code ${rc}, expected ${want_rc}\n")
endif()
if(NOT out STREQUAL want_out)
  string(APPEND failed "stdout differs.\n--- expected stdout:\n${want_out}--- got:\n${out}\n")
endif()
if(NOT err STREQUAL want_err)
  string(APPEND failed "stderr differs.\n--- expected stderr:\n${want_err}--- got:\n${err}\n")
endif()
if(failed)
  string(REPLACE ";" " " cmdline "${args}")
  message(FATAL_ERROR "sdsim ${cmdline}\n${failed}")
endif()
