#!/bin/sh
# Kills `sdsim run --out OUT` with SIGKILL while it writes OUT and checks that
# OUT is byte-identical to what it was before and that the run left nothing
# half-written in its place. Registered by tests/cmake/reliability.cmake.
#   kill_mid_write.sh SDSIM WORKDIR
# The model writes ~2 million rows (tens of MB), so the write takes long
# enough to be caught: the script waits for the run's temporary output (an
# unnamed O_TMPFILE file, seen through /proc/PID/fd, or a named FILE.tmp.*)
# to grow, then kills. If the run finishes first the test cannot show anything
# and fails (rather than pass vacuously).
set -eu
sdsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cat >"$work/big.yaml" <<'YAML'
name: many rows
sim: {start: 0, stop: 20000, dt: 0.01}
stocks:
  x: {initial: 1, inflows: [f]}
flows:
  f: SIN(TIME) * 0.001
aux:
  y: x * 2
  z: x + y
YAML
out=$work/existing.csv
printf 'time,x\n0,42\n' >"$out"
cp "$out" "$work/before.csv"

"$sdsim" run "$work/big.yaml" --out "$out" 2>"$work/stderr" &
pid=$!
killed=no
i=0
# Size of the temporary output the run is writing; 0 if none yet.
tmp_size() {
  for fd in /proc/$pid/fd/*; do
    t=$(readlink "$fd" 2>/dev/null) || continue
    case $t in
      "$work"/\#*|"$out".tmp.*) stat -L -c %s "$fd" 2>/dev/null && return ;;
    esac
  done
  echo 0
}
while [ $i -lt 6000 ]; do   # up to 60 s
  if [ "$(tmp_size)" -gt 100000 ]; then
    kill -KILL $pid
    killed=yes
    break
  fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
  i=$((i + 1))
done
wait $pid 2>/dev/null || true

if [ $killed != yes ]; then
  echo "FAIL: the run was not caught mid-write (it ended or never wrote); nothing was tested"
  exit 1
fi
if ! cmp -s "$out" "$work/before.csv"; then
  echo "FAIL: $out changed although the run was killed"
  head -c 200 "$out"
  exit 1
fi
# SIGKILL cannot be caught; the temporary is an unnamed O_TMPFILE file
# (ext4, xfs, tmpfs, btrfs), which vanishes with the process: nothing may remain.
ls -a "$work"
left=$(ls -A "$work" | grep -v -e '^big.yaml$' -e '^existing.csv$' -e '^before.csv$' -e '^stderr$' || true)
if [ -n "$left" ]; then
  echo "FAIL: unexpected files: $left"
  exit 1
fi
# A new run over the same path still succeeds and replaces the file whole.
"$sdsim" run "$work/big.yaml" --stop 1 --out "$out"
head -n 1 "$out" | grep -q '^time,x,f,y,z$' || { echo "FAIL: rerun did not write"; exit 1; }
echo "OK: killed mid-write, $out untouched"
