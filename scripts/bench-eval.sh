#!/usr/bin/env bash
# A REPL line, Enter to result, on a pseudo-terminal (tmux), against the same Elixir node (the demo application):
#   - beamconsole evaluating the line (the node's evaluator: state, the node's own Inspect)
#   - beamconsole's plain `call` of the same function (no evaluator: the call and a local rendering)
#   - iex --remsh evaluating the same line
# Each session is started and warmed up (its first line starts the evaluator), then LINES copies of the line and a
# last marker line are pasted at once; the time until the marker's result is on screen, less the time for the marker
# alone, over LINES, is the time per line. Median of RUNS.
#   scripts/bench-eval.sh
#
# Environment knobs (defaults in brackets): RUNS [3] LINES [100] SKIP_BUILD [0]; BEAMCONSOLE_BIN measures this binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export BEAMCONSOLE_RELEASE_LAYOUT=1
runs="${RUNS:-3}"
lines="${LINES:-100}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release --product beamconsole >/dev/null
fi
bin="${BEAMCONSOLE_BIN:-$(swift build -c release --show-bin-path)/beamconsole}"
host="$(hostname -s)"
cookie="bench$RANDOM$RANDOM"
work="$(mktemp -d)"
sock="bc-bench-eval-$$"
node_pid=""
cleanup() {
    spid="$(tmux -L "$sock" display -p '#{pid}' 2>/dev/null || true)"
    [[ -n "$spid" ]] && kill -9 "$spid" 2>/dev/null || true
    [[ -n "$node_pid" ]] && kill -9 "$node_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
elixir --sname "bench_eval_target" --cookie "$cookie" --no-halt Resources/demo/demo.exs >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do grep -q "demo ready" "$work/node.log" && break; sleep 0.1; done
target="bench_eval_target@$host"

now_us() { echo $(( $(date +%s%N) / 1000 )); }
tm() { tmux -L "$sock" -f /dev/null "$@"; }
wait_for() {  # TEXT: until the pane shows it (up to 60 s)
    for _ in $(seq 1 12000); do
        if tm capture-pane -p -S -400 2>/dev/null | grep -qF "$1"; then return 0; fi
        sleep 0.005
    done
    echo "bench-eval: timed out waiting for $1" >&2
    return 1
}
# paste_until TEXT MARKER: pastes TEXT, returns the microseconds until MARKER is on screen.
paste_until() {
    local t0 t1
    printf '%s' "$1" >"$work/paste"
    tm clear-history
    tm send-keys C-l
    sleep 0.2
    tm load-buffer "$work/paste"
    t0=$(now_us)
    tm paste-buffer -d
    wait_for "$2"
    t1=$(now_us)
    echo $((t1 - t0))
}

# measure PROMPT COMMAND LINE: microseconds per line.
measure() {
    local prompt="$1" cmd="$2" line="$3" i batch one marker
    tm kill-server 2>/dev/null || true
    tm new-session -d -x 160 -y 50 "$cmd"
    wait_for "$prompt"
    # Warm up: the first line starts the evaluator (or loads the code paths).
    # The marker line's input is lower case, its result upper case: only the result matches.
    marker="warm$RANDOM"
    paste_until "$line"$'\n'"String.upcase(\"$marker\")"$'\n' "\"${marker^^}\"" >/dev/null
    batch=""
    for i in $(seq 1 "$lines"); do batch+="$line"$'\n'; done
    marker="done$RANDOM"
    local many
    many=$(paste_until "$batch"'String.upcase("'"$marker"'")'$'\n' "\"${marker^^}\"")
    marker="one$RANDOM"
    one=$(paste_until 'String.upcase("'"$marker"'")'$'\n' "\"${marker^^}\"")
    tm kill-server 2>/dev/null || true
    echo $(( (many - one) / lines ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

line='Enum.sum([1, 2, 3])'
: >"$work/eval"; : >"$work/call"; : >"$work/iex"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$runs"); do
    measure "beamconsole($target)>" "RELEASE_COOKIE=$cookie $bin --connect $target" "$line" >>"$work/eval"
    measure "beamconsole($target)>" "RELEASE_COOKIE=$cookie $bin --connect $target" "call $line" >>"$work/call"
    measure "iex($target)" "iex --sname probe$r$RANDOM --cookie $cookie --remsh $target" "$line" >>"$work/iex"
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
ev=$(median <"$work/eval"); ca=$(median <"$work/call"); ix=$(median <"$work/iex")
ms() { echo "scale=2; $1 / 1000" | bc -l; }
printf '%-52s %12s\n' "REPL line, Enter to result ($line)" "median ms"
printf '%-52s %12s\n' "beamconsole, evaluated by the node's evaluator" "$(ms "$ev")"
printf '%-52s %12s\n' "beamconsole, call (no evaluator)" "$(ms "$ca")"
printf '%-52s %12s\n' "iex --remsh" "$(ms "$ix")"
echo "load: $load0 -> $load1 (runs: $runs, $lines lines each)"
echo
echo "== summary (bench-eval) =="
echo "| row | ours | anchor | ours/anchor | target |"
echo "|---|---|---|---|---|"
printf '| REPL line, evaluation vs iex --remsh | %s ms | iex --remsh %s ms | %.2f | (none; measured) |\n' \
    "$(ms "$ev")" "$(ms "$ix")" "$(echo "$ev / $ix" | bc -l)"
printf '| REPL line, evaluation vs a plain call | %s ms | call %s ms | %.2f | (none; measured) |\n' \
    "$(ms "$ev")" "$(ms "$ca")" "$(echo "$ev / $ca" | bc -l)"
if [[ -n "${BENCH_RESULTS:-}" ]]; then
    printf '7\tREPL line, evaluation vs iex --remsh\t%s ms\tiex --remsh %s ms\t%.2f\t(none)\t-\n' \
        "$(ms "$ev")" "$(ms "$ix")" "$(echo "$ev / $ix" | bc -l)" >>"$BENCH_RESULTS"
    printf '7\tREPL line, evaluation vs a plain call\t%s ms\tcall %s ms\t%.2f\t(none)\t-\n' \
        "$(ms "$ev")" "$(ms "$ca")" "$(echo "$ev / $ca" | bc -l)" >>"$BENCH_RESULTS"
fi
