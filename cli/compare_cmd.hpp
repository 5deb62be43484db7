// `sdsim compare`: every combination of a model's levers (docs/compare.md).
#pragma once

// argv[0] is "compare"; returns the exit status (0 success, 1 model or run
// error, 2 usage error). Handles its own errors and --help.
int sdsim_compare(int argc, char** argv);
