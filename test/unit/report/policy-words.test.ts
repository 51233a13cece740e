import { expect } from 'chai';
import { metadataWords } from '../../../src/renderers/policy-words.js';

describe('policy show: metadata column', () => {
  it('names the element where Setup asks the opposite question', () => {
    expect(metadataWords('consumerSecretOptional', 'false')).to.equal('isConsumerSecretOptional = false (the opposite question)');
    expect(metadataWords('consumerSecretOptional', 'true')).to.equal('isConsumerSecretOptional = true (the opposite question)');
  });

  it('leaves the other fields as their value, and nothing as nothing', () => {
    expect(metadataWords('pkceRequired', 'true')).to.equal('true');
    expect(metadataWords('scopes', ['Api', 'RefreshToken'])).to.equal('Api, RefreshToken');
    expect(metadataWords('consumerSecretOptional', null)).to.equal('');
  });
});
