#!/usr/bin/env bash
# End-to-end test of the VS Code extension (editors/vscode) with the frontline language server, in a
# real VS Code: code-server 4.100.3 (= VS Code 1.100.3) driven by playwright-core in Debian's
# Chromium. Self-installing; see /work/shared/recipes/vscode-e2e.md for why each step is as it is.
#
#   bash tests/e2e/vscode/run.sh
#
# Environment:
#   FRONTLINE_BIN       server binary to test (default: `cargo build --release`, then
#                       <repo>/target/release/frontline)
#   FRONTLINE_E2E_DIR   work folder (default <repo>/target/e2e): tools in vscode-tools/ (kept between
#                       runs), this run's files in vscode/ (screenshots in vscode/screenshots/)
#   E2E_TIMEOUT         seconds for the browser part (default 240); installs have their own limits
#
# Prints `PASS <check>` / `FAIL <check>: why`, then `vscode-e2e: N passed, M failed`; exits non-zero
# on any failure. Everything it starts (code-server, the extension host, the server, Chromium) is
# stopped on exit, also on Ctrl+C or a timeout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
E2E_DIR=${FRONTLINE_E2E_DIR:-$REPO/target/e2e}
mkdir -p "$E2E_DIR"
E2E_DIR=$(cd "$E2E_DIR" && pwd)
TOOLS=$E2E_DIR/vscode-tools
RUN=$E2E_DIR/vscode
EXT_SRC=$REPO/editors/vscode
SEED=$REPO/seeds/articles/000_a9beee0ed21879d9.txt
E2E_TIMEOUT=${E2E_TIMEOUT:-240}

# Pinned with the recipe: code-server 4.100.3 installs @vscode/ripgrep 1.15.11, whose postinstall
# downloads this asset from GitHub unless it finds it in os.tmpdir()/vscode-ripgrep-cache-<version>/.
RG_PKG_VERSION=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

say() { echo "== vscode-e2e: $*"; }
die() {
  echo "FAIL setup: $*"
  echo "vscode-e2e: 0 passed, 1 failed"
  exit 1
}
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

# --- 1. Debian packages ----------------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v c++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need_apt+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${need_apt[*]}"
    SUDO=sudo
  fi
  timeout 900 $SUDO apt-get update -q || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive timeout 1200 $SUDO apt-get install -y -q "${need_apt[@]}" ||
    die "apt-get install ${need_apt[*]} failed"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing"

# --- 2. code-server + playwright-core, into $TOOLS (skipped when already installed) --------------
stamp=$(cat "$HERE"/tools/package*.json | sha256sum | cut -c1-16)
if [ "$(cat "$TOOLS/.installed" 2>/dev/null)" != "$stamp" ] || ! [ -x "$TOOLS/node_modules/.bin/code-server" ]; then
  say "installing code-server and playwright-core into $TOOLS (1-3 minutes)"
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS/tmp" "$TOOLS/rgpack"
  cp "$HERE/tools/package.json" "$TOOLS/"
  [ -f "$HERE/tools/package-lock.json" ] && cp "$HERE/tools/package-lock.json" "$TOOLS/"
  # Seed @vscode/ripgrep's download cache with Debian's rg 13.0.0 (its postinstall would call GitHub).
  mkdir -p "$TOOLS/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
  cp "$(command -v rg)" "$TOOLS/rgpack/rg"
  tar czf "$TOOLS/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C "$TOOLS/rgpack" rg
  # npm_config_yes: node-pty's postinstall runs `npx node-gyp`. unsafe_perm: code-server's
  # postinstall refuses to run as root without it. nodedir: node-gyp must not download headers.
  nodedir_env=()
  if [ -z "${npm_config_nodedir:-}" ] && [ -e /usr/include/node/node.h ]; then nodedir_env=(npm_config_nodedir=/usr); fi
  if [ -f "$TOOLS/package-lock.json" ]; then npm_cmd=ci; else npm_cmd=install; fi
  (cd "$TOOLS" && env TMPDIR="$TOOLS/tmp" npm_config_yes=true npm_config_unsafe_perm=true "${nodedir_env[@]}" \
    XDG_CONFIG_HOME="$TOOLS/xdg" XDG_DATA_HOME="$TOOLS/xdg-data" XDG_CACHE_HOME="$TOOLS/xdg-cache" \
    timeout 1800 npm "$npm_cmd" --no-audit --no-fund) >"$E2E_DIR/vscode-tools-install.log" 2>&1 ||
    { tail -40 "$E2E_DIR/vscode-tools-install.log"; die "npm $npm_cmd of code-server failed (log: $E2E_DIR/vscode-tools-install.log)"; }
  version=$(XDG_CONFIG_HOME="$TOOLS/xdg" XDG_DATA_HOME="$TOOLS/xdg-data" XDG_CACHE_HOME="$TOOLS/xdg-cache" \
    timeout 60 "$TOOLS/node_modules/.bin/code-server" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -1) || true
  case "$version" in
    4.100.3*) echo "$stamp" >"$TOOLS/.installed" ;;
    *) die "code-server --version printed '$version', wanted 4.100.3" ;;
  esac
  say "tools installed ($(elapsed))"
fi

