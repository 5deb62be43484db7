#!/usr/bin/env bash
# Strong scaling of the Chongqing ensemble across MPI ranks (docs/scaling.md):
# 32 lever combinations x N samples (default 1,000: 32,000 runs) through
# bench/mpi_ensemble, one worker thread per rank, on 1 and 2 ranks, REPS
# times each (default 3), alternating, so that both see the same machine.
# Prints every measurement, the medians and the efficiency
#   E(2) = T(1) / (2 T(2))      (T: the ensemble's wall time on rank 0)
# the CPU seconds summed over the ranks (their ratio says what splitting
# costs, whatever the machine lends the ranks), and checks that 1 and 2
# ranks wrote the same bytes.
#
#   bench/mpi_scaling.sh BUILD_DIR [SAMPLES]
set -eu
build=${1:?usage: bench/mpi_scaling.sh BUILD_DIR [SAMPLES]}
samples=${2:-1000}
reps=${REPS:-3}
ens=$build/bench/mpi_ensemble
[ -x "$ens" ] || { echo "no $ens: configure with SIM_MPI=ON and build the target mpi_ensemble" >&2; exit 1; }
mpi="mpirun --oversubscribe --allow-run-as-root --bind-to none"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { sed -n "s/.* $1 \([0-9.]*\).*/\1/p" "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "ranks rep ensemble_s runs_per_s cpu_s runs_per_cpu_s"
for rep in $(seq "$reps"); do
  for np in 1 2; do
    $mpi -np "$np" "$ens" --samples "$samples" --threads 1 --out "$tmp/np$np" 2>"$tmp/err"
    t=$(field ensemble_s "$tmp/err")
    echo "$np $rep $t $(field runs_per_s "$tmp/err") $(field cpu_s "$tmp/err") $(field runs_per_cpu_s "$tmp/err")"
    echo "$t" >>"$tmp/t$np"
    field cpu_s "$tmp/err" >>"$tmp/c$np"
  done
done
for f in values.csv robustness.csv effect_intervals.csv conclusions.csv; do
  cmp -s "$tmp/np1/$f" "$tmp/np2/$f" || { echo "1 and 2 ranks wrote different $f" >&2; exit 1; }
done
t1=$(median <"$tmp/t1")
t2=$(median <"$tmp/t2")
c1=$(median <"$tmp/c1")
c2=$(median <"$tmp/c2")
runs=$(field runs "$tmp/err")
bytes=$(field bytes_per_run "$tmp/err")
awk -v t1="$t1" -v t2="$t2" -v c1="$c1" -v c2="$c2" -v runs="$runs" -v bytes="$bytes" 'BEGIN {
  printf "runs %d, bytes exchanged per run %d\n", runs, bytes
  printf "median T(1) = %.3f s (%.1f us per run), T(2) = %.3f s\n", t1, 1e6 * t1 / runs, t2
  printf "speed-up %.3f, efficiency E(2) = T(1) / (2 T(2)) = %.1f %%\n", t1 / t2, 100 * t1 / (2 * t2)
  printf "CPU: %.3f s on 1 rank (%.1f us per run), %.3f s summed over 2 ranks: work efficiency %.1f %%\n", c1, 1e6 * c1 / runs, c2, 100 * c1 / c2
}'
echo "outputs of 1 and 2 ranks: identical"
