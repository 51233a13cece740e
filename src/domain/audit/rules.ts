/*
 * Every audit rule, in id order. Ids are stable (`CA<nnn>-<name>`; the hundreds give the category) and
 * key the rule's texts in messages/connectedapp.rules.md. Never renumber or reuse an id: baselines and
 * SARIF alerts are keyed on them. See rules/kit.ts for the rule contract.
 */
import { HYGIENE_APP_RULES, HYGIENE_ORG_RULES } from './rules/hygiene.js';
import { IP_RELAXATION_RULES } from './rules/ip-relaxation.js';
import type { Rule } from './rules/kit.js';
import { LIFECYCLE_APP_RULES, LIFECYCLE_ORG_RULES } from './rules/lifecycle.js';
import { PERMITTED_USERS_RULES } from './rules/permitted-users.js';
import { REFRESH_TOKEN_RULES } from './rules/refresh-tokens.js';
import { REGISTER_APP_RULES, REGISTER_ORG_RULES } from './rules/register.js';
import { SCOPES_AND_FLOWS_RULES } from './rules/scopes-flows.js';

export type { AppRule, FindingDraft, OrgRule, Rule, RuleCategory, RuleContext, RuleOutcome } from './rules/kit.js';
export { RULE_CATEGORIES } from './rules/kit.js';

export const RULE_DEFINITIONS: readonly Rule[] = [
  ...PERMITTED_USERS_RULES,
  ...IP_RELAXATION_RULES,
  ...REFRESH_TOKEN_RULES,
  ...SCOPES_AND_FLOWS_RULES,
  ...LIFECYCLE_APP_RULES,
  ...LIFECYCLE_ORG_RULES,
  ...HYGIENE_APP_RULES,
  ...HYGIENE_ORG_RULES,
  ...REGISTER_APP_RULES,
  ...REGISTER_ORG_RULES,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
