/*
 * The sample files that tests run over, in two sets with the same folder layout:
 *
 * - fixtures: the project's own files under test/fixtures, written by us (see its README). REQUIRED: when the
 *   folder is missing, loading this module throws and the test run fails.
 * - corpus: real third-party files in ../shared/corpus (override with CA_CORPUS_DIR). OPTIONAL: present on the
 *   team's machines only, never copied into the repo.
 *
 * A suite calls `forEachDataSet(title, body)`: `body` runs once per present set, in a describe of its own, and
 * the files it lists are counted. A set that is absent becomes one pending test that says so, and the root
 * hook (test/hooks.ts) prints, at the end of the run, how many files each set gave and what was skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SetName = 'fixtures' | 'corpus';
export type Kind = 'connected-apps' | 'eca' | 'profiles' | 'permission-sets' | 'event-log-files' | 'api-responses';
export const KINDS: readonly Kind[] = ['connected-apps', 'eca', 'profiles', 'permission-sets', 'event-log-files', 'api-responses'];

/** The API responses tests compare shapes with, by role; each set names its own file for a role. */
export type ApiResponse = 'elf-query-login' | 'elf-list' | 'elf-list-field-types' | 'org-query' | 'elf-hourly-records' | 'elf-describe';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export type DataSet = {
  name: SetName;
  root: string;
  required: boolean;
  present: boolean;
  /** The folder of one kind of file (throws when a present set lacks it: a half-copied set must not pass as empty). */
  dir(kind: Kind): string;
  /** The file names in a folder, sorted; the ones returned are counted as read by the calling suite. */
  files(kind: Kind, filter?: (name: string) => boolean): string[];
  path(kind: Kind, file: string): string;
  read(kind: Kind, file: string): string;
  /** The file this set has for an API-response role. */
  apiResponse(role: ApiResponse): string;
  /** The connected-app files that do not parse, with the line the parser stops at. */
  malformedConnectedApps: Readonly<Record<string, number>>;
};

const CORPUS_API_RESPONSES: Record<ApiResponse, string> = {
  'elf-query-login': 'elastic__beats__input_test__EventLogFile_query_Login.json',
  'elf-list': 'abisek__logstash-input-sfdc_elf__eventlogfile_list.json',
  'elf-list-field-types': 'abisek__logstash-input-sfdc_elf__create_event_ELF_list1.json',
  'org-query': 'abisek__logstash-input-sfdc_elf__org_query_response.json',
  'elf-hourly-records': 'newrelic__newrelic-salesforce-exporter__sample_log_records_EventLogFile.json',
  'elf-describe': 'abisek__logstash-input-sfdc_elf__eventlogfile_describe.json',
};

const FIXTURE_API_RESPONSES: Record<ApiResponse, string> = {
  'elf-query-login': 'eventlogfile-query-login.json',
  'elf-list': 'eventlogfile-list.json',
  'elf-list-field-types': 'eventlogfile-with-field-types.json',
  'org-query': 'organization-query.json',
  'elf-hourly-records': 'eventlogfile-hourly-records.json',
  'elf-describe': 'eventlogfile-describe.json',
};

// ---- What each suite read, for the summary ---------------------------------------------------------------

type Usage = { suite: string; set: SetName; files: Set<string>; ran: boolean };
const usages: Usage[] = [];
const skipped: Array<{ suite: string; set: SetName }> = [];
let current: Usage | undefined;

function makeSet(name: SetName, root: string, required: boolean, responses: Record<ApiResponse, string>, malformedConnectedApps: Record<string, number>): DataSet {
  const present = existsSync(root);
  const set: DataSet = {
    name,
    root,
    required,
    present,
    dir(kind) {
      const dir = join(root, kind);
      if (!existsSync(dir)) throw new Error(`The ${name} data set at ${root} has no ${kind}/ folder.`);
      return dir;
    },
    files(kind, filter = () => true) {
      const names = readdirSync(set.dir(kind))
        .filter((f) => f !== 'README.md' && filter(f))
        .sort();
      if (required && names.length === 0) throw new Error(`The ${name} data set has no ${kind} files to run over (${set.dir(kind)}).`);
      if (current?.set === name) for (const f of names) current.files.add(`${kind}/${f}`);
      return names;
    },
    path(kind, file) {
      if (current?.set === name) current.files.add(`${kind}/${file}`);
      return join(set.dir(kind), file);
    },
    read(kind, file) {
      return readFileSync(set.path(kind, file), 'utf8');
    },
    apiResponse(role) {
      return responses[role];
    },
    malformedConnectedApps,
  };
  return set;
}

