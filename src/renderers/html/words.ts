// The words of the HTML reports (messages/connectedapp.report.md).
import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.report');

export const reportText = (key: string, tokens: Array<string | number> = []): string => messages.getMessage(key, tokens);
