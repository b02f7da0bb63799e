#!/usr/bin/env node
// `npm run package [-- --out FILE.vsix]`: builds the extension and packs a .vsix with vsce, offline.
// When FRONTLINE_BIN names a frontline binary, it is copied to server/frontline and bundled, and the
// .vsix is marked for this platform (e.g. linux-x64); otherwise the .vsix carries no binary and
// users point `frontline.server.path` at theirs. The bundled copy is stripped (FRONTLINE_NO_STRIP=1
// keeps it as is).
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
let out;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' || args[i] === '-o') out = path.resolve(args[++i] ?? fail('--out needs a file'));
  else fail(`unknown argument ${args[i]}`);
}

const exe = process.platform === 'win32' ? 'frontline.exe' : 'frontline';
const serverDir = path.join(root, 'server');
fs.rmSync(serverDir, { recursive: true, force: true });

const vsceArgs = ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository'];
let target;
const bin = process.env.FRONTLINE_BIN;
if (bin) {
  if (!fs.existsSync(bin) || !fs.statSync(bin).isFile()) fail(`FRONTLINE_BIN=${bin} is not a file`);
  fs.mkdirSync(serverDir, { recursive: true });
  const dest = path.join(serverDir, exe);
  fs.copyFileSync(bin, dest);
  fs.chmodSync(dest, 0o755);
  // Release builds keep line tables (about 29 MB); the bundled copy does not need them (about 5 MB).
  if (process.platform !== 'win32' && !process.env.FRONTLINE_NO_STRIP) {
    const s = spawnSync('strip', [dest], { stdio: 'inherit' });
    if (s.error || s.status !== 0) console.log('package: strip failed or is missing; bundling the binary unstripped');
  }
  const platforms = { linux: 'linux', darwin: 'darwin', win32: 'win32' };
  const arches = { x64: 'x64', arm64: 'arm64', arm: 'armhf' };
  if (platforms[process.platform] && arches[process.arch]) {
    target = `${platforms[process.platform]}-${arches[process.arch]}`;
    vsceArgs.push('--target', target);
  }
  console.log(`package: bundling ${bin} as server/${exe}`);
} else {
  console.log('package: FRONTLINE_BIN not set; the .vsix carries no server binary');
}

// Same default name as vsce's: frontline-0.1.0.vsix, or frontline-linux-x64-0.1.0.vsix when bundled.
out = out ?? path.join(root, `${pkg.name}-${target ? `${target}-` : ''}${pkg.version}.vsix`);
vsceArgs.push('--out', out);

const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
if (!fs.existsSync(vsce)) fail('vsce is missing: run `npm ci` in editors/vscode first');
// vsce runs `vscode:prepublish` (type check + minified build) before packing.
const r = spawnSync(vsce, vsceArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
// The copy in server/ was only for packing; do not leave a binary in the source tree.
fs.rmSync(serverDir, { recursive: true, force: true });
if (r.error) fail(r.error.message);
if (r.status !== 0) fail(`vsce exited with ${r.status}`);
console.log(`package: wrote ${out}`);
