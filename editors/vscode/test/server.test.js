// Unit tests of the server lookup (src/server.ts): `npm test` bundles it to out/test/ and runs this.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');

const { findServer, notFoundMessage } = require('../out/test/server.js');

function fixture() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-lookup-'));
  const exe = (p) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '#!/bin/sh\n');
    fs.chmodSync(p, 0o755);
    return p;
  };
  return {
    root,
    setting: exe(path.join(root, 'setting', 'frontline')),
    env: exe(path.join(root, 'env', 'frontline')),
    ext: path.join(root, 'ext'),
    bundled: exe(path.join(root, 'ext', 'server', 'frontline')),
    pathDir: path.dirname(exe(path.join(root, 'bin', 'frontline'))),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

test('the setting comes first', () => {
  const f = fixture();
  const r = findServer(f.setting, { FRONTLINE_SERVER_PATH: f.env, PATH: f.pathDir }, f.ext);
  assert.deepEqual(r.found, { path: f.setting, source: 'setting frontline.server.path' });
  f.cleanup();
});

test('then FRONTLINE_SERVER_PATH, then the bundled binary, then PATH', () => {
  const f = fixture();
  assert.equal(findServer('', { FRONTLINE_SERVER_PATH: f.env, PATH: f.pathDir }, f.ext).found.path, f.env);
  assert.equal(findServer('', { PATH: f.pathDir }, f.ext).found.source, 'binary bundled with the extension');
  fs.rmSync(f.bundled);
  assert.deepEqual(findServer(undefined, { PATH: f.pathDir }, f.ext).found, {
    path: path.join(f.pathDir, 'frontline'),
    source: 'PATH',
  });
  f.cleanup();
});

test('a setting that is not an executable file is skipped, with the reason', () => {
  const f = fixture();
  const missing = path.join(f.root, 'nope', 'frontline');
  fs.chmodSync(f.env, 0o644);
  const r = findServer(missing, { FRONTLINE_SERVER_PATH: f.env }, f.ext);
  assert.equal(r.found.source, 'binary bundled with the extension');
  assert.deepEqual(
    r.tried.map((t) => [t.source, t.problem]),
    [
      ['setting frontline.server.path', 'not found'],
      ['environment variable FRONTLINE_SERVER_PATH', 'not executable (chmod +x it)'],
    ],
  );
  f.cleanup();
});

test('nothing found: the message lists every place tried', () => {
  const f = fixture();
  fs.rmSync(f.bundled);
  const r = findServer('/no/such/frontline', { FRONTLINE_SERVER_PATH: f.root, PATH: '' }, f.ext);
  assert.equal(r.found, undefined);
  const m = notFoundMessage(r.tried);
  for (const part of [
    'setting frontline.server.path: /no/such/frontline (not found)',
    `environment variable FRONTLINE_SERVER_PATH: ${f.root} (not a file)`,
    `binary bundled with the extension: ${path.join(f.ext, 'server', 'frontline')} (not found)`,
    'PATH: frontline (not found on PATH)',
    'frontline.server.path',
  ]) {
    assert.ok(m.includes(part), `message lacks ${JSON.stringify(part)}: ${m}`);
  }
  f.cleanup();
});

test('~ in the setting means the home folder', () => {
  const r = findServer('~/definitely-not-here/frontline', { PATH: '' }, '/nonexistent');
  assert.equal(r.tried[0].given, path.join(os.homedir(), 'definitely-not-here', 'frontline'));
});
