#!/usr/bin/env bash
# ETF codec throughput, ours vs the BEAM's own codec, on the same corpus, in one run.
#   scripts/bench-codec.sh [SECONDS_PER_ROW]
#
# Environment knobs (defaults in brackets):
#   REPS [3]          runs of (BEAM, ours) per row; the summary quotes medians
#   SKIP_BUILD [0]    reuse the existing release build of etf-bench
#   ETF_BENCH_BIN     measure this binary instead (e.g. an older build)
#   BENCH_RESULTS     if set, append the summary rows to this file, tab-separated (as scripts/bench-all.sh reads):
#                     4, codec DIRECTION ROW (MB/s), ours, BEAM, ours/BEAM, target, met
#
# Each rep prints the detailed table (MB/s, Mterm/s, and "keep": the fraction of our decode time left when the
# decoded terms are freed after the clock stops instead of inside the timed loop, for the record); the final summary
# is the median ours/BEAM ratio per row and direction, with the target (>= 1.0x).
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds as shipped: our modules compiled with function sections for the link order (Package.swift).
export BEAMCONSOLE_RELEASE_LAYOUT=1
secs="${1:-1.0}"
REPS="${REPS:-3}"; SKIP_BUILD="${SKIP_BUILD:-0}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
if [ "$SKIP_BUILD" != 1 ]; then
    swift build -c release --product etf-bench >/dev/null
fi
BIN="${ETF_BENCH_BIN:-$(swift build -c release --show-bin-path)/etf-bench}"
load() { uptime | sed 's/.*load average: /load /'; }
: >"$dir/results.txt"
for r in $(seq "$REPS"); do
    echo "== rep $r/$REPS ($(load)) =="
    elixir scripts/bench-corpus.exs "$dir" "$secs"
    "$BIN" "$dir" "$secs" | tee -a "$dir/results.txt" | grep -v '^RESULT '
done
echo "LOAD $(load)" >>"$dir/results.txt"
python3 - "$dir/results.txt" "${BENCH_RESULTS:-}" <<'PY'
import sys, json, statistics
from collections import defaultdict
vals = defaultdict(lambda: defaultdict(list)); load = ""
for line in open(sys.argv[1]):
    f = line.split()
    if not f: continue
    if f[0] == "LOAD": load = " ".join(f[1:]); continue
    if f[0] != "RESULT": continue
    kv = dict(x.split("=") for x in f[3:])
    d = vals[(f[1], f[2])]
    for k in ("ours", "anchor"): d[k].append(float(kv[k]))
    d["ratio"].append(float(kv["ours"]) / float(kv["anchor"]))
print(f"\n== summary: ETF codec, ours vs the BEAM (median of {len(next(iter(vals.values()))['ratio']) if vals else 0} runs; {load}) ==")
print("| row | ours MB/s | BEAM MB/s | ours/BEAM | target | met |")
print("|---|---|---|---|---|---|")
out = []
for (direction, name), d in vals.items():
    o, a, r = (statistics.median(d[k]) for k in ("ours", "anchor", "ratio"))
    print(f"| {direction} {name} | {o:.1f} | {a:.1f} | {r:.2f} | >= 1.0 | {'yes' if r >= 1.0 else 'NO'} |")
    out.append({"row": f"codec {direction} {name}", "ours": round(o, 2), "anchor": round(a, 2), "ratio": round(r, 3),
                "unit": "MB/s", "target": ">= 1.0"})
if len(sys.argv) > 2 and sys.argv[2]:
    # For scripts/bench-all.sh: row 4, tab-separated (row, what, ours, anchor, ours/anchor, target, met).
    with open(sys.argv[2], "a") as fh:
        for o in out:
            met = "yes" if o["ratio"] >= 1.0 else "no"
            fh.write(f"4\t{o['row']} (MB/s)\t{o['ours']}\t{o['anchor']}\t{o['ratio']}\t>= 1.0\t{met}\n")
PY
