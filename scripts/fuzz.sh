#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), starting from the checked-in seed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Targets are the directories under Fuzz/ (FuzzETFDecode, FuzzHandshake, FuzzFrameParser, FuzzEPMD, FuzzDNS,
# FuzzECSMetadata, FuzzTermParser); they are built first, all at once, then run one after the other.
# Findings are written to fuzz-out/<target>/ (crash-*, timeout-*, oom-*, with the input); the summary line per
# target gives executions and whether anything was found. An input that runs longer than 10 s is a finding (hang).
# FUZZ_BUILD=0 skips the build (the binaries in .build-fuzz are used as they are).
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
# SwiftPM passes --sanitize fuzzer and --sanitize address to swiftc as two -sanitize= options, and swiftc keeps only
# the last: Swift code would get AddressSanitizer but no coverage, and libFuzzer would mutate blind. The combined
# -Xswiftc option comes after them and wins; the --sanitize options are still needed to link libFuzzer.
build=(-c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
    --scratch-path "$scratch")
if [[ "${FUZZ_BUILD:-1}" != 0 ]]; then
    for t in "${targets[@]}"; do
        mkdir -p fuzz-out
        if ! swift build "${build[@]}" --product "$t" >fuzz-out/build.log 2>&1; then
            grep -E 'error:' fuzz-out/build.log | head -20 >&2
            echo "$t: build failed (fuzz-out/build.log)" >&2
            exit 2
        fi
    done
fi
bindir="$(swift build "${build[@]}" --show-bin-path)"
status=0
for t in "${targets[@]}"; do
    bin="$bindir/$t"
    work="fuzz-out/$t"
    mkdir -p "$work/corpus"
    seeds="Fuzz/$t/seeds"
    log="$work/log.txt"
    set +e
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/" \
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
