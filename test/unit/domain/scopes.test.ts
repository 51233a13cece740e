import { expect } from 'chai';
import {
  CANONICAL_SCOPE_ORDER,
  DEPLOY_SCOPE_ALIASES,
  OAUTH_SCOPE_NAMES,
  RETRIEVE_SCOPES,
  diffScopes,
  isKnownScope,
  metadataScope,
  normaliseScopes,
  splitScopeList,
} from '../../../src/domain/policy/scopes.js';

describe('scopes', () => {
  it('knows every documented retrieve value, in the canonical order', () => {
    for (const scope of RETRIEVE_SCOPES) {
      expect(isKnownScope(scope), scope).to.be.true;
      expect(metadataScope(scope)).to.equal(scope);
    }
    expect(new Set(CANONICAL_SCOPE_ORDER).size).to.equal(CANONICAL_SCOPE_ORDER.length);
  });

  it('folds the deploy-only aliases', () => {
    expect(DEPLOY_SCOPE_ALIASES).to.deep.equal({ Profile: 'Basic', Email: 'Basic', Address: 'Basic', Phone: 'Basic', OfflineAccess: 'RefreshToken' });
    expect(normaliseScopes(['Profile', 'Email', 'Address', 'Phone'])).to.deep.equal(['Basic']);
    expect(normaliseScopes(['OfflineAccess', 'RefreshToken'])).to.deep.equal(['RefreshToken']);
    expect(metadataScope('offlineaccess')).to.equal('RefreshToken');
  });

  it('keeps CustomPermissions (deployable and returned on retrieve in real files)', () => {
    expect(metadataScope('CustomPermissions')).to.equal('CustomPermissions');
    expect(metadataScope('custom_permissions')).to.equal('CustomPermissions');
    expect(normaliseScopes(['CustomPermissions', 'Api'])).to.deep.equal(['Api', 'CustomPermissions']);
  });

  it('maps OAuth / Setup names to metadata values', () => {
    const cases: Array<[string, string]> = [
      ['api', 'Api'],
      ['refresh_token', 'RefreshToken'],
      ['offline_access', 'RefreshToken'],
      ['full', 'Full'],
      ['web', 'Web'],
      ['openid', 'OpenID'],
      ['id', 'Basic'],
      ['email', 'Basic'],
      ['chatter_api', 'Chatter'],
      ['visualforce', 'CustomApplications'],
      ['wave_api', 'Wave'],
      ['eclair_api', 'Eclair'],
      ['pardot_api', 'Pardot'],
      ['lightning', 'Lightning'],
      ['content', 'Content'],
      ['cdp_ingest_api', 'CDPIngest'],
      ['cdp_query_api', 'CDPQuery'],
      ['chatbot_api', 'Chatbot'],
      ['forgot_password', 'ForgotPassword'],
      ['user_registration_api', 'UserRegistration'],
      ['pwdless_login_api', 'PwdlessLogin'],
      ['sfap_api', 'SFAP'],
      ['einstein_gpt_api', 'EinsteinGPT'],
      ['Manage user data via APIs (api)', 'Api'],
      ['Perform requests at any time (refresh_token, offline_access)', 'RefreshToken'],
      ['Access the identity URL service (id, profile, email, address, phone)', 'Basic'],
      ['Access unique user identifiers (openid)', 'OpenID'],
      ['Full access (full)', 'Full'],
      ['  API ', 'Api'],
      ['OPENID', 'OpenID'],
    ];
    for (const [input, expected] of cases) expect(metadataScope(input), input).to.equal(expected);
    for (const value of Object.values(OAUTH_SCOPE_NAMES)) expect(value).to.be.a('string');
  });

  it('keeps unknown scopes verbatim and sorts them after the known ones', () => {
    expect(normaliseScopes(['SFApiPlatform', 'Zeta', 'CDPQuery', 'SFAP', 'Api'])).to.deep.equal(['Api', 'CDPQuery', 'SFAP', 'SFApiPlatform', 'Zeta']);
    expect(metadataScope('SFApiPlatform')).to.equal('SFApiPlatform');
    expect(isKnownScope('SFApiPlatform')).to.be.false;
  });

  it('normalises: dedupes, drops empties, orders canonically', () => {
    expect(normaliseScopes(['RefreshToken', 'api', 'Api', '', '  ', 'Basic', 'Web', 'refresh_token'])).to.deep.equal([
      'Basic',
      'Api',
      'Web',
      'RefreshToken',
    ]);
    expect(normaliseScopes([])).to.deep.equal([]);
    expect(normaliseScopes(normaliseScopes(CANONICAL_SCOPE_ORDER))).to.deep.equal([...CANONICAL_SCOPE_ORDER]);
    expect(normaliseScopes([...CANONICAL_SCOPE_ORDER].reverse())).to.deep.equal([...CANONICAL_SCOPE_ORDER]);
  });

  it('diffs desired against actual after normalising both', () => {
    expect(diffScopes(['api', 'refresh_token', 'Email'], ['Api', 'OfflineAccess', 'Full'])).to.deep.equal({ added: ['Basic'], removed: ['Full'] });
    expect(diffScopes(['Profile', 'Phone'], ['Basic'])).to.deep.equal({ added: [], removed: [] });
  });

  it('splits an ECA comma-separated scope list', () => {
    expect(splitScopeList('Api, RefreshToken')).to.deep.equal(['Api', 'RefreshToken']);
    expect(splitScopeList(' Basic,Web ,, ')).to.deep.equal(['Basic', 'Web']);
    expect(splitScopeList(undefined)).to.deep.equal([]);
  });
});
