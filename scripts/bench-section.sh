#!/usr/bin/env bash
# One section of make bench's rows, appended to $BENCH_RESULTS (scripts/bench-all.sh and scripts/bench-compare.sh run
# every section through it):
#   size     row 0: scripts/bench-size.sh (the installed, stripped executable: size, run-time libraries, ICU)
#   dist     rows 1 and 3: scripts/bench-dist.sh
#   startup  row 2: scripts/bench-startup.sh STARTUP_RUNS [5]
#   codec    row 4: scripts/bench-codec.sh CODEC_SECONDS [1.0]
#   eval     row 7: scripts/bench-eval.sh (a REPL line: evaluation vs iex --remsh and vs a plain call)
#   scale    rows 5, 6 and multicall against N: scale-bench (root); SCALE_SIZES [10,25,50] SCALE_RUNS [5]
#            WATCH_SECONDS [60]
#
#   scripts/bench-section.sh SECTION
#
# Binaries: the release build's, or BEAMCONSOLE_BIN, DIST_BENCH_BIN, ETF_BENCH_BIN and SCALE_BENCH_BIN (the harness,
# which drives BEAMCONSOLE_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
release_bin() { swift build -c release --show-bin-path; }
case "${1:-}" in
    size)
        echo; echo "==== row 0: scripts/bench-size.sh ===="
        bash scripts/bench-size.sh ;;
    dist)
        echo; echo "==== rows 1 and 3: scripts/bench-dist.sh ===="
        bash scripts/bench-dist.sh ;;
    startup)
        echo; echo "==== row 2: scripts/bench-startup.sh ===="
        bash scripts/bench-startup.sh "${STARTUP_RUNS:-5}" ;;
    codec)
        echo; echo "==== row 4: scripts/bench-codec.sh ===="
        bash scripts/bench-codec.sh "${CODEC_SECONDS:-1.0}" ;;
    eval)
        echo; echo "==== row 7: scripts/bench-eval.sh ===="
        SKIP_BUILD=1 bash scripts/bench-eval.sh ;;
    scale)
        echo; echo "==== rows 5, 6 and multicall against N: scale-bench ===="
        if [[ "$(id -u)" != 0 ]]; then
            echo "bench: rows 5 and 6 need root (network namespaces); skipped" >&2
            exit 0
        fi
        "${SCALE_BENCH_BIN:-$(release_bin)/scale-bench}" --beamconsole "${BEAMCONSOLE_BIN:-$(release_bin)/beamconsole}" \
            --sizes "${SCALE_SIZES:-10,25,50}" --runs "${SCALE_RUNS:-5}" --watch-seconds "${WATCH_SECONDS:-60}" \
            --results "$BENCH_RESULTS" ;;
    *)
        echo "usage: scripts/bench-section.sh dist|startup|codec|eval|scale" >&2
        exit 64 ;;
esac
