#!/usr/bin/env bash
# Installs kustomize (the renderer of deploy/k8s, used by the manifest tests) once, from the Go
# module proxy with `go install`, into the per-user cache that also holds the Kafka jars.
# Prints the binary's path. Idempotent: does nothing when that version is already there.
#   HOIAM_CACHE_DIR   where builds are cached [${XDG_CACHE_HOME:-~/.cache}/hoi-am]
set -euo pipefail

VERSION=v5.7.1
CACHE="${HOIAM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hoi-am}"
bin_dir="$CACHE/kustomize-$VERSION/bin"
binary="$bin_dir/kustomize"

die() { echo "kustomize: ERROR: $*" >&2; exit 1; }

if [ ! -x "$binary" ]; then
  command -v go >/dev/null 2>&1 || die "go is missing: kustomize $VERSION is built with 'go install'"
  mkdir -p "$bin_dir"
  echo "kustomize: building $VERSION into $bin_dir (once)" >&2
  # GOFLAGS from the caller (e.g. -mod=vendor) must not apply to this module-mode install.
  GOFLAGS= GOBIN="$bin_dir" go install "sigs.k8s.io/kustomize/kustomize/v5@$VERSION" >&2 \
    || die "go install sigs.k8s.io/kustomize/kustomize/v5@$VERSION failed (is the Go module proxy reachable?)"
fi
echo "$binary"
