// The Frontline extension: starts `frontline lsp` for Markdown and plain-text documents and hands
// it the user's settings. Everything else (hovers, diagnostics, quick fixes, semantic tokens) comes
// from the server through vscode-languageclient.

import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { findServer, notFoundMessage } from './server';

const SECTION = 'frontline';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let busy: Promise<void> = Promise.resolve();

/** The part of the settings the server reads (docs/configuration.md, "Editor settings"). */
function serverSettings(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    style: cfg.get<string>('style', '') ?? '',
    prefer: cfg.get<Record<string, string>>('prefer', {}) ?? {},
    rules: cfg.get<Record<string, string>>('rules', {}) ?? {},
    knowledgeBase: cfg.get<string[]>('knowledgeBase', []) ?? [],
    allowKnowledgeBaseOutsideProject: cfg.get<boolean>('allowKnowledgeBaseOutsideProject', false) ?? false,
    // null: follow the project's frontline.toml.
    inlayHints: cfg.get<boolean | null>('inlayHints', null) ?? null,
    maxFileSize: cfg.get<number | null>('maxFileSize', null) ?? null,
  };
}

/** An actor as the server's code lens lists it (`frontline.showActors`). */
interface LensActor {
  name: string;
  kind: string;
  count: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** The code lens's command: pick one of the story's actors and go to its first mention. */
async function showActors(uri: unknown, actors: unknown): Promise<void> {
  if (typeof uri !== 'string' || !Array.isArray(actors) || actors.length === 0) return;
  const items = (actors as LensActor[]).map((a) => ({
    label: a.name,
    description: `${a.kind} · ${a.count} mention${a.count === 1 ? '' : 's'}`,
    actor: a,
  }));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Actors named in this story (first mention)' });
  if (!pick) return;
  const r = pick.actor.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: range });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const out = output!;
  const setting = vscode.workspace.getConfiguration(SECTION).get<string>('server.path', '');
  const lookup = findServer(setting, process.env, context.extensionPath);
  for (const t of lookup.tried) out.appendLine(`[frontline] not using ${t.source}: ${t.given} (${t.problem})`);
  if (!lookup.found) {
    const message = notFoundMessage(lookup.tried);
    out.appendLine(`[frontline] ${message}`);
    // Not awaited: the message stays up until dismissed, and activation must not wait for that.
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'frontline.server.path');
      } else if (choice === 'Show Log') {
        out.show();
      }
    });
    return;
  }
  if (setting && setting.trim() && lookup.found.source !== 'setting frontline.server.path') {
    void vscode.window.showWarningMessage(
      `Frontline: the frontline.server.path setting (${setting}) is not an executable file; using ${lookup.found.path} (${lookup.found.source}) instead.`,
    );
  }
  out.appendLine(`[frontline] starting ${lookup.found.path} lsp (from ${lookup.found.source})`);

  // No `transport`: stdio is used without vscode-languageclient appending `--stdio`.
  const serverOptions: ServerOptions = {
    run: { command: lookup.found.path, args: ['lsp'] },
    debug: { command: lookup.found.path, args: ['lsp'] },
  };
  const documentSelector = ['markdown', 'plaintext'].flatMap((language) =>
    ['file', 'untitled'].map((scheme) => ({ scheme, language })),
  );
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    initializationOptions: serverSettings(),
    // Sends `{ frontline: {...} }` through workspace/didChangeConfiguration when a setting changes.
    synchronize: { configurationSection: SECTION },
    outputChannel: out,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  const c = new LanguageClient('frontline', 'Frontline', serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
  } catch (e) {
    const message = `Frontline: the language server ${lookup.found.path} did not start: ${e instanceof Error ? e.message : String(e)}`;
    out.appendLine(`[frontline] ${message}`);
    void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
      if (choice === 'Show Log') out.show();
    });
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) return;
  try {
    if (c.state === State.Running || c.state === State.Starting) await c.stop(5000);
  } catch (e) {
    output?.appendLine(`[frontline] stopping the server: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    await c.dispose();
  } catch {
    // already stopped
  }
}

/** Runs start/stop operations one after another, never two at once. */
function serialize(op: () => Promise<void>): Promise<void> {
  busy = busy.then(op, op);
  return busy;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Frontline', { log: true });
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('frontline.restart', () =>
      serialize(async () => {
        output?.appendLine('[frontline] restarting');
        await stop();
        await start(context);
      }),
    ),
    vscode.commands.registerCommand('frontline.showActors', showActors),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('frontline.server.path')) {
        void vscode.commands.executeCommand('frontline.restart');
      }
    }),
  );
  await serialize(() => start(context));
}

export function deactivate(): Promise<void> {
  return serialize(stop);
}
