import { expect } from 'chai';
import type { Connection } from '@salesforce/core';
import { grantOf, grantOfAccess, resolveAppAccess, type SeaRow } from '../../../src/adapters/access-resolver.js';
import { readAppAccess, toAppAccess } from '../../../src/adapters/assignments.js';
import { start, type Emulator } from '../../emulator/index.js';
import { GROUP_SCENARIO } from '../../e2e/access-scenario.js';

export const connectionTo = (emulator: Emulator): Connection =>
  ({ instanceUrl: emulator.url, accessToken: emulator.accessToken, getApiVersion: (): string => '67.0', refreshAuth: () => Promise.reject(new Error('no refresh')) }) as unknown as Connection;

/** A query straight to the emulator (test set-up, not the code under test). */
export async function query<T>(emulator: Emulator, soql: string): Promise<T[]> {
  const response = await fetch(`${emulator.url}/services/data/v67.0/query?q=${encodeURIComponent(soql)}`, { headers: { Authorization: `Bearer ${emulator.accessToken}` } });
  return ((await response.json()) as { records: T[] }).records;
}

describe('access resolver (through the org emulator)', () => {
  let emulator: Emulator;
  let appIds: Map<string, string>;
  before(async () => {
    emulator = await start({ scenario: GROUP_SCENARIO });
    appIds = new Map((await query<{ Id: string; Name: string }>(emulator, 'SELECT Id, Name FROM ConnectedApplication')).map((r) => [r.Name, r.Id]));
  });
  after(async () => emulator.stop());
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetLog();
  });

  it('counts the users a group reaches through its component, with the path, and not inactive ones', async () => {
    const id = appIds.get('Group Only')!;
    const { apps, coverage } = await resolveAppAccess(connectionTo(emulator), [id]);
    const access = apps.get(id)!;
    expect(access.grants.map((g) => [g.kind, g.holderName, g.viaPermissionSet?.name])).to.deep.equal([
      ['permission-set', 'Component_PS', undefined],
      ['permission-set-group', 'Bundle', 'Component_PS'],
    ]);
    expect(access.activeUsers.map((u) => [u.username, u.paths.map((p) => p.kind)])).to.deep.equal([
      ['alice@access.example.com', ['permission-set-group']],
      ['bob@access.example.com', ['permission-set-group']],
    ]);
    expect(access.activeUserCount).to.equal(2);
    expect(access.grants.map((g) => g.activeUserCount)).to.deep.equal([0, 2]);
    expect(access.activeUsersByKind).to.deep.equal({ profile: 0, 'permission-set': 0, 'permission-set-group': 2 });
    expect([access.truncated, access.grantsComplete, access.usersComplete]).to.deep.equal([false, true, true]);
    expect(coverage.map((c) => [c.source, c.status])).to.deep.equal([
      ['SetupEntityAccess', 'used'],
      ['PermissionSetGroupComponent', 'used'],
      ['PermissionSetAssignment', 'used'],
    ]);
  });

  it('answers for every app in three queries, keyed by the ids as given, each user once with every path', async () => {
    const ids = [appIds.get('Group Only')!.slice(0, 15), appIds.get('Mixed')!, appIds.get('Nobody')!];
    const { apps } = await resolveAppAccess(connectionTo(emulator), ids);
    expect(emulator.requests.map((r) => /FROM (\w+)/.exec(r.soql ?? '')?.[1])).to.deep.equal(['SetupEntityAccess', 'PermissionSetGroupComponent', 'PermissionSetAssignment']);
    expect([...apps.keys()]).to.deep.equal(ids);
    const mixed = apps.get(ids[1])!;
    expect(mixed.activeUsers.map((u) => [u.username, u.paths.map((p) => `${p.kind}:${p.holderName}`)])).to.deep.equal([
      ['admin@access.example.com', ['profile:System Administrator']],
      ['bob@access.example.com', ['permission-set:Direct_PS']],
      ['dave@access.example.com', ['profile:System Administrator']],
    ]);
    expect(mixed.activeUsersByKind).to.deep.equal({ profile: 2, 'permission-set': 1, 'permission-set-group': 0 });
    expect(apps.get(ids[2])).to.include({ activeUserCount: 0 });
    expect(apps.get(ids[2])!.grants).to.deep.equal([]);
    expect(apps.get(ids[0])!.activeUserCount).to.equal(2);
  });

  it('perGrantCounts: the same per-grant counts from one aggregate, no assignment row listed', async () => {
    const ids = [...appIds.values()];
    const listed = await resolveAppAccess(connectionTo(emulator), ids);
    emulator.resetLog();
    const counted = await resolveAppAccess(connectionTo(emulator), ids, { perGrantCounts: true });
    const perGrant = (r: typeof listed): Array<[string, string[]]> => ids.map((id) => [id, r.apps.get(id)!.grants.map((g) => `${g.kind}:${g.holderName}=${g.activeUserCount}`)]);
    expect(perGrant(counted)).to.deep.equal(perGrant(listed));
    // Some grant reaches someone (the assertion above is not over zeros alone).
    expect(perGrant(counted).flatMap(([, g]) => g).some((g) => !g.endsWith('=0'))).to.equal(true);
    const assignmentQueries = emulator.requests.filter((r) => /FROM PermissionSetAssignment/.test(r.soql ?? ''));
    expect(assignmentQueries.map((r) => /^SELECT PermissionSetId, PermissionSetGroupId, COUNT\(AssigneeId\)/.test(r.soql ?? ''))).to.deep.equal([true]);
    const mixed = counted.apps.get(appIds.get('Mixed')!)!;
    expect([mixed.activeUsers, mixed.usersComplete]).to.deep.equal([[], true]);
  });

  it('given the assignments the inventory read, answers the same without reading SetupEntityAccess again', async () => {
    const ids = [...appIds.values()];
    const read = await resolveAppAccess(connectionTo(emulator), ids);
    const assignments = await readAppAccess(connectionTo(emulator));
    expect(new Set(assignments.map((a) => a.kind))).to.deep.equal(new Set(['profile', 'permission-set']));
    emulator.resetLog();
    const given = await resolveAppAccess(connectionTo(emulator), ids, { assignments });
    expect(emulator.requests.map((r) => /FROM (\w+)/.exec(r.soql ?? '')?.[1])).to.deep.equal(['PermissionSetGroupComponent', 'PermissionSetAssignment']);
    const answer = (r: typeof read): unknown[] => ids.map((id) => ({ ...r.apps.get(id), grants: [...r.apps.get(id)!.grants].sort((x, y) => x.holderId.localeCompare(y.holderId)) }));
    expect(answer(given)).to.deep.equal(answer(read));
    expect(given.coverage).to.deep.equal(read.coverage);
  });

  it('lists at most listUsers users but counts all; userIds narrows to those users, inactive ones marked', async () => {
    const id = appIds.get('Mixed')!;
    const capped = (await resolveAppAccess(connectionTo(emulator), [id], { listUsers: 1 })).apps.get(id)!;
    expect([capped.activeUsers.length, capped.activeUserCount, capped.truncated]).to.deep.equal([1, 3, true]);
    const groupApp = appIds.get('Group Only')!;
    const [{ Id: carol }] = await query<{ Id: string }>(emulator, "SELECT Id FROM User WHERE Username = 'carol@access.example.com'");
    const one = (await resolveAppAccess(connectionTo(emulator), [groupApp], { userIds: [carol] })).apps.get(groupApp)!;
    expect(one.activeUsers.map((u) => [u.username, u.isActive])).to.deep.equal([['carol@access.example.com', false]]);
    expect(one.activeUserCount).to.equal(0);
  });

  it('reports a refused source as coverage and the apps as incomplete, never as "nobody"', async () => {
    emulator.addFault({ soql: /FROM PermissionSetAssignment/, status: 403, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const id = appIds.get('Group Only')!;
    const { apps, coverage } = await resolveAppAccess(connectionTo(emulator), [id]);
    expect(coverage.find((c) => c.source === 'PermissionSetAssignment')).to.include({ status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS' });
    expect(apps.get(id)).to.include({ grantsComplete: true, usersComplete: false });
    emulator.clearFaults();
    emulator.addFault({ soql: /FROM PermissionSetGroupComponent/, status: 403, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const partial = (await resolveAppAccess(connectionTo(emulator), [id])).apps.get(id)!;
    expect(partial.grants.map((g) => g.kind)).to.deep.equal(['permission-set']);
    expect([partial.activeUserCount, partial.grantsComplete, partial.usersComplete]).to.deep.equal([0, false, false]);
  });

  it('escapes ids placed in SOQL (the org then refuses the id itself, not the query)', async () => {
    const odd = "0H4'\\x";
    const error = await resolveAppAccess(connectionTo(emulator), [odd]).then(
      () => null,
      (e: unknown) => e as Error
    );
    expect(error?.message).to.include('invalid ID field');
    expect(emulator.requests[0].soql).to.include("IN ('0H4\\'\\\\x')");
  });
});

describe('access resolver: a grant from the inventory’s row equals the grant from its own query', () => {
  type Parent = NonNullable<SeaRow['Parent']> & { Label: string | null };
  const parent: Parent = { Name: 'Sales_Ops', Label: 'Sales Ops', IsOwnedByProfile: false, ProfileId: null, Profile: null, PermissionSetGroupId: null, NamespacePrefix: null };
  const rows: Array<SeaRow & { Id: string; Parent: Parent | null }> = [
    { Id: '0J01', ParentId: '0PS1', SetupEntityId: '0H41', Parent: parent },
    { Id: '0J02', ParentId: '0PS2', SetupEntityId: '0H41', Parent: { ...parent, NamespacePrefix: 'acme' } },
    { Id: '0J03', ParentId: '0PS3', SetupEntityId: '0H41', Parent: { ...parent, Name: 'X00ex', IsOwnedByProfile: true, ProfileId: '00e1', Profile: { Name: 'System Administrator' } } },
    { Id: '0J04', ParentId: '0PS4', SetupEntityId: '0H41', Parent: { ...parent, Name: 'Bundle', PermissionSetGroupId: '0PG1', NamespacePrefix: 'acme' } },
    { Id: '0J05', ParentId: '0PS5', SetupEntityId: '0H41', Parent: null },
  ];
  for (const row of rows) {
    const kind = row.Parent === null ? 'parent unreadable' : row.Parent.IsOwnedByProfile ? 'profile' : row.Parent.PermissionSetGroupId ? 'group' : 'permission set';
    it(`${kind}${row.Parent?.NamespacePrefix ? ', namespaced' : ''}`, () => {
      expect(grantOfAccess(toAppAccess(row))).to.deep.equal(grantOf(row));
    });
  }
});
