#!/usr/bin/env bash
# Start to a connected, usable prompt, on a pseudo-terminal (tmux): beamconsole vs `iex --remsh`, against the same
# Elixir node. Reports the median wall time until the prompt is on screen and the process's peak RSS (VmHWM) at that
# moment, and ours/iex ratios (targets: time <= 1/20, RSS <= 1/4).
#   scripts/bench-startup.sh [RUNS]
# With BENCH_RESULTS=FILE it also appends the issue's row 2 to FILE, tab-separated (row, what, ours, anchor, ratio,
# target, met), for scripts/bench-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
swift build -c release --product beamconsole >/dev/null
bin="$(swift build -c release --show-bin-path)/beamconsole"
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

: >"$work/ours" ; : >"$work/iex"
for i in $(seq 1 "$runs"); do
    measure "beamconsole($target)>" "RELEASE_COOKIE=$cookie $bin --connect $target" >>"$work/ours"
    measure "iex($target)" "iex --sname probe$i$RANDOM --cookie $cookie --remsh $target" >>"$work/iex"
done
ot=$(cut -d' ' -f1 "$work/ours" | median); orss=$(cut -d' ' -f2 "$work/ours" | median)
it=$(cut -d' ' -f1 "$work/iex" | median); irss=$(cut -d' ' -f2 "$work/iex" | median)
printf '%-28s %10s %12s\n' "start to connected prompt" "median ms" "peak RSS MB"
printf '%-28s %10s %12.1f\n' "beamconsole (release)" "$ot" "$(echo "$orss / 1024" | bc -l)"
printf '%-28s %10s %12.1f\n' "iex --remsh" "$it" "$(echo "$irss / 1024" | bc -l)"
printf 'ratio ours/iex: time %.3f (target <= 0.05), RSS %.3f (target <= 0.25)   load: %s\n' \
    "$(echo "$ot / $it" | bc -l)" "$(echo "$orss / $irss" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${BENCH_RESULTS:-}" ]]; then
    awk -v ot="$ot" -v it="$it" -v orss="$orss" -v irss="$irss" 'BEGIN {
        printf "2\tstart to connected prompt vs iex --remsh: ms\t%d\t%d\t%.3f\t<= 0.05x\t%s\n", ot, it, ot / it, (ot / it <= 0.05 ? "yes" : "no")
        printf "2\tstart to connected prompt vs iex --remsh: peak RSS MB\t%.1f\t%.1f\t%.3f\t<= 0.25x\t%s\n", orss / 1024, irss / 1024, orss / irss, (orss / irss <= 0.25 ? "yes" : "no")
    }' >>"$BENCH_RESULTS"
fi
