import { PollLease } from './poll-lease';

describe('PollLease', () => {
  it('is surely held until a third of the lease before it runs out, counted from when the claim was sent', () => {
    const lease = new PollLease(9000, 1000);
    expect(lease.surelyHeld(1000)).toBe(true);
    expect(lease.surelyHeld(6999)).toBe(true);
    expect(lease.surelyHeld(7000)).toBe(false); // a paused process wakes here: ask the database
  });

  it('a renewal moves the deadline on from when it was sent, never back', () => {
    const lease = new PollLease(9000, 1000);
    lease.renewed(4000);
    expect(lease.surelyHeld(9999)).toBe(true);
    expect(lease.surelyHeld(10_000)).toBe(false);
    lease.renewed(2000); // a late answer to an older renewal
    expect(lease.surelyHeld(9999)).toBe(true);
  });
});
