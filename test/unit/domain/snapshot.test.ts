import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseSnapshot, restorePolicyElements, SnapshotError, snapshotMetadata, snapshotPolicy, type IncidentSnapshot } from '../../../src/domain/snapshot.js';
import { applyPolicyChange } from '../../../src/domain/policy-edit.js';
import { parseXml, serializeXml, type XmlElement } from '../../../src/domain/xml.js';

const APP = `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>it@example.com</contactEmail>
    <label>Loader</label>
    <oauthConfig>
        <callbackUrl>https://example.com/cb</callbackUrl>
        <consumerKey>KEY</consumerKey>
        <scopes>Api</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>BYPASS</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
    <permissionSetName>Loader Users</permissionSetName>
</ConnectedApp>
`;

const root = (xml: string): XmlElement => parseXml(xml).root;

function valid(): IncidentSnapshot {
  const record = root(APP);
  return {
    format: 'sf-connectedapp-snapshot',
    version: 1,
    takenAt: '2026-11-20T12:00:00.000Z',
    orgId: '00D5g0000000001EAA',
    app: { name: 'Loader', apiName: 'Loader', appId: '0H45g0000000001CAA', installed: true },
    policy: snapshotPolicy(record),
    metadata: snapshotMetadata(record),
    assignments: [{ kind: 'permission-set', name: 'Loader_Users', label: 'Loader Users', permissionSetId: '0PS5g0000000001GAA' }],
    tokens: { count: 3000 },
  };
}

describe('incident snapshot (domain)', () => {
  it('reads back what it writes, with the keys the generated schema requires', () => {
    const snapshot = valid();
    const parsed = parseSnapshot(JSON.parse(JSON.stringify(snapshot)));
    expect(parsed).to.deep.equal(snapshot);
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/file-connectedapp-snapshot.json', import.meta.url), 'utf8')) as { definitions: { IncidentSnapshot: { required: string[] } } };
    expect(Object.keys(parsed).sort()).to.deep.equal([...schema.definitions.IncidentSnapshot.required].sort());
    expect(snapshot.policy).to.deep.equal({ permittedUsers: 'all-self-authorize', ipRelaxation: 'BYPASS', refreshTokenPolicy: 'infinite', sessionTimeoutMinutes: null, pkceRequired: false, refreshTokenRotation: false });
  });

  it('says why a file is not a snapshot it can restore', () => {
    const reason = (value: unknown): [string, string] => {
      try {
        parseSnapshot(value);
      } catch (error) {
        if (error instanceof SnapshotError) return [error.reason, error.message];
        throw error;
      }
      return ['', 'accepted'];
    };
    expect(reason({ apps: [] })[0]).to.equal('not-a-snapshot');
    expect(reason({ ...valid(), version: 2 })).to.deep.equal(['newer-version', 'version 2 (this plugin reads version 1)']);
    expect(reason({ ...valid(), orgId: '' })[1]).to.match(/orgId must be a non-empty string/);
    expect(reason({ ...valid(), takenAt: 'yesterday' })[1]).to.match(/takenAt/);
    expect(reason({ ...valid(), metadata: '<ConnectedApp><label>' })[1]).to.match(/metadata is not ConnectedApp XML/);
    expect(reason({ ...valid(), metadata: '<CustomObject/>' })[1]).to.match(/metadata is not ConnectedApp XML/);
    expect(reason({ ...valid(), assignments: [{ kind: 'group', name: 'x', label: 'x', permissionSetId: 'x' }] })[1]).to.match(/kind must be/);
    expect(reason({ ...valid(), tokens: {} })[1]).to.match(/tokens.count/);
  });

  it('puts an absent element back as absent, not as its default', () => {
    const original = root(APP);
    const contained = applyPolicyChange(original, { permittedUsers: 'admin-approved' }).root;
    const back = restorePolicyElements(contained, original);
    expect(serializeXml(back.root)).to.equal(serializeXml(original));
    expect(back.diffs.map((d) => [d.field, d.before, d.after])).to.deep.equal([['permittedUsers', 'admin-approved', 'all-self-authorize']]);
  });

  it('restores the policy blocks and leaves everything else as it is now', () => {
    const original = root(APP);
    const now = applyPolicyChange(root(APP.replace('<label>Loader</label>', '<label>Loader v2</label>')), { ipRelaxation: 'ENFORCE', refreshTokenPolicy: { kind: 'zero' }, sessionTimeoutMinutes: 15, pkceRequired: true }).root;
    const back = restorePolicyElements(now, original);
    const text = serializeXml(back.root);
    expect(text).to.include('<label>Loader v2</label>');
    expect(text).to.include('<ipRelaxation>BYPASS</ipRelaxation>');
    expect(text).not.to.include('sessionPolicy');
    expect(text).not.to.include('isPkceRequired');
    expect(back.diffs.map((d) => d.field).sort()).to.deep.equal(['ipRelaxation', 'pkceRequired', 'refreshTokenPolicy', 'sessionTimeout']);
    expect(restorePolicyElements(back.root, original).diffs).to.deep.equal([], 'a second restore changes nothing');
  });

  it('sends an element that differs only in spelling of a default, with an equal before and after', () => {
    const original = root(APP);
    const explicit = root(APP.replace('<scopes>Api</scopes>', '<isPkceRequired>false</isPkceRequired>\n        <scopes>Api</scopes>'));
    const back = restorePolicyElements(explicit, original);
    expect(back.diffs).to.deep.equal([{ field: 'pkceRequired', before: 'false', after: 'false', metadataPath: 'oauthConfig.isPkceRequired' }]);
    expect(serializeXml(back.root)).to.equal(serializeXml(original));
  });
});
