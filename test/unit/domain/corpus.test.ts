/*
 * Every ConnectedApp sample file (the project's fixtures, and the real corpus when present), end to end: it
 * parses, reads into the model, survives a serialise/parse unchanged, follows the schema order, and takes every
 * supported edit losslessly.
 */
import { expect } from 'chai';
import {
  CONNECTED_APP_ELEMENT_ORDER,
  OAUTH_CONFIG_ELEMENT_ORDER,
  OAUTH_POLICY_ELEMENT_ORDER,
  SESSION_POLICY_ELEMENT_ORDER,
  applyPolicyChange,
  compareElementNames,
  type PolicyChange,
} from '../../../src/domain/policy/policy-edit.js';
import { readConnectedAppPolicy, type AppPolicy, type PolicyField } from '../../../src/domain/policy/policy.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';
import { formatRefreshTokenPolicy } from '../../../src/domain/policy/refresh-token.js';
import { XmlParseError, elements, localName, parseXml, serializeXml, type XmlElement } from '../../../src/domain/xml.js';
import { forEachDataSet, type SetName } from '../../data-sets.js';
import { readXml, withoutLines } from './xml-files.js';

type Tallies = {
  files: number;
  ipRelaxation: Record<string, number>;
  refreshTokenPolicy: Record<string, number>;
  adminApproved: Record<string, number>;
  counts: Record<'oauth' | 'jwt' | 'saml' | 'canvas' | 'ipRanges' | 'profiles' | 'permissionSets' | 'runAs' | 'fullScope' | 'sfapScope', number>;
  maxProfiles: number;
  sessionTimeout: Record<string, number>;
};

/**
 * What each set holds. The corpus figures are FINDINGS' (counted independently of this code); the fixture
 * figures were counted from the fixture files' text with regular expressions, not with this code's reader.
 */
const TALLIES: Record<SetName, Tallies> = {
  corpus: {
    files: 76,
    ipRelaxation: { ENFORCE: 37, '(absent)': 22, BYPASS: 15, BYPASS_2FACTOR: 1 },
    refreshTokenPolicy: { infinite: 34, '(absent)': 22, zero: 12, 'specific_lifetime:90:DAYS': 5, 'specific_lifetime:60:MONTHS': 1, 'specific_lifetime:12:MONTHS': 1 },
    adminApproved: { true: 39, '(absent)': 20, false: 16 },
    counts: { oauth: 59, jwt: 21, saml: 8, canvas: 6, ipRanges: 3, profiles: 28, permissionSets: 14, runAs: 2, fullScope: 35, sfapScope: 4 },
    maxProfiles: 70,
    sessionTimeout: { '(absent)': 68, '15': 4, '1440': 3 },
  },
  fixtures: {
    files: 61,
    ipRelaxation: { ENFORCE: 23, '(absent)': 10, BYPASS: 11, BYPASS_2FACTOR: 8, ENFORCE_RELAXREFRESH: 7 },
    refreshTokenPolicy: {
      infinite: 15,
      '(absent)': 10,
      zero: 8,
      'specific_lifetime:1:HOURS': 4,
      'specific_lifetime:30:DAYS': 4,
      'specific_lifetime:90:DAYS': 4,
      'specific_lifetime:6:MONTHS': 4,
      'specific_lifetime:12:MONTHS': 1,
      'specific_lifetime:60:MONTHS': 1,
      'specific_inactivity:7:DAYS': 4,
      'specific_inactivity:2:MONTHS': 4,
    },
    adminApproved: { true: 27, '(absent)': 17, false: 15 },
    counts: { oauth: 53, jwt: 3, saml: 8, canvas: 3, ipRanges: 1, profiles: 17, permissionSets: 15, runAs: 2, fullScope: 14, sfapScope: 1 },
    maxProfiles: 30,
    sessionTimeout: { '(absent)': 32, '15': 6, '30': 4, '60': 4, '120': 4, '480': 4, '1440': 5 },
  },
};

const ORDERS: Record<string, readonly string[]> = {
  oauthConfig: OAUTH_CONFIG_ELEMENT_ORDER,
  oauthPolicy: OAUTH_POLICY_ELEMENT_ORDER,
  sessionPolicy: SESSION_POLICY_ELEMENT_ORDER,
};

