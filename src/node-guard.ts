/*
 * The first import of every command module: on a Node older than 22.19 it stops with a plain message before
 * @salesforce/core is loaded (its HTTP client, undici 8, throws a bare TypeError at load time on Node 20).
 * ES modules evaluate their imports in order, so nothing below this import in a command has run yet. It uses
 * node: modules only, and reads its words from messages/ without @salesforce/core's Messages (which cannot load).
 */
import { readFileSync } from 'node:fs';

export const MIN_NODE = [22, 19] as const;

/** True when a Node version string (`22.19.0`, `v20.20.2`) is at least MIN_NODE. */
export function nodeIsSupported(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** `# <key>` section of a messages file: its text, trimmed. */
function section(markdown: string, key: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`# ${key}`);
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && l.startsWith('# '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
}

/** The error to show on an unsupported Node: message plus what to do, as sf shows an SfError's actions. */
export function nodeTooOldError(version: string): Error {
  const markdown = readFileSync(new URL('../messages/connectedapp.common.md', import.meta.url), 'utf8');
  const message = section(markdown, 'error.NodeTooOld').replace('%s', version);
  const actions = section(markdown, 'error.NodeTooOld.actions')
    .split('\n')
    .map((l) => l.replace(/^- /, '').trim())
    .filter((l) => l !== '');
  const error = new Error(`${message}\n\nTry this:\n${actions.map((a) => `  ${a}`).join('\n')}`);
  error.name = 'NodeVersionError';
  // No stack: it would only show this file.
  error.stack = `${error.name}: ${error.message}`;
  return Object.assign(error, { actions, exitCode: 1, oclif: { exit: 1 } });
}

if (!nodeIsSupported(process.versions.node)) throw nodeTooOldError(process.versions.node);
