#!/bin/sh
# `pnpm test`: every package's tests, going on past a failing package (turbo --continue) so one run
# shows every failure.
#
# vitest runs one test file at a time on a 2-core machine (its default is cores − 1 workers), so
# packages run in two lanes, one package at a time in each. First the packages whose tests run
# in-process; then the packages whose e2e files start whole devnets or nodes from dist/ (a devnet
# beside the timer-driven in-process simulations slows both, but two e2e files side by side hold:
# every wait is on a condition). The lanes are fixed here, balanced by measured package times,
# rather than left to turbo's order: when it started the longest package last (chain's, devnet's),
# a phase took that package's time plus another's. The second lane of each phase is "everything
# else", so a new package always runs. With arguments (`pnpm test --filter=@p2pnode/chain`) it is
# one plain turbo run.
set -u
E2E_FIRST_LANE="@p2pnode/devnet"
E2E_SECOND_LANE="@p2pnode/cli @p2pnode/dashboard @p2pnode/chaos"
# devnet's package alone is longer than the other three together (~600 s against ~480 s), so one
# of its files runs at the end of the second lane instead.
DEVNET_FILE_IN_SECOND_LANE="test/prod-tree.e2e.test.ts"
# chain (~105 s) + stark, dht, kit, codec, rules, types (~90 s) ≈ gateway (~100 s) + the rest.
IN_PROCESS_FIRST_LANE="@p2pnode/chain @p2pnode/stark @p2pnode/dht @p2pnode/kit @p2pnode/codec @p2pnode/rules @p2pnode/types"

# Build once first: one `tsc -b` over the workspace (a no-op when up to date). Turbo's test tasks do
# not build, so each package does not start its own tsc.
pnpm -s build || exit 1
if [ $# -gt 0 ]; then
  exec turbo run test --continue --concurrency=1 "$@"
fi

# --filter=P for each package of $1, or --filter=!P with $2 = "!".
filters() {
  out=""
  for p in $1; do out="$out --filter=${2:-}$p"; done
  echo "$out"
}

# turbo run test over the packages of filter list $1, with vitest arguments $2 (optional).
lane() {
  # shellcheck disable=SC2086 # the filter and argument lists are meant to split
  turbo run test --continue --concurrency=1 $1 ${2:+-- $2}
}

# Runs two lanes (shell commands) side by side; status 0 when both passed.
two_lanes() {
  eval "$1" &
  first=$!
  eval "$2"
  second=$?
  wait "$first"
  [ $? -eq 0 ] && [ "$second" -eq 0 ]
}

started=$(date +%s)
two_lanes "lane '$(filters "$IN_PROCESS_FIRST_LANE")'" \
  "lane '$(filters "$IN_PROCESS_FIRST_LANE $E2E_FIRST_LANE $E2E_SECOND_LANE" "!")'"
in_process=$?
echo "test: in-process packages took $(($(date +%s) - started)) s"
started=$(date +%s)
two_lanes "lane '$(filters "$E2E_FIRST_LANE")' '--exclude=$DEVNET_FILE_IN_SECOND_LANE'" \
  "lane '$(filters "$E2E_SECOND_LANE")'; s=\$?; lane --filter=@p2pnode/devnet $DEVNET_FILE_IN_SECOND_LANE && [ \$s -eq 0 ]"
e2e=$?
echo "test: e2e packages took $(($(date +%s) - started)) s"
[ "$in_process" -eq 0 ] && [ "$e2e" -eq 0 ]