/** Whether root's children, and those of its oauthConfig/oauthPolicy/sessionPolicy, are in schema order. */
function inSchemaOrder(root: XmlElement): boolean {
  const sorted = (parent: XmlElement, order: readonly string[]): boolean => {
    const list = elements(parent).map((e) => localName(e.name));
    return list.every((name, i) => i === 0 || compareElementNames(order, list[i - 1], name) <= 0);
  };
  if (!sorted(root, CONNECTED_APP_ELEMENT_ORDER)) return false;
  return Object.entries(ORDERS).every(([name, order]) => elements(root, name).every((el) => sorted(el, order)));
}

/** A copy without line numbers and without the elements at `paths` (dotted, below the root); emptied policy containers go too. */
function without(root: XmlElement, paths: readonly string[]): XmlElement {
  const copy = withoutLines(root);
  const remove = (parent: XmlElement, parts: string[]): void => {
    if (parts.length === 1) {
      parent.children = parent.children.filter((c) => !(c.kind === 'element' && localName(c.name) === parts[0]));
      return;
    }
    for (const child of elements(parent, parts[0])) remove(child, parts.slice(1));
  };
  for (const path of paths) remove(copy, path.split('.'));
  copy.children = copy.children.filter(
    (c) => !(c.kind === 'element' && ['oauthPolicy', 'sessionPolicy'].includes(localName(c.name)) && elements(c).length === 0)
  );
  return copy;
}

/** The model without evidence (lines) and without the given fields, for "nothing else changed" checks. */
function comparable(policy: AppPolicy, fields: readonly PolicyField[]): Record<string, unknown> {
  const { lines: _lines, lineParts: _parts, defaulted, ...rest } = structuredClone(policy);
  const all: Record<string, unknown> = { ...rest, defaulted: defaulted.filter((f) => !fields.includes(f)) };
  const out = Object.fromEntries(Object.entries(all).filter(([key]) => !(fields as readonly string[]).includes(key)));
  const session = { ...policy.session };
  if (fields.includes('sessionTimeout')) session.timeoutMinutes = null;
  out.session = session;
  return out;
}

type Control = {
  name: string;
  field: PolicyField;
  oauth: boolean;
  /** A change that differs from the current value. */
  change: (p: AppPolicy) => PolicyChange;
  /** The value read back, as text. */
  readBack: (p: AppPolicy) => string | null;
  expected: (change: PolicyChange) => string | null;
};

