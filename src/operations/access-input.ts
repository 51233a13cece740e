/*
 * The input of assign/unassign, from flags or from --file, validated before any request is made.
 */
import { readFile } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import { AccessFileError, parseAccessFile, type AppEntry } from '../domain/access/access-file.js';
import { EXIT } from '../exit-codes.js';
import type { AccessRequest } from './access.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');
const fileMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

export type AccessFlags = { name?: string[]; 'permission-set'?: string[]; profile?: string[]; file?: string };

export async function accessRequests(flags: AccessFlags): Promise<AccessRequest[]> {
  const named = Boolean(flags.name?.length || flags['permission-set']?.length || flags.profile?.length);
  if (flags.file) {
    if (named) throw messages.createError('error.FileWithFlags', [], [], EXIT.usage);
    return (await readAccessFile(flags.file)).map((e) => ({ apps: [e.app], permissionSets: e.permissionSets, profiles: e.profiles }));
  }
  if (!flags.name?.length) throw messages.createError('error.NoApps', [], [], EXIT.usage);
  if (!flags['permission-set']?.length && !flags.profile?.length) throw messages.createError('error.NothingToAssign', [], [], EXIT.usage);
  return [{ apps: flags.name, permissionSets: flags['permission-set'] ?? [], profiles: flags.profile ?? [] }];
}

export async function readAccessFile(path: string): Promise<AppEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileMessages.createError('error.FileUnreadable', [path, error instanceof Error ? error.message : String(error)]);
  }
  try {
    return parseAccessFile(text);
  } catch (error) {
    if (error instanceof AccessFileError) throw fileMessages.createError('error.FileInvalid', [path, error.message]);
    throw error;
  }
}
