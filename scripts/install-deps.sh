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
# Every package was found installed by an earlier call, and dpkg's database
# has not changed since (no package installed or removed): nothing to do,
# without dpkg-query (30 ms of every main job). The stamp holds the package
# list, so a changed list checks again.
stamp="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/libsim/install-deps.ok"
want="${pkgs[*]}"
if [ -f "$stamp" ] && [ "$stamp" -nt /var/lib/dpkg/status ] && IFS= read -r have <"$stamp" && [ "$have" = "$want" ]; then
  exit 0
fi
# One dpkg-query for every package (one call each took about a second):
# a line "NAME=ii " per installed package.
nl=$'\n'
installed="$nl$(dpkg-query -W -f='${Package}=${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)$nl"
missing=()
for p in "${pkgs[@]}"; do
  case "$installed" in *"$nl$p=ii "*) ;; *) missing+=("$p") ;; esac
done
if [ ${#missing[@]} -eq 0 ]; then
  { mkdir -p "$(dirname "$stamp")" && printf '%s\n' "$want" >"$stamp.$$" && mv -f "$stamp.$$" "$stamp"; } 2>/dev/null || rm -f "$stamp.$$" 2>/dev/null || true
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
