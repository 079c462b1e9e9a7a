#!/usr/bin/env bash
# make bench's rows for two builds in one sitting, section by section, alternating, and one table with both figures:
#
#   scripts/bench-compare.sh BEFORE_DIR AFTER_DIR
#
# Each DIR holds release binaries beamconsole, dist-bench, etf-bench and scale-bench (copy them out of
# `BEAMCONSOLE_RELEASE_LAYOUT=1 swift build -c release --show-bin-path` of each revision; a `git worktree` of the older
# revision builds its own). A freshly written file is mapped from large page-cache folios and shows a higher peak RSS
# (8.1 MB for a binary that measures 6.6 MB once read back from disk), so the one-shot and prompt rows drop the
# executable from the page cache before they measure it (scripts/bench-lib.sh).
# The scripts and the scale harness of this checkout drive both builds. Knobs: BENCH_SECTIONS [size,dist,startup,codec,scale],
# SCALE_SIZES [10,25,50], SCALE_RUNS [5], WATCH_SECONDS [60], STARTUP_RUNS [5], CODEC_SECONDS [1.0], and
# bench-dist.sh's own. The scale rows need root (network namespaces). BENCH_COMPARE_OUT [a temporary directory] keeps
# each build's rows (before.tsv, after.tsv).
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: scripts/bench-compare.sh BEFORE_DIR AFTER_DIR" >&2; exit 64; }
before="$(cd "$1" && pwd)"; after="$(cd "$2" && pwd)"
for d in "$before" "$after"; do
    for b in beamconsole dist-bench etf-bench scale-bench; do
        [ -x "$d/$b" ] || { echo "bench-compare: $d/$b is missing" >&2; exit 66; }
    done
done
SECTIONS="${BENCH_SECTIONS:-size,dist,startup,codec,scale}"
out="${BENCH_COMPARE_OUT:-$(mktemp -d)}"; mkdir -p "$out"
: >"$out/before.tsv"; : >"$out/after.tsv"
export SKIP_BUILD=1
load() { cut -d' ' -f1-3 /proc/loadavg; }
for section in size dist startup codec scale; do
    [[ "$SECTIONS" == *$section* ]] || continue
    for v in before after; do
        if [ "$v" = before ]; then bin="$before"; else bin="$after"; fi
        echo; echo "==== $section, $v ($bin), load $(load) ===="
        BENCH_RESULTS="$out/$v.tsv" BEAMCONSOLE_BIN="$bin/beamconsole" DIST_BENCH_BIN="$bin/dist-bench" \
            ETF_BENCH_BIN="$bin/etf-bench" SCALE_BENCH_BIN="$after/scale-bench" bash scripts/bench-section.sh "$section"
    done
done
echo; echo "==== before ($before) and after ($after), one sitting; load at end $(load); rows in $out ===="
python3 - "$out/before.tsv" "$out/after.tsv" <<'PY'
import sys
def load(p):
    return [l.rstrip("\n").split("\t") for l in open(p) if l.strip()]
b, a = load(sys.argv[1]), load(sys.argv[2])
order = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "mc": 7}
before = {(r[0], r[1]): r for r in b}
print("| row | what | before | after | anchor (after's turn) | before/anchor | after/anchor | target |")
print("|---|---|---|---|---|---|---|---|")
for r in sorted(a, key=lambda r: order.get(r[0], 9)):
    rb = before.get((r[0], r[1]))
    print(f"| {r[0]} | {r[1]} | {rb[2] if rb else '-'} | {r[2]} | {r[3]} | {rb[4] if rb else '-'} | {r[4]} | {r[5]} |")
PY
