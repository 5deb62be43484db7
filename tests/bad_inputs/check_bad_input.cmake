# Runs sdsim on one bad input and asserts the exact diagnostic; registered by
# tests/cmake/bad_inputs.cmake as `cmake -D... -P check_bad_input.cmake`.
#
#   SDSIM     the sdsim binary
#   INPUT     the bad input file
#   GENERATE  if set, INPUT is first written by this script: deep_parens
#             (10,000 nested parentheses) or huge_equation (a 1 MB equation)
#   CODE LINE COL VARIABLE MESSAGE
#             the diagnostic: a line "AT:LINE:COL: error: variable 'VARIABLE':
#             ...MESSAGE... [CODE]" must appear (LINE 0: "AT: error: ...";
#             VARIABLE "-": no "variable '...': " part)
#   AT        the file the diagnostic names (default INPUT)
#   RUNTIME   if true the error is found only by running: `sdsim check` must pass
#   OUT_DIR   where `sdsim run --out` is pointed; the file must not appear
#
# Both `sdsim run FILE --out OUT` (exit 1, diagnostic on stderr, nothing on
# stdout, OUT not created, no temporary left) and `sdsim check FILE` (exit 1,
# the diagnostic on stdout) are checked.
cmake_minimum_required(VERSION 3.25)

foreach(v SDSIM INPUT CODE LINE COL VARIABLE MESSAGE OUT_DIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_bad_input.cmake: ${v} is not set")
  endif()
endforeach()
string(REPLACE "<lb>" "[" MESSAGE "${MESSAGE}")
string(REPLACE "<rb>" "]" MESSAGE "${MESSAGE}")
string(REPLACE "<semicolon>" ";" MESSAGE "${MESSAGE}")
if(NOT DEFINED AT OR AT STREQUAL "")
  set(AT "${INPUT}")
endif()

if(DEFINED GENERATE AND NOT GENERATE STREQUAL "")
  get_filename_component(gdir "${INPUT}" DIRECTORY)
  file(MAKE_DIRECTORY "${gdir}")
  if(GENERATE STREQUAL "deep_parens")
    # Line 4, column 6 is the first '('; the parser's depth limit stops it
    # long before the stack could overflow.
    string(REPEAT "(" 10000 open)
    string(REPEAT ")" 10000 close)
    file(WRITE "${INPUT}" "name: deep parentheses\nconstants: {a: 1}\naux:\n  b: ${open}a${close}\n")
  elseif(GENERATE STREQUAL "huge_equation")
    # About 1 MB: "a + a + ... + a + missing_name"; the unknown name is at
    # the very end of line 4 (column 4 + 4 * 262144 + 1).
    string(REPEAT "a + " 262144 body)
    file(WRITE "${INPUT}" "name: huge equation\nconstants: {a: 1}\naux:\n  b: ${body}missing_name\n")
  else()
    message(FATAL_ERROR "unknown GENERATE '${GENERATE}'")
  endif()
endif()

get_filename_component(stem "${INPUT}" NAME)
get_filename_component(parent "${INPUT}" DIRECTORY)
get_filename_component(parent "${parent}" NAME)
set(out "${OUT_DIR}/${parent}_${stem}.csv")
file(MAKE_DIRECTORY "${OUT_DIR}")
file(REMOVE "${out}")

set(prefix "${AT}")
if(NOT LINE STREQUAL "0")
  string(APPEND prefix ":${LINE}")
  if(NOT COL STREQUAL "0")
    string(APPEND prefix ":${COL}")
  endif()
endif()
string(APPEND prefix ": error: ")
if(NOT VARIABLE STREQUAL "-")
  string(APPEND prefix "variable '${VARIABLE}': ")
endif()
set(suffix " [${CODE}]")

# Sets ${result} to TRUE if some line of `text` is the expected diagnostic.
function(has_diagnostic result text)
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "[" "<lb>" text "${text}")
  string(REPLACE "]" "<rb>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  string(REPLACE ";" "<semicolon>" m "${MESSAGE}")
  string(REPLACE "[" "<lb>" m "${m}")
  string(REPLACE "]" "<rb>" m "${m}")
  string(REPLACE ";" "<semicolon>" p "${prefix}")
  string(REPLACE "[" "<lb>" p "${p}")
  string(REPLACE "]" "<rb>" p "${p}")
  string(REPLACE "[" "<lb>" sfx "${suffix}")
  string(REPLACE "]" "<rb>" sfx "${sfx}")
  string(LENGTH "${p}" plen)
  string(LENGTH "${sfx}" slen)
  set(found FALSE)
  foreach(l IN LISTS lines)
    string(LENGTH "${l}" len)
    if(len LESS plen OR len LESS slen)
      continue()
    endif()
    string(SUBSTRING "${l}" 0 ${plen} head)
    math(EXPR at "${len} - ${slen}")
    string(SUBSTRING "${l}" ${at} ${slen} tail)
    string(FIND "${l}" "${m}" pos)
    if(head STREQUAL p AND tail STREQUAL sfx AND pos GREATER_EQUAL 0)
      set(found TRUE)
      break()
    endif()
  endforeach()
  set(${result} ${found} PARENT_SCOPE)
endfunction()

set(failed "")
set(want "${prefix}...${MESSAGE}...${suffix}")

execute_process(COMMAND "${SDSIM}" run "${INPUT}" --out "${out}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE run_out ERROR_VARIABLE run_err)
if(NOT rc STREQUAL "1")
  string(APPEND failed "sdsim run: exit code ${rc}, expected 1\n")
endif()
has_diagnostic(ok "${run_err}")
if(NOT ok)
  string(APPEND failed "sdsim run: no diagnostic\n  ${want}\n")
endif()
if(NOT run_out STREQUAL "")
  string(APPEND failed "sdsim run: wrote to standard output\n")
endif()
if(EXISTS "${out}")
  string(APPEND failed "sdsim run: created ${out}\n")
endif()
file(GLOB temps "${out}.tmp.*")
if(temps)
  string(APPEND failed "sdsim run: left temporary files ${temps}\n")
endif()

execute_process(COMMAND "${SDSIM}" check "${INPUT}"
                RESULT_VARIABLE crc OUTPUT_VARIABLE check_out ERROR_VARIABLE check_err)
if(RUNTIME)
  if(NOT crc STREQUAL "0")
    string(APPEND failed "sdsim check: exit code ${crc}, expected 0 (the error shows only at run time)\n")
  endif()
else()
  if(NOT crc STREQUAL "1")
    string(APPEND failed "sdsim check: exit code ${crc}, expected 1\n")
  endif()
  has_diagnostic(ok "${check_out}")
  if(NOT ok)
    string(APPEND failed "sdsim check: no diagnostic\n  ${want}\n")
  endif()
endif()

if(failed)
  string(SUBSTRING "${run_err}" 0 4000 run_err)
  string(SUBSTRING "${check_out}" 0 4000 check_out)
  message(FATAL_ERROR "${INPUT}\n${failed}--- run stderr:\n${run_err}\n--- check stdout:\n${check_out}")
endif()
