# Sourced by scripts/synth and scripts/test: checks the toolchain and installs what is missing.
# Idempotent and quick when nothing changed (lock-file hashes are stamped after each install).
set -euo pipefail

PIPENV_VERSION="2026.10.3"
export PIPENV_VENV_IN_PROJECT=1 PIPENV_VERBOSITY=-1 PIPENV_NOSPIN=1 PIPENV_YES=1
export CHECKPOINT_DISABLE=1 # no Terraform/CDKTF version checks over the network

die() { echo "error: $*" >&2; exit 1; }

require_python() {
  command -v python3 >/dev/null || die "python3 (3.11+) is required"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "python3 is $(python3 -V 2>&1); 3.11+ is required"
}

require_node() {
  command -v node >/dev/null || die "node (20+) is required"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "node is $(node --version); 20+ is required"
}

require_terraform() {
  command -v terraform >/dev/null || die "terraform (1.6+) is required for the tests"
}

ensure_pipenv() {
  python3 -m pipenv --version >/dev/null 2>&1 && return
  echo "installing pipenv==$PIPENV_VERSION" >&2
  python3 -m pip install --quiet "pipenv==$PIPENV_VERSION"
}

# sync_lock DIR ARGS...: `pipenv sync ARGS` in DIR unless its Pipfile.lock is unchanged since last time.
sync_lock() {
  local dir=$1; shift
  local stamp="$dir/.venv/.synced-$(sha256sum "$dir/Pipfile.lock" | cut -c1-16)"
  [ -f "$stamp" ] && return
  echo "installing Python dependencies of $dir (Pipfile.lock)" >&2
  (cd "$dir" && python3 -m pipenv sync "$@" >/dev/null)
  rm -f "$dir"/.venv/.synced-*
  touch "$stamp"
}

ensure_node_modules() {
  local stamp="node_modules/.synced-$(sha256sum package-lock.json | cut -c1-16)"
  [ -f "$stamp" ] && return
  echo "installing cdktf-cli (package-lock.json)" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$stamp"
}