export const FIXTURES = makeSet('fixtures', join(REPO_ROOT, 'test', 'fixtures'), true, FIXTURE_API_RESPONSES, {
  'Merge_Conflict.connectedApp-meta.xml': 8,
  'Stray_Comment_CI.connectedApp-meta.xml': 12,
});
export const CORPUS = makeSet('corpus', process.env.CA_CORPUS_DIR ? resolve(process.env.CA_CORPUS_DIR) : join(REPO_ROOT, '..', 'shared', 'corpus'), false, CORPUS_API_RESPONSES, {
  // Text after the root element (PROVENANCE: kept as found).
  'bathiniarun__Salesforces_CICD__Dev_CICD.connectedApp-meta.xml': 29,
});
export const DATA_SETS: readonly DataSet[] = [FIXTURES, CORPUS];

if (!FIXTURES.present) throw new Error(`The project's own fixture set is missing: ${FIXTURES.root}. It is part of the repository; restore it (git checkout -- test/fixtures).`);
for (const kind of KINDS) FIXTURES.dir(kind);

/**
 * Defines `body` once per present data set (inside `describe('<title> [<set>]')`), counting the files it lists,
 * and one pending test per absent optional set. `only` limits the sets (for pins that exist in one set).
 */
export function forEachDataSet(title: string, body: (set: DataSet) => void, only: readonly SetName[] = ['fixtures', 'corpus']): void {
  for (const set of DATA_SETS.filter((s) => only.includes(s.name))) {
    const suite = `${title} [${set.name}]`;
    if (!set.present) {
      skipped.push({ suite: title, set: set.name });
      describe(suite, () => {
        it.skip(`${set.name} absent (${set.root}; set CA_CORPUS_DIR to run it)`);
      });
      continue;
    }
    const usage: Usage = { suite: title, set: set.name, files: new Set(), ran: false };
    usages.push(usage);
    describe(suite, function () {
      before(() => {
        usage.ran = true;
        current = usage;
      });
      const previous = current;
      current = usage;
      try {
        body(set);
      } finally {
        current = previous;
      }
      after(() => {
        current = undefined;
        const byKind = new Map<string, number>();
        for (const f of usage.files) byKind.set(f.split('/')[0], (byKind.get(f.split('/')[0]) ?? 0) + 1);
        console.log(`      [${set.name}] ran over ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ') || 'no'} file(s)`);
      });
    });
  }
}

/** The end-of-run summary printed by the root hook. */
export function dataSetSummary(): string[] {
  const lines: string[] = [];
  for (const set of DATA_SETS) {
    const ran = usages.filter((u) => u.set === set.name && u.ran);
    const files = new Set(ran.flatMap((u) => [...u.files]));
    const state = set.present ? 'present' : 'ABSENT';
    lines.push(`${set.name} (${set.required ? 'required' : 'optional'}, ${state}, ${set.root}): ${files.size} file(s) read by ${ran.length} suite(s)`);
  }
  const absent = skipped.filter((s) => !DATA_SETS.find((d) => d.name === s.set)?.required);
  if (absent.length > 0) {
    lines.push(`SKIPPED because the optional corpus is absent (set CA_CORPUS_DIR to a copy to run them): ${absent.length} suite(s):`);
    for (const s of absent) lines.push(`  - ${s.suite}`);
  }
  return lines;
}

/** Whether any suite used a data set in this run (the summary is printed only then). */
export const dataSetsUsed = (): boolean => usages.some((u) => u.ran) || skipped.length > 0;
