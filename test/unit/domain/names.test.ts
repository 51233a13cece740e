import { expect } from 'chai';
import { closeMatches, editDistance, normaliseName, sameId, splitNamespace } from '../../../src/domain/names.js';
import { soqlInList, soqlString } from '../../../src/domain/soql.js';

describe('names', () => {
  it('normalises labels and API names to the same key', () => {
    expect(normaliseName('Jenkins CI')).to.equal(normaliseName('Jenkins_CI'));
    expect(normaliseName('  Zoë’s  App (prod) ')).to.equal('zoe_s_app_prod');
  });

  it('splits a namespace prefix', () => {
    expect(splitNamespace('APXTConga4__Conga_Composer')).to.deep.equal({ namespace: 'APXTConga4', localName: 'Conga_Composer' });
    expect(splitNamespace('Jenkins_CI')).to.deep.equal({ namespace: null, localName: 'Jenkins_CI' });
  });

  it('suggests close matches, nearest first', () => {
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(closeMatches('Jenkins_C', ['Jenkins_CI', 'Jenkins CI', 'MuleSoft', 'Slack'])).to.deep.equal(['Jenkins CI', 'Jenkins_CI']);
    expect(closeMatches('Completely different', ['Slack'])).to.deep.equal([]);
  });

  it('compares 15- and 18-character Ids', () => {
    expect(sameId('0H4000000000001AAA', '0H4000000000001')).to.be.true;
    expect(sameId('0H4000000000001AAA', '0H4000000000002AAA')).to.be.false;
    expect(sameId(null, '0H4000000000001')).to.be.false;
  });
});

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(soqlString("O'Brien \\ co\n")).to.equal("'O\\'Brien \\\\ co\\n'");
    expect(soqlString('Zoë')).to.equal("'Zoë'");
    expect(soqlInList(['a', "b'c"])).to.equal("('a', 'b\\'c')");
  });
});
