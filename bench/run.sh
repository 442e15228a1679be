#!/usr/bin/env bash
# The process-level comparison: ffm-net (Node-style API and raw handle layer) against Netty 4.2
# epoll and io_uring, JDK NIO, Node 20 and a plain C epoll echo, each server pinned to CPU 1 and
# the C load generator to CPU 0, contestants interleaved round by round. Writes bench/RESULTS.md
# and bench/results.svg; raw data and server logs go to bench/results/<timestamp>/.
#
#   bench/run.sh [--quick] [--rounds N] [--only ffm-node,netty-epoll,...] [--workloads tcp-pp-c1,...]
#                [--no-idle] [--profile] [--no-build] [--out FILE] [--port-base P]
#
# --quick: ~9 minutes (short windows, ping-pong at 1 and 64 connections, 10k idle only).
# Full:    ~25 minutes on 2 cores (ping-pong at 1/16/64/256 connections, 10k and 50k idle).
# Needs: gcc, node, taskset, perf (for system-call counts; without it those cells stay empty).
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
. "$root/bin/jdk.sh"
ffmnet_find_jdk || exit 1

build=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi
done

mkdir -p "$bench/target"
# The library under test is the working tree's: installed into ~/.m2 first, so that a run never
# measures whatever was installed last (--no-build measures that, and the report says so).
if [ "$build" = 1 ] || [ ! -f "$bench/target/benchmarks.jar" ]; then
  "$bench/build.sh" --install
  export FFMNET_BENCH_INSTALLED=1
fi
gcc -O2 -Wall -o "$bench/target/loadgen" "$bench/loadgen/loadgen.c"
gcc -O2 -Wall -o "$bench/target/c_epoll_echo" "$bench/servers/c_epoll_echo.c"
for tool in taskset node; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done
command -v perf >/dev/null || echo "run.sh: perf not found: system-call counts will be missing (apt-get install linux-perf)" >&2

# Open-file limit: raise the soft limit to the hard one for the servers and the load generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

export JAVA_BIN="$JAVA_HOME/bin/java"
cmd="bench/run.sh${*:+ $*}"
exec python3 "$bench/runner.py" --command "$cmd" "${args[@]+"${args[@]}"}"
