"""ctest entry of the Python suite: exits 77 (ctest: skipped) when numpy,
pandas, pytest or PyYAML is missing for this interpreter (1 instead when
SIM_REQUIRE_PYTHON_TESTS=1, as scripts/test.sh sets), else runs pytest."""
import importlib.util
import os
import sys

missing = [m for m in ("numpy", "pandas", "pytest", "yaml") if importlib.util.find_spec(m) is None]
if missing:
    print(f"SKIP: {sys.executable} lacks {', '.join(missing)} (scripts/install-deps.sh installs them)")
    sys.exit(1 if os.environ.get("SIM_REQUIRE_PYTHON_TESTS") == "1" else 77)
import pytest  # noqa: E402

sys.exit(pytest.main(["-p", "no:cacheprovider", "-q", *sys.argv[1:]]))
