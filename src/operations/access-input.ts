/*
 * The input of assign/unassign, from flags or from --file, validated before any request is made.
 */
import { readFile } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import { AccessFileError, parseAccessFile, type AppEntry } from '../domain/access/access-file.js';
import { EXIT } from '../exit-codes.js';
import type { AppKind } from '../domain/policy/policy.js';
import type { AccessRequest } from './access.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');
const fileMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

export type AccessFlags = { name?: string[]; 'permission-set'?: string[]; profile?: string[]; file?: string; type?: AppKind };

export async function accessRequests(flags: AccessFlags): Promise<AccessRequest[]> {
  const named = Boolean(flags.name?.length || flags['permission-set']?.length || flags.profile?.length);
  if (flags.file) {
    if (named) throw messages.createError('error.FileWithFlags', [], [], EXIT.usage);
    return (await readAccessFile(flags.file, flags.type)).map((e) => ({ apps: [e.app], permissionSets: e.permissionSets, profiles: e.profiles, ...(e.type ? { type: e.type } : {}) }));
  }
  if (!flags.name?.length) throw messages.createError('error.NoApps', [], [], EXIT.usage);
  if (!flags['permission-set']?.length && !flags.profile?.length) throw messages.createError('error.NothingToAssign', [], [], EXIT.usage);
  return [{ apps: flags.name, permissionSets: flags['permission-set'] ?? [], profiles: flags.profile ?? [] }];
}

/**
 * The file's entries, validated. `type` (the command's --type): an entry whose own `type` says the other kind is
 * refused (wrong usage, naming every such entry): its name would be searched among apps it cannot be.
 */
export async function readAccessFile(path: string, type?: AppKind): Promise<AppEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileMessages.createError('error.FileUnreadable', [path, error instanceof Error ? error.message : String(error)]);
  }
  let entries: AppEntry[];
  try {
    entries = parseAccessFile(text);
  } catch (error) {
    if (error instanceof AccessFileError) throw fileMessages.createError('error.FileInvalid', [path, error.message]);
    throw error;
  }
  const clashing = type ? entries.filter((e) => e.type !== undefined && e.type !== type) : [];
  if (clashing.length) {
    const items = clashing.map((e) => fileMessages.getMessage('fileTypeClash.item', [e.at, e.app, e.type ?? '']));
    throw fileMessages.createError('error.FileTypeClash', [path, type ?? '', items.join('; ')], [], EXIT.usage);
  }
  return entries;
}
