import { expect } from 'chai';

// @salesforce/core 9 pulls undici 8, which needs Node >= 22.19. The machines ship Node 20; the `node`
// devDependency puts Node 22 first on PATH inside npm scripts. If this fails, you ran mocha outside npm.
describe('runtime', () => {
  it('is Node 22.19 or newer', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const ok = major > 22 || (major === 22 && minor >= 19);
    expect(ok, `Node ${process.versions.node} is too old: run the tests through npm (npm test), which uses Node 22 from devDependencies`).to.be.true;
  });
});
