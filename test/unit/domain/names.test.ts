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
    expect(closeMatches('Jenkins_C', ['Jenkins_CI', 'MuleSoft', 'Slack'])).to.deep.equal(['Jenkins_CI']);
    expect(closeMatches('Completely different', ['Slack'])).to.deep.equal([]);
  });

  it('counts a swap of two neighbouring letters as one edit, and stops early past a cap', () => {
    expect(editDistance('jeknins', 'jenkins')).to.equal(1);
    expect(editDistance('abc', 'abc')).to.equal(0);
    expect(editDistance('abcdefgh', 'zyxwvuts', 2)).to.equal(3);
    expect(editDistance('a', 'abcdefgh', 2)).to.equal(3);
  });

  it('offers an app once, under the name nearest to what was typed (API name or label)', () => {
    const apps = [['Jenkins_CI', 'Jenkins CI'], ['MuleSoft_Anypoint', 'MuleSoft Anypoint Connector'], ['Slack']];
    expect(closeMatches('Jenkns_CI', apps)).to.deep.equal(['Jenkins_CI']);
    expect(closeMatches('Jenkns CI', apps)).to.deep.equal(['Jenkins_CI']);
    expect(closeMatches('MuleSoft Anypoint Conector', apps)).to.deep.equal(['MuleSoft Anypoint Connector']);
    // The same name listed twice is offered once.
    expect(closeMatches('Slak', ['Slack', 'Slack', ['Slack']])).to.deep.equal(['Slack']);
  });

  it('catches one-letter typos anywhere, in short names too, ranked before names that merely contain the input', () => {
    expect(closeMatches('Otka', ['Okta', 'Box'])).to.deep.equal(['Okta']);
    expect(closeMatches('Bx', ['Okta', 'Box'])).to.deep.equal(['Box']);
    // Five names that contain the input must not push the real one-letter typo out of the list.
    const containing = ['Jenkns_1', 'Jenkns_2', 'Jenkns_3', 'Jenkns_4', 'Jenkns_5'];
    expect(closeMatches('Jenkns', [...containing, 'Jenkins'])[0]).to.equal('Jenkins');
    expect(closeMatches('MuleSoft_Anypoin', ['MuleSoft Anypoint Connector', 'MuleSoft_Anypoint'])).to.deep.equal(['MuleSoft_Anypoint', 'MuleSoft Anypoint Connector']);
    for (const typo of ['enkins_CI', 'Jenkins_C', 'Jenkns_CI', 'Jenkins_CJ', 'Jeknins_CI', 'Jenkinss_CI']) {
      expect(closeMatches(typo, [['Jenkins_CI', 'Jenkins CI'], ['Okta_SSO', 'Okta SSO']])[0], typo).to.equal('Jenkins_CI');
    }
  });

  it('does not compare names longer than any Salesforce name', () => {
    expect(closeMatches('J'.repeat(10_000_000), ['J'.repeat(10)])).to.deep.equal([]);
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
