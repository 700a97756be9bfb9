#!/bin/sh
# `pnpm test`: every package's tests, going on past a failing package (turbo --continue) so one run
# shows every failure.
#
# vitest runs one test file at a time on a 2-core machine (its default is cores − 1 workers), so
# the packages whose tests run in-process go two at a time. The packages whose e2e files start whole
# devnets or nodes from dist/ (devnet, cli, dashboard, chaos) run afterwards, also two at a time: a
# devnet beside the timer-driven in-process simulations slows both, but two e2e files side by side
# hold (every wait is on a condition) and devnet's package alone is half of the phase, so the other
# three run in the second lane beside it. With arguments (`pnpm test --filter=@p2pnode/chain`) it is
# one plain turbo run.
set -u
E2E="@p2pnode/devnet @p2pnode/cli @p2pnode/dashboard @p2pnode/chaos"

# Build once first: one `tsc -b` over the workspace (a no-op when up to date). Turbo's test tasks do
# not build, so each package does not start its own tsc.
pnpm -s build || exit 1
if [ $# -gt 0 ]; then
  exec turbo run test --continue --concurrency=1 "$@"
fi
without=""
only=""
for p in $E2E; do
  without="$without --filter=!$p"
  only="$only --filter=$p"
done
started=$(date +%s)
# shellcheck disable=SC2086 # the filter lists are meant to split
turbo run test --continue --concurrency=2 $without
parallel=$?
echo "test: in-process packages took $(($(date +%s) - started)) s"
started=$(date +%s)
# shellcheck disable=SC2086
turbo run test --continue --concurrency=2 $only
e2e=$?
echo "test: e2e packages took $(($(date +%s) - started)) s"
[ "$parallel" -eq 0 ] && [ "$e2e" -eq 0 ]
