#!/usr/bin/env bash
# Start to a connected, usable prompt, on a pseudo-terminal (tmux): beamconsole vs `iex --remsh`, against the same
# Elixir node. Reports the median wall time until the prompt is on screen and the process's peak RSS (VmHWM) at that
# moment, and ours/iex ratios (targets: time <= 1/20, RSS <= 1/4).
#   scripts/bench-startup.sh [RUNS]
#
# Environment knobs (defaults in brackets): SKIP_BUILD [0] reuse the existing release build (a static executable, what
# `make install` installs); BEAMCONSOLE_BIN measures this binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds as shipped: our modules compiled with function sections for the link order (Package.swift).
export BEAMCONSOLE_RELEASE_LAYOUT=1
runs="${1:-5}"
SKIP_BUILD="${SKIP_BUILD:-0}"
if [ "$SKIP_BUILD" != 1 ]; then
    swift build -c release --product beamconsole >/dev/null
fi
bin="${BEAMCONSOLE_BIN:-$(swift build -c release --show-bin-path)/beamconsole}"

# The binary as a container reads it from its image (scripts/bench-lib.sh).
source scripts/bench-lib.sh   # (the repository root is the working directory here)
evict_page_cache "$bin"
host="$(hostname -s)"
cookie="bench$RANDOM$RANDOM"
work="$(mktemp -d)"
sock="bc-bench-$$"
node_pid=""
cleanup() {
    [[ -n "$node_pid" ]] && kill -9 "$node_pid" 2>/dev/null || true
    spid="$(tmux -L "$sock" display -p '#{pid}' 2>/dev/null || true)"
    [[ -n "$spid" ]] && kill -9 "$spid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
elixir --sname "bench_target" --cookie "$cookie" --no-halt Resources/demo/demo.exs >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do grep -q "demo ready" "$work/node.log" && break; sleep 0.1; done
target="bench_target@$host"

now_ms() { date +%s%3N; }

# measure NAME PROMPT COMMAND: prints "ms rss_kb"
measure() {
    local prompt="$1" cmd="$2"
    tmux -L "$sock" -f /dev/null kill-server 2>/dev/null || true
    local t0 t1 pid rss=0
    t0=$(now_ms)
    tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 "$cmd"
    for _ in $(seq 1 3000); do
        if tmux -L "$sock" capture-pane -p 2>/dev/null | grep -qF "$prompt"; then break; fi
        sleep 0.005
    done
    t1=$(now_ms)
    pid="$(tmux -L "$sock" display -p '#{pane_pid}')"
    rss="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    tmux -L "$sock" kill-server 2>/dev/null || true
    echo "$((t1 - t0)) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: >"$work/ours" ; : >"$work/iex" ; : >"$work/floor"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
    measure "beamconsole($target)>" "RELEASE_COOKIE=$cookie $bin --connect $target" >>"$work/ours"
    measure "iex($target)" "iex --sname probe$i$RANDOM --cookie $cookie --remsh $target" >>"$work/iex"
    # The harness's own floor: tmux starting a pane whose program prints a prompt at once.
    measure "floor>" "printf 'floor>'; sleep 5" >>"$work/floor"
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
it=$(cut -d' ' -f1 "$work/iex" | median); irss=$(cut -d' ' -f2 "$work/iex" | median)
printf '%-34s %10s %12s %14s %14s\n' "start to connected prompt" "median ms" "peak RSS MB" "×iex time" "×iex RSS"
row() {  # LABEL FILE
    local t rss
    t=$(cut -d' ' -f1 "$2" | median); rss=$(cut -d' ' -f2 "$2" | median)
    printf '%-34s %10s %12.1f %14.3f %14.3f\n' "$1" "$t" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "$t / $it" | bc -l)" "$(echo "$rss / $irss" | bc -l)"
}
row "beamconsole (release)" "$work/ours"
row "iex --remsh" "$work/iex"
echo "harness floor (tmux, a pane that prints a prompt at once): $(cut -d' ' -f1 "$work/floor" | median) ms, included in every row"
echo "load: $load0 -> $load1 (runs: $runs each, interleaved)"

# Summary (what `make bench` collects): ours/anchor and the target per row.
best="$work/ours"; label="release"
ot=$(cut -d' ' -f1 "$best" | median); orss=$(cut -d' ' -f2 "$best" | median)
tr=$(echo "$ot / $it" | bc -l); rr=$(echo "$orss / $irss" | bc -l)
met() { if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo yes; else echo no; fi; }
echo
echo "== summary (bench-startup) =="
echo "| row | ours | anchor | ours/anchor | target | met |"
echo "|---|---|---|---|---|---|"
printf '| start to connected prompt, wall (%s) | %s ms | iex --remsh %s ms | %.3f | <= 0.05 | %s |\n' \
    "$label" "$ot" "$it" "$tr" "$(met "$tr" 0.05)"
fl=$(cut -d' ' -f1 "$work/floor" | median)
ntr=$(echo "($ot - $fl) / ($it - $fl)" | bc -l)
printf '| start to connected prompt, wall less the harness floor of %s ms (%s) | %s ms | iex --remsh %s ms | %.3f | <= 0.05 | %s |\n' \
    "$fl" "$label" "$(echo "$ot - $fl" | bc)" "$(echo "$it - $fl" | bc)" "$ntr" "$(met "$ntr" 0.05)"
printf '| start to connected prompt, peak RSS (%s) | %.1f MB | iex --remsh %.1f MB | %.3f | <= 0.25 | %s |\n' \
    "$label" "$(echo "$orss / 1024" | bc -l)" "$(echo "$irss / 1024" | bc -l)" "$rr" "$(met "$rr" 0.25)"
# For scripts/bench-all.sh: row 2, tab-separated (row, what, ours, anchor, ours/anchor, target, met).
if [[ -n "${BENCH_RESULTS:-}" ]]; then
    printf '2\tstart to connected prompt, wall (%s)\t%s ms\tiex --remsh %s ms\t%.3f\t<= 0.05\t%s\n' \
        "$label" "$ot" "$it" "$tr" "$(met "$tr" 0.05)" >>"$BENCH_RESULTS"
    printf '2\tstart to connected prompt, wall less the harness floor (%s)\t%s ms\tiex --remsh %s ms\t%.3f\t<= 0.05\t%s\n' \
        "$label" "$(echo "$ot - $fl" | bc)" "$(echo "$it - $fl" | bc)" "$ntr" "$(met "$ntr" 0.05)" >>"$BENCH_RESULTS"
    printf '2\tstart to connected prompt, peak RSS (%s)\t%.1f MB\tiex --remsh %.1f MB\t%.3f\t<= 0.25\t%s\n' \
        "$label" "$(echo "$orss / 1024" | bc -l)" "$(echo "$irss / 1024" | bc -l)" "$rr" "$(met "$rr" 0.25)" >>"$BENCH_RESULTS"
fi
