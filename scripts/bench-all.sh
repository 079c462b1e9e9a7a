#!/usr/bin/env bash
# Every comparison of issue 7, in one run, on this machine, against real nodes the scripts start; one table at the end:
#   row | what | ours (median) | anchor (median) | ratio | target | met?
#   0  the installed, stripped executable: size, run-time libraries, ICU data       (scripts/bench-size.sh)
#   1  one-shot call, start to exit, and its peak RSS: beamconsole call vs erl_call      (scripts/bench-dist.sh)
#   2  start to a connected prompt, and RSS: beamconsole vs iex --remsh on a pty         (scripts/bench-startup.sh)
#   3  round trips on one connection, sequential and 32 in flight: our best method vs :erpc (scripts/bench-dist.sh)
#   4  ETF decode/encode throughput vs the BEAM, same corpus (the worst row each way)    (scripts/bench-codec.sh)
#   5  discovery to all-connected, N = 10, 25, 50: beamconsole vs a BEAM running DNSPoll (scale-bench, root)
#   6  watch over 50 nodes for a minute on a pty: peak RSS and CPU                        (scale-bench, root)
#   7  a REPL line, Enter to result: evaluation vs iex --remsh and vs a plain call        (scripts/bench-eval.sh)
#   mc multicall latency against N, and its growth from the smallest N: vs :erpc.multicall (scale-bench, root)
# Release builds. Rows 5, 6 and mc need root (network namespaces: a simulated ECS service of real Elixir nodes).
#
#   scripts/bench-all.sh            (or: make bench)
#
# Environment knobs (defaults in brackets):
#   BENCH_SECTIONS [size,dist,startup,codec,eval,scale]   which scripts run
#   SCALE_SIZES [10,25,50] SCALE_RUNS [5] WATCH_SECONDS [60]        scale-bench
#   STARTUP_RUNS [5] CODEC_SECONDS [1.0]        bench-startup.sh runs, bench-codec.sh seconds per row
#   bench-dist.sh's own knobs (RUNS, WARMUP, RSS_RUNS, SEQ_CALLS, CONC_CALLS, CONCURRENCY, REPS, ...) pass through.
#   BENCH_RESULTS [a temporary file]            where the rows are collected (tab-separated), kept if given
# Each script's full output goes to the terminal as it runs; the table comes last.
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds as shipped: our modules compiled with function sections for the link order (Package.swift).
export BEAMCONSOLE_RELEASE_LAYOUT=1

SECTIONS="${BENCH_SECTIONS:-size,dist,startup,codec,eval,scale}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
results="${BENCH_RESULTS:-$work/results.tsv}"
: >"$results"
export BENCH_RESULTS="$results"

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load)"
echo "bench-all: $(nproc) cores, load $load_start; sections: $SECTIONS" >&2

# Every row measures the binary `make install` ships: the release build, a static executable.
echo "bench-all: release builds..." >&2
swift build -c release --product beamconsole 2>&1 | grep -E "error:" || true
swift build -c release --product scale-bench 2>&1 | grep -E "error:" || true

for section in size dist startup codec eval scale; do
    if [[ "$SECTIONS" == *$section* ]]; then bash scripts/bench-section.sh "$section"; fi
done

echo
echo "==== issue 7: ours vs anchor (medians; release builds; load $load_start at start, $(load) at end) ===="
python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
order = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "mc": 8}
rows.sort(key=lambda r: order.get(r[0], 9))
print("| row | what | ours | anchor | ours/anchor | target | met? |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
missed = [r for r in rows if r[6] == "no"]
ids = sorted({r[0] for r in missed}, key=lambda i: order.get(i, 9))
print(f"\n{len(rows)} rows; {len(missed)} below target" + (" (rows " + ", ".join(ids) + ")" if missed else ""))
PY
