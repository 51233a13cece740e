import { expect } from 'chai';
import { Messages } from '@salesforce/core';
import { AuditError, RULES, ruleMessageArgs, ruleMessageVariants } from '../../../src/domain/audit/engine.js';
import { parseIpRelaxationFlag } from '../../../src/domain/policy/ip-relaxation.js';
import { parsePermittedUsersFlag } from '../../../src/domain/policy/policy.js';
import { parseRefreshTokenFlag } from '../../../src/domain/policy/refresh-token.js';
import { parseTimeout } from '../../../src/domain/policy/desired-policy.js';
import { auditErrorToSfError, findingCommands, findingMessage, findingSetup, formatEvidenceDocs, formatRuleList, ruleCommands, ruleDoc, ruleDocs, shellQuote } from '../../../src/renderers/audit/rule-docs.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const bundle = Messages.loadMessages('plugin-connectedapp', 'connectedapp.rules');
const tokens = (text: string): number => (text.match(/%s/g) ?? []).length;

describe('rules message bundle', () => {
  it('has a title, why, fix steps and message(s) for every rule', () => {
    for (const doc of ruleDocs()) {
      expect(doc.title, doc.id).to.be.a('string').and.not.equal('');
      expect(doc.why.length, doc.id).to.be.greaterThan(80);
      expect(doc.fix.length, doc.id).to.be.greaterThan(0);
      expect(doc.fix.join(' '), doc.id).to.match(/Setup >|In source|Remove|Fix the XML|Correct the element|Move the integration|In the register file/);
      for (const text of [doc.title, doc.why, ...doc.fix]) expect(tokens(text), doc.id).to.equal(0);
    }
  });

  it('says which credentials a deployment rotates, and from which file (CA507)', () => {
    const evidence = { file: 'x/Bridge_glbloauth.ecaGlblOauth-meta.xml', rotates: ['consumerSecret'], credentials: 'consumer secret' };
    expect(findingMessage({ ruleId: 'CA507-eca-rotation-on-deploy', evidence })).to.equal("Deploying the project rotates the app's consumer secret (x/Bridge_glbloauth.ecaGlblOauth-meta.xml).");
  });

  it('gives each message variant exactly as many %s tokens as the rule supplies', () => {
    for (const rule of RULES) {
      const variants = ruleMessageVariants(rule.id);
      expect(variants.length, rule.id).to.be.greaterThan(0);
      for (const variant of variants) {
        const key = variant === 'default' ? `${rule.id}.message` : `${rule.id}.message.${variant}`;
        const text = bundle.getMessage(key);
        expect(tokens(text), key).to.equal(ruleMessageArgs(rule.id, variant === 'default' ? null : variant).length);
      }
    }
  });

  it('suggests only sf connectedapp commands and flag values that parse', () => {
    for (const rule of RULES) {
      for (const command of ruleDoc(rule.id).commands) {
        expect(command, rule.id).to.match(/^sf connectedapp (assign|unassign|policy set|usage|revoke) --name <app>( |$)/);
        for (const flag of command.match(/--[a-z-]+/g) ?? []) {
          expect(['--name', '--permission-set', '--profile', '--permitted-users', '--ip-relaxation', '--refresh-token', '--pkce', '--refresh-token-rotation', '--session-timeout'], command).to.include(flag);
        }
        const flags = [...command.matchAll(/--([a-z-]+) ([^-\s]\S*)/g)].map((m) => [m[1], m[2]]);
        for (const [flag, value] of flags) {
          expect(['name', 'permission-set', 'profile', 'permitted-users', 'ip-relaxation', 'refresh-token', 'session-timeout'], command).to.include(flag);
          if (flag === 'permitted-users') expect(() => parsePermittedUsersFlag(value)).to.not.throw();
          if (flag === 'ip-relaxation') expect(() => parseIpRelaxationFlag(value)).to.not.throw();
          if (flag === 'refresh-token') expect(() => parseRefreshTokenFlag(value)).to.not.throw();
          if (flag === 'session-timeout') expect(() => parseTimeout(value)).to.not.throw();
        }
      }
    }
    expect(ruleCommands('CA201-refresh-token-never-expires', 'My App')).to.deep.equal(['sf connectedapp policy set --name "My App" --refresh-token expire-if-unused:90d']);
    // Where a command fixes the finding, it is suggested: revoke reaches apps that are not installed too.
    expect(ruleCommands('CA401-uninstalled-app-in-use', 'dataloader.io')).to.deep.equal(['sf connectedapp revoke --name dataloader.io']);
    expect(ruleCommands('CA306-session-timeout', 'Jenkins_CI')).to.deep.equal(['sf connectedapp policy set --name Jenkins_CI --session-timeout 120']);
    expect(shellQuote('Jenkins_CI')).to.equal('Jenkins_CI');
    expect(shellQuote('a"b$c')).to.equal('"a\\"b\\$c"');
  });

  it("fits a finding's commands and Setup steps to the kind of app: External Client App Manager, nothing policy set refuses, --type", () => {
    const eca = { app: 'Partner_Quoting', appType: 'external-client-app' as const };
    // PKCE and rotation live beside an ECA's consumer secret: policy set refuses them, so no command is suggested.
    expect(findingCommands({ ruleId: 'CA303-public-client-no-pkce', ...eca })).to.deep.equal([]);
    expect(findingCommands({ ruleId: 'CA203-public-client-no-rotation', ...eca })).to.deep.equal([]);
    expect(findingSetup({ ruleId: 'CA303-public-client-no-pkce', ...eca }).join(' ')).to.include('Setup > External Client App Manager > Partner_Quoting > Settings > Edit > OAuth Settings');
    expect(findingSetup({ ruleId: 'CA203-public-client-no-rotation', ...eca }).join(' ')).to.include('Enable Refresh Token Rotation');
    // Commands it accepts name the kind, so that a same-name connected app cannot make them ambiguous.
    expect(findingCommands({ ruleId: 'CA101-ip-bypass-self-authorize', ...eca })).to.deep.equal([
      'sf connectedapp policy set --name Partner_Quoting --type external-client-app --ip-relaxation enforce',
      'sf connectedapp policy set --name Partner_Quoting --type external-client-app --permitted-users admin-approved',
    ]);
    // A connected app: the rule's own commands and steps, unless an ECA answers to its name.
    expect(findingCommands({ ruleId: 'CA306-session-timeout', app: 'Jenkins_CI', appType: 'connected-app' })).to.deep.equal(['sf connectedapp policy set --name Jenkins_CI --session-timeout 120']);
    expect(findingCommands({ ruleId: 'CA306-session-timeout', app: 'Jenkins_CI', appType: 'connected-app', nameShared: true })).to.deep.equal([
      'sf connectedapp policy set --name Jenkins_CI --type connected-app --session-timeout 120',
    ]);
    expect(findingCommands({ ruleId: 'CA303-public-client-no-pkce', app: 'My App', appType: 'connected-app' })).to.deep.equal(['sf connectedapp policy set --name "My App" --pkce']);
    expect(findingSetup({ ruleId: 'CA303-public-client-no-pkce', app: 'My App', appType: 'connected-app' })).to.deep.equal([]);
    // Every rule whose steps go through App Manager has External Client App Manager steps, with no App Manager in them.
    for (const doc of ruleDocs()) {
      if (doc.id === 'CA401-uninstalled-app-in-use' || !doc.fix.join(' ').includes('Setup > App Manager')) continue;
      const steps = findingSetup({ ruleId: doc.id, ...eca });
      expect(steps.length, doc.id).to.be.greaterThan(0);
      expect(steps.join(' '), doc.id).to.include('External Client App Manager > Partner_Quoting').and.not.include('Setup > App Manager');
      expect(steps.join(' '), doc.id).to.not.include('%s');
    }
  });

  it('formats finding messages from evidence, with labels, "not read" and shortened lists', () => {
    expect(findingMessage({ ruleId: 'CA003-self-authorize-server-flow', evidence: { serverFlows: ['jwt-bearer', 'client-credentials'] } })).to.equal(
      'Uses JWT bearer (certificate), client credentials, yet all users may self-authorize: the users it can act for are not limited to assigned ones.'
    );
    const holders = Array.from({ length: 12 }, (_, i) => `u${i}@example.com`);
    const text = findingMessage({ ruleId: 'CA401-uninstalled-app-in-use', evidence: { tokens: 3, logins: null, apiCalls: null, holders } });
    expect(text).to.include('(OAuth tokens: 3, logins: not read, API calls: not read)');
    expect(text).to.include('u9@example.com and 2 more.');
    expect(findingMessage({ ruleId: 'CA402-unused-app', evidence: { sourcesExamined: ['tokens', 'logins'], tokensDays: 90, loginsDays: 30 } })).to.equal(
      'No use seen in: OAuth tokens (none used in the last 90 days), login history (no logins in the last 30 days).'
    );
    expect(findingMessage({ ruleId: 'CA306-session-timeout', evidence: { condition: 'long', sessionTimeout: 720, longSessionMinutes: 480 } })).to.equal(
      'Session timeout is 720 minutes, longer than 480.'
    );
    expect(findingMessage({ ruleId: 'CA404-bypass-permission-non-admin', evidence: { user: 'x@y', permissions: ['UseAnyApiClient'], grantedBy: ['PS'] } })).to.equal(
      'x@y holds Use Any API Client through PS.'
    );
    // A value containing %s is not re-interpreted.
    expect(findingMessage({ ruleId: 'CA302-insecure-callback-url', evidence: { callbackUrl: 'http://a/%s' } })).to.equal('Callback URL http://a/%s uses plain http.');
  });

  it('formats the rule list for --help with every rule', () => {
    const text = formatRuleList();
    for (const rule of RULES) expect(text).to.include(rule.id);
    expect(text).to.include('Permitted Users:');
    expect(text.split('\n').filter((l) => l.startsWith('  CA')).length).to.equal(RULES.length);
  });

  it('declares every rule\'s evidence in one table, with what "unused" needs per kind of app', () => {
    const text = formatEvidenceDocs();
    const rows = text.split('\n').filter((l) => l.startsWith('| CA'));
    expect(rows.map((r) => r.split(' | ')[0].slice(2))).to.deep.equal(RULES.map((r) => r.id));
    expect(rows.find((r) => r.startsWith('| CA002'))).to.include('needs an org');
    expect(rows.find((r) => r.startsWith('| CA401'))).to.match(/come to light through: OAuth tokens, login history/);
    expect(text).to.match(/\| JWT bearer or client credentials[^|]*\| login history \|/);
    expect(text).to.match(/\| SAML single sign-on only \| none can show it: not evaluated \|/);
  });

  it('turns AuditErrors into SfErrors with actions', () => {
    const unknown = auditErrorToSfError(new AuditError('UnknownRule', ['CA999'], ['CA001-x']));
    expect(unknown.name).to.equal('UnknownRuleError');
    expect(unknown.message).to.equal('Unknown audit rule(s): CA999.');
    expect(unknown.actions?.[0]).to.equal('Valid rule ids: CA001-x.');
    const baseline = auditErrorToSfError(new AuditError('InvalidBaseline', ['2'], ['1'], 'unsupported-version'));
    expect(baseline.message).to.equal('The baseline cannot be used: version 2 is not supported (expected 1).');
    expect(auditErrorToSfError(new AuditError('UnknownApp', ['X'], ['A', 'B'])).actions).to.deep.equal(['Audited apps: A, B.']);
  });
});
