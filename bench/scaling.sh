#!/usr/bin/env bash
# Scaling figures for docs/performance.md: runs bench_scaling (run time per
# step per variable, load + compile time), the peak-memory measurement (one
# fresh process per size) and draws docs/scaling.png with gnuplot.
#
#   bench/scaling.sh BUILD_DIR [OUT_DIR]      (OUT_DIR defaults to docs)
#
# Writes OUT_DIR/scaling.dat, OUT_DIR/scaling-memory.dat, OUT_DIR/scaling.png
# and prints the tables. Takes a few minutes (the 100,000-variable model).
set -eu
build=${1:?usage: bench/scaling.sh BUILD_DIR [OUT_DIR]}
out=${2:-$(dirname "$0")/../docs}
bench=$build/bench/bench_scaling
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common="--benchmark_repetitions=${REPS:-3} --benchmark_report_aggregates_only=true --benchmark_format=csv"

"$bench" --benchmark_filter=BM_run --benchmark_min_time=0.3 $common >"$tmp/run.csv"
"$bench" --benchmark_filter=BM_compile --benchmark_min_time=0.1 $common >"$tmp/compile.csv"

# median rows -> "variables shape value": column by header name.
medians() {  # file counter
    awk -F, -v want="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i } next }
        $1 ~ /_median"?$/ {
            name = $1; gsub(/"/, "", name); split(name, p, "/"); sub(/_median/, "", p[3])
            v = (want == "cpu_time") ? $(col["cpu_time"]) : $(col[want])
            print $(col["variables"]), (p[3] == "0" ? "chain" : "random"), v
        }' "$1"
}
medians "$tmp/run.csv" ns_per_step_var | sort -k2,2 -k1,1n >"$tmp/run.dat"
medians "$tmp/compile.csv" cpu_time | sort -k2,2 -k1,1n >"$tmp/compile.dat"
{
    echo "# variables shape ns_per_step_var compile_ms compile_us_per_var"
    join -j1 <(awk '{print $1"-"$2, $1, $2, $3}' "$tmp/run.dat" | sort) \
             <(awk '{print $1"-"$2, $3}' "$tmp/compile.dat" | sort) |
        awk '{ printf "%s %s %s %s %.3f\n", $2, $3, $4, $5, 1000 * $5 / $2 }' | sort -k2,2 -k1,1n
} >"$out/scaling.dat"

{
    echo "# variables shape slots steps rows cols state_bytes results_bytes peak_rss_bytes rss_before_bytes peak_over_state_plus_results"
    for n in 10 100 1000 10000 100000; do
        for shape in chain random; do "$bench" --memory=$n --shape=$shape; done
    done
} >"$out/scaling-memory.dat"

cat "$out/scaling.dat" "$out/scaling-memory.dat"

if command -v gnuplot >/dev/null 2>&1; then
    gnuplot <<EOF
set terminal pngcairo size 900,420 font ",10"
set output "$out/scaling.png"
set multiplot layout 1,2 title "libsim: generated models (Euler, every variable saved every 10 steps)"
set logscale x
set xrange [5:200000]
set format x "10^{%L}"
set xlabel "variables"
set grid
set key top left
set ylabel "ns per step per variable (CPU)"
set yrange [0:*]
plot "< grep ' chain ' $out/scaling.dat" using 1:3 with linespoints title "chain", \
     "< grep ' random ' $out/scaling.dat" using 1:3 with linespoints title "random graph"
set ylabel "load + compile, µs per variable (CPU)"
plot "< grep ' chain ' $out/scaling.dat" using 1:5 with linespoints title "chain", \
     "< grep ' random ' $out/scaling.dat" using 1:5 with linespoints title "random graph"
unset multiplot
EOF
    echo "wrote $out/scaling.png"
fi
