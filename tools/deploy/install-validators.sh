#!/usr/bin/env bash
# Installs the offline Kubernetes schema validator (PyPI `kubernetes-validate`, which bundles the
# OpenAPI-derived JSON schemas of every Kubernetes minor release it supports) into a venv in the
# project's cache, and prints the path of its `kubernetes-validate` command on stdout (last line);
# everything else goes to stderr. Idempotent: fast when the pinned version is already there.
#
# Environment:
#   CDC_SINK_CACHE   cache root (default: $HOME/.cache/cdc-dynamodb-sink)
set -euo pipefail

KUBERNETES_VALIDATE_VERSION="1.37.0"
CACHE="${CDC_SINK_CACHE:-$HOME/.cache/cdc-dynamodb-sink}"
VENV="$CACHE/venv-validators"
CMD="$VENV/bin/kubernetes-validate"
STAMP="$VENV/.kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"

log() { echo "install-validators: $*" >&2; }

if [ -f "$STAMP" ] && [ -x "$CMD" ]; then
  echo "$CMD"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || {
  log "error: python3 is not on PATH"
  exit 1
}
mkdir -p "$CACHE"
exec 9>"$CACHE/.validators.lock"
flock 9
if [ -f "$STAMP" ] && [ -x "$CMD" ]; then
  echo "$CMD"
  exit 0
fi

install() {
  log "creating venv $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV"; then
    # Debian splits venv/ensurepip into python3-venv; install it when we may (root, apt).
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "'python3 -m venv' failed: installing Debian's python3-venv"
      rm -rf "$VENV"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2; }
      python3 -m venv "$VENV" || return 1
    else
      log "error: 'python3 -m venv' failed; on Debian install the python3-venv package"
      return 1
    fi
  fi
  log "pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (from PyPI)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  "$CMD" --version >&2
  touch "$STAMP"
}

if ! install; then
  log "install failed; retrying once"
  install || {
    log "error: could not install kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI"
    exit 1
  }
fi
echo "$CMD"
