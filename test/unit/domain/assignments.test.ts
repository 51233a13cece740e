import { expect } from 'chai';
import { outcomeOf, pairResult, planAssign, planUnassign, uniquePairs, type AccessPair, type AppRef } from '../../../src/domain/access/assignments.js';

const app = (id: string, permittedUsers: AppRef['permittedUsers'] = 'admin-approved'): AppRef => ({ id, apiName: `App_${id.slice(-3)}`, label: `App ${id}`, permittedUsers });
const pair = (a: AppRef, permissionSetId: string, kind: 'permission-set' | 'profile' = 'permission-set'): AccessPair => ({
  app: a,
  holder: { kind, permissionSetId, name: `PS_${permissionSetId.slice(-3)}`, label: `PS ${permissionSetId}` },
});

const A = app('0H4000000000001AAA');
const B = app('0H4000000000002AAA', 'all-self-authorize');

describe('assignment planning', () => {
  it('splits pairs into present and missing, matching 15- and 18-character Ids', () => {
    const { present, missing } = planAssign(
      [pair(A, '0PS000000000001AAA'), pair(A, '0PS000000000002AAA'), pair(B, '0PS000000000001AAA')],
      [{ id: '0J0000000000001AAA', appId: '0H4000000000001', permissionSetId: '0PS000000000001AAA' }]
    );
    expect(present.map((p) => [p.app.id, p.holder.permissionSetId, p.row.id])).to.deep.equal([['0H4000000000001AAA', '0PS000000000001AAA', '0J0000000000001AAA']]);
    expect(missing.map((p) => [p.app.id, p.holder.permissionSetId])).to.deep.equal([
      ['0H4000000000001AAA', '0PS000000000002AAA'],
      ['0H4000000000002AAA', '0PS000000000001AAA'],
    ]);
  });

  it('drops a pair named twice', () => {
    expect(uniquePairs([pair(A, '0PS000000000001AAA'), pair(A, '0PS000000000001')])).to.have.length(1);
  });

  it('flags a removal that leaves an admin-approved app with no assignment', () => {
    const rows = [
      { id: '0J0000000000001AAA', appId: A.id, permissionSetId: '0PS000000000001AAA' },
      { id: '0J0000000000002AAA', appId: B.id, permissionSetId: '0PS000000000001AAA' },
    ];
    const plan = planUnassign([pair(A, '0PS000000000001AAA'), pair(B, '0PS000000000001AAA'), pair(A, '0PS000000000009AAA')], rows);
    expect(plan.present.map((p) => p.row.id)).to.deep.equal(['0J0000000000001AAA', '0J0000000000002AAA']);
    expect(plan.absent.map((p) => p.holder.permissionSetId)).to.deep.equal(['0PS000000000009AAA']);
    // B is self-authorize: removing its last assignment locks nobody out.
    expect(plan.lockouts.map((a) => a.id)).to.deep.equal([A.id]);
  });

  it('does not flag a lockout while another assignment remains', () => {
    const rows = [
      { id: '0J0000000000001AAA', appId: A.id, permissionSetId: '0PS000000000001AAA' },
      { id: '0J0000000000003AAA', appId: A.id, permissionSetId: '0PS000000000003AAA' },
    ];
    expect(planUnassign([pair(A, '0PS000000000001AAA')], rows).lockouts).to.deep.equal([]);
  });

  it('with who each grant reaches: a remaining grant that reaches nobody is a lockout, a group through a remaining component is not', () => {
    const rows = [
      { id: '0J0000000000001AAA', appId: A.id, permissionSetId: '0PS000000000001AAA' },
      { id: '0J0000000000003AAA', appId: A.id, permissionSetId: '0PS000000000003AAA' },
    ];
    const nobodyLeft = new Map([[A.id.slice(0, 15), [{ permissionSetId: '0PS000000000001AAA', activeUsers: 4 }, { permissionSetId: '0PS000000000003AAA', activeUsers: 0 }]]]);
    expect(planUnassign([pair(A, '0PS000000000001AAA')], rows, nobodyLeft).lockouts.map((a) => a.id)).to.deep.equal([A.id]);
    // 0PS…3 reaches nobody directly, but a group containing it reaches 2 active users: nobody is locked out.
    const throughGroup = new Map([[A.id.slice(0, 15), [...nobodyLeft.get(A.id.slice(0, 15))!, { permissionSetId: '0PS000000000003', activeUsers: 2 }]]]);
    expect(planUnassign([pair(A, '0PS000000000001AAA')], rows, throughGroup).lockouts).to.deep.equal([]);
    // Removing the component too removes the group's path.
    expect(planUnassign([pair(A, '0PS000000000001AAA'), pair(A, '0PS000000000003AAA')], rows, throughGroup).lockouts.map((a) => a.id)).to.deep.equal([A.id]);
  });

  it('maps results to success, partial and failed', () => {
    const ok = pairResult(pair(A, '0PS000000000001AAA'), 'created');
    const same = pairResult(pair(A, '0PS000000000002AAA'), 'unchanged');
    const bad = pairResult(pair(A, '0PS000000000003AAA', 'profile'), 'failed', { errorCode: 'X' });
    expect(outcomeOf([ok, same])).to.equal('success');
    expect(outcomeOf([ok, bad])).to.equal('partial');
    expect(outcomeOf([bad])).to.equal('failed');
    expect(bad).to.include({ app: 'App_AAA', targetType: 'profile', status: 'failed', errorCode: 'X', path: 'none' });
  });
});
