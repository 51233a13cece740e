import { expect } from 'chai';
import { runAudit } from '../../../src/domain/audit/engine.js';
import { renderCsv } from '../../../src/renderers/audit/csv.js';
import { renderJunit } from '../../../src/renderers/audit/junit.js';
import { renderMarkdown } from '../../../src/renderers/audit/markdown.js';
import { createReport } from '../../../src/renderers/audit/report.js';
import { renderSarif } from '../../../src/renderers/audit/sarif.js';
import type { AuditInventory } from '../../../src/domain/audit/model.js';
import { app, connectedAppXml, fileApp, inventory, policyFromXml, sourceInventory } from './factory.js';
import { forEachDataSet } from '../../data-sets.js';

const SECRET = 'Zq9SECRETvalue8812345678AbCdEf';
const KEY = '3MVG9CONSUMERKEYxyz.Abc_123';
const CERT = 'MIIDgjCCAmoCCQDMoidoSECRETCERTBODYxyzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789==';

function renderAll(inv: AuditInventory): string[] {
  const result = runAudit(inv);
  const report = createReport(result, inv, { toolVersion: '0.1.0', target: 'x' });
  return [renderCsv(report), renderMarkdown(report), renderJunit(report), renderSarif(report), JSON.stringify(result)];
}

function expectAbsent(outputs: string[], values: string[]): void {
  for (const out of outputs) {
    const unescaped = out.replace(/\\/g, '');
    for (const value of values) {
      expect(out.includes(value) || unescaped.includes(value), `${value.slice(0, 12)}… leaked`).to.equal(false);
    }
  }
}

describe('audit output never contains secrets', () => {
  // An app with every risky setting, so that every rule has a reason to describe it.
  const xml = connectedAppXml({
    consumerSecret: SECRET,
    consumerKey: KEY,
    certificate: CERT,
    adminApproved: false,
    clientCredentials: true,
    runAsUser: 'int@example.com',
    scopes: ['Full', 'RefreshToken'],
    refreshTokenPolicy: 'infinite',
    ipRelaxation: 'BYPASS',
    secretOptional: true,
    callbacks: ['http://insecure.example.com/cb'],
    profiles: ['Standard User', 'Standard User'],
  });

  it('holds in source mode (the file contains a consumer secret, key and certificate)', () => {
    const a = { ...fileApp(), policy: policyFromXml(xml) };
    const outputs = renderAll(sourceInventory([a]));
    expect(outputs[0]).to.include('CA504-consumer-secret-in-source');
    expectAbsent(outputs, [SECRET, KEY, CERT, CERT.slice(0, 40)]);
  });

  it('holds in org mode', () => {
    const inv = inventory([app({ policy: policyFromXml(xml), runAsUser: { username: 'int@example.com', found: true, active: true, profileName: 'Admin', apiOnly: false, administrator: true } })]);
    expectAbsent(renderAll(inv), [SECRET, KEY, CERT, CERT.slice(0, 40)]);
  });
});

/** A sample file with a certificate body and a consumer key, in each data set. */
const WITH_CERTIFICATE = { fixtures: 'Deploy_Bot.connectedApp-meta.xml', corpus: 'AdityaKaushalPwC__tf-test2__CICD.connectedApp-meta.xml' };

forEachDataSet('audit output never contains secrets from a sample file', (set) => {
  it('holds for a file with a certificate and consumer key', function () {
    const file = WITH_CERTIFICATE[set.name];
    const text = set.read('connected-apps', file);
    const cert = /<certificate>([^<]+)<\/certificate>/.exec(text)?.[1] ?? '';
    const key = /<consumerKey>([^<]+)<\/consumerKey>/.exec(text)?.[1] ?? '';
    expect(cert.length).to.be.greaterThan(100);
    const inv = sourceInventory([{ ...fileApp(), policy: policyFromXml(text, 'CICD'), key: 'CICD', file: `connectedApps/${file}` }]);
    expectAbsent(renderAll(inv), [cert.slice(0, 60), cert.slice(-60), key]);
  });
});
