#!/usr/bin/env bash
# Distribution benchmarks (issue 3), ours vs the BEAM's own tools, against the same freshly started nodes:
#   1. one-shot remote call, process start to exit: beamconsole call (dynamic and --static-swift-stdlib builds)
#      vs erl_call vs elixir --rpc-eval; wall time (hyperfine -N, median) and peak RSS (/usr/bin/time -v, median);
#   2. round trips on one connection (sequential and CONCURRENCY in flight): dist-bench (LocalNode, rex and erpc)
#      vs a hidden Elixir node running :erpc.call / :rpc.call in a loop (scripts/bench-dist.exs).
#
#   scripts/bench-dist.sh                 (or: make bench-dist)
#
# Environment knobs (defaults in brackets):
#   RUNS [30] WARMUP [5]        hyperfine runs/warm-up per one-shot row (elixir --rpc-eval rows: ELIXIR_RUNS [20])
#   RSS_RUNS [5]                /usr/bin/time -v runs per one-shot row
#   SEQ_CALLS [20000] CONC_CALLS [100000] CONCURRENCY [32] REPS [3]   round-trip rows (median of REPS runs)
#   DIST_METHODS [rex,erpc,rex-loop,erpc-loop]   LocalNode rows (-loop: callers run on the connection's event loop)
#   SECTIONS [oneshot,roundtrip]   ELIXIR_TARGET [1]: also run the one-shot rows against an Elixir node
#   SKIP_BUILD [0]               reuse the existing release builds
#   BEAMCONSOLE_BIN, BEAMCONSOLE_STATIC_BIN, DIST_BENCH_BIN   measure these binaries instead (e.g. an older build)
#   BENCH_RESULTS                if set, append one JSON object per summary row to this file:
#                                {"row":..., "ours":..., "anchor":..., "ratio":..., "unit":..., "target":...}
# Each section ends with a summary table: medians, ours/anchor ratios and the target per row (issue 7).
# Nodes are started here and stopped by PID on exit; all traffic is to this host (loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-30}"; WARMUP="${WARMUP:-5}"; ELIXIR_RUNS="${ELIXIR_RUNS:-20}"; RSS_RUNS="${RSS_RUNS:-5}"
SEQ_CALLS="${SEQ_CALLS:-20000}"; CONC_CALLS="${CONC_CALLS:-100000}"; CONCURRENCY="${CONCURRENCY:-32}"; REPS="${REPS:-3}"
DIST_METHODS="${DIST_METHODS:-rex,erpc,rex-loop,erpc-loop}"
SECTIONS="${SECTIONS:-oneshot,roundtrip}"; ELIXIR_TARGET="${ELIXIR_TARGET:-1}"; SKIP_BUILD="${SKIP_BUILD:-0}"

