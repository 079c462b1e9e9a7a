#!/usr/bin/env bash
# make demo: a local three-node Elixir cluster (short names on this host, clustered the way libcluster's LocalEpmd
# strategy does it) running Resources/demo/demo.exs, and the console connected to it. Quitting the console stops the
# demo nodes (by PID) and exits 0, quietly.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product beamconsole >/dev/null
bin="$(swift build --show-bin-path)/beamconsole"
work="$(mktemp -d)"
pids=()
# Stops the nodes we started, by PID, and reaps them: `wait` collects each one's status here, with its report sent to
# /dev/null, so bash prints no "Killed" line for them.
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A fresh cookie for this demo, in a file only we can read (as erl requires).
head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$work/cookie"
chmod 600 "$work/cookie"
host="$(hostname -s)"
for n in a b c; do
    elixir --sname "demo_$n" --cookie "$(cat "$work/cookie")" --erl "+S 1" --no-halt Resources/demo/demo.exs \
        >"$work/demo_$n.log" 2>&1 &
    pids+=($!)
done
echo "Starting demo_a, demo_b, demo_c on $host ..."
for _ in $(seq 1 150); do
    names="$(epmd -names 2>/dev/null || true)"
    if grep -q "demo ready" "$work/demo_a.log" && grep -q "demo ready" "$work/demo_b.log" && grep -q "demo ready" "$work/demo_c.log"; then
        break
    fi
    sleep 0.2
done
sleep 1.5
cat <<EOT
Try:  x = 21    Enum.map(1..3, &(&1 * x))    Demo.Money.new(1250, "EUR")    h Enum.map    Demo.Orders.create("tea", 3)
      nodes    members    info    watch (q returns)    doctor    multicall length(Process.list())    use demo_b@$host
EOT
# With a terminal, the console runs as a job of its own (job control on for this one command): the terminal's Ctrl-C
# (which cancels a running call) then reaches the console alone, not make, this script or the demo nodes.
[[ -t 0 ]] && set -m
"$bin" --cookie-file "$work/cookie" --connect "demo_a@$host" --nodes "demo_b@$host,demo_c@$host"
