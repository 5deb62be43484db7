#!/usr/bin/env bash
# Installs the Debian packages libsim needs that are not on the machine yet.
# Runs apt-get directly as root, through sudo otherwise. Idempotent.
set -euo pipefail
# libzip-dev, libfreexl-dev: the Vensim reader reads .xlsx data files (zip archives) and .xls
# (Excel 97) ones.
# clang-14 + libclang-rt-14-dev: sanitizer and libFuzzer builds; valgrind: memcheck tests;
# python3: seeds the parser fuzzer; python3-yaml, python3-numpy: the Chongqing model's table and
# calibration checks (models/chongqing/tools); graphviz: renders `sdsim graph` output (the
# graph test and models/chongqing/tools/diagram.py); libutf8proc-dev: Unicode normalisation
# (NFC) of names; libcpp-httplib-dev: the dashboard's server
# (sdsim serve); chromium, chromium-driver, python3-selenium: the browser tests of the dashboard
# and of report.html, and their screenshots; fonts-noto-cjk: Chinese labels in charts;
# python3-dev, pybind11-dev, python3-pandas, python3-pytest: the Python module and its pytest
# suite (python/, docs/python.md); libopenmpi-dev, openmpi-bin: ensembles across MPI ranks
# (docs/scaling.md); time: /usr/bin/time -v in scripts/fuzz-cpu.sh.
pkgs=(cmake ninja-build g++ libeigen3-dev libboost-dev libyaml-cpp-dev doctest-dev
      libpugixml-dev libzip-dev libfreexl-dev pkg-config libbenchmark-dev libcli11-dev gnuplot-nox clang-14 libclang-rt-14-dev valgrind python3
      python3-yaml python3-numpy graphviz libutf8proc-dev libcpp-httplib-dev chromium chromium-driver python3-selenium fonts-noto-cjk
      python3-dev pybind11-dev python3-pandas python3-pytest libopenmpi-dev openmpi-bin time)
# One dpkg-query for every package (one call each took about a second):
# a line "NAME=ii " per installed package.
nl=$'\n'
installed="$nl$(dpkg-query -W -f='${Package}=${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)$nl"
missing=()
for p in "${pkgs[@]}"; do
  case "$installed" in *"$nl$p=ii "*) ;; *) missing+=("$p") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
