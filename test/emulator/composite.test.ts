import { expect } from 'chai';
import { start, type Emulator } from './index.js';
import { http, connection } from './test-helpers.js';

type Result = { id?: string; success: boolean; errors: Array<{ statusCode: string; message: string; fields: string[] }> };

describe('org emulator: sObject Collections for SetupEntityAccess', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  const appId = (label: string): string => e.org.appByAnyName(label)!.id;
  const psId = (name: string): string => e.org.table('PermissionSet').find((p) => p.Name === name)!.Id as string;
  const profilePsId = (profile: string): string => e.org.profiles.get(profile.toLowerCase())!.permissionSetId;
  const sea = (parentId: string, entityId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    attributes: { type: 'SetupEntityAccess' },
    ParentId: parentId,
    SetupEntityId: entityId,
    ...extra,
  });
  const create = async (records: Array<Record<string, unknown>>, allOrNone = false): Promise<{ status: number; body: unknown }> => {
    const r = await http(e, 'POST', '/services/data/v67.0/composite/sobjects', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allOrNone, records }),
    });
    return { status: r.status, body: JSON.parse(r.body) as unknown };
  };
  const count = (): number => e.org.table('SetupEntityAccess').length;

  it('creates rows and reports partial failure in input order (allOrNone false)', async () => {
    const before = count();
    const { status, body } = await create([
      sea(psId('API_Access'), appId('Partner Portal')),
      sea(psId('Jenkins_CI_Access'), appId('Jenkins CI')), // already assigned
      sea('0PS5g00000ZZZZZZZZ', appId('Partner Portal')),
      sea(psId('Workato_Recipes'), '0015g00000ABCDEAAA'),
      sea(psId('Datadog_Monitoring'), appId('Partner Portal'), { SetupEntityType: 'ConnectedApplication' }),
      sea(profilePsId('Support Agent'), appId('Partner Portal')),
    ]);
    expect(status).to.equal(200);
    const results = body as Result[];
    expect(results.map((r) => r.success)).to.deep.equal([true, false, false, false, false, true]);
    expect(results[0].id).to.match(/^0J0\w{15}$/);
    expect(results[0].errors).to.deep.equal([]);
    expect(results[1]).to.not.have.property('id');
    expect(results[1].errors[0].statusCode).to.equal('DUPLICATE_VALUE');
    expect(results[2].errors[0]).to.deep.equal({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['ParentId'] });
    expect(results[3].errors[0].statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(results[4].errors[0]).to.deep.include({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['SetupEntityType'] });
    expect(results[4].errors[0].message).to.contain('not writeable');
    expect(count()).to.equal(before + 2);
    const assigned = e.org.setupEntityAccessFor('Partner Portal').map((r) => r.ParentId);
    expect(assigned).to.have.members([psId('API_Access'), profilePsId('Support Agent')]);
  });

  it('rolls everything back under allOrNone and marks the valid records', async () => {
    const before = count();
    const { body } = await create(
      [sea(psId('API_Access'), appId('Partner Portal')), sea(psId('Jenkins_CI_Access'), appId('Jenkins CI')), sea(psId('Workato_Recipes'), appId('Partner Portal'))],
      true
    );
    const results = body as Result[];
    expect(results.map((r) => r.errors[0]?.statusCode)).to.deep.equal(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'DUPLICATE_VALUE', 'ALL_OR_NONE_OPERATION_ROLLED_BACK']);
    expect(results.every((r) => !r.success)).to.be.true;
    expect(results[0].errors[0].message).to.equal('Record rolled back because not all records were valid and the request was using AllOrNone header');
    expect(count()).to.equal(before);
  });

  it('flags a duplicate within the same request', async () => {
    const { body } = await create([sea(psId('API_Access'), appId('Partner Portal')), sea(psId('API_Access'), appId('Partner Portal'))]);
    const results = body as Result[];
    expect(results[0].success).to.be.true;
    expect(results[1].errors[0].statusCode).to.equal('DUPLICATE_VALUE');
    expect(results[1].errors[0].message).to.contain(results[0].id!);
  });

  it('answers a duplicate insert with another code when the org is set to (duplicateInsertCode)', async () => {
    const other = await start({ scenario: 'demo', duplicateInsertCode: 'FIELD_INTEGRITY_EXCEPTION' });
    try {
      const existing = other.org.setupEntityAccessFor('Jenkins CI')[0];
      const r = await http(other, 'POST', '/services/data/v67.0/composite/sobjects', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ records: [sea(existing.ParentId as string, existing.SetupEntityId as string)] }),
      });
      const [result] = JSON.parse(r.body) as Result[];
      expect(result.success).to.equal(false);
      expect(result.errors[0].statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(result.errors[0].message).to.contain(existing.Id);
    } finally {
      await other.stop();
    }
  });

  it('refuses managed and group permission sets, and profile-owned ones when configured', async () => {
    const aggregate = e.org.table('PermissionSet').find((p) => p.PermissionSetGroupId !== null)!.Id as string;
    const { body } = await create([sea(psId('DocuSign_User'), appId('Partner Portal')), sea(aggregate, appId('Partner Portal'))]);
    const results = body as Result[];
    expect(results[0].errors[0].statusCode).to.equal('CANNOT_MODIFY_MANAGED_OBJECT');
    expect(results[1].errors[0].statusCode).to.equal('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');

    const strict = await start({ scenario: 'demo', profileSetupEntityAccess: 'refuse' });
    try {
      const r = await http(strict, 'POST', '/services/data/v67.0/composite/sobjects', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ records: [sea(strict.org.profiles.get('support agent')!.permissionSetId, strict.org.appByAnyName('Partner Portal')!.id)] }),
      });
      expect((JSON.parse(r.body) as Result[])[0].errors[0].statusCode).to.equal('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');
    } finally {
      await strict.stop();
    }
  });

  it('rejects more than 200 records and unknown fields as a whole', async () => {
    const many = Array.from({ length: 201 }, () => sea(psId('API_Access'), appId('Partner Portal')));
    const tooMany = await create(many);
    expect(tooMany.status).to.equal(400);
    expect((tooMany.body as Array<{ errorCode: string }>)[0].errorCode).to.equal('EXCEEDED_ID_LIMIT');
    const unknown = await create([sea(psId('API_Access'), appId('Partner Portal'), { Bogus__c: 1 })]);
    expect(unknown.status).to.equal(400);
    expect((unknown.body as Array<{ errorCode: string }>)[0].errorCode).to.equal('INVALID_FIELD');
  });

  it('deletes by ids with per-record results, and rolls back under allOrNone', async () => {
    const rows = e.org.setupEntityAccessFor('Jenkins CI').map((r) => r.Id as string);
    expect(rows).to.have.length(1);
    const managed = e.org.setupEntityAccessFor('DocuSign eSignature')[0].Id as string;
    const del = async (ids: string[], allOrNone: boolean): Promise<Result[]> => {
      const r = await http(e, 'DELETE', `/services/data/v67.0/composite/sobjects?ids=${ids.join(',')}&allOrNone=${String(allOrNone)}`);
      expect(r.status).to.equal(200);
      return JSON.parse(r.body) as Result[];
    };
    const rolledBack = await del([rows[0], managed], true);
    expect(rolledBack.map((r) => r.errors[0]?.statusCode)).to.deep.equal(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'CANNOT_MODIFY_MANAGED_OBJECT']);
    expect(rolledBack[0].id).to.equal(rows[0]);
    expect(e.org.setupEntityAccessFor('Jenkins CI')).to.have.length(1);

    const partial = await del([rows[0], rows[0], 'abc'], false);
    expect(partial[0]).to.deep.equal({ id: rows[0], success: true, errors: [] });
    expect(partial[1].errors[0].statusCode).to.equal('ENTITY_IS_DELETED');
    expect(partial[2].errors[0].statusCode).to.equal('INVALID_ID_FIELD');
    expect(e.org.setupEntityAccessFor('Jenkins CI')).to.have.length(0);
  });

  it('works through jsforce create/destroy', async () => {
    const conn = connection(e);
    const created = await conn.sobject('SetupEntityAccess').create([{ ParentId: psId('API_Access'), SetupEntityId: appId('Partner Portal') }], { allOrNone: true });
    expect(created[0].success).to.be.true;
    const destroyed = await conn.sobject('SetupEntityAccess').destroy([created[0].id!], { allOrNone: false });
    expect(destroyed[0].success).to.be.true;
  });

  it('revokes an OAuth token by DeleteToken', async () => {
    const token = e.org.table('OauthToken').find((t) => t.AppName === 'Zapier')!;
    const before = e.org.table('OauthToken').length;
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const ok = await http(e, 'POST', '/services/oauth2/revoke', { token: null, headers: form, body: `token=${encodeURIComponent(token.DeleteToken as string)}` });
    expect(ok.status).to.equal(200);
    expect(e.org.table('OauthToken')).to.have.length(before - 1);
    const again = await http(e, 'POST', '/services/oauth2/revoke', { token: null, headers: form, body: `token=${encodeURIComponent(token.DeleteToken as string)}` });
    expect(again.status).to.equal(400);
    expect(JSON.parse(again.body)).to.deep.equal({ error: 'invalid_token', error_description: 'invalid token' });
  });

  it("answers 200 for a token it does not know when the org is set to (revokeUnknownToken: 'ok', as RFC 7009 has it)", async () => {
    const lenient = await start({ scenario: 'demo', revokeUnknownToken: 'ok' });
    try {
      const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const token = lenient.org.table('OauthToken').find((t) => t.AppName === 'Zapier')!;
      const before = lenient.org.table('OauthToken').length;
      for (const expected of [before - 1, before - 1]) {
        const r = await http(lenient, 'POST', '/services/oauth2/revoke', { token: null, headers: form, body: `token=${encodeURIComponent(token.DeleteToken as string)}` });
        expect(r.status).to.equal(200);
        expect(lenient.org.table('OauthToken')).to.have.length(expected);
      }
      const missing = await http(lenient, 'POST', '/services/oauth2/revoke', { token: null, headers: form, body: '' });
      expect(missing.status, 'a request without a token is still refused').to.equal(400);
    } finally {
      await lenient.stop();
    }
  });
});
