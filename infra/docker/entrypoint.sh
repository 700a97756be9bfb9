#!/bin/sh
# Container entrypoint: the same command line packages/devnet runs for each node
# (`node --max-semi-space-size=1 packages/cli/dist/main.js node start`, the arguments coming from
# CMD), after one default. The V8 flag is devnet's too: a smaller young generation keeps the
# supervisor's memory low (infra/test checks that the two stay the same).
set -eu

# Peers must dial an address that reaches this container, not the 0.0.0.0 it listens on. Compose
# gives each replica its own IP on the project network and maps the container's hostname to it in
# /etc/hosts; Kubernetes sets the variable from the downward API (status.podIP) instead.
if [ -z "${P2PNODE_ADVERTISE_HOST:-}" ]; then
  ip=$(hostname -i 2>/dev/null) || ip=""
  ip=${ip%% *} # the first address when the container is on several networks
  case "$ip" in
    "" | 127.* | ::1) ;; # loopback is never worth advertising: leave it to the node
    *) export P2PNODE_ADVERTISE_HOST="$ip" ;;
  esac
fi

exec node --max-semi-space-size=1 /app/packages/cli/dist/main.js "$@"
