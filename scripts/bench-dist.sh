#!/usr/bin/env bash
# Distribution benchmarks (issue 3), ours vs the BEAM's own tools, against the same freshly started nodes:
#   1. one-shot remote call, process start to exit: beamconsole call (the release build: a static executable)
#      vs erl_call vs elixir --rpc-eval; wall time (hyperfine -N, median) and peak RSS (/usr/bin/time -v, median);
#   2. round trips on one connection (sequential and CONCURRENCY in flight): dist-bench (LocalNode and BlockingNode,
#      rex and erpc) vs a hidden Elixir node running :erpc.call / :rpc.call in a loop (scripts/bench-dist.exs). The
#      summary rows take our best method by median calls/s (named in the row) against :erpc.call of the same run.
#
#   scripts/bench-dist.sh                 (or: make bench-dist)
#
# Environment knobs (defaults in brackets):
#   RUNS [30] WARMUP [5]        hyperfine runs/warm-up per one-shot row (elixir --rpc-eval rows: ELIXIR_RUNS [20])
#   RSS_RUNS [5]                /usr/bin/time -v runs per one-shot row
#   SEQ_CALLS [20000] CONC_CALLS [100000] CONCURRENCY [32] REPS [3]   round-trip rows (median of REPS runs)
#   DIST_METHODS [rex,erpc,rex-loop,erpc-loop,blocking-rex,blocking-erpc]   dist-bench methods: LocalNode (-loop:
#                                callers run on the connection's event loop) and BlockingNode (blocking-: the caller's
#                                own thread; CONCURRENCY in flight through startCall/nextCompletion)
#   SECTIONS [oneshot,roundtrip]   ELIXIR_TARGET [1]: also run the one-shot rows against an Elixir node
#   SKIP_BUILD [0]               reuse the existing release builds
#   CALLGRIND [1 if valgrind is installed]   also count each one-shot client's instructions (valgrind --tool=callgrind,
#                                one run; reproducible under load, unlike wall time)
#   PERF [1 if perf is installed]   also measure each one-shot client's CPU time and page faults (perf stat, RSS_RUNS
#                                runs; far less sensitive to other load on the machine than wall time)
#   BEAMCONSOLE_BIN, DIST_BENCH_BIN   measure these binaries instead (e.g. an older build)
# Nodes are started here and stopped by PID on exit; all traffic is to this host (loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds as shipped: our modules compiled with function sections for the link order (Package.swift).
export BEAMCONSOLE_RELEASE_LAYOUT=1

RUNS="${RUNS:-30}"; WARMUP="${WARMUP:-5}"; ELIXIR_RUNS="${ELIXIR_RUNS:-20}"; RSS_RUNS="${RSS_RUNS:-5}"
SEQ_CALLS="${SEQ_CALLS:-20000}"; CONC_CALLS="${CONC_CALLS:-100000}"; CONCURRENCY="${CONCURRENCY:-32}"; REPS="${REPS:-3}"
DIST_METHODS="${DIST_METHODS:-rex,erpc,rex-loop,erpc-loop,blocking-rex,blocking-erpc}"
SECTIONS="${SECTIONS:-oneshot,roundtrip}"; ELIXIR_TARGET="${ELIXIR_TARGET:-1}"; SKIP_BUILD="${SKIP_BUILD:-0}"
if command -v valgrind >/dev/null; then CALLGRIND="${CALLGRIND:-1}"; else CALLGRIND=0; fi
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then PERF="${PERF:-1}"; else PERF=0; fi

