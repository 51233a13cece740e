/*
 * Turning the names a user typed (API name, label or Id) into apps, all at once: every unknown name is
 * reported in one error with close matches, before anything else happens.
 */
import { Messages } from '@salesforce/core';
import { appNames, findApps, type InventoryApp } from '../domain/inventory.js';
import { closeMatches } from '../domain/names.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

/** The apps the names select, in inventory order, each once. Throws UnknownAppError listing close matches. */
export function resolveApps(apps: readonly InventoryApp[], names: readonly string[]): InventoryApp[] {
  const unknown: string[] = [];
  const selected = new Set<InventoryApp>();
  for (const name of names) {
    const found = findApps(apps, name);
    if (found.length === 0) unknown.push(name);
    for (const app of found) selected.add(app);
  }
  if (unknown.length > 0) {
    const candidates = appNames(apps);
    const suggestions = unknown.flatMap((name) => {
      const matches = closeMatches(name, candidates);
      return matches.length ? [messages.getMessage('suggestion.didYouMean', [name, matches.join(', ')])] : [];
    });
    const error = messages.createError('error.UnknownApp', [unknown.map((n) => `"${n}"`).join(', ')], [apps.length]);
    error.actions = [...suggestions, ...(error.actions ?? [])];
    error.setData({ unknownNames: unknown });
    throw error;
  }
  return apps.filter((app) => selected.has(app));
}

export function permittedUsersLabel(app: Pick<InventoryApp, 'permittedUsers'>): string {
  return messages.getMessage(`permittedUsers.${app.permittedUsers}`);
}
