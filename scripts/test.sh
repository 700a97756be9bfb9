#!/bin/sh
# `pnpm test`: every package's tests, going on past a failing package (turbo --continue) so one run
# shows every failure.
#
# vitest runs one test file at a time on a 2-core machine (its default is cores − 1 workers), so
# the packages whose tests run in-process go two at a time. The packages whose e2e files start whole
# devnets or nodes from dist/ run afterwards, in two lanes: devnet's package alone (half of the
# phase's work) and cli, dashboard and chaos one after another beside it. A devnet beside the
# timer-driven in-process simulations slows both, but two e2e files side by side hold (every wait
# is on a condition). The lanes are fixed here rather than left to turbo's order: when devnet's
# package started last, the phase took its time plus a whole other package's. With arguments
# (`pnpm test --filter=@p2pnode/chain`) it is one plain turbo run.
set -u
LONG_LANE="@p2pnode/devnet"
SHORT_LANE="@p2pnode/cli @p2pnode/dashboard @p2pnode/chaos"

# Build once first: one `tsc -b` over the workspace (a no-op when up to date). Turbo's test tasks do
# not build, so each package does not start its own tsc.
pnpm -s build || exit 1
if [ $# -gt 0 ]; then
  exec turbo run test --continue --concurrency=1 "$@"
fi
without=""
long=""
short=""
for p in $LONG_LANE; do
  without="$without --filter=!$p"
  long="$long --filter=$p"
done
for p in $SHORT_LANE; do
  without="$without --filter=!$p"
  short="$short --filter=$p"
done
started=$(date +%s)
# shellcheck disable=SC2086 # the filter lists are meant to split
turbo run test --continue --concurrency=2 $without
parallel=$?
echo "test: in-process packages took $(($(date +%s) - started)) s"
started=$(date +%s)
# shellcheck disable=SC2086
turbo run test --continue --concurrency=1 $long &
long_pid=$!
# shellcheck disable=SC2086
turbo run test --continue --concurrency=1 $short
short_status=$?
wait "$long_pid"
long_status=$?
echo "test: e2e packages took $(($(date +%s) - started)) s"
[ "$parallel" -eq 0 ] && [ "$long_status" -eq 0 ] && [ "$short_status" -eq 0 ]
