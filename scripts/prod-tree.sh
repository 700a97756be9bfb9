#!/bin/sh
# The production tree the image ships: a built workspace with production dependencies only.
#
#   scripts/prod-tree.sh DIR                 prune the built workspace DIR in place
#                                            (the Dockerfile's prune stage runs exactly this)
#   scripts/prod-tree.sh --copy SRC DIR      copy the built workspace SRC to DIR as the image's
#                                            build context would hold it after `pnpm build`
#                                            (.dockerignore's exclusions but dist/), then prune DIR
#
# One script for both, so the tree CI rehearses (packages/devnet/test/prod-tree.e2e.test.ts) cannot
# drift from the one in the image: a run-time import that is only a devDependency fails there first.
# Needs pnpm and a store holding every production package (--offline: the build already fetched them).
set -eu

if [ "${1:-}" = "--copy" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --copy SRC DIR" >&2; exit 2; }
  src=$(cd "$2" && pwd)
  dest=$3
  mkdir -p "$dest"
  # .dockerignore holds "**/name" (at any depth: tar's plain --exclude) and root names (./name).
  # dist/ is kept: the image builds it, SRC already has it.
  set --
  while IFS= read -r line; do
    case "$line" in
      "" | "#"* | "!"* | "**/dist") ;;
      "**/"*) set -- "$@" "--exclude=${line#\*\*/}" ;;
      *) set -- "$@" "--exclude=./$line" ;;
    esac
  done <"$src/.dockerignore"
  tar -C "$src" "$@" -cf - . | tar -C "$dest" -xf -
  exec sh "$0" "$dest"
fi

[ $# -eq 1 ] || { echo "usage: $0 DIR | $0 --copy SRC DIR" >&2; exit 2; }
cd "$1"
[ -f pnpm-lock.yaml ] || { echo "prod-tree: $1 is not the workspace root" >&2; exit 2; }
for d in packages/*/ services/*/; do
  if [ -f "$d/tsconfig.json" ] && [ ! -d "$d/dist" ]; then
    echo "prod-tree: $d has no dist/: run \`pnpm build\` first" >&2
    exit 2
  fi
done

# A fresh production install over the built tree. With a warm store nothing is downloaded, and
# pnpm's side-effects cache reuses the compiled better-sqlite3 instead of compiling it again.
find . -name node_modules -type d -prune -exec rm -rf {} +
CI=true pnpm install --offline --frozen-lockfile --prod --reporter=silent
# What only building and testing need.
find packages services -mindepth 2 -maxdepth 2 \
  \( -name src -o -name test -o -name bench -o -name '*.tsbuildinfo' -o -name 'tsconfig*.json' -o -name 'vitest.config.ts' \) \
  -exec rm -rf {} +
find packages services -path '*/dist/*' \( -name '*.map' -o -name '.tsbuildinfo' -o -name '*.tsbuildinfo' -o -name '*.inputs.json' \) -delete
rm -rf .git .ci .turbo infra/test infra/k8s scripts