const CONTROLS: Control[] = [
  {
    name: 'permittedUsers',
    field: 'permittedUsers',
    oauth: true,
    change: (p) => ({ permittedUsers: p.permittedUsers === 'admin-approved' ? 'all-self-authorize' : 'admin-approved' }),
    readBack: (p) => p.permittedUsers,
    expected: (c) => c.permittedUsers ?? null,
  },
  {
    name: 'ipRelaxation',
    field: 'ipRelaxation',
    oauth: true,
    change: (p) => ({ ipRelaxation: p.ipRelaxation === 'ENFORCE_RELAXREFRESH' ? 'BYPASS' : 'ENFORCE_RELAXREFRESH' }),
    readBack: (p) => p.ipRelaxation,
    expected: (c) => c.ipRelaxation ?? null,
  },
  {
    name: 'refreshTokenPolicy',
    field: 'refreshTokenPolicy',
    oauth: true,
    change: () => ({ refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' } }),
    readBack: (p) => formatRefreshTokenPolicy(p.refreshTokenPolicy),
    expected: () => 'specific_inactivity:30:DAYS',
  },
  {
    name: 'sessionTimeout (set)',
    field: 'sessionTimeout',
    oauth: false,
    change: (p) => ({ sessionTimeoutMinutes: p.session.timeoutMinutes === 120 ? 480 : 120 }),
    readBack: (p) => (p.session.timeoutMinutes === null ? null : String(p.session.timeoutMinutes)),
    expected: (c) => (c.sessionTimeoutMinutes == null ? null : String(c.sessionTimeoutMinutes)),
  },
  {
    name: 'pkceRequired',
    field: 'pkceRequired',
    oauth: true,
    change: (p) => ({ pkceRequired: !p.pkceRequired }),
    readBack: (p) => String(p.pkceRequired),
    expected: (c) => String(c.pkceRequired),
  },
  {
    name: 'refreshTokenRotation',
    field: 'refreshTokenRotation',
    oauth: true,
    change: (p) => ({ refreshTokenRotation: !p.refreshTokenRotation }),
    readBack: (p) => String(p.refreshTokenRotation),
    expected: (c) => String(c.refreshTokenRotation),
  },
];

forEachDataSet('ConnectedApp files', (set) => {
  const FILES = set.files('connected-apps');
  const MALFORMED = set.malformedConnectedApps;
  const WELL_FORMED = FILES.filter((f) => !(f in MALFORMED));
  const expected = TALLIES[set.name];

  it(`holds ${expected.files} files, ${Object.keys(MALFORMED).length} of them malformed`, () => {
    expect(FILES).to.have.length(expected.files);
    expect(FILES).to.include.members(Object.keys(MALFORMED));
  });

  for (const [file, line] of Object.entries(MALFORMED)) {
    it(`reports ${file} with its line (${line}) at parse time`, () => {
      let error: unknown;
      try {
        parseXml(set.read('connected-apps', file));
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(XmlParseError);
      expect((error as XmlParseError).line).to.equal(line);
    });
  }

  it('matches the tallies counted independently over the well-formed files', () => {
    const policies = WELL_FORMED.map((f) => readConnectedAppPolicy(readXml(set, 'connected-apps', f)));
    const tally = (values: Array<string | null>): Record<string, number> =>
      values.reduce<Record<string, number>>((m, v) => ({ ...m, [v ?? '(absent)']: (m[v ?? '(absent)'] ?? 0) + 1 }), {});
    const explicit = (p: AppPolicy, field: PolicyField, value: string): string | null => (p.defaulted.includes(field) ? null : value);
    expect(tally(policies.map((p) => explicit(p, 'ipRelaxation', p.ipRelaxation)))).to.deep.equal(expected.ipRelaxation);
    expect(tally(policies.map((p) => explicit(p, 'refreshTokenPolicy', formatRefreshTokenPolicy(p.refreshTokenPolicy))))).to.deep.equal(expected.refreshTokenPolicy);
    expect(tally(policies.map((p) => explicit(p, 'permittedUsers', String(p.permittedUsers === 'admin-approved'))))).to.deep.equal(expected.adminApproved);
    const count = (pred: (p: AppPolicy) => boolean): number => policies.filter(pred).length;
    expect({
      oauth: count((p) => p.hasOauth),
      jwt: count((p) => p.flows.jwtCertificate),
      saml: count((p) => p.hasSaml),
      canvas: count((p) => p.hasCanvas),
      ipRanges: count((p) => p.ipRanges.length > 0),
      profiles: count((p) => p.profileNames.length > 0),
      permissionSets: count((p) => p.permissionSetNames.length > 0),
      runAs: count((p) => p.flows.clientCredentials.runAsUser !== null),
      fullScope: count((p) => p.scopes.includes('Full')),
      sfapScope: count((p) => p.scopes.includes('SFAP')),
    }).to.deep.equal(expected.counts);
    expect(Math.max(...policies.map((p) => p.profileNames.length))).to.equal(expected.maxProfiles);
    expect(tally(policies.map((p) => (p.session.timeoutMinutes === null ? null : String(p.session.timeoutMinutes))))).to.deep.equal(expected.sessionTimeout);
    expect(count((p) => p.invalid.length > 0)).to.equal(0);
  });

  for (const file of WELL_FORMED) {
    describe(file, () => {
      it('reads, round-trips through the serialiser, and is in schema order', () => {
        const root = readXml(set, 'connected-apps', file);
        const policy = readConnectedAppPolicy(root);
        expect(policy.invalid).to.deep.equal([]);
        expect(policy.kind).to.equal('connected-app');
        expect(withoutLines(parseXml(serializeXml(root)).root)).to.deep.equal(withoutLines(root));
        expect(inSchemaOrder(root)).to.be.true;
      });

      it('is unchanged by re-applying its explicit values', () => {
        const root = readXml(set, 'connected-apps', file);
        const p = readConnectedAppPolicy(root);
        const explicit = (field: PolicyField): boolean => !p.defaulted.includes(field);
        const change: PolicyChange = {
          ...(explicit('permittedUsers') ? { permittedUsers: p.permittedUsers } : {}),
          ...(explicit('ipRelaxation') ? { ipRelaxation: p.ipRelaxation } : {}),
          ...(explicit('refreshTokenPolicy') ? { refreshTokenPolicy: p.refreshTokenPolicy } : {}),
          ...(explicit('pkceRequired') ? { pkceRequired: p.pkceRequired } : {}),
          ...(explicit('refreshTokenRotation') ? { refreshTokenRotation: p.refreshTokenRotation } : {}),
          sessionTimeoutMinutes: p.session.timeoutMinutes,
          ...(p.permittedUsers === 'admin-approved' ? { profileNames: [...p.profileNames], permissionSetNames: [...p.permissionSetNames] } : {}),
        };
        const result = applyPolicyChange(root, change);
        expect(result.diffs).to.deep.equal([]);
        expect(result.root).to.deep.equal(root);
      });

      for (const control of CONTROLS) {
        it(`changes only ${control.name}`, () => {
          const root = readXml(set, 'connected-apps', file);
          const snapshot = structuredClone(root);
          const before = readConnectedAppPolicy(root);
          const change = control.change(before);

          if (control.oauth && !before.hasOauth) {
            let error: unknown;
            try {
              applyPolicyChange(root, change);
            } catch (caught) {
              error = caught;
            }
            expect(error).to.be.instanceOf(PolicyError);
            expect((error as PolicyError).code).to.equal('NoOauthConfig');
            expect((error as PolicyError).field).to.equal(control.field);
            return;
          }

          const result = applyPolicyChange(root, change);
          expect(root, 'input untouched').to.deep.equal(snapshot);

          const diffFields = result.diffs.map((d) => d.field);
          const createdPolicy = ['ipRelaxation', 'refreshTokenPolicy'].includes(control.field) && before.defaulted.includes('ipRelaxation') && before.defaulted.includes('refreshTokenPolicy');
          expect(diffFields[0]).to.equal(control.field);
          if (createdPolicy) {
            expect(diffFields).to.have.length(2);
            expect(diffFields).to.have.members(['ipRelaxation', 'refreshTokenPolicy']);
          } else {
            expect(diffFields).to.deep.equal([control.field]);
          }
          expect(result.diffs[0].after).to.equal(control.expected(change));

          const reparsed = parseXml(serializeXml(result.root)).root;
          expect(inSchemaOrder(reparsed), 'schema order kept').to.be.true;
          const paths = result.diffs.map((d) => d.metadataPath);
          expect(without(reparsed, paths)).to.deep.equal(without(root, paths));

          const after = readConnectedAppPolicy(reparsed);
          expect(control.readBack(after)).to.equal(control.expected(change));
          expect(after.defaulted).to.not.include(control.field);
          expect(after.lines[control.field]).to.be.a('number');
          expect(after.invalid).to.deep.equal([]);
          expect(comparable(after, diffFields)).to.deep.equal(comparable(before, diffFields));
          if (createdPolicy) {
            const companion = diffFields[1];
            expect(after.defaulted).to.not.include(companion);
            expect(comparable(after, [control.field])).to.deep.include({ [companion]: (before as Record<string, unknown>)[companion] });
          }
        });
      }

      it('removes a session timeout without disturbing anything else', () => {
        const root = readXml(set, 'connected-apps', file);
        const before = readConnectedAppPolicy(root);
        const result = applyPolicyChange(root, { sessionTimeoutMinutes: null });
        if (before.session.timeoutMinutes === null) {
          expect(result.diffs).to.deep.equal([]);
          expect(result.root).to.deep.equal(root);
          return;
        }
        expect(result.diffs).to.deep.equal([
          { field: 'sessionTimeout', before: String(before.session.timeoutMinutes), after: null, metadataPath: 'sessionPolicy.sessionTimeout' },
        ]);
        const reparsed = parseXml(serializeXml(result.root)).root;
        expect(without(reparsed, ['sessionPolicy.sessionTimeout'])).to.deep.equal(without(root, ['sessionPolicy.sessionTimeout']));
        const after = readConnectedAppPolicy(reparsed);
        expect(after.session.timeoutMinutes).to.equal(null);
        expect(comparable(after, ['sessionTimeout'])).to.deep.equal(comparable(before, ['sessionTimeout']));
      });
    });
  }
});
