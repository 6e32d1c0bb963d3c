#!/usr/bin/env bash
# Installs the pinned helm into the project's cache and prints the binary's path on stdout (last
# line); everything else goes to stderr. Idempotent: a cached binary of the pinned version is reused
# in milliseconds, so tests call this script to find helm.
#
# helm is built from source through the Go module proxy (the only route to it on these machines):
# `go install helm.sh/helm/v3/cmd/helm@VERSION`. The first build takes a few minutes on 2 cores.
#
# Environment:
#   CDC_SINK_CACHE   cache root (default: $HOME/.cache/cdc-dynamodb-sink); helm goes to $CDC_SINK_CACHE/bin
set -euo pipefail

HELM_VERSION="v3.21.4"
CACHE="${CDC_SINK_CACHE:-$HOME/.cache/cdc-dynamodb-sink}"
BIN_DIR="$CACHE/bin"
HELM="$BIN_DIR/helm"

log() { echo "install-helm: $*" >&2; }

cached_version() {
  [ -x "$HELM" ] || return 1
  "$HELM" version --template '{{.Version}}' 2>/dev/null
}

if [ "$(cached_version || true)" = "$HELM_VERSION" ]; then
  echo "$HELM"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  log "error: 'go' is not on PATH; helm $HELM_VERSION is built with the Go toolchain (go install)."
  exit 1
}
command -v flock >/dev/null 2>&1 || {
  log "error: 'flock' (util-linux) is needed to serialise concurrent builds."
  exit 1
}

mkdir -p "$BIN_DIR"
# Test files run in parallel and may all ask for helm at once: one builds, the others wait.
exec 9>"$BIN_DIR/.helm.lock"
flock 9
if [ "$(cached_version || true)" = "$HELM_VERSION" ]; then
  echo "$HELM"
  exit 0
fi

build() {
  log "downloading helm.sh/helm/v3@$HELM_VERSION from the Go module proxy"
  local mod_dir
  mod_dir="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -n "$mod_dir" ] && [ -f "$mod_dir/go.mod" ] || {
    log "error: could not locate the downloaded module's go.mod"
    return 1
  }
  # helm's Makefile stamps the version and the default Kubernetes version (client-go v0.X → 1.X)
  # through ldflags; `go install` alone would report "v3.21" and default to Kubernetes 1.20.
  local k8s_minor
  k8s_minor="$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$mod_dir/go.mod" | head -1)"
  [ -n "$k8s_minor" ] || {
    log "error: no k8s.io/client-go requirement in $mod_dir/go.mod"
    return 1
  }
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
  done
  log "building helm $HELM_VERSION (default Kubernetes 1.$k8s_minor) into $BIN_DIR; first build takes a few minutes"
  local started=$SECONDS
  GOBIN="$BIN_DIR" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  log "built in $((SECONDS - started))s"
}

if ! build; then
  log "build failed; retrying once (a transient proxy or network error is the usual cause)"
  if ! build; then
    log "error: could not build helm $HELM_VERSION with $(go version). Check that the Go module proxy"
    log "       ($(go env GOPROXY)) is reachable and the Go toolchain satisfies helm's go.mod."
    exit 1
  fi
fi

got="$(cached_version || true)"
if [ "$got" != "$HELM_VERSION" ]; then
  log "error: $HELM reports version '$got', expected $HELM_VERSION"
  exit 1
fi
echo "$HELM"
