import { expect } from 'chai';
import {
  DEFAULT_IP_RELAXATION,
  ECA_IP_RELAXATION_VALUES,
  IP_RELAXATION_FLAGS,
  IP_RELAXATION_VALUES,
  formatIpRelaxationFlag,
  isIpRelaxation,
  parseEcaIpRelaxation,
  parseIpRelaxation,
  parseIpRelaxationFlag,
  toEcaIpRelaxation,
  type IpRelaxation,
} from '../../../src/domain/policy/ip-relaxation.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';

function rejects(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyError);
    return error as PolicyError;
  }
  expect.fail('expected a PolicyError');
}

const TABLE: Array<[IpRelaxation, string, string]> = [
  ['ENFORCE', 'enforce', 'Enforce'],
  ['BYPASS_2FACTOR', 'relax-with-second-factor', 'Bypass_2factor'],
  ['BYPASS', 'relax', 'Bypass'],
  ['ENFORCE_RELAXREFRESH', 'enforce-relax-refresh', 'Enforce_RelaxRefresh'],
];

describe('IP relaxation mapping', () => {
  it('lists the four documented values in each spelling', () => {
    expect(IP_RELAXATION_VALUES).to.deep.equal(TABLE.map((r) => r[0]));
    expect(IP_RELAXATION_FLAGS).to.deep.equal(TABLE.map((r) => r[1]));
    expect(ECA_IP_RELAXATION_VALUES).to.deep.equal(TABLE.map((r) => r[2]));
    expect(DEFAULT_IP_RELAXATION).to.equal('ENFORCE');
  });

  for (const [metadata, flag, eca] of TABLE) {
    it(`maps ${metadata} ⇄ ${flag} ⇄ ${eca}`, () => {
      expect(parseIpRelaxation(metadata)).to.equal(metadata);
      expect(formatIpRelaxationFlag(metadata)).to.equal(flag);
      expect(parseIpRelaxationFlag(flag)).to.equal(metadata);
      expect(toEcaIpRelaxation(metadata)).to.equal(eca);
      expect(parseEcaIpRelaxation(eca)).to.equal(metadata);
      expect(parseIpRelaxation(eca)).to.equal(metadata);
      // flag → metadata → ECA → metadata → flag
      expect(formatIpRelaxationFlag(parseEcaIpRelaxation(toEcaIpRelaxation(parseIpRelaxationFlag(flag))))).to.equal(flag);
      expect(isIpRelaxation(metadata)).to.be.true;
    });
  }

  it('is tolerant of case and spacing', () => {
    expect(parseIpRelaxation(' bypass ')).to.equal('BYPASS');
    expect(parseIpRelaxation('Bypass_2Factor')).to.equal('BYPASS_2FACTOR');
    expect(parseIpRelaxation('enforce relaxrefresh')).to.equal('ENFORCE_RELAXREFRESH');
    expect(parseIpRelaxation('enforce-relaxrefresh')).to.equal('ENFORCE_RELAXREFRESH');
    expect(parseEcaIpRelaxation('BYPASS_2FACTOR')).to.equal('BYPASS_2FACTOR');
    expect(parseIpRelaxationFlag(' RELAX ')).to.equal('BYPASS');
    expect(parseIpRelaxationFlag('relax_with_second_factor')).to.equal('BYPASS_2FACTOR');
    expect(parseIpRelaxationFlag('Enforce Relax Refresh')).to.equal('ENFORCE_RELAXREFRESH');
  });

  it('rejects ENFORCE_ACTIVATED_USERS as an undocumented value, in every spelling', () => {
    for (const fn of [
      () => parseIpRelaxation('ENFORCE_ACTIVATED_USERS'),
      () => parseEcaIpRelaxation('Enforce_Activated_Users'),
      () => parseIpRelaxationFlag('enforce-activated-users'),
    ]) {
      const error = rejects(fn);
      expect(error.code).to.equal('InvalidIpRelaxation');
      expect(error.reason).to.equal('undocumented-value');
      expect(error.suggestion).to.equal(undefined);
      expect(error.field).to.equal('ipRelaxation');
    }
  });

  it('rejects unknown values with the valid list of the spelling asked for', () => {
    const meta = rejects(() => parseIpRelaxation('RELAXED'));
    expect(meta.reason).to.equal('unknown-value');
    expect(meta.validValues).to.deep.equal(IP_RELAXATION_VALUES);
    const eca = rejects(() => parseEcaIpRelaxation('Relaxed'));
    expect(eca.validValues).to.deep.equal(ECA_IP_RELAXATION_VALUES);
    const flag = rejects(() => parseIpRelaxationFlag('loose'));
    expect(flag.validValues).to.deep.equal(IP_RELAXATION_FLAGS);
    expect(rejects(() => parseIpRelaxation('')).reason).to.equal('empty');
    expect(rejects(() => parseIpRelaxationFlag('  ')).reason).to.equal('empty');
  });

  it('suggests the right spelling across forms and for typos', () => {
    expect(rejects(() => parseIpRelaxationFlag('BYPASS')).suggestion).to.equal('relax');
    expect(rejects(() => parseIpRelaxationFlag('bypass_2factor')).suggestion).to.equal('relax-with-second-factor');
    expect(rejects(() => parseIpRelaxation('relax')).suggestion).to.equal('BYPASS');
    expect(rejects(() => parseIpRelaxation('ENFORSE')).suggestion).to.equal('ENFORCE');
    expect(rejects(() => parseEcaIpRelaxation('relax-with-second-factor')).suggestion).to.equal('Bypass_2factor');
    expect(rejects(() => parseIpRelaxationFlag('enforse')).suggestion).to.equal('enforce');
  });

  it('recognises only exact metadata values as IpRelaxation', () => {
    expect(isIpRelaxation('bypass')).to.be.false;
    expect(isIpRelaxation(1)).to.be.false;
  });
});
