// Finding the frontline binary: the setting, then FRONTLINE_SERVER_PATH, then the copy bundled in
// the extension, then `frontline` on PATH. Pure Node (no `vscode` import) so it can be tested alone.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Candidate {
  /** Where this candidate came from, for messages: "setting frontline.server.path", ... */
  source: string;
  /** The path as given (before `~` expansion), or the bare name for the PATH lookup. */
  given: string;
}

export interface Found {
  path: string;
  source: string;
}

export interface Tried {
  source: string;
  given: string;
  problem: string;
}

export interface Lookup {
  found?: Found;
  tried: Tried[];
}

const EXE = process.platform === 'win32' ? 'frontline.exe' : 'frontline';

function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** Why `p` cannot be run, or undefined when it is an executable file. */
function problemWith(p: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 'not found';
  }
  if (!st.isFile()) return 'not a file';
  if (process.platform !== 'win32') {
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      return 'not executable (chmod +x it)';
    }
  }
  return undefined;
}

function onPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (problemWith(p) === undefined) return p;
  }
  return undefined;
}

/**
 * Looks for the server in order and stops at the first executable file.
 * `setting` is `frontline.server.path`, `env` the process environment, `extensionDir` the
 * extension's install folder (where `server/frontline` may be bundled).
 */
export function findServer(setting: string | undefined, env: NodeJS.ProcessEnv, extensionDir: string): Lookup {
  const tried: Tried[] = [];
  const candidates: Candidate[] = [];
  if (setting && setting.trim()) candidates.push({ source: 'setting frontline.server.path', given: setting.trim() });
  const fromEnv = env.FRONTLINE_SERVER_PATH;
  if (fromEnv && fromEnv.trim()) candidates.push({ source: 'environment variable FRONTLINE_SERVER_PATH', given: fromEnv.trim() });
  candidates.push({ source: 'binary bundled with the extension', given: path.join(extensionDir, 'server', EXE) });
  for (const c of candidates) {
    const p = path.resolve(expandHome(c.given));
    const problem = problemWith(p);
    if (problem === undefined) return { found: { path: p, source: c.source }, tried };
    tried.push({ source: c.source, given: p, problem });
  }
  const p = onPath(EXE, env.PATH ?? env.Path);
  if (p) return { found: { path: p, source: 'PATH' }, tried };
  tried.push({ source: 'PATH', given: EXE, problem: 'not found on PATH' });
  return { tried };
}

/** A message for when nothing was found: every place looked at, and what to do. */
export function notFoundMessage(tried: Tried[]): string {
  const lines = tried.map((t) => `${t.source}: ${t.given} (${t.problem})`);
  return (
    'Frontline: cannot find the frontline language server. Tried: ' +
    lines.join('; ') +
    '. Install frontline (cargo build --release gives target/release/frontline) and set ' +
    '"frontline.server.path" to the binary, then run "Frontline: Restart Server".'
  );
}
