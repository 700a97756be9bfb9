#!/bin/sh
# `pnpm test`: every package's tests, going on past a failing package (turbo --continue) so one run
# shows every failure.
#
# Two lanes run side by side, one package at a time each: the packages whose tests run in-process,
# and the packages whose e2e files start whole devnets or nodes from dist/ (devnet, cli, dashboard,
# chaos). A devnet e2e spends much of its time waiting on block times and timeouts, so one
# in-process package beside it uses the idle core; two devnets at once would starve each other.
# vitest itself runs one test file at a time per package on a 2-core machine. With arguments
# (`pnpm test --filter=@p2pnode/chain`) it is one plain turbo run.
set -u
SERIAL="@p2pnode/devnet @p2pnode/cli @p2pnode/dashboard @p2pnode/chaos"

if [ $# -gt 0 ]; then
  exec turbo run test --continue --concurrency=1 "$@"
fi
without=""
only=""
for p in $SERIAL; do
  without="$without --filter=!$p"
  only="$only --filter=$p"
done
# Build once first (a no-op when up to date): two lanes building the same package at once would race.
turbo run build --output-logs=errors-only || exit 1
# shellcheck disable=SC2086 # the filter lists are meant to split
turbo run test --continue --concurrency=1 $without &
inprocess=$!
# shellcheck disable=SC2086
turbo run test --continue --concurrency=1 $only
devnets=$?
wait "$inprocess"
inprocess=$?
[ "$inprocess" -eq 0 ] && [ "$devnets" -eq 0 ]
