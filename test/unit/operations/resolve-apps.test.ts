import { expect } from 'chai';
import type { SfError } from '@salesforce/core';
import { joinInventory } from '../../../src/domain/access/inventory.js';
import type { InventoryApp } from '../../../src/domain/access/inventory.js';
import { refuseOverLongNames, resolveAppLists, resolveApps, resolveDesiredTargets } from '../../../src/operations/resolve-apps.js';

const record = (Id: string, Name: string) => ({ Id, Name, OptionsAllowAdminApprovedUsersOnly: false, RefreshTokenValidityPeriod: null, OptionsRefreshTokenValidityMetric: false, CreatedDate: null, LastModifiedDate: null });
const { apps } = joinInventory(
  [record('0H4000000000001AAA', 'Jenkins CI'), record('0H4000000000002AAA', 'Workato')],
  [
    { fullName: 'Jenkins_CI', id: '0H4000000000001AAA', namespacePrefix: null },
    { fullName: 'Workato', id: '0H4000000000002AAA', namespacePrefix: null },
  ],
  []
);
const thrown = (work: () => unknown): SfError => {
  try {
    work();
  } catch (error) {
    return error as SfError;
  }
  return expect.fail('expected an error');
};

describe('resolving names', () => {
  it('refuses a 120 MB name by its length, before any matching', () => {
    const huge = 'J'.repeat(120 * 1024 * 1024);
    const error = thrown(() => resolveApps(apps, ['Workato', huge]));
    expect(error.name).to.equal('NameTooLongError');
    expect(error.message).to.include(`connected app "${'J'.repeat(60)}… (${huge.length} characters)"`);
    expect(error.message.length).to.be.below(400);
    expect(() => { refuseOverLongNames([{ apps: ['A'.repeat(97)], permissionSets: ['P'.repeat(97)], profiles: ['Q'.repeat(255)] }]); }).to.not.throw();
    expect(thrown(() => { refuseOverLongNames([{ profiles: ['Q'.repeat(256)] }]); }).name).to.equal('NameTooLongError');
  });

  it('names every unknown name of every list at once, each with its close match, each app once', () => {
    const error = thrown(() => resolveAppLists(apps, [['Jenkns_CI'], ['Workato'], ['Wrkato', 'Jenkins CI']]));
    expect(error.name).to.equal('UnknownAppError');
    expect(error.message).to.include('"Jenkns_CI", "Wrkato"');
    expect(error.actions?.slice(0, 2)).to.deep.equal(['For "Jenkns_CI", did you mean: Jenkins_CI?', 'For "Wrkato", did you mean: Workato?']);
  });

  it('gives one target per app however it is named, and refuses entries that disagree', () => {
    const targets = resolveDesiredTargets(apps, [
      { names: ['Jenkins_CI'], change: { pkceRequired: true }, source: '$.apps[0]' },
      { names: ['0H4000000000001'], change: { refreshTokenRotation: true }, source: '$.apps[1]' },
    ]);
    expect(targets.map((t) => [t.app.apiName, t.change])).to.deep.equal([['Jenkins_CI', { pkceRequired: true, refreshTokenRotation: true }]]);
    const error = thrown(() =>
      resolveDesiredTargets(apps, [
        { names: ['Jenkins CI'], change: { pkceRequired: true }, source: '$.apps[0]' },
        { names: ['jenkins_ci'], change: { pkceRequired: false }, source: '$.apps[4]' },
      ])
    );
    expect(error.name).to.equal('DesiredStateConflictError');
    expect(error.message).to.include('Jenkins_CI: pkce is true in $.apps[0] ("Jenkins CI") but false in $.apps[4] ("jenkins_ci")');
  });

  describe('a name searched among one kind of app (--type, a file entry\'s type)', () => {
    const eca: InventoryApp = { ...apps[1], kind: 'external-client-app', id: '0xI000000000001AAA', label: 'Partner Quoting', apiName: 'Partner_Quoting' };
    const both = [...apps, eca];

    it('says which app of the other kind the name is, and the --type that selects it', () => {
      const error = thrown(() => resolveApps(both, ['Partner_Quoting'], 'connected-app'));
      expect(error.name).to.equal('UnknownAppError');
      expect(error.message).to.equal('No connected app in the org is named "Partner_Quoting".');
      expect(error.actions?.[0]).to.equal(
        '"Partner_Quoting" names no connected app; it is the external client app Partner_Quoting (0xI000000000001AAA). Use --type external-client-app (in a desired-state file, "type": "external-client-app"), or leave the type out.'
      );
      const other = thrown(() => resolveApps(both, ['Jenkins CI'], 'external-client-app'));
      expect(other.message).to.equal('No external client app in the org is named "Jenkins CI".');
      expect(other.actions?.[0]).to.include('it is the connected app Jenkins_CI (0H4000000000001AAA). Use --type connected-app');
    });

    it('suggests close matches among the kind searched only, and gives no hint without a type or for a name no app has', () => {
      expect(thrown(() => resolveApps(both, ['Partner_Quotin'], 'connected-app')).actions?.join(' ')).to.not.include('Partner_Quoting');
      const plain = thrown(() => resolveApps(both, ['Nope']));
      expect(plain.message).to.equal('No connected app or External Client App in the org is named "Nope".');
      expect(plain.actions?.join(' ')).to.not.include('--type');
    });

    it('uses each desired-state entry\'s own type', () => {
      const targets = resolveDesiredTargets(both, [
        { names: ['Partner_Quoting'], change: { ipRelaxation: 'ENFORCE' }, type: 'external-client-app' },
        { names: ['Workato'], change: { ipRelaxation: 'ENFORCE' }, type: 'connected-app' },
      ]);
      expect(targets.map((t) => t.app.id)).to.deep.equal(['0xI000000000001AAA', '0H4000000000002AAA']);
      const error = thrown(() => resolveDesiredTargets(both, [{ names: ['Partner_Quoting'], change: { ipRelaxation: 'ENFORCE' }, type: 'connected-app', source: '$.apps[0]' }]));
      expect(error.actions?.[0]).to.include('it is the external client app Partner_Quoting');
    });
  });
});
