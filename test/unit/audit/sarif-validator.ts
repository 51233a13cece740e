/*
 * A structural validator for the SARIF 2.1.0 subset GitHub code scanning reads
 * (docs.github.com "SARIF support for code scanning": required properties of sarifLog, run, tool.driver,
 * reportingDescriptor, result, location, physicalLocation, region), plus the spec's types and enums.
 * Returns every problem found, as "path: problem" strings; empty means valid.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const LEVELS = ['none', 'note', 'warning', 'error'];
/** RFC 3986 URI-reference characters; '%' only as a percent-encoding. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

export function validateSarif(log: unknown): string[] {
  const problems: string[] = [];
  const fail = (path: string, problem: string): void => {
    problems.push(`${path}: ${problem}`);
  };
  const str = (v: unknown, path: string, required = true): v is string => {
    if (v === undefined && !required) return false;
    if (typeof v !== 'string' || (required && v === '')) {
      fail(path, 'expected a non-empty string');
      return false;
    }
    return true;
  };
  const message = (v: unknown, path: string, required = true): void => {
    if (v === undefined && !required) return;
    if (!isObj(v)) { fail(path, 'expected a message object'); return; }
    str(v.text, `${path}.text`);
    if (v.markdown !== undefined) str(v.markdown, `${path}.markdown`);
  };
  const int = (v: unknown, path: string, min: number): v is number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      fail(path, `expected an integer >= ${min}`);
      return false;
    }
    return true;
  };

  if (!isObj(log)) return ['$: expected an object'];
  if (log.version !== '2.1.0') fail('$.version', 'must be "2.1.0"');
  if (str(log.$schema, '$.$schema') && !/^https:\/\/.+sarif.*2\.1\.0.*\.json$/.test(log.$schema)) fail('$.$schema', 'not a SARIF 2.1.0 schema URI');
  if (!Array.isArray(log.runs) || log.runs.length === 0) return [...problems, '$.runs: expected a non-empty array'];
  if (log.runs.length > 20) fail('$.runs', 'GitHub accepts at most 20 runs');

  log.runs.forEach((run: unknown, r) => {
    const rp = `$.runs[${r}]`;
    if (!isObj(run)) { fail(rp, 'expected an object'); return; }
    const tool = run.tool;
    if (!isObj(tool) || !isObj(tool.driver)) { fail(`${rp}.tool.driver`, 'required'); return; }
    const driver = tool.driver;
    str(driver.name, `${rp}.tool.driver.name`);
    str(driver.version, `${rp}.tool.driver.version`, false);
    if (driver.semanticVersion !== undefined && (typeof driver.semanticVersion !== 'string' || !/^\d+\.\d+\.\d+/.test(driver.semanticVersion))) {
      fail(`${rp}.tool.driver.semanticVersion`, 'expected a semantic version');
    }
    if (driver.informationUri !== undefined && (typeof driver.informationUri !== 'string' || !/^https?:\/\/\S+$/.test(driver.informationUri))) {
      fail(`${rp}.tool.driver.informationUri`, 'expected an absolute URI');
    }
    const rules: unknown[] = Array.isArray(driver.rules) ? driver.rules : [];
    if (driver.rules !== undefined && !Array.isArray(driver.rules)) fail(`${rp}.tool.driver.rules`, 'expected an array');
    const ids = new Set<string>();
    rules.forEach((rule, i) => {
      const p = `${rp}.tool.driver.rules[${i}]`;
      if (!isObj(rule)) { fail(p, 'expected an object'); return; }
      if (str(rule.id, `${p}.id`)) {
        if (ids.has(rule.id)) fail(`${p}.id`, 'duplicate rule id');
        ids.add(rule.id);
      }
      str(rule.name, `${p}.name`, false);
      message(rule.shortDescription, `${p}.shortDescription`);
      message(rule.fullDescription, `${p}.fullDescription`);
      message(rule.help, `${p}.help`);
      if (isObj(rule.shortDescription) && typeof rule.shortDescription.text === 'string' && rule.shortDescription.text.length > 1024) fail(`${p}.shortDescription.text`, 'longer than 1024');
      if (rule.defaultConfiguration !== undefined) {
        if (!isObj(rule.defaultConfiguration) || typeof rule.defaultConfiguration.level !== 'string' || !LEVELS.includes(rule.defaultConfiguration.level)) fail(`${p}.defaultConfiguration.level`, 'not a SARIF level');
      }
      if (rule.properties !== undefined) {
        if (!isObj(rule.properties)) { fail(`${p}.properties`, 'expected an object'); return; }
        const tags = rule.properties.tags;
        if (tags !== undefined && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string') || new Set(tags).size !== tags.length)) {
          fail(`${p}.properties.tags`, 'expected unique strings');
        }
        const sev = rule.properties['security-severity'];
        if (sev !== undefined) {
          const n = typeof sev === 'string' && /^\d+(\.\d+)?$/.test(sev) ? Number(sev) : NaN;
          if (!(n >= 0 && n <= 10)) fail(`${p}.properties.security-severity`, 'expected a numeric string 0.0-10.0');
        }
      }
    });

    if (!Array.isArray(run.results)) { fail(`${rp}.results`, 'expected an array'); return; }
    if (run.results.length > 25000) fail(`${rp}.results`, 'GitHub accepts at most 25,000 results per run');
    run.results.forEach((result: unknown, i) => {
      const p = `${rp}.results[${i}]`;
      if (!isObj(result)) { fail(p, 'expected an object'); return; }
      message(result.message, `${p}.message`);
      str(result.ruleId, `${p}.ruleId`);
      if (result.ruleIndex !== undefined && int(result.ruleIndex, `${p}.ruleIndex`, 0)) {
        const rule = rules[result.ruleIndex];
        if (!isObj(rule) || rule.id !== result.ruleId) fail(`${p}.ruleIndex`, 'does not point at the rule with this ruleId');
      }
      if (result.level !== undefined && (typeof result.level !== 'string' || !LEVELS.includes(result.level))) fail(`${p}.level`, 'not a SARIF level');
      if (!Array.isArray(result.locations) || result.locations.length === 0) { fail(`${p}.locations`, 'GitHub needs at least one location'); return; }
      if (result.locations.length > 10) fail(`${p}.locations`, 'GitHub reads at most 10 locations');
      let physical = 0;
      result.locations.forEach((loc: unknown, j) => {
        const lp = `${p}.locations[${j}]`;
        if (!isObj(loc)) { fail(lp, 'expected an object'); return; }
        if (loc.physicalLocation !== undefined) {
          physical++;
          const pl = loc.physicalLocation;
          if (!isObj(pl) || !isObj(pl.artifactLocation)) { fail(`${lp}.physicalLocation.artifactLocation`, 'required'); return; }
          const uri = pl.artifactLocation.uri;
          if (str(uri, `${lp}.physicalLocation.artifactLocation.uri`) && (!URI_REFERENCE.test(uri) || uri.includes('\\'))) {
            fail(`${lp}.physicalLocation.artifactLocation.uri`, `not a URI reference: ${uri}`);
          }
          if (!isObj(pl.region)) { fail(`${lp}.physicalLocation.region`, 'GitHub needs a region with startLine'); return; }
          if (int(pl.region.startLine, `${lp}.physicalLocation.region.startLine`, 1) && pl.region.endLine !== undefined) {
            if (int(pl.region.endLine, `${lp}.physicalLocation.region.endLine`, 1) && pl.region.endLine < pl.region.startLine) fail(`${lp}.physicalLocation.region.endLine`, 'before startLine');
          }
        }
        if (loc.logicalLocations !== undefined) {
          if (!Array.isArray(loc.logicalLocations)) { fail(`${lp}.logicalLocations`, 'expected an array'); return; }
          loc.logicalLocations.forEach((ll: unknown, k) => {
            if (!isObj(ll)) { fail(`${lp}.logicalLocations[${k}]`, 'expected an object'); return; }
            str(ll.name, `${lp}.logicalLocations[${k}].name`);
            str(ll.kind, `${lp}.logicalLocations[${k}].kind`, false);
          });
        }
      });
      if (physical === 0) fail(`${p}.locations`, 'GitHub shows only results with a physicalLocation');
      if (result.partialFingerprints !== undefined) {
        if (!isObj(result.partialFingerprints) || !Object.values(result.partialFingerprints).every((v) => typeof v === 'string' && v !== '')) {
          fail(`${p}.partialFingerprints`, 'expected an object of non-empty strings');
        }
      }
    });
  });
  return problems;
}
