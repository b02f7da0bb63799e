// Test-only extension for tests/e2e/vscode: the command "Frontline E2E: Dump hover and diagnostics"
// writes what VS Code itself got from the language server to $FRONTLINE_E2E_DUMP, read through the
// VS Code API (no pixels, no CSS). Environment, set on code-server's command line:
//   FRONTLINE_E2E_DUMP   JSON file to write
//   FRONTLINE_E2E_FILE   base name of the document to read (default: the active editor's)
//   FRONTLINE_E2E_HOVERS JSON list of [line (0-based), context, word]: hover at `word` inside the
//                        first occurrence of `context` on that line
//   FRONTLINE_E2E_SETTINGS JSON object of `frontline.*` settings that the command "Frontline E2E:
//                        Apply test settings" writes to the user settings, through VS Code's
//                        configuration service as the Settings editor does
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

function markdownOf(c) {
  if (typeof c === 'string') return c;
  if (c && typeof c.value === 'string') return c.value;
  return String(c);
}

function severityName(s) {
  return ['error', 'warning', 'information', 'hint'][s] ?? String(s);
}

async function dump() {
  const out = process.env.FRONTLINE_E2E_DUMP;
  if (!out) throw new Error('FRONTLINE_E2E_DUMP is not set');
  const result = { vscode: vscode.version, errors: [] };
  try {
    const want = process.env.FRONTLINE_E2E_FILE;
    const doc = want
      ? vscode.workspace.textDocuments.find((d) => path.basename(d.uri.fsPath) === want)
      : vscode.window.activeTextEditor?.document;
    if (!doc) throw new Error(`document ${want ?? '(active editor)'} is not open`);
    const uri = doc.uri;
    result.uri = uri.toString();
    result.languageId = doc.languageId;
    result.version = doc.version;
    result.extension = vscode.extensions.getExtension('frontline.frontline')?.isActive ?? null;
    const cfg = vscode.workspace.getConfiguration('frontline');
    result.settings = { style: cfg.get('style'), prefer: cfg.get('prefer') };

    result.diagnostics = vscode.languages.getDiagnostics(uri).map((d) => ({
      message: d.message,
      severity: severityName(d.severity),
      source: d.source,
      code: typeof d.code === 'object' && d.code !== null ? d.code.value : d.code,
      line: d.range.start.line,
      character: d.range.start.character,
      endLine: d.range.end.line,
      endCharacter: d.range.end.character,
      text: doc.getText(d.range),
    }));

    result.hovers = [];
    for (const [line, context, word] of JSON.parse(process.env.FRONTLINE_E2E_HOVERS || '[]')) {
      const text = doc.lineAt(line).text;
      const at = text.indexOf(context);
      if (at < 0) {
        result.errors.push(`hover: "${context}" not on line ${line}`);
        continue;
      }
      const pos = new vscode.Position(line, at + context.indexOf(word) + 1);
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, pos);
      result.hovers.push({
        line,
        word,
        character: pos.character,
        contents: (hovers ?? []).map((h) => h.contents.map(markdownOf).join('\n')),
        ranges: (hovers ?? []).map((h) => h.range && [h.range.start.line, h.range.start.character, h.range.end.character]),
      });
    }

    result.codeActions = [];
    for (const d of vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'frontline').slice(0, 1)) {
      const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, d.range);
      result.codeActions = (actions ?? []).map((a) => ({
        title: a.title,
        kind: a.kind?.value,
        isPreferred: a.isPreferred ?? false,
        edits: a.edit ? a.edit.entries().reduce((n, [, edits]) => n + edits.length, 0) : 0,
      }));
    }

    const legend = await vscode.commands.executeCommand('vscode.provideDocumentSemanticTokensLegend', uri);
    const tokens = await vscode.commands.executeCommand('vscode.provideDocumentSemanticTokens', uri);
    result.semanticLegend = legend ? { tokenTypes: legend.tokenTypes, tokenModifiers: legend.tokenModifiers } : null;
    result.semanticTokens = [];
    if (legend && tokens && tokens.data) {
      const data = tokens.data;
      let line = 0;
      let ch = 0;
      for (let i = 0; i + 4 < data.length; i += 5) {
        const [dl, ds, len, type, mods] = [data[i], data[i + 1], data[i + 2], data[i + 3], data[i + 4]];
        line += dl;
        ch = dl === 0 ? ch + ds : ds;
        result.semanticTokens.push({
          line,
          character: ch,
          text: doc.lineAt(line).text.slice(ch, ch + len),
          type: legend.tokenTypes[type],
          modifiers: legend.tokenModifiers.filter((_, b) => mods & (1 << b)),
        });
      }
    }
  } catch (e) {
    result.errors.push(e instanceof Error ? e.stack || e.message : String(e));
  }
  fs.writeFileSync(out + '.tmp', JSON.stringify(result, null, 1));
  fs.renameSync(out + '.tmp', out);
}

async function applySettings() {
  const settings = JSON.parse(process.env.FRONTLINE_E2E_SETTINGS || '{}');
  const cfg = vscode.workspace.getConfiguration('frontline');
  for (const [key, value] of Object.entries(settings)) {
    await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  }
}

/** Opens an untitled Markdown document and waits (up to 15 s) for frontline's diagnostics on it. */
async function untitledMarkdown() {
  const out = process.env.FRONTLINE_E2E_DUMP;
  const result = { errors: [] };
  try {
    const content = '# Notes\n\nThe Islamic State took the town. Later, ISIL fighters withdrew.\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(doc);
    result.uri = doc.uri.toString();
    result.languageId = doc.languageId;
    let diags = [];
    for (let i = 0; i < 150; i++) {
      diags = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'frontline');
      if (diags.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    result.diagnostics = diags.map((d) => ({
      code: typeof d.code === 'object' && d.code !== null ? d.code.value : d.code,
      line: d.range.start.line,
      text: doc.getText(d.range),
    }));
    const at = doc.lineAt(2).text.indexOf('ISIL');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, at + 1));
    result.hover = (hovers ?? []).map((h) => h.contents.map(markdownOf).join('\n')).join('\n');
  } catch (e) {
    result.errors.push(e instanceof Error ? e.stack || e.message : String(e));
  }
  fs.writeFileSync(out + '.tmp', JSON.stringify(result, null, 1));
  fs.renameSync(out + '.tmp', out);
}

exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('frontlineE2e.untitled', untitledMarkdown));
  context.subscriptions.push(vscode.commands.registerCommand('frontlineE2e.dump', dump));
  context.subscriptions.push(vscode.commands.registerCommand('frontlineE2e.applySettings', applySettings));
};
exports.deactivate = () => {};
