#!/bin/sh
# `pnpm test`: every package's tests, going on past a failing package (turbo --continue) so one run
# shows every failure.
#
# vitest runs one test file at a time on a 2-core machine (its default is cores − 1 workers), so
# the packages whose tests run in-process go two at a time; the packages whose e2e files start whole
# devnets or nodes from dist/ (devnet, cli, dashboard, chaos) run afterwards, one at a time: two devnets
# at once starve each other, and a devnet beside the timer-driven simulations slows both. With
# arguments (`pnpm test --filter=@p2pnode/chain`) it is one plain turbo run.
set -u
SERIAL="@p2pnode/devnet @p2pnode/cli @p2pnode/dashboard @p2pnode/chaos"

# Build once first: one `tsc -b` over the workspace (a no-op when up to date). Turbo's test tasks do
# not build, so each package does not start its own tsc.
pnpm -s build || exit 1
if [ $# -gt 0 ]; then
  exec turbo run test --continue --concurrency=1 "$@"
fi
without=""
only=""
for p in $SERIAL; do
  without="$without --filter=!$p"
  only="$only --filter=$p"
done
# shellcheck disable=SC2086 # the filter lists are meant to split
turbo run test --continue --concurrency=2 $without
parallel=$?
# shellcheck disable=SC2086
turbo run test --continue --concurrency=1 $only
serial=$?
[ "$parallel" -eq 0 ] && [ "$serial" -eq 0 ]
