import { expect } from 'chai';
import type { PairResult } from '../../../src/domain/access/assignments.js';
import type { TokenResult } from '../../../src/domain/incident/tokens.js';
import type { ConnectedAppDoctorResult } from '../../../src/operations/doctor.js';
import { doctorLines } from '../../../src/renderers/doctor.js';
import { listTable } from '../../../src/renderers/list.js';
import { pairTable } from '../../../src/renderers/pair-table.js';
import { TABLE_WIDTH, fitTable, humanWidth, wrapWords, type TableColumn } from '../../../src/renderers/table.js';
import { tokenTable } from '../../../src/renderers/token-table.js';
import { listResult } from './fixtures.js';

/*
 * Every human table within 120 columns (issue 18 item 4): text wraps at word boundaries, identifiers are never split,
 * empty columns are left out; doctor's lines wrap with a hanging indent.
 */

const widest = (lines: readonly string[]): number => Math.max(...lines.map((l) => l.length));
/** The value appears whole on one line. */
const whole = (lines: readonly string[], value: string): boolean => lines.some((l) => l.includes(value));

const USER = 'integration.user@northwind.example.com';

function token(i: number, message: string | null = null): TokenResult {
  return {
    ref: `651e85e5ff83611${i}`,
    app: 'Data Loader Pro',
    userId: `005000000000${i}AAA`,
    username: i === 0 ? USER : `user${i}@northwind.example.com`,
    createdDate: '2025-10-27T14:34:00.000Z',
    lastUsedDate: '2026-12-01T09:46:00.000Z',
    useCount: 18_400,
    status: message ? 'failed' : 'would-revoke',
    verified: null,
    errorCode: message ? 'INSUFFICIENT_ACCESS' : null,
    message,
  };
}

function pair(i: number, message: string | null = null): PairResult {
  return {
    app: 'dsfs__DocuSign_eSignature',
    appId: '0H45g0000000009CAA',
    target: `Integration_User_Access_${i}`,
    targetType: 'permission-set',
    status: message ? 'failed' : 'created',
    path: 'setup-entity-access',
    recordId: `0J05g000000000${i}AAA`,
    verified: true,
    errorCode: message ? 'FIELD_INTEGRITY_EXCEPTION' : null,
    message,
  };
}