# --- 3. the server binary -------------------------------------------------------------------------
if [ -n "${FRONTLINE_BIN:-}" ]; then
  BIN=$FRONTLINE_BIN
else
  say "cargo build --release --bin frontline"
  (cd "$REPO" && cargo build --release --quiet --bin frontline) || die "cargo build --release failed"
  BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/frontline
fi
[ -x "$BIN" ] || die "server binary $BIN is missing or not executable"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# --- 4. build and package the extension, with the server bundled ---------------------------------
rm -rf "$RUN"
mkdir -p "$RUN/screenshots" "$RUN/ud/User" "$RUN/ext" "$RUN/ws" "$RUN/xdg" "$RUN/xdg-data" "$RUN/xdg-cache"
lock_stamp=$(sha256sum "$EXT_SRC/package-lock.json" | cut -c1-16)
if [ "$(cat "$EXT_SRC/node_modules/.frontline-e2e-stamp" 2>/dev/null)" != "$lock_stamp" ]; then
  say "npm ci in editors/vscode"
  (cd "$EXT_SRC" && timeout 900 npm ci --no-audit --no-fund) >"$RUN/npm-ci.log" 2>&1 ||
    { tail -40 "$RUN/npm-ci.log"; die "npm ci in editors/vscode failed"; }
  echo "$lock_stamp" >"$EXT_SRC/node_modules/.frontline-e2e-stamp"
fi
pre_passed=0
pre_failed=0
if (cd "$EXT_SRC" && timeout 120 npm test) >"$RUN/unit-tests.log" 2>&1; then
  echo "PASS extension-unit-tests ($(grep -m1 '^# pass' "$RUN/unit-tests.log" | sed 's/^# //') in npm test: server lookup order and message)"
  pre_passed=1
else
  echo "FAIL extension-unit-tests: npm test in editors/vscode failed; see $RUN/unit-tests.log"
  grep -E '^not ok|AssertionError|Error' "$RUN/unit-tests.log" | head -10 || true
  pre_failed=1
fi
say "packaging the extension with $BIN"
(cd "$EXT_SRC" && FRONTLINE_BIN=$BIN timeout 300 npm run package -- --out "$RUN/frontline.vsix") >"$RUN/package.log" 2>&1 ||
  { tail -40 "$RUN/package.log"; die "npm run package failed"; }

# --- 5. install the .vsix and the test-only probe extension into a fresh extensions dir ---------
export XDG_CONFIG_HOME=$RUN/xdg XDG_DATA_HOME=$RUN/xdg-data XDG_CACHE_HOME=$RUN/xdg-cache
cp -r "$HERE/probe" "$RUN/probe"
(cd "$RUN/probe" && timeout 120 "$EXT_SRC/node_modules/.bin/vsce" package --skip-license --allow-missing-repository \
  --out "$RUN/probe.vsix") >"$RUN/probe-package.log" 2>&1 ||
  { cat "$RUN/probe-package.log"; die "vsce package of the probe extension failed"; }
timeout 120 "$TOOLS/node_modules/.bin/code-server" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
  --install-extension "$RUN/frontline.vsix" --install-extension "$RUN/probe.vsix" >"$RUN/install-extension.log" 2>&1 ||
  { cat "$RUN/install-extension.log"; die "code-server --install-extension failed"; }

# --- 6. workspace, settings, expected findings (from the CLI, for a cross-check) ------------------
cp "$SEED" "$RUN/ws/"
cat >"$RUN/ud/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.enabled": false,
  "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true,
  "editor.hover.delay": 100,
  "editor.minimap.enabled": false,
  "editor.wordWrap": "on",
  "window.restoreWindows": "none",
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "workbench.colorTheme": "Default Light Modern",
  "frontline.trace.server": "messages"
}
EOF
"$BIN" check --format json "$RUN/ws/$(basename "$SEED")" >"$RUN/expected-default.json" || true
"$BIN" check --format json --prefer islamic-state=ISIS "$RUN/ws/$(basename "$SEED")" >"$RUN/expected-prefer.json" || true

# --- 7. drive it ---------------------------------------------------------------------------------
driver_pids() { cat "$RUN/code-server.pid" "$RUN/chromium.pid" 2>/dev/null || true; }
cleanup() {
  # The driver stops everything itself; this is the safety net if it was killed. Each pid is a
  # process group leader that the driver started (code-server and Chromium are spawned detached).
  for pid in $(driver_pids); do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
  done
  sleep 1
  for pid in $(driver_pids); do
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "running the browser checks (setup took $(elapsed))"
set +e
E2E_TOOLS=$TOOLS E2E_RUN=$RUN E2E_FILE=$(basename "$SEED") E2E_TIMEOUT=$E2E_TIMEOUT \
  E2E_PRE_PASSED=$pre_passed E2E_PRE_FAILED=$pre_failed \
  timeout -k 10 $((E2E_TIMEOUT + 30)) node "$HERE/e2e.js"
status=$?
set -e
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
  echo "FAIL timeout: the browser checks did not finish in ${E2E_TIMEOUT}s"
  echo "vscode-e2e: $pre_passed passed, $((pre_failed + 1)) failed"
fi
say "logs in $RUN (code-server.log, ud/logs/), screenshots in $RUN/screenshots; total $(elapsed)"
exit $status
