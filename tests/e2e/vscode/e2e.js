#!/usr/bin/env node
// The browser half of tests/e2e/vscode/run.sh (which installs everything and sets the variables
// below): starts code-server, opens seed article 000 in Chromium through playwright-core, and checks
// what a user sees (hover card, squiggles, status bar, Problems panel, colours) and what VS Code got
// from the server through its API (the probe extension's dump). Prints PASS/FAIL lines and
// `vscode-e2e: N passed, M failed`; exit code 0 only when all passed.
//
//   E2E_TOOLS       folder with node_modules/{code-server,playwright-core}
//   E2E_RUN         this run's folder: ud/, ext/, ws/, xdg*/, screenshots/, expected-*.json
//   E2E_FILE        the document's name in ws/
//   E2E_PRE_PASSED, E2E_PRE_FAILED  checks run.sh made before, added to the summary
//   E2E_TIMEOUT     seconds before the whole thing gives up (default 240)
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const TOOLS = mustEnv('E2E_TOOLS');
const RUN = mustEnv('E2E_RUN');
const FILE = mustEnv('E2E_FILE');
const TIMEOUT = Number(process.env.E2E_TIMEOUT || 240);
const SHOTS = path.join(RUN, 'screenshots');
const DUMP = path.join(RUN, 'dump.json');
const WS = path.join(RUN, 'ws');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const XDG = {
  XDG_CONFIG_HOME: path.join(RUN, 'xdg'),
  XDG_DATA_HOME: path.join(RUN, 'xdg-data'),
  XDG_CACHE_HOME: path.join(RUN, 'xdg-cache'),
};
// [0-based line, context on that line, word to hover]; contexts are short so that word wrap
// does not split them.
const HOVER_ISIL = [16, '#ISIL’s', 'ISIL'];
const HOVER_ISIS = [0, 'Back ISIS', 'ISIS'];

function mustEnv(name) {
  const v = process.env[name];
  if (!v) {
    console.log(`FAIL setup: ${name} is not set (run tests/e2e/vscode/run.sh)`);
    console.log('vscode-e2e: 0 passed, 1 failed');
    process.exit(2);
  }
  return v;
}

const { chromium } = require(path.join(TOOLS, 'node_modules', 'playwright-core'));

// Checks run.sh already made (the extension's unit tests) count in the summary line.
let passed = Number(process.env.E2E_PRE_PASSED || 0);
let failed = Number(process.env.E2E_PRE_FAILED || 0);
function pass(name, detail) {
  passed++;
  console.log(`PASS ${name}${detail ? ` (${detail})` : ''}`);
}
function fail(name, why) {
  failed++;
  console.log(`FAIL ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 600)}`);
}
function check(name, ok, detail, why) {
  if (ok) pass(name, detail);
  else fail(name, why);
  return ok;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Once it is clear that the server published nothing, later waits are cut short so that a broken
// build fails in about a minute instead of sitting out every retry.
let patient = true;
const patience = (ms) => (patient ? ms : Math.min(ms, 2000));
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);

