# models/chongqing: the README's generated tables are those tools/tables.py makes from the
# model, tools/calibrate.py, run again, stays at the model's fitted values and standard
# errors, and the README's diagram is what `sdsim graph` gives. They need /usr/bin/python3
# (tables and calibration: PyYAML; calibration: numpy; reported as skipped without).
if(NOT TARGET sdsim OR NOT EXISTS ${PROJECT_SOURCE_DIR}/models/chongqing/tools/tables.py)
  return()
endif()
set(SIM_CQ_TOOLS ${PROJECT_SOURCE_DIR}/models/chongqing/tools)
add_test(NAME chongqing.readme_tables_current
         COMMAND sh -c "/usr/bin/python3 -c 'import yaml' 2>/dev/null || exit 77; exec /usr/bin/python3 \"$0\" --sdsim \"$1\" --check"
                 ${SIM_CQ_TOOLS}/tables.py $<TARGET_FILE:sdsim>)
add_test(NAME chongqing.calibration_reproduces
         COMMAND sh -c "/usr/bin/python3 -c 'import numpy, yaml' 2>/dev/null || exit 77; exec /usr/bin/python3 \"$0\" --sdsim \"$1\" --check"
                 ${SIM_CQ_TOOLS}/calibrate.py $<TARGET_FILE:sdsim>)
set_tests_properties(chongqing.readme_tables_current chongqing.calibration_reproduces PROPERTIES SKIP_RETURN_CODE 77)
# The README's stock-and-flow diagram (diagram.dot) is what `sdsim graph` gives now.
add_test(NAME chongqing.diagram_current
         COMMAND sh -c "test -x /usr/bin/python3 || exit 77; exec /usr/bin/python3 \"$0\" --sdsim \"$1\" --check"
                 ${SIM_CQ_TOOLS}/diagram.py $<TARGET_FILE:sdsim>)
set_tests_properties(chongqing.diagram_current PROPERTIES SKIP_RETURN_CODE 77)
