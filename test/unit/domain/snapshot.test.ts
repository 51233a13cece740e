import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseSnapshot, restoreEcaPolicyElements, restorePolicyElements, SnapshotError, snapshotMetadata, snapshotPolicy, type IncidentSnapshot } from '../../../src/domain/incident/snapshot.js';
import { applyEcaPolicyChange } from '../../../src/domain/policy/eca-policy-edit.js';
import { applyPolicyChange } from '../../../src/domain/policy/policy-edit.js';
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

const ECA_POLICIES = `<?xml version="1.0" encoding="UTF-8"?>
<ExtlClntAppOauthConfigurablePolicies xmlns="http://soap.sforce.com/2006/04/metadata">
    <commaSeparatedPermissionSet>Loader_Users</commaSeparatedPermissionSet>
    <externalClientApplication>Loader_ECA</externalClientApplication>
    <ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType>
    <label>Loader_ECA_oauthPlcy</label>
    <permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>
    <refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType>
    <refreshTokenValidityPeriod>30</refreshTokenValidityPeriod>
    <refreshTokenValidityUnit>Days</refreshTokenValidityUnit>
</ExtlClntAppOauthConfigurablePolicies>
`;

/** An External Client App's snapshot: version 2, typed, its OAuth policies component as the metadata. */
function eca(): IncidentSnapshot {
  const record = root(ECA_POLICIES);
  return {
    ...valid(),
    version: 2,
    app: { name: 'Loader ECA', apiName: 'Loader_ECA', appId: '0xI5g0000000001EAA', installed: true, type: 'external-client-app' },
    policy: snapshotPolicy(record, 'external-client-app'),
    metadata: snapshotMetadata(record),
  };
}

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
    expect(reason({ ...valid(), version: 3 })).to.deep.equal(['newer-version', 'version 3 (this plugin reads versions 1 to 2)']);
    expect(reason({ ...valid(), version: 0 })[1]).to.match(/version 0 is not a known version/);
    expect(reason({ ...valid(), version: 2 })[1]).to.match(/app.type must be/, 'version 2 names the kind of app');
    expect(reason({ ...valid(), app: { ...valid().app, type: 'connected-app' } })[1]).to.match(/app.type is not part of version 1/);
    expect(reason({ ...eca(), metadata: APP })[1]).to.match(/metadata is not ExtlClntAppOauthConfigurablePolicies XML: the root element is ConnectedApp/);
    expect(reason({ ...valid(), metadata: ECA_POLICIES })[1]).to.match(/metadata is not ConnectedApp XML/);
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

  describe('an External Client App (version 2)', () => {
    it('reads back what it writes; PKCE and rotation are not in the snapshot (the global OAuth settings keep them)', () => {
      const snapshot = eca();
      expect(parseSnapshot(JSON.parse(JSON.stringify(snapshot)))).to.deep.equal(snapshot);
      expect(snapshot.policy).to.deep.equal({
        permittedUsers: 'all-self-authorize',
        ipRelaxation: 'BYPASS',
        refreshTokenPolicy: 'specific_inactivity:30:DAYS',
        sessionTimeoutMinutes: null,
        pkceRequired: null,
        refreshTokenRotation: null,
      });
    });

    it('puts back what contain changed, exactly, and a second restore changes nothing', () => {
      const original = root(ECA_POLICIES);
      const contained = applyEcaPolicyChange(original, { permittedUsers: 'admin-approved' }).root;
      const back = restoreEcaPolicyElements(contained, original);
      expect(serializeXml(back.root)).to.equal(serializeXml(original));
      expect(back.diffs.map((d) => [d.field, d.before, d.after, d.metadataPath])).to.deep.equal([['permittedUsers', 'admin-approved', 'all-self-authorize', 'ecaOauthPlcy.permittedUsersPolicyType']]);
      expect(restoreEcaPolicyElements(back.root, original).diffs).to.deep.equal([]);
    });

    it('restores the policy leaves (an absent one stays absent) and leaves the lists and the rest as they are now', () => {
      const original = root(ECA_POLICIES);
      const now = applyEcaPolicyChange(root(ECA_POLICIES.replace('<label>Loader_ECA_oauthPlcy</label>', '<label>Renamed</label>')), {
        ipRelaxation: 'ENFORCE',
        refreshTokenPolicy: { kind: 'infinite' },
        sessionTimeoutMinutes: 15,
        permissionSetNames: ['Loader_Users', 'Incident_Team'],
        permittedUsers: 'admin-approved',
      }).root;
      const back = restoreEcaPolicyElements(now, original);
      const text = serializeXml(back.root);
      expect(text).to.include('<label>Renamed</label>');
      expect(text).to.include('<commaSeparatedPermissionSet>Loader_Users,Incident_Team</commaSeparatedPermissionSet>');
      expect(text).to.include('<ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType>');
      expect(text).to.include('<refreshTokenValidityPeriod>30</refreshTokenValidityPeriod>');
      expect(text).not.to.include('sessionTimeoutInMinutes');
      expect(back.diffs.map((d) => d.field).sort()).to.deep.equal(['ipRelaxation', 'permittedUsers', 'refreshTokenPolicy', 'sessionTimeout']);
    });

    it('refuses to restore a ConnectedApp into an ECA or the other way round', () => {
      expect(() => restoreEcaPolicyElements(root(ECA_POLICIES), root(APP))).to.throw(SnapshotError, /the snapshot holds ConnectedApp/);
      expect(() => restoreEcaPolicyElements(root(APP), root(ECA_POLICIES))).to.throw(SnapshotError, /the app holds ConnectedApp/);
    });
  });
});
