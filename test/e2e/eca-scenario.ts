/*
 * Orgs holding External Client Apps beside connected apps, for the ECA tests: each ECA's five metadata files are
 * written to a temporary scenario directory (the emulator reads ECAs from files, checked against the WSDL).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../emulator/index.js';
import { appXml } from './access-scenario.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

export type EcaSpec = {
  name: string;
  label?: string;
  permittedUsers?: 'AdminApprovedPreAuthorized' | 'AllSelfAuthorized';
  /** ExtlClntAppOauthConfigurablePolicies elements after the defaults below (already in WSDL order). */
  refreshToken?: string;
  scopes?: string;
  pkceRequired?: boolean;
  profiles?: string[];
  permissionSets?: string[];
};

function files(spec: EcaSpec): Record<string, string> {
  const n = spec.name;
  const xml = (root: string, body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS}>${body}</${root}>\n`;
  return {
    [`${n}.eca-meta.xml`]: xml(
      'ExternalClientApplication',
      `<contactEmail>apps@example.com</contactEmail><distributionState>Local</distributionState><isProtected>false</isProtected><label>${spec.label ?? n}</label>`
    ),
    [`${n}_oauth.ecaOauth-meta.xml`]: xml(
      'ExtlClntAppOauthSettings',
      `<commaSeparatedOauthScopes>${spec.scopes ?? 'Api, RefreshToken'}</commaSeparatedOauthScopes><externalClientApplication>${n}</externalClientApplication><label>${n}_oauth</label>`
    ),
    [`${n}_glbloauth.ecaGlblOauth-meta.xml`]: xml(
      'ExtlClntAppGlobalOauthSettings',
      `<callbackUrl>https://${n.toLowerCase()}.example.com/cb</callbackUrl><consumerKey>3MVG9TEST${n}</consumerKey><externalClientApplication>${n}</externalClientApplication>` +
        `<isPkceRequired>${spec.pkceRequired ?? true}</isPkceRequired><label>${n}_glbloauth</label>`
    ),
    [`${n}_oauthPlcy.ecaOauthPlcy-meta.xml`]: xml(
      'ExtlClntAppOauthConfigurablePolicies',
      `<externalClientApplication>${n}</externalClientApplication><ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType><label>${n}_oauthPlcy</label>` +
        `<permittedUsersPolicyType>${spec.permittedUsers ?? 'AdminApprovedPreAuthorized'}</permittedUsersPolicyType>` +
        (spec.refreshToken ?? '<refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType><refreshTokenValidityPeriod>30</refreshTokenValidityPeriod><refreshTokenValidityUnit>Days</refreshTokenValidityUnit>') +
        '<requiredSessionLevel>STANDARD</requiredSessionLevel>'
    ),
    [`${n}_plcy.ecaPlcy-meta.xml`]: xml(
      'ExtlClntAppConfigurablePolicies',
      `<externalClientApplication>${n}</externalClientApplication><isEnabled>true</isEnabled><isOauthPluginEnabled>true</isOauthPluginEnabled><label>${n}_plcy</label>`
    ),
  };
}

export type EcaOrg = { scenario: Scenario; scenarioDir: string; cleanup: () => void };

/**
 * An org with these ECAs and connected apps (by name; a connected app may share an ECA's name), a profile and two
 * permission sets to assign, and users holding them.
 */
export function ecaOrg(ecas: readonly EcaSpec[], connectedApps: ReadonlyArray<{ name: string; label?: string; permissionSets?: string[] }> = []): EcaOrg {
  const scenarioDir = mkdtempSync(join(tmpdir(), 'ca-eca-scenario-'));
  mkdirSync(join(scenarioDir, 'eca'));
  const externalClientApps = ecas.map((spec) => {
    const written = Object.entries(files(spec)).map(([file, text]) => {
      writeFileSync(join(scenarioDir, 'eca', file), text);
      return `eca/${file}`;
    });
    return { name: spec.name, metadataFiles: written, profiles: spec.profiles, permissionSets: spec.permissionSets };
  });
  const scenario: Scenario = {
    name: 'eca-org',
    org: { id: '00D5g00000EcAoRgEA', name: 'ECA Org', edition: 'Enterprise Edition', now: '2026-11-20T12:00:00Z' },
    profiles: [
      { name: 'System Administrator', permissions: ['ApiEnabled', 'ModifyAllData', 'ViewSetup', 'CustomizeApplication', 'ManageUsers'] },
      { name: 'Standard User', permissions: ['ApiEnabled'] },
    ],
    permissionSets: [
      { name: 'Integration_PS', label: 'Integration PS' },
      { name: 'Reporting_PS', label: 'Reporting PS' },
    ],
    users: [
      { username: 'admin@eca.example.com', profile: 'System Administrator' },
      { username: 'ivy@eca.example.com', profile: 'Standard User', permissionSets: ['Integration_PS'] },
      { username: 'rob@eca.example.com', profile: 'Standard User', permissionSets: ['Reporting_PS'] },
    ],
    connectedApps: connectedApps.map((a) => ({ name: a.name, metadata: appXml(a.label ?? a.name, (a.permissionSets ?? []).map((p) => `<permissionSetName>${p}</permissionSetName>`).join('')) })),
    externalClientApps,
  };
  return { scenario, scenarioDir, cleanup: () => { rmSync(scenarioDir, { recursive: true, force: true }); } };
}
