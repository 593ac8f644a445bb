#!/bin/sh
# preStop of a media pod: no new rooms or sessions land on this node any more, and the pod waits until its last
# session ends (terminationGracePeriodSeconds is the upper bound). Janus and the agent both wait, so Janus keeps
# serving and the agent keeps reporting the node as draining meanwhile.
set -u
node="$1"
confer media drain "$node" || true
while :; do
  sessions="$(confer media nodes | awk -v node="$node" '$1 == node { split($4, load, "/"); print load[1] }')"
  # Not listed (Redis unreachable, or Janus already gone): nothing more to wait for.
  if [ -z "$sessions" ] || [ "$sessions" = 0 ]; then
    exit 0
  fi
  sleep "${DRAIN_POLL_SECONDS:-15}"
done
