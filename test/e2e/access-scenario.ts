/*
 * An org where apps reach their users in every way Salesforce allows: a profile, a permission set assigned directly,
 * and a permission set group that contains an assigned permission set (the group's users hold an assignment of the
 * group's aggregate set, never of the component). Used by the access resolver's tests and the e2e acceptance tests.
 */
import type { Scenario } from '../emulator/index.js';

export const appXml = (label: string, extra = '', oauth = '<isAdminApproved>true</isAdminApproved><scopes>Api</scopes>'): string =>
  `<?xml version="1.0" encoding="UTF-8"?><ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@example.com</contactEmail><label>${label}</label>` +
  `<oauthConfig><callbackUrl>https://example.com/cb</callbackUrl>${oauth}</oauthConfig>` +
  `${extra}</ConnectedApp>`;

/**
 * Apps reached through a group only, through a profile and a direct set, by nobody (no grant), by nobody active (a set
 * nobody holds), and through a profile plus that set; users active and not.
 */
export const GROUP_SCENARIO: Scenario = {
  name: 'access-through-groups',
  org: { id: '00D5g00000AcCeSEAR', name: 'Access Org', edition: 'Enterprise Edition', now: '2026-11-20T12:00:00Z' },
  profiles: [
    { name: 'System Administrator', permissions: ['ApiEnabled', 'ModifyAllData', 'ViewSetup', 'CustomizeApplication', 'ManageUsers'] },
    { name: 'Standard User', permissions: ['ApiEnabled'] },
  ],
  permissionSets: [
    { name: 'Component_PS', label: 'Component PS' },
    { name: 'Direct_PS', label: 'Direct PS' },
    { name: 'Unrelated_PS', label: 'Unrelated PS' },
    { name: 'Lonely_PS', label: 'Lonely PS' },
  ],
  permissionSetGroups: [{ name: 'Bundle', label: 'Bundle', permissionSets: ['Component_PS', 'Unrelated_PS'] }],
  users: [
    { username: 'admin@access.example.com', profile: 'System Administrator' },
    { username: 'alice@access.example.com', profile: 'Standard User', permissionSetGroups: ['Bundle'] },
    { username: 'bob@access.example.com', profile: 'Standard User', permissionSets: ['Direct_PS'], permissionSetGroups: ['Bundle'] },
    { username: 'carol@access.example.com', profile: 'Standard User', permissionSetGroups: ['Bundle'], active: false },
    { username: 'dave@access.example.com', profile: 'System Administrator', permissionSets: ['Unrelated_PS'] },
  ],
  // An OAuth app used in the last days that is not installed (its tokens are in no table here): only LoginHistory shows it.
  loginHistory: [{ users: ['alice@access.example.com'], count: 3, application: 'Shadow Tool', loginSubType: 'OauthRefreshToken', withinDays: 10 }],
  connectedApps: [
    { name: 'Group_Only', metadata: appXml('Group Only', '<permissionSetName>Component PS</permissionSetName>') },
    { name: 'Mixed', metadata: appXml('Mixed', '<permissionSetName>Direct PS</permissionSetName><profileName>System Administrator</profileName>') },
    { name: 'Nobody', metadata: appXml('Nobody') },
    // SAML single sign-on only: no OAuth settings at all.
    {
      name: 'Saml_Only',
      metadata:
        '<?xml version="1.0" encoding="UTF-8"?><ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@example.com</contactEmail><label>Saml Only</label>' +
        '<profileName>Standard User</profileName><samlConfig><acsUrl>https://sp.example.com/acs</acsUrl><entityUrl>https://sp.example.com</entityUrl>' +
        '<samlNameIdFormat>Unspecified</samlNameIdFormat><samlSubjectType>Username</samlSubjectType></samlConfig></ConnectedApp>',
    },
    { name: 'Orphaned', metadata: appXml('Orphaned', '<permissionSetName>Lonely PS</permissionSetName>') },
    { name: 'Profile_And_Lonely', metadata: appXml('Profile And Lonely', '<permissionSetName>Lonely PS</permissionSetName><profileName>Standard User</profileName>') },
  ],
};