describe('tables within 120 columns', () => {
  it('wraps text at spaces, breaks a hyphenated word only when it fits no line, and splits only what must be split', () => {
    expect(wrapWords('Admin approved users are pre-authorized', 16)).to.deep.equal(['Admin approved', 'users are', 'pre-authorized']);
    expect(wrapWords('Admin approved users are pre-authorized', 10)).to.deep.equal(['Admin', 'approved', 'users are', 'pre-', 'authorized']);
    expect(wrapWords('http://localhost:1717/OauthRedirect', 22)).to.deep.equal(['http://localhost:1717/', 'OauthRedirect']);
    expect(wrapWords('0H4000000000001AAA', 8)).to.deep.equal(['0H400000', '0000001A', 'AA']);
    expect(wrapWords('one\ntwo three', 20)).to.deep.equal(['one', 'two three']);
  });

  it('fits 120 columns by wrapping text columns; identifier columns are never split', () => {
    const columns: TableColumn[] = [
      { key: 'name', name: 'API Name', identifier: true },
      { key: 'label', name: 'Label' },
      { key: 'id', name: 'Id', identifier: true },
      { key: 'note', name: 'Note' },
    ];
    const rows = Array.from({ length: 4 }, (_, i) => ({ name: `A_Very_Long_Api_Name_Of_An_App_${i}`, label: 'The label of the app in words '.repeat(3), id: `0H400000000000${i}AAA`, note: 'word '.repeat(40) }));
    const lines = fitTable(columns, rows);
    expect(widest(lines)).to.be.at.most(TABLE_WIDTH);
    for (const row of rows) expect(whole(lines, row.name) && whole(lines, row.id), row.name).to.equal(true);
    // No word is split: every word printed is one of the table's.
    const words = new Set([...columns.map((c) => c.name), ...rows.flatMap((r) => Object.values(r))].flatMap((v) => v.split(/\s+/)));
    expect(lines.slice(2).flatMap((l) => l.split(/\s+/)).filter((w) => w !== '' && !words.has(w))).to.deep.equal([]);
    expect(widest(fitTable(columns, rows, 90))).to.be.at.most(90);
  });

  it('leaves out a column no row has a value in, keeps it when one row has', () => {
    const columns: TableColumn[] = [{ key: 'a', name: 'A' }, { key: 'message', name: 'Message' }];
    expect(fitTable(columns, [{ a: 'x', message: '' }, { a: 'y', message: null }])[0]).to.equal('A');
    expect(fitTable(columns, [{ a: 'x', message: '' }, { a: 'y', message: 'oops' }])[0]).to.match(/^A\s+Message$/);
    expect(fitTable(columns, [])[0]).to.match(/^A\s+Message$/);
  });

  it('takes the terminal width, at most 120, and 120 through a pipe', () => {
    expect(humanWidth({ isTTY: true, columns: 80 })).to.equal(80);
    expect(humanWidth({ isTTY: true, columns: 200 })).to.equal(120);
    expect(humanWidth({ isTTY: false, columns: 80 })).to.equal(120);
    expect(humanWidth({})).to.equal(120);
  });

  it('revoke/contain token table: 120 columns, app names, usernames and refs whole, an empty Message column left out', () => {
    const results = [token(0), token(1), token(2)];
    const { columns, data } = tokenTable(results);
    const lines = fitTable(columns, data);
    expect(widest(lines)).to.be.at.most(TABLE_WIDTH);
    expect(lines[0]).to.not.include('Message');
    for (const r of results) expect(whole(lines, r.app) && whole(lines, r.username ?? '') && whole(lines, r.ref), r.username ?? '').to.equal(true);
    const withMessage = tokenTable([token(0), token(1, 'The user cannot be reached: the session has expired and must be renewed')]);
    const failed = fitTable(withMessage.columns, withMessage.data);
    expect(widest(failed)).to.be.at.most(TABLE_WIDTH);
    expect(failed[0]).to.include('Message');
    expect(whole(failed, USER)).to.equal(true);
  });

  it('assign/unassign pair table: 120 columns, API names and record Ids whole', () => {
    const results = [pair(1), pair(2, 'The permission set is owned by a profile and cannot be changed through this path')];
    const { columns, data } = pairTable(results);
    const lines = fitTable(columns, data);
    expect(widest(lines)).to.be.at.most(TABLE_WIDTH);
    for (const r of results) expect(whole(lines, r.app) && whole(lines, r.target) && whole(lines, r.recordId ?? ''), r.target).to.equal(true);
  });

  it('list table: 120 columns with API names and Ids whole', () => {
    const result = listResult();
    const { columns, data } = listTable(result);
    const lines = fitTable(columns, data);
    expect(widest(lines)).to.be.at.most(TABLE_WIDTH);
    for (const app of result.apps) expect(whole(lines, app.apiName ?? '') && whole(lines, app.id), app.id).to.equal(true);
  });

  it('doctor: lines within the width, messages wrap under themselves, a command to copy is never wrapped', () => {
    const command = 'sf connectedapp assign --name Field_Sales_Mobile --permission-set <PERMISSION_SET_OF_USER>';
    const result: ConnectedAppDoctorResult = {
      app: { type: 'connected-app', name: 'Field_Sales_Mobile', label: 'Field Sales Mobile', id: '0H4000000000001AAA', apiName: 'Field_Sales_Mobile', installed: true },
      user: { username: 'newhire@harbor.example.com', id: '005000000000001AAA', active: true, profile: 'Sales User' },
      flow: 'web-server',
      flowInferred: true,
      sourceIp: null,
      verdict: 'cannot-use',
      checks: [
        {
          id: 'permitted-users',
          status: 'fail',
          message: `Admin approved users are pre-authorized, and newhire@harbor.example.com reaches the app through no profile, permission set or group (profile: Sales User).`,
          sources: [{ source: 'readMetadata:ConnectedApp', status: 'used' }, { source: 'SetupEntityAccess', status: 'used' }],
          fix: { setup: 'Setup > App Manager > Field_Sales_Mobile > Manage > Manage Permission Sets (or Manage Profiles): add a permission set newhire@harbor.example.com holds, or the profile Sales User.', command },
        },
      ],
      coverage: [],
    } as unknown as ConnectedAppDoctorResult;
    for (const width of [120, 100]) {
      const lines = doctorLines(result, width);
      expect(widest(lines), String(width)).to.be.at.most(width);
      expect(lines.filter((l) => l.trim() === command)).to.have.length(1);
      const message = lines.findIndex((l) => l.startsWith('✖ FAIL'));
      const indent = lines[message].indexOf('Admin');
      expect(lines[message + 1].length - lines[message + 1].trimStart().length).to.equal(indent);
      expect(whole(lines, 'newhire@harbor.example.com')).to.equal(true);
    }
    expect(doctorLines(result).some((l) => l.endsWith(`fix with: ${command}`))).to.equal(false);
  });
});
