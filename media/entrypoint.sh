#!/bin/sh
# Render Janus's configuration from CONFER_MEDIA_* (refusing unsafe settings), then become Janus.
set -eu

CONFIG_DIR="${CONFER_MEDIA_CONFIG_DIR:-/run/janus-config}"

# The node's public address can come from a file written when the pod started (the Helm chart's init container
# reads it from the Node object), since it is known only once the pod has a node.
if [ -n "${CONFER_MEDIA_PUBLIC_IP_FILE:-}" ]; then
  CONFER_MEDIA_PUBLIC_IP="$(cat "$CONFER_MEDIA_PUBLIC_IP_FILE")"
  export CONFER_MEDIA_PUBLIC_IP
fi

confer media render-config --out "$CONFIG_DIR"

exec janus -F "$CONFIG_DIR" -C "$CONFIG_DIR/janus.jcfg" -o "$@"