for tool in erl erl_call elixir epmd hyperfine python3; do
    command -v "$tool" >/dev/null || { echo "bench-dist: $tool not found" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-dist: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

if [ "$SKIP_BUILD" != 1 ]; then
    echo "building (release)..." >&2
    swift build -c release --product beamconsole >/dev/null
    swift build -c release --product dist-bench >/dev/null
fi
BIN="$(swift build -c release --show-bin-path)"
# Other binaries (e.g. an older build, to compare): BEAMCONSOLE_BIN, DIST_BENCH_BIN.
BC="${BEAMCONSOLE_BIN:-$BIN/beamconsole}"
DIST_BENCH="${DIST_BENCH_BIN:-$BIN/dist-bench}"

# The binary as a container reads it from its image (scripts/bench-lib.sh).
source scripts/bench-lib.sh   # (the repository root is the working directory here)
evict_page_cache "$BC"

tmp="$(mktemp -d)"
summary="$tmp/summary.tsv"   # row, ours, anchor, ours/anchor, target, met (printed at the end)
: >"$summary"
node_pids=()
cleanup() {
    for p in "${node_pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${node_pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

host="$(hostname -s)"
cookie="bench$RANDOM$RANDOM"
export RELEASE_COOKIE="$cookie"   # beamconsole reads it (no --cookie warning on stderr)
tag="$$"

# start_node KIND ALIVE: an erl or elixir node, in the background; returns once EPMD lists it.
start_node() {
    local kind="$1" alive="$2"
    if [ "$kind" = erl ]; then
        erl -sname "$alive" -setcookie "$cookie" -noshell -noinput </dev/null >"$tmp/$alive.log" 2>&1 &
    else
        elixir --sname "$alive" --cookie "$cookie" --no-halt -e ':ok' </dev/null >"$tmp/$alive.log" 2>&1 &
    fi
    node_pids+=("$!")
    for _ in $(seq 200); do
        if epmd -names 2>/dev/null | grep -q "^name $alive at port"; then return 0; fi
        sleep 0.1
    done
    echo "bench-dist: node $alive did not register with EPMD" >&2; cat "$tmp/$alive.log" >&2; exit 1
}

load() { uptime | sed 's/.*load average: /load /'; }

median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.argv[1:]]; print(statistics.median(v))' "$@"; }

# ---------------------------------------------------------------------------------------------------------------
# 1. One-shot call, process start to exit.
oneshot() {
    local kind="$1" alive="$2"
    local node="$alive@$host"
    local -a names=("beamconsole call" "erl_call" "elixir --rpc-eval")
    local -a cmds=(
        "$BC call $node 'erlang:node()'"
        "erl_call -sname $alive -c $cookie -a 'erlang node []'"
        "elixir --sname bx$tag --cookie $cookie --hidden --rpc-eval $node ':erlang.node()'"
    )
    local -a runs=("$RUNS" "$RUNS" "$ELIXIR_RUNS")
    echo
    echo "== one-shot call against an $kind node ($node): start to exit =="
    if [ "$kind" = erl ]; then
        # elixir --rpc-eval runs Kernel.CLI.rpc_eval/1 on the target, so it needs Elixir there.
        echo "(elixir --rpc-eval is measured against the Elixir node only: it calls Kernel.CLI on the target)"
        unset 'names[2]' 'cmds[2]' 'runs[2]'
    fi
    # Sanity: every client must succeed, and print the node name (elixir --rpc-eval prints nothing).
    local i out
    for i in "${!cmds[@]}"; do
        if ! out="$(eval "${cmds[$i]}" 2>&1)" || { [ "$i" != 2 ] && ! grep -q "$alive@$host" <<<"$out"; }; then
            echo "bench-dist: '${names[$i]}' failed or did not return the node name: $out" >&2; exit 1
        fi
    done
    local results="$tmp/oneshot-$kind.tsv"
    : >"$results"
    for i in "${!cmds[@]}"; do
        local l1; l1="$(load)"
        hyperfine -N --style none --warmup "$WARMUP" --runs "${runs[$i]}" --export-json "$tmp/h.json" "${cmds[$i]}" >/dev/null 2>&1
        local med mean sd
        read -r med mean sd < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"]*1e3, r["mean"]*1e3, r["stddev"]*1e3)' "$tmp/h.json")
        local rss=()
        for _ in $(seq "$RSS_RUNS"); do
            eval "/usr/bin/time -v ${cmds[$i]}" >/dev/null 2>"$tmp/time.txt" || true
            rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")")
        done
        local rssmed; rssmed="$(median "${rss[@]}")"
        # Instructions: one run under callgrind (not the BEAM-hosted elixir client: valgrind and the JIT take minutes).
        local ir=-
        if [ "$CALLGRIND" = 1 ] && [ "$i" != 2 ]; then
            # valgrind cannot read the static executable's debug info: count a copy without it (same code).
            [ -x "$tmp/bc-nodebug" ] || strip --strip-debug -o "$tmp/bc-nodebug" "$BC"
            eval "valgrind --tool=callgrind --callgrind-out-file=$tmp/cg.out ${cmds[$i]//$BC/$tmp/bc-nodebug}" >/dev/null 2>"$tmp/cg.txt" || true
            ir="$(awk '/Collected :/ {print $NF}' "$tmp/cg.txt" | tail -1)"
            [ -n "$ir" ] || ir=-
        fi
        # CPU time and page faults of the client process (perf stat's mean over RSS_RUNS runs).
        local cpu=- faults=-
        if [ "$PERF" = 1 ]; then
            eval "perf stat -x, -e task-clock,page-faults -r $RSS_RUNS ${cmds[$i]}" >/dev/null 2>"$tmp/perf.txt" || true
            cpu="$(awk -F, '$3 == "task-clock" || $3 ~ /^task-clock/ {print $1}' "$tmp/perf.txt" | tail -1)"
            faults="$(awk -F, '$3 ~ /^page-faults/ {print $1}' "$tmp/perf.txt" | tail -1)"
            [ -n "$cpu" ] || cpu=-; [ -n "$faults" ] || faults=-
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${names[$i]}" "$med" "$mean" "$sd" "$rssmed" "$ir" "$cpu" "$faults" "$l1" "$(load)" >>"$results"
    done
    python3 - "$results" "$kind" "$summary" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
kind, summary = sys.argv[2], sys.argv[3]
anchor = next(r for r in rows if r[0] == "erl_call")
a_t, a_m = float(anchor[1]), float(anchor[4])
a_ir = float(anchor[5]) if anchor[5] != "-" else None
a_cpu = float(anchor[6]) if anchor[6] != "-" else None
print(f"| client | median ms | mean ± σ ms | ×erl_call time | peak RSS MB (median) | ×erl_call RSS | instructions | ×erl_call instr. | CPU ms | ×erl_call CPU | page faults | load before → after |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for n, med, mean, sd, rss, ir, cpu, faults, l1, l2 in rows:
    med, mean, sd, rss = float(med), float(mean), float(sd), float(rss)
    irs = f"{float(ir) / 1e6:.2f} M" if ir != "-" else "-"
    irr = f"{float(ir) / a_ir:.1f}" if ir != "-" and a_ir else "-"
    cpus = f"{float(cpu):.2f}" if cpu != "-" else "-"
    cpur = f"{float(cpu) / a_cpu:.1f}" if cpu != "-" and a_cpu else "-"
    fs = f"{float(faults):.0f}" if faults != "-" else "-"
    print(f"| {n} | {med:.2f} | {mean:.2f} ± {sd:.2f} | {med / a_t:.2f} | {rss / 1024:.1f} | {rss / a_m:.2f} | {irs} | {irr} | {cpus} | {cpur} | {fs} | {l1} → {l2} |")
ours = next((r for r in rows if r[0] == "beamconsole call"), None)
if ours:
    t, m = float(ours[1]), float(ours[4])
    with open(summary, "a") as f:
        f.write(f"one-shot call vs erl_call, wall ({kind} node)\t{t:.2f} ms\terl_call {a_t:.2f} ms\t{t / a_t:.2f}\t<= 1.00\t{'yes' if t <= a_t else 'no'}\n")
        f.write(f"one-shot call, peak RSS ({kind} node)\t{m / 1024:.1f} MB\terl_call {a_m / 1024:.1f} MB\t{m / a_m:.2f}\t<= 8 MB absolute\t{'yes' if m <= 8 * 1024 else 'no'}\n")
        if ours[6] != "-" and a_cpu:
            f.write(f"one-shot call, CPU time ({kind} node)\t{float(ours[6]):.2f} ms\terl_call {a_cpu:.2f} ms\t{float(ours[6]) / a_cpu:.1f}\t(none; wall is the target)\t-\n")
        if ours[5] != "-" and a_ir:
            f.write(f"one-shot call, instructions ({kind} node)\t{float(ours[5]) / 1e6:.2f} M\terl_call {a_ir / 1e6:.2f} M\t{float(ours[5]) / a_ir:.1f}\t(none; for before/after)\t-\n")
        ex = next((r for r in rows if r[0] == "elixir --rpc-eval"), None)
        if ex:
            f.write(f"one-shot call vs elixir --rpc-eval, wall ({kind} node)\t{t:.2f} ms\telixir {float(ex[1]):.2f} ms\t{t / float(ex[1]):.3f}\t(none)\t-\n")
PY
}

# ---------------------------------------------------------------------------------------------------------------
# 2. Round trips on one connection.
roundtrip() {
    local alive="$1"
    local node="$alive@$host"
    echo
    echo "== round trips on one connection to $node: $SEQ_CALLS sequential, $CONC_CALLS with $CONCURRENCY in flight (median of $REPS runs) =="
    local out="$tmp/rt.txt"
    : >"$out"
    local r
    for r in $(seq "$REPS"); do
        echo "LOAD ours $r $(load)" >>"$out"
        "$DIST_BENCH" "$node" "$cookie" "$SEQ_CALLS" "$CONC_CALLS" "$CONCURRENCY" "$DIST_METHODS" | sed 's/^RESULT /RESULT ours /' >>"$out"
        echo "LOAD beam $r $(load)" >>"$out"
        elixir --sname "bb$tag" --cookie "$cookie" --hidden scripts/bench-dist.exs "$node" "$SEQ_CALLS" "$CONC_CALLS" "$CONCURRENCY" \
            | sed 's/^RESULT /RESULT beam /' >>"$out"
    done
    echo "LOAD end - $(load)" >>"$out"
    python3 - "$out" "$summary" <<'PY'
import sys, statistics
from collections import defaultdict
vals = defaultdict(lambda: defaultdict(list)); loads = []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "LOAD":
        loads.append(f"{f[1]}#{f[2]}: " + " ".join(f[3:])); continue
    if f[0] != "RESULT": continue
    impl, method, row = f[1], f[2], f[3]
    for kv in f[4:]:
        k, v = kv.split("="); vals[(impl, method, row)][k].append(float(v))
med = {k: {m: statistics.median(v) for m, v in d.items()} for k, d in vals.items()}
rows = sorted({k[2] for k in med}, key=lambda r: (r != "seq", r))
labels = {"rex": "LocalNode rex", "erpc": "LocalNode erpc",
          "rex-loop": "LocalNode rex, caller on the event loop", "erpc-loop": "LocalNode erpc, caller on the event loop",
          "blocking-rex": "BlockingNode rex", "blocking-erpc": "BlockingNode erpc"}
print("| row | client | calls/s | p50 µs | p99 µs | ×BEAM erpc calls/s | ×BEAM erpc p99 (lower is better) |")
print("|---|---|---|---|---|---|---|")
for row in rows:
    anchor = med.get(("beam", "erpc", row))
    ours = [("ours", m, labels.get(m, m)) for m in sorted({k[1] for k in med if k[0] == "ours"},
                                                         key=lambda m: list(labels).index(m) if m in labels else 99)]
    for impl, method, label in ours + [("beam", "erpc", "BEAM :erpc.call"), ("beam", "rpc", "BEAM :rpc.call")]:
        m = med.get((impl, method, row))
        if not m: continue
        ratio = f"{m['calls_per_s'] / anchor['calls_per_s']:.2f}" if anchor else "-"
        p99r = f"{m['p99_us'] / anchor['p99_us']:.2f}" if anchor else "-"
        print(f"| {row} | {label} | {m['calls_per_s']:.0f} | {m['p50_us']:.1f} | {m['p99_us']:.1f} | {ratio} | {p99r} |")
print("\nBlockingNode rows run on one thread, the caller's; K in flight = startCall/nextCompletion on one connection.")
print("load: " + " | ".join(loads))
with open(sys.argv[2], "a") as f:
    for row in rows:
        anchor = med.get(("beam", "erpc", row))
        # Our best method by median calls/s; its own p99 (not the best p99 of another method).
        method, best = max(((meth, m) for (impl, meth, r), m in med.items() if impl == "ours" and r == row),
                           key=lambda x: x[1]["calls_per_s"], default=(None, None))
        if anchor and best:
            label = labels.get(method, method)
            ratio = best["calls_per_s"] / anchor["calls_per_s"]
            f.write(f"round trips ({row}, {label}), calls/s vs BEAM :erpc\t{best['calls_per_s']:.0f}/s\tBEAM {anchor['calls_per_s']:.0f}/s\t{ratio:.2f}\t>= 1.20\t{'yes' if ratio >= 1.2 else 'no'}\n")
            p99 = best["p99_us"] / anchor["p99_us"]
            f.write(f"round trips ({row}, {label}), p99 vs BEAM :erpc\t{best['p99_us']:.0f} µs\tBEAM {anchor['p99_us']:.0f} µs\t{p99:.2f}\t<= 1.00\t{'yes' if p99 <= 1 else 'no'}\n")
PY
}

echo "machine: $(nproc) cores; $(erl -noshell -eval 'io:format("OTP ~s", [erlang:system_info(otp_release)]), halt().'); $(elixir --version | tail -1); start $(load)"
tgt="bt$tag"
start_node erl "$tgt"
if [[ "$SECTIONS" == *oneshot* ]]; then
    oneshot erl "$tgt"
    if [ "$ELIXIR_TARGET" = 1 ]; then
        start_node elixir "btex$tag"
        oneshot elixir "btex$tag"
    fi
fi
if [[ "$SECTIONS" == *roundtrip* ]]; then
    roundtrip "$tgt"
fi

# One table for every row: ours, the anchor, ours/anchor and the target (what `make bench` collects).
echo
echo "== summary (bench-dist; end $(load)) =="
python3 - "$summary" <<'PY'
import sys
print("| row | ours | anchor | ours/anchor | target | met |")
print("|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    print("| " + " | ".join(line.rstrip("\n").split("\t")) + " |")
PY
# For scripts/bench-all.sh: the same rows, tab-separated, with the issue's row number first (1: one-shot, 3: round trips).
if [ -n "${BENCH_RESULTS:-}" ]; then
    awk -F'\t' '{ print (index($1, "round trips") == 1 ? "3" : "1") "\t" $0 }' "$summary" >>"$BENCH_RESULTS"
fi