for tool in erl erl_call elixir epmd hyperfine python3; do
    command -v "$tool" >/dev/null || { echo "bench-dist: $tool not found" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-dist: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

STATIC_SCRATCH=.build-static
if [ "$SKIP_BUILD" != 1 ]; then
    echo "building (release, dynamic and --static-swift-stdlib)..." >&2
    swift build -c release --product beamconsole >/dev/null
    swift build -c release --product dist-bench >/dev/null
    swift build -c release --static-swift-stdlib --scratch-path "$STATIC_SCRATCH" --product beamconsole >/dev/null
fi
BIN="$(swift build -c release --show-bin-path)"
SBIN="$(swift build -c release --static-swift-stdlib --scratch-path "$STATIC_SCRATCH" --show-bin-path)"
# Other binaries (e.g. an older build, to compare): BEAMCONSOLE_BIN, BEAMCONSOLE_STATIC_BIN, DIST_BENCH_BIN.
BC_DYN="${BEAMCONSOLE_BIN:-$BIN/beamconsole}"
BC_STATIC="${BEAMCONSOLE_STATIC_BIN:-$SBIN/beamconsole}"
DIST_BENCH="${DIST_BENCH_BIN:-$BIN/dist-bench}"

tmp="$(mktemp -d)"
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
    local -a names=("beamconsole call (dynamic)" "beamconsole call (static stdlib)" "erl_call" "elixir --rpc-eval")
    local -a cmds=(
        "$BC_DYN call $node 'erlang:node()'"
        "$BC_STATIC call $node 'erlang:node()'"
        "erl_call -sname $alive -c $cookie -a 'erlang node []'"
        "elixir --sname bx$tag --cookie $cookie --hidden --rpc-eval $node ':erlang.node()'"
    )
    local -a runs=("$RUNS" "$RUNS" "$RUNS" "$ELIXIR_RUNS")
    echo
    echo "== one-shot call against an $kind node ($node): start to exit =="
    if [ "$kind" = erl ]; then
        # elixir --rpc-eval runs Kernel.CLI.rpc_eval/1 on the target, so it needs Elixir there.
        echo "(elixir --rpc-eval is measured against the Elixir node only: it calls Kernel.CLI on the target)"
        unset 'names[3]' 'cmds[3]' 'runs[3]'
    fi
    # Sanity: every client must succeed, and print the node name (elixir --rpc-eval prints nothing).
    local i out
    for i in "${!cmds[@]}"; do
        if ! out="$(eval "${cmds[$i]}" 2>&1)" || { [ "$i" != 3 ] && ! grep -q "$alive@$host" <<<"$out"; }; then
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
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${names[$i]}" "$med" "$mean" "$sd" "$rssmed" "$l1" "$(load)" >>"$results"
    done
    python3 - "$results" "$kind" "${BENCH_RESULTS:-}" <<'PY'
import sys, json
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
anchor = next(r for r in rows if r[0] == "erl_call")
a_t, a_m = float(anchor[1]), float(anchor[4])
print(f"| client | median ms | mean ± σ ms | ×erl_call time | peak RSS MB (median) | ×erl_call RSS | target | load before → after |")
print("|---|---|---|---|---|---|---|---|")
out = []
for n, med, mean, sd, rss, l1, l2 in rows:
    med, mean, sd, rss = float(med), float(mean), float(sd), float(rss)
    ours = n.startswith("beamconsole")
    target = "time <= 1.0x erl_call, RSS <= 8 MB" if ours else "(anchor)"
    print(f"| {n} | {med:.2f} | {mean:.2f} ± {sd:.2f} | {med / a_t:.2f} | {rss / 1024:.1f} | {rss / a_m:.2f} | {target} | {l1} → {l2} |")
    if ours:
        out.append({"row": f"oneshot {sys.argv[2]} {n} time", "ours": med, "anchor": a_t, "ratio": round(med / a_t, 3),
                    "unit": "ms", "target": "<= 1.0"})
        out.append({"row": f"oneshot {sys.argv[2]} {n} rss", "ours": round(rss / 1024, 2), "anchor": round(a_m / 1024, 2),
                    "ratio": round(rss / a_m, 3), "unit": "MB", "target": "<= 8 MB"})
if len(sys.argv) > 3 and sys.argv[3]:
    with open(sys.argv[3], "a") as fh:
        for o in out: fh.write(json.dumps(o) + "\n")
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
    python3 - "$out" "${BENCH_RESULTS:-}" <<'PY'
import sys, statistics, json
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
print("| row | client | calls/s | p50 µs | p99 µs | ×BEAM erpc calls/s | ×BEAM erpc p99 (lower is better) | target |")
print("|---|---|---|---|---|---|---|---|")
out = []
for row in rows:
    anchor = med.get(("beam", "erpc", row))
    for impl, method, label in [("ours", "rex", "LocalNode rex"), ("ours", "erpc", "LocalNode erpc"),
                                ("ours", "rex-loop", "LocalNode rex, caller on the event loop"),
                                ("ours", "erpc-loop", "LocalNode erpc, caller on the event loop"),
                                ("beam", "erpc", "BEAM :erpc.call"), ("beam", "rpc", "BEAM :rpc.call")]:
        m = med.get((impl, method, row))
        if not m: continue
        ratio = m['calls_per_s'] / anchor['calls_per_s'] if anchor else None
        p99r = m['p99_us'] / anchor['p99_us'] if anchor else None
        target = ">= 1.2x calls/s, p99 <= 1.0x" if impl == "ours" else "(anchor)" if method == "erpc" else ""
        if impl == "ours" and ratio is not None:
            target += " met" if ratio >= 1.2 and p99r <= 1.0 else " NOT met"
            out.append({"row": f"roundtrip {row} {method}", "ours": m['calls_per_s'], "anchor": anchor['calls_per_s'],
                        "ratio": round(ratio, 3), "unit": "calls/s", "target": ">= 1.2"})
            out.append({"row": f"roundtrip {row} {method} p99", "ours": m['p99_us'], "anchor": anchor['p99_us'],
                        "ratio": round(p99r, 3), "unit": "us", "target": "<= 1.0"})
        fr = lambda x: f"{x:.2f}" if x is not None else "-"
        print(f"| {row} | {label} | {m['calls_per_s']:.0f} | {m['p50_us']:.1f} | {m['p99_us']:.1f} | {fr(ratio)} | {fr(p99r)} | {target} |")
if len(sys.argv) > 2 and sys.argv[2]:
    with open(sys.argv[2], "a") as fh:
        for o in out: fh.write(json.dumps(o) + "\n")
print("\nload: " + " | ".join(loads))
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
