#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), starting from the checked-in seed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Findings are written to fuzz-out/<target>/ (crash-*, with the input); the summary line per target
# gives executions and whether anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=($(ls Fuzz))
fi
export BEAMCONSOLE_FUZZ=1 SWIFT_BACKTRACE=enable=no
scratch=.build-fuzz
status=0
for t in "${targets[@]}"; do
    swift build -c release --product "$t" --sanitize fuzzer --sanitize address \
        -Xswiftc -parse-as-library --scratch-path "$scratch" >/dev/null
    bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/$t"
    work="fuzz-out/$t"
    mkdir -p "$work/corpus"
    seeds="Fuzz/$t/seeds"
    log="$work/log.txt"
    set +e
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/" \
        -print_final_stats=1 "$work/corpus" ${seeds:+$( [ -d "$seeds" ] && echo "$seeds")} >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if ((rc == 0)); then
        echo "$t: ${execs:-?} executions in ${secs}s, no findings"
    else
        echo "$t: FINDING (exit $rc) after ${execs:-?} executions; see $log and $work/crash-*"
        status=1
    fi
done
exit $status
