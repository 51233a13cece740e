/*
 * IP Relaxation (oauthPolicy.ipRelaxation): ENFORCE (default) applies the user's profile login IP ranges
 * to the app's tokens; BYPASS ("Relax IP restrictions") ignores them; BYPASS_2FACTOR relaxes them for
 * activated devices; ENFORCE_RELAXREFRESH enforces them except for refresh-token use (reference §1).
 *
 * Salesforce help (connected_app_continuous_ip, connected_app_edit_ip_ranges): IP restrictions are enforced
 * only where a user's profile has login IP ranges; the JWT bearer and SAML bearer flows always enforce them,
 * whatever the app's policy. With BYPASS_2FACTOR and trusted IP ranges on the app ("Trusted IP Range for
 * OAuth Web server flow", metadata ipRanges), only requests from those ranges are allowed.
 *
 * "Compensating controls" for a relaxation (CA102), either of which clears it:
 * - a high-assurance session is required (sessionPolicy.sessionLevel = HIGH_ASSURANCE);
 * - for BYPASS_2FACTOR only: trusted IP ranges on the app (for BYPASS they change nothing: "not subject to
 *   any IP restrictions").
 * Permitted Users = admin-approved only narrows *who* benefits from the relaxation (they still bypass the
 * ranges from any network), so it lowers the severity rather than clearing the finding:
 * BYPASS + admin-approved: medium; BYPASS_2FACTOR + self-authorize: medium; BYPASS_2FACTOR + admin-approved: low.
 * BYPASS + self-authorize is CA101 (high), not repeated by CA102.
 */
import type { AppRule } from './kit.js';
import { PASS, assignmentsOf, notStated, sessionAbsenceKnown, stated, unknown } from './kit.js';

export const ipBypassSelfAuthorize: AppRule = {
  id: 'CA101-ip-bypass-self-authorize',
  category: 'ip-relaxation',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    if (!stated(policy, 'ipRelaxation')) return notStated('ipRelaxation');
    if (policy.ipRelaxation !== 'BYPASS') return PASS;
    if (!stated(policy, 'permittedUsers')) return notStated('permittedUsers');
    if (policy.permittedUsers !== 'all-self-authorize') return PASS;
    return [{ field: 'ipRelaxation', evidence: { ipRelaxation: 'BYPASS', permittedUsers: 'all-self-authorize' } }];
  },
};

export const ipBypassUncompensated: AppRule = {
  id: 'CA102-ip-bypass-uncompensated',
  category: 'ip-relaxation',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['ipRelaxation'] },
  check(app, { mode }) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    if (!stated(policy, 'ipRelaxation')) return notStated('ipRelaxation');
    const relaxation = policy.ipRelaxation;
    if (relaxation !== 'BYPASS' && relaxation !== 'BYPASS_2FACTOR') return PASS;
    if (relaxation === 'BYPASS_2FACTOR' && policy.ipRanges.length > 0) return PASS;
    if (stated(policy, 'highAssurance') && policy.session.highAssurance) return PASS;
    if (!stated(policy, 'highAssurance') && !sessionAbsenceKnown(policy, mode)) return notStated('highAssurance');
    if (!stated(policy, 'permittedUsers')) return notStated('permittedUsers');
    const adminApproved = policy.permittedUsers === 'admin-approved';
    if (relaxation === 'BYPASS' && !adminApproved) return PASS;
    return [
      {
        severity: relaxation === 'BYPASS_2FACTOR' && adminApproved ? 'low' : 'medium',
        field: 'ipRelaxation',
        evidence: { ipRelaxation: relaxation, permittedUsers: policy.permittedUsers, highAssurance: false, appIpRanges: policy.ipRanges.length },
      },
    ];
  },
};

export const ipEnforceNoProfileRanges: AppRule = {
  id: 'CA103-ip-enforce-no-profile-ranges',
  category: 'ip-relaxation',
  severity: 'info',
  scope: 'app',
  needs: ['metadata', 'assignments', 'ipRanges'],
  sourceNeeds: ['metadata', 'ipRanges'],
  message: { default: ['profiles'] },
  check(app, { mode, inventory }) {
    const policy = app.policy;
    const ranges = inventory.profileIpRanges;
    if (!policy?.hasOauth) return PASS;
    if (!ranges) return unknown(['ipRanges']);
    if (!stated(policy, 'ipRelaxation')) return notStated('ipRelaxation');
    if (policy.ipRelaxation !== 'ENFORCE') return PASS;
    const assignments = assignmentsOf(app, mode);
    if (!assignments) return unknown([mode === 'org' ? 'assignments' : 'metadata']);
    const profiles = assignments.profiles;
    if (profiles.length === 0) return PASS;
    if (profiles.some((p) => (ranges.get(p) ?? 0) > 0)) return PASS;
    if (profiles.some((p) => !ranges.has(p))) return unknown(['ipRanges']);
    return [{ field: 'ipRelaxation', evidence: { ipRelaxation: 'ENFORCE', profiles } }];
  },
};

export const IP_RELAXATION_RULES: readonly AppRule[] = [ipBypassSelfAuthorize, ipBypassUncompensated, ipEnforceNoProfileRanges];
