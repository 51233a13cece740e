import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { ConnectedAppCommand } from '../../base-command.js';
import { EXIT, offlineErrorCodesSection } from '../../exit-codes.js';
import { existingPath } from '../../flags.js';
import { readConnectedAppFiles, type SourceParseError } from '../../adapters/source-files.js';
import { OutputExistsError, writeNewFiles } from '../../adapters/output-files.js';
import { countMigration, migrateConnectedApp, type MigrationCounts, type MigrationItem } from '../../domain/policy/eca-migrate.js';
import { closeMatches } from '../../domain/names.js';
import { presentText, present } from '../../domain/policy/policy.js';
import { serializeXml } from '../../domain/xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.migrate');
const common = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

export type MigrateItem = MigrationItem & { note: string };

export type MigratedApp = {
  name: string;
  label: string | null;
  /** The connected app file, relative to the working directory. */
  sourceFile: string;
  /** The ECA files, relative to the output directory (written, or to be written with --dry-run). */
  files: string[];
  counts: MigrationCounts;
  items: MigrateItem[];
};

export type ConnectedAppMigrateResult = {
  outputDir: string;
  dryRun: boolean;
  globalOauthSettings: boolean;
  apps: MigratedApp[];
  totals: MigrationCounts & { apps: number; files: number };
  /** Files that could not be read or migrated (the others were). */
  skipped: SourceParseError[];
};

/** ECA API names: a letter, then letters and digits in runs joined by single underscores (a namespace prefix joins with `__`). */
const ECA_NAME = /^(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__)?[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$/;
/** The namespace prefix of a managed package's app (`dsfs__DocuSign` → dsfs). */
const NAMESPACE = /^([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)__/;

export default class ConnectedAppMigrate extends ConnectedAppCommand<ConnectedAppMigrateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = offlineErrorCodesSection('partial');

  public static readonly flags = {
    // Not `exists: true` (exit 1, oclif's message): a missing directory is wrong usage, exit 2.
    'source-dir': Flags.directory({ char: 'd', multiple: true, required: true, parse: existingPath('directory'), summary: messages.getMessage('flags.source-dir.summary') }),
    'output-dir': Flags.directory({ required: true, summary: messages.getMessage('flags.output-dir.summary') }),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    'global-oauth-settings': Flags.boolean({ summary: messages.getMessage('flags.global-oauth-settings.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  public async run(): Promise<ConnectedAppMigrateResult> {
    const { flags } = await this.parse(ConnectedAppMigrate);
    const read = await readConnectedAppFiles(flags['source-dir'], process.cwd());
    // With --name, a file that cannot be read is only warned about: it may not be one of the apps asked for.
    const skipped: SourceParseError[] = flags.name?.length ? [] : [...read.parseErrors];
    if (flags.name?.length) for (const e of read.parseErrors) this.warn(messages.getMessage('warning.unreadable', [e.file, e.message]));
    if (read.files.length === 0 && read.parseErrors.length === 0) throw messages.createError('error.NoConnectedApps', [read.directories.join(', ')]);

    let chosen = read.files;
    if (flags.name?.length) {
      const label = (root: (typeof read.files)[number]['root']): string | null => presentText(present(root, 'label'));
      chosen = [];
      for (const wanted of flags.name) {
        const key = wanted.trim().toLowerCase();
        const match = read.files.filter((f) => f.fullName.toLowerCase() === key || label(f.root)?.toLowerCase() === key);
        if (match.length === 0) {
          const near = closeMatches(wanted, read.files.map((f) => [f.fullName, label(f.root) ?? f.fullName]));
          const hint = near.length ? ` ${common.getMessage('suggestion.didYouMean', [wanted, near.join(', ')])}` : '';
          throw messages.createError('error.UnknownName', [wanted, hint], [], EXIT.usage);
        }
        for (const m of match) if (!chosen.includes(m)) chosen.push(m);
      }
    }

    const apps: MigratedApp[] = [];
    const outFiles: Array<{ path: string; text: string }> = [];
    for (const source of chosen) {
      if (!ECA_NAME.test(source.fullName)) {
        skipped.push({ file: source.file, line: 0, column: 0, message: messages.getMessage('warning.badName', [source.file, source.fullName]) });
        continue;
      }
      const migration = migrateConnectedApp(source.root, source.fullName, { globalOauthSettings: flags['global-oauth-settings'] });
      for (const f of migration.files) outFiles.push({ path: f.path, text: serializeXml(f.root) });
      apps.push({
        name: source.fullName,
        label: presentText(present(source.root, 'label')),
        sourceFile: source.file,
        files: migration.files.map((f) => f.path),
        counts: countMigration(migration.items),
        items: migration.items.map((item) => ({ ...item, note: messages.getMessage(`reason.${item.reason}`) })),
      });
    }

    if (!flags['dry-run'] && outFiles.length > 0) {
      try {
        await writeNewFiles(flags['output-dir'], outFiles);
      } catch (error) {
        if (error instanceof OutputExistsError) throw messages.createError('error.OutputExists', [error.paths.join(', ')]);
        throw error;
      }
    }

    const totals = { ...countMigration(apps.flatMap((a) => a.items)), apps: apps.length, files: outFiles.length };
    const result: ConnectedAppMigrateResult = { outputDir: flags['output-dir'], dryRun: flags['dry-run'], globalOauthSettings: flags['global-oauth-settings'], apps, totals, skipped };
    this.render(result);
    if (apps.length === 0) return this.endWith(result, EXIT.error, messages.createError('error.NothingMigrated'));
    return skipped.length > 0 ? this.endWith(result, EXIT.partial) : result;
  }

  private render(result: ConnectedAppMigrateResult): void {
    for (const s of result.skipped) this.warn(s.message.startsWith(s.file) ? s.message : messages.getMessage('warning.unreadable', [s.file, s.message]));
    // A managed package's app: a subscriber cannot create a component in another publisher's namespace.
    for (const app of result.apps) {
      const namespace = NAMESPACE.exec(app.name)?.[1];
      if (namespace) this.warn(messages.getMessage('warning.namespaced', [app.name, namespace]));
    }
    for (const app of result.apps) {
      this.styledHeader(messages.getMessage('header.app', [app.sourceFile, app.name]));
      this.table({
        data: app.items.map((i) => ({
          setting: i.source,
          target: i.target ?? '',
          status: [messages.getMessage(`status.${i.status}`), ...(i.inferred ? [messages.getMessage('inferred')] : []), ...(i.status !== 'none' && !i.written ? [messages.getMessage('notWritten')] : [])].join(', '),
          note: i.note,
        })),
        columns: [
          { key: 'setting', name: messages.getMessage('column.setting') },
          { key: 'target', name: messages.getMessage('column.target') },
          { key: 'status', name: messages.getMessage('column.status') },
          { key: 'note', name: messages.getMessage('column.note') },
        ],
      });
      this.log(messages.getMessage('summary.app', [app.name, app.counts.exact, app.counts.changed, app.counts.none, app.counts.inferred]));
    }
    const t = result.totals;
    this.log(messages.getMessage('summary.total', [t.apps, t.exact, t.changed, t.none, t.inferred]));
    this.log(messages.getMessage(result.dryRun ? 'summary.dryRun' : 'summary.wrote', [t.files, result.outputDir]));
  }
}
