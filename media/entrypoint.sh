#!/bin/sh
# Render Janus's configuration from CONFER_MEDIA_* (refusing unsafe settings), then become Janus.
set -eu

CONFIG_DIR="${CONFER_MEDIA_CONFIG_DIR:-/run/janus-config}"

confer media render-config --out "$CONFIG_DIR"

exec janus -F "$CONFIG_DIR" -C "$CONFIG_DIR/janus.jcfg" -o "$@"
