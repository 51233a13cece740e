import { expect } from 'chai';
import sinon from 'sinon';
import type { Connection } from '@salesforce/core';
import { soapCall, updateMetadata } from '../../../src/adapters/metadata-api.js';
import { element, textElement } from '../../../src/domain/xml.js';
import { soapEnvelope, soapFault, stubFetch } from '../fake-org.js';

/**
 * A Connection double whose SOAP posts are answered by a stubbed fetch from a script; it records the session
 * ids it was sent. (Restore with `restore()`.)
 */
function fakeConnection(answers: Array<() => string>, options: { refreshable?: boolean } = {}): { conn: Connection; sessions: string[]; refreshes: number; restore: () => void } {
  const state = { sessions: [] as string[], refreshes: 0, token: 'OLD!token' };
  const sandbox = sinon.createSandbox();
  stubFetch(sandbox, (request) => {
    state.sessions.push(/<sessionId>([^<]*)<\/sessionId>/.exec(request.body ?? '')?.[1] ?? '');
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return new Response(next(), { status: 200 });
  });
  const conn = {
    instanceUrl: 'https://example.my.salesforce.com',
    get accessToken(): string {
      return state.token;
    },
    getApiVersion: (): string => '67.0',
    refreshAuth: (): Promise<void> => {
      state.refreshes++;
      if (!options.refreshable) return Promise.reject(new Error('no refresh token'));
      state.token = 'NEW!token';
      return Promise.resolve();
    },
  } as unknown as Connection;
  return {
    conn,
    get sessions() {
      return state.sessions;
    },
    get refreshes() {
      return state.refreshes;
    },
    restore: (): void => {
      sandbox.restore();
    },
  };
}

const ok = (): string => soapEnvelope('listMetadata', '');
const expired = (): string => {
  throw soapFault('INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
};

describe('Metadata API SOAP calls', () => {
  let fakes: Array<{ restore: () => void }> = [];
  const track = <T extends { restore: () => void }>(fake: T): T => {
    fakes.push(fake);
    return fake;
  };
  afterEach(() => {
    for (const fake of fakes) fake.restore();
    fakes = [];
  });

  it('refreshes an expired session once and resends with the new session id', async () => {
    const fake = track(fakeConnection([expired, ok], { refreshable: true }));
    await soapCall(fake.conn, 'listMetadata', '');
    expect(fake.sessions).to.deep.equal(['OLD!token', 'NEW!token']);
    expect(fake.refreshes).to.equal(1);
  });

  it('reports the expired session when it cannot be refreshed', async () => {
    const fake = track(fakeConnection([expired, ok]));
    try {
      await soapCall(fake.conn, 'listMetadata', '');
      expect.fail('expected INVALID_SESSION_ID');
    } catch (error) {
      expect((error as { errorCode: string }).errorCode).to.equal('INVALID_SESSION_ID');
    }
    expect(fake.sessions).to.have.length(1);
  });

  it('never retries a fault that is an answer', async () => {
    const fake = track(fakeConnection([
      (): string => {
        throw soapFault('INSUFFICIENT_ACCESS', 'no');
      },
      ok,
    ]));
    try {
      await soapCall(fake.conn, 'listMetadata', '');
      expect.fail('expected INSUFFICIENT_ACCESS');
    } catch (error) {
      expect((error as { errorCode: string }).errorCode).to.equal('INSUFFICIENT_ACCESS');
    }
    expect(fake.sessions).to.have.length(1);
  });

  it('accounts for every component when one update batch fails outright (writes go over fetch)', async () => {
    const saved = (names: string[]): string =>
      soapEnvelope('updateMetadata', names.map((n) => `<result><fullName>${n}</fullName><success>true</success></result>`).join(''));
    const components = Array.from({ length: 25 }, (_, i) => element('records', [textElement('fullName', `App_${i}`)]));
    const answers: Array<() => Response> = [
      (): Response => new Response(saved(components.slice(0, 10).map((_, i) => `App_${i}`)), { status: 200 }),
      (): Response => {
        throw new TypeError('fetch failed');
      },
      (): Response => new Response(saved(components.slice(20).map((_, i) => `App_${i + 20}`)), { status: 200 }),
    ];
    const sent: string[] = [];
    const fetchStub = sinon.stub(globalThis, 'fetch').callsFake((_url, init) => {
      sent.push(typeof init?.body === 'string' ? init.body : '');
      const next = answers.shift();
      return next ? new Promise((resolve) => { resolve(next()); }) : Promise.reject(new Error('no more answers'));
    });
    try {
      const conn = { instanceUrl: 'https://example.my.salesforce.com', accessToken: '00Dx!tok', getApiVersion: (): string => '67.0' } as unknown as Connection;
      const results = await updateMetadata(conn, 'ConnectedApp', components);
      expect(results).to.have.length(25);
      expect(results.filter((r) => r.success)).to.have.length(15);
      const lost = results.filter((r) => !r.success);
      expect(lost.map((r) => r.fullName)).to.deep.equal(components.slice(10, 20).map((_, i) => `App_${i + 10}`));
      expect(lost.every((r) => r.outcomeUnknown === true)).to.be.true;
      expect(sent).to.have.length(3);
      expect(sent.every((b) => b.includes('<sessionId>00Dx!tok</sessionId>'))).to.be.true;
    } finally {
      fetchStub.restore();
    }
  });
});