// --- processes we start, and stopping them -------------------------------------------------------
let codeServer;
let browser;
let chromiumPid;
let finishing = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function finish(code) {
  if (finishing) return;
  finishing = true;
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  for (const pid of [chromiumPid, codeServer?.pid]) if (pid) killGroup(pid, 'SIGTERM');
  for (let i = 0; i < 30 && [chromiumPid, codeServer?.pid].some((p) => p && alive(p)); i++) await sleep(100);
  for (const pid of [chromiumPid, codeServer?.pid]) if (pid && alive(pid)) killGroup(pid, 'SIGKILL');
  // Stopped: run.sh's safety net must not signal these pids later, once they may be reused.
  for (const f of ['code-server.pid', 'chromium.pid']) fs.rmSync(path.join(RUN, f), { force: true });
  console.log(`vscode-e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? code ?? 0 : 1);
}

const watchdog = setTimeout(() => {
  fail('timeout', `gave up after ${TIMEOUT}s`);
  void finish(1);
}, TIMEOUT * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    fail('interrupted', sig);
    void finish(1);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Chromium's main process: playwright spawns it detached, as a child of this process. */
function findChromiumPid() {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && /chrom/.test(stat.slice(stat.indexOf('(') + 1, close))) return Number(d);
    } catch {
      // raced with an exiting process
    }
  }
  return undefined;
}

// --- page helpers ---------------------------------------------------------------------------------

/** Screen rectangle of `word` inside the first rendered editor line containing `context`. */
async function wordRect(page, context, word) {
  return page.evaluate(
    ({ context, word }) => {
      for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        const nodes = [];
        let text = '';
        while (walker.nextNode()) {
          nodes.push([walker.currentNode, text.length]);
          text += walker.currentNode.data;
        }
        const i = text.replace(/\u00a0/g, ' ').indexOf(context);
        if (i < 0) continue;
        const start = i + context.indexOf(word);
        const end = start + word.length;
        const at = (off) => {
          for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k][1] <= off) return [nodes[k][0], off - nodes[k][1]];
          return [nodes[0][0], 0];
        };
        const [sn, so] = at(start);
        const [en, eo] = at(end - 1);
        const r = document.createRange();
        r.setStart(sn, so);
        r.setEnd(en, eo + 1);
        const b = r.getBoundingClientRect();
        const color = getComputedStyle(sn.parentElement).color;
        return { x: b.x, y: b.y, w: b.width, h: b.height, color, cls: sn.parentElement.className };
      }
      return null;
    },
    { context, word },
  );
}

/** innerText of the visible hover widget containing `expect`, or '' */
async function visibleHover(page, expect) {
  return page.evaluate((expect) => {
    for (const el of document.querySelectorAll('.monaco-hover')) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (el.innerText.includes(expect)) return el.innerText;
    }
    return '';
  }, expect);
}

/** Hovers `word` (retrying up to 5 times); returns the hover card's text or ''. */
async function hover(page, [, context, word], expect) {
  for (let attempt = 0; attempt < (patient ? 5 : 1); attempt++) {
    const r = await wordRect(page, context, word);
    if (!r) {
      await sleep(500);
      continue;
    }
    const x = r.x + r.w / 2;
    const y = r.y + r.h / 2;
    await page.mouse.move(x - 3, y);
    await page.mouse.move(x, y, { steps: 2 });
    for (let i = 0; i < (patient ? 20 : 5); i++) {
      const text = await visibleHover(page, expect);
      if (text) {
        await sleep(500); // let the fade-in finish before a screenshot
        return text;
      }
      await sleep(200);
    }
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await sleep(300);
  }
  return '';
}

/** Runs a command by its title from the command palette. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
}

/** Asks the probe extension for a dump; returns the parsed JSON. */
async function dump(page) {
  fs.rmSync(DUMP, { force: true });
  await runCommand(page, 'Frontline E2E: Dump hover and diagnostics');
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(DUMP)) return JSON.parse(fs.readFileSync(DUMP, 'utf8'));
    await sleep(100);
  }
  throw new Error('the probe wrote no dump in 10 s');
}

/** Dumps until `ok(dump)` or `ms` pass; returns the last dump. */
async function dumpUntil(page, ok, ms) {
  const end = Date.now() + patience(ms);
  let d = await dump(page);
  while (!ok(d) && Date.now() < end) {
    await sleep(1000);
    d = await dump(page);
  }
  return d;
}

/** `line:character code` of each finding in a `frontline check --format json` report (0-based). */
function cliFindings(file) {
  try {
    const report = JSON.parse(fs.readFileSync(path.join(RUN, file), 'utf8'));
    return byPosition(report.files.flatMap((f) => f.findings).map((f) => `${f.line - 1}:${f.column - 1} ${f.code}`));
  } catch (e) {
    return [`unreadable ${file}: ${e.message}`];
  }
}

/** Sorts `line:character code` strings by position. */
const byPosition = (list) =>
  list.sort((a, b) => {
    const [la, ca] = a.split(/[: ]/).map(Number);
    const [lb, cb] = b.split(/[: ]/).map(Number);
    return la - lb || ca - cb || a.localeCompare(b);
  });

const lspFindings = (d) =>
  byPosition((d.diagnostics || []).filter((x) => x.source === 'frontline').map((x) => `${x.line}:${x.character} ${x.code}`));

function findFile(dir, name) {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    } else if (e.name === name) return p;
  }
  return undefined;
}

/** Pids of running processes whose executable is `exe`. */
function serverPids(exe) {
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readlinkSync(`/proc/${d}/exe`) === exe) pids.push(Number(d));
    } catch {
      // not ours to read, or gone
    }
  }
  return pids;
}

async function shot(page, name) {
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file }).catch((e) => console.log(`(screenshot ${name} failed: ${e.message})`));
  return file;
}

// --- the test -------------------------------------------------------------------------------------
async function main() {
  const port = await freePort();
  const env = {
    ...process.env,
    ...XDG,
    FRONTLINE_E2E_DUMP: DUMP,
    FRONTLINE_E2E_FILE: FILE,
    FRONTLINE_E2E_HOVERS: JSON.stringify([HOVER_ISIL, HOVER_ISIS]),
    FRONTLINE_E2E_SETTINGS: JSON.stringify({ prefer: { 'islamic-state': 'ISIS' } }),
  };
  // The extension must find the server bundled in the .vsix, not one named by the environment.
  delete env.FRONTLINE_SERVER_PATH;
  const log = fs.openSync(path.join(RUN, 'code-server.log'), 'w');
  codeServer = spawn(
    path.join(TOOLS, 'node_modules', '.bin', 'code-server'),
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--user-data-dir', path.join(RUN, 'ud'),
      '--extensions-dir', path.join(RUN, 'ext'), '--ignore-last-opened', WS,
    ],
    { env, detached: true, stdio: ['ignore', log, log] },
  );
  fs.writeFileSync(path.join(RUN, 'code-server.pid'), String(codeServer.pid));
  let up = false;
  for (let i = 0; i < 120 && !up; i++) {
    if (codeServer.exitCode !== null) break;
    up = await healthy(port);
    if (!up) await sleep(250);
  }
  if (!check('code-server', up, `127.0.0.1:${port} after ${secs()}s`, 'did not answer /healthz in 30 s; see code-server.log')) return;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    env: { ...process.env, ...XDG },
  });
  chromiumPid = findChromiumPid();
  if (chromiumPid) fs.writeFileSync(path.join(RUN, 'chromium.pid'), String(chromiumPid));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const external = [];
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (!['127.0.0.1', 'localhost'].includes(host) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) {
      external.push(r.url());
    }
  });

  // 1. workbench, 2. the document
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WS)}`, { timeout: 60000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  pass('workbench', `VS Code workbench up after ${secs()}s`);
  try {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).first().click({ timeout: 20000 });
  } catch {
    await page.keyboard.press('Control+P');
    await page.keyboard.type(FILE);
    await sleep(500);
    await page.keyboard.press('Enter');
  }
  try {
    await page.locator('.monaco-editor .view-lines', { hasText: 'New Battles Rage' }).first().waitFor({ timeout: 20000 });
    pass('open-file', FILE);
  } catch (e) {
    fail('open-file', e.message);
    await shot(page, '01-editor.png');
    return;
  }

  // 3. squiggles appear once the extension has started the server and it has published
  let squiggles = 0;
  for (let i = 0; i < 150 && squiggles < 3; i++) {
    squiggles = await page.locator('.monaco-editor .squiggly-warning').count();
    if (squiggles < 3) await sleep(200);
  }
  await sleep(1000); // semantic tokens follow the diagnostics
  await page.mouse.move(5, 5);
  await shot(page, '01-editor.png');
  check('squiggles', squiggles === 3, `${squiggles} warning squiggles in the editor after ${secs()}s`,
    `${squiggles} warning squiggles in the editor, expected 3 (see screenshots/01-editor.png)`);

  // 4. what VS Code got, through its API
  const want = ['0:80 naming/mixed-names', '2:29 naming/mixed-names', '14:195 naming/mixed-names'];
  let d;
  try {
    d = await dumpUntil(page, (x) => lspFindings(x).length >= 3, 15000);
  } catch (e) {
    fail('api', e.message);
  }
  if (squiggles === 0 && (!d || lspFindings(d).length === 0)) {
    patient = false;
    console.log('(the server published no diagnostics: later checks will not wait long; see the Frontline log under ud/logs)');
  }
  if (d) {
    fs.writeFileSync(path.join(RUN, 'dump-default.json'), JSON.stringify(d, null, 1));
    if (d.errors.length) fail('api-probe', d.errors.join('; '));
    const got = lspFindings(d);
    const mixed = (d.diagnostics || []).filter((x) => x.code === 'naming/mixed-names');
    check('api-diagnostics',
      JSON.stringify(got) === JSON.stringify(want) && mixed.every((x) => x.severity === 'warning'),
      `3 warnings naming/mixed-names on ${mixed.map((x) => `"${x.text}" line ${x.line + 1}`).join(', ')}`,
      `got ${JSON.stringify((d.diagnostics || []).map((x) => [x.line + 1, x.character, x.code, x.severity, x.source, x.text]))}, want ${JSON.stringify(want)}`);
    const cli = cliFindings('expected-default.json');
    check('api-matches-cli', JSON.stringify(got) === JSON.stringify(cli), 'same findings and positions as `frontline check`',
      `LSP ${JSON.stringify(got)} vs CLI ${JSON.stringify(cli)}`);
    const h = (d.hovers || []).find((x) => x.word === 'ISIL');
    const hText = h ? h.contents.join('\n') : '';
    check('api-hover', /^### Islamic State$/m.test(hText), `hover on "ISIL", line 17: ${JSON.stringify(hText.split('\n').find((l) => l.startsWith('###')))}`,
      `hover on "ISIL" (line 17) has no "### Islamic State" line: ${JSON.stringify(hText.slice(0, 300))}`);
    const actions = d.codeActions || [];
    check('api-quick-fix', actions.some((a) => a.kind === 'quickfix' && /Islamic State/.test(a.title) && a.edits > 0),
      `${actions.length} quick fixes on line 1: ${actions.map((a) => JSON.stringify(a.title)).join(', ')}`,
      `code actions on the first warning: ${JSON.stringify(actions)}`);
    const legend = d.semanticLegend?.tokenTypes || [];
    const isis = (d.semanticTokens || []).find((t) => t.line === 0 && t.text === 'ISIS');
    check('api-semantic-tokens', legend.includes('armedGroup') && isis?.type === 'armedGroup',
      `${d.semanticTokens.length} tokens; "ISIS" on line 1 is ${isis?.type} [${isis?.modifiers}]`,
      `legend ${JSON.stringify(legend)}, token for "ISIS" on line 1: ${JSON.stringify(isis)}`);
  }

  // 5. the hover card, as the user sees it
  const card = await hover(page, HOVER_ISIL, 'Islamic State');
  await shot(page, '02-hover.png');
  check('hover-card', card.includes('Islamic State'),
    `hover on "ISIL" (line 17) shows: ${JSON.stringify(card.split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 160))}`,
    'no hover card with "Islamic State" over "ISIL" on line 17 (see screenshots/02-hover.png)');
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await sleep(400);

  // 6. hover over the first squiggle: the warning and the card together
  const both = await hover(page, HOVER_ISIS, 'naming/mixed-names');
  await shot(page, '03-hover-diagnostic.png');
  check('hover-diagnostic', both.includes('naming/mixed-names') && both.includes('Islamic State') && both.includes('frontline'),
    'hover on "ISIS" (line 1) shows the warning (frontline naming/mixed-names) and the card',
    `hover on "ISIS" (line 1): ${JSON.stringify(both.slice(0, 300))}`);
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await sleep(300);

  // 7. colours: the theme colours the actor (semantic token with a super-type) unlike plain text
  const actor = await wordRect(page, 'Back ISIS', 'ISIS');
  const plain = await wordRect(page, 'Push Back', 'Push');
  check('semantic-colour', actor && plain && actor.color !== plain.color,
    `"ISIS" ${actor?.color} vs plain text ${plain?.color}`,
    `"ISIS" ${actor?.color} (${actor?.cls}) vs plain text ${plain?.color} (${plain?.cls})`);

  // 8. status bar and Problems panel
  const status = (await page.locator('[id="status.problems"]').first().getAttribute('aria-label').catch(() => null)) || '';
  check('status-bar', /Warnings: 3\b/.test(status), JSON.stringify(status), `status bar problems item says ${JSON.stringify(status)}`);
  // Below the code lens that sits over the first line (a click on it would run its command).
  await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 45 } });
  await page.keyboard.press('Control+Shift+M');
  let rows = [];
  for (let i = 0; i < (patient ? 50 : 5); i++) {
    rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    if (rows.filter((r) => r.includes('naming/mixed-names')).length >= 3) break;
    await sleep(200);
  }
  await sleep(300);
  await shot(page, '04-problems.png');
  const markerRows = rows.filter((r) => r.includes('naming/mixed-names') && r.includes('frontline'));
  check('problems-panel', markerRows.length === 3,
    `3 rows: ${markerRows.map((r) => r.match(/\[Ln \d+, Col \d+\]/)?.[0]).join(' ')}`,
    `Problems panel rows: ${JSON.stringify(rows)}`);

  // 9. a settings change reaches the server (workspace/didChangeConfiguration) and re-checks the story
  // Through VS Code's configuration service (as the Settings editor does), by the probe's command.
  await runCommand(page, 'Frontline E2E: Apply test settings');
  const cliPrefer = cliFindings('expected-prefer.json');  // also used by the restart check
  try {
    const p = await dumpUntil(page, (x) => JSON.stringify(lspFindings(x)) === JSON.stringify(cliPrefer), 20000);
    fs.writeFileSync(path.join(RUN, 'dump-prefer.json'), JSON.stringify(p, null, 1));
    const got = lspFindings(p);
    check('settings-change', JSON.stringify(got) === JSON.stringify(cliPrefer) && !got.some((x) => x.startsWith('0:')),
      `frontline.prefer {"islamic-state": "ISIS"}: ${got.length} warnings, as \`frontline check --prefer islamic-state=ISIS\`; none on the headline's ISIS`,
      `after setting frontline.prefer (VS Code sees ${JSON.stringify(p.settings)}): LSP ${JSON.stringify(got)} vs CLI ${JSON.stringify(cliPrefer)}`);
  } catch (e) {
    fail('settings-change', e.message);
  }
  await sleep(500);
  await shot(page, '05-prefer-isis.png');

  // 10. the extension started the server bundled in the .vsix, and it initialised with UTF-16
  const logFile = findFile(path.join(RUN, 'ud', 'logs'), 'Frontline.log');
  const readLog = () => (logFile ? fs.readFileSync(logFile, 'utf8') : '');
  const clientLog = readLog();
  const started = clientLog.match(/starting (\S+) lsp \(from ([^)]*)\)/);
  check('server-bundled', started && started[2] === 'binary bundled with the extension' && started[1].startsWith(path.join(RUN, 'ext')),
    `${started?.[1]?.replace(RUN + '/', '')}`,
    logFile ? `client log says ${JSON.stringify(started?.[0] ?? clientLog.slice(0, 400))}` : 'no Frontline.log under ud/logs');
  check('server-log', /frontline ready: \d+ actors/.test(clientLog) && /position encoding Utf16/.test(clientLog),
    (clientLog.match(/frontline ready: [^\n]*/) || [''])[0],
    'the Frontline output channel lacks "frontline ready" or "position encoding Utf16"');

  // 11. "Frontline: Restart Server" replaces the server process; the new one gets the settings
  // (initializationOptions) and publishes again.
  const exe = started?.[1];
  const before = exe ? serverPids(exe) : [];
  try {
    await runCommand(page, 'Frontline: Restart Server');
    let log = '';
    for (let i = 0; i < (patient ? 75 : 10); i++) {
      log = readLog();
      if (/restarting[\s\S]*starting \S+ lsp[\s\S]*frontline ready/.test(log)) break;
      await sleep(200);
    }
    const r = await dumpUntil(page, (x) => JSON.stringify(lspFindings(x)) === JSON.stringify(cliPrefer), 15000);
    const after = exe ? serverPids(exe) : [];
    const got = lspFindings(r);
    check('restart',
      /restarting[\s\S]*starting \S+ lsp[\s\S]*frontline ready/.test(log) && before.length === 1 && after.length === 1 &&
        after[0] !== before[0] && JSON.stringify(got) === JSON.stringify(cliPrefer),
      `server pid ${before[0]} -> ${after[0]}; ${got.length} warnings again, with frontline.prefer`,
      `server pids before ${JSON.stringify(before)}, after ${JSON.stringify(after)}; log restarted: ${/restarting[\s\S]*frontline ready/.test(log)}; findings ${JSON.stringify(got)}`);
  } catch (e) {
    fail('restart', e.message);
  }

  // 12. typing: incremental changes with UTF-16 positions (line 15 has a curly apostrophe, three
  // bytes in UTF-8; the emoji is two UTF-16 code units) reach the server, and the new warning lands
  // on the new word.
  try {
    await page.keyboard.press('Escape');
    await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 45 } });
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10000 });
    // Start of line 16 (empty), then Left: the end of line 15 (End alone stops at the wrap).
    await page.keyboard.type('16');
    await page.keyboard.press('Enter');
    await sleep(200);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' 🙂 Then ISIL struck.');
    const t = await dumpUntil(page, (x) => (x.diagnostics || []).some((y) => y.line === 14 && y.text === 'ISIL'), 15000);
    const typed = (t.diagnostics || []).filter((y) => y.line === 14);
    await shot(page, '06-typing.png');
    check('typing', typed.some((y) => y.text === 'ISIL' && y.code === 'naming/mixed-names'),
      `typed "🙂 Then ISIL struck." at the end of line 15 (after its curly apostrophe): warning on ${typed.map((y) => `"${y.text}" col ${y.character + 1}`).join(', ')}`,
      `line 15 after typing: ${JSON.stringify(typed.map((y) => [y.character, y.endCharacter, y.text, y.code]))}`);
  } catch (e) {
    fail('typing', e.message);
  }

  // 13. an untitled Markdown document (scheme untitled, language markdown) is checked too
  try {
    fs.rmSync(DUMP, { force: true });
    await runCommand(page, 'Frontline E2E: Check an untitled Markdown document');
    for (let i = 0; i < 200 && !fs.existsSync(DUMP); i++) await sleep(100);
    const u = JSON.parse(fs.readFileSync(DUMP, 'utf8'));
    await sleep(300);
    await shot(page, '07-untitled-markdown.png');
    const isil = (u.diagnostics || []).find((x) => x.text === 'ISIL');
    check('untitled-markdown', u.uri?.startsWith('untitled:') && u.languageId === 'markdown' && isil && /^### Islamic State$/m.test(u.hover || ''),
      `${u.uri}: ${isil?.code} on "ISIL", hover "### Islamic State"`,
      `untitled Markdown document: ${JSON.stringify(u).slice(0, 400)}`);
  } catch (e) {
    fail('untitled-markdown', e.message);
  }

  check('offline', external.length === 0, 'no request left 127.0.0.1', `requests outside 127.0.0.1: ${external.slice(0, 5).join(' ')}`);
}

main()
  .catch((e) => fail('error', e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') : e))
  .finally(() => {
    clearTimeout(watchdog);
    return finish();
  });
