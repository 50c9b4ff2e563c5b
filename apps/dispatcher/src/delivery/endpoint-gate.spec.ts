import { EndpointGate, endpointOf } from './endpoint-gate';

describe('endpoint gate', () => {
  let now = 0;
  const gate = () => new EndpointGate({ maxInFlight: 2, failureThreshold: 3, openMs: 1000 }, () => now);
  beforeEach(() => {
    now = 1_000_000;
  });

  it('limits requests in flight per endpoint, not across endpoints', () => {
    const subject = gate();
    const first = subject.admit('https://a');
    const second = subject.admit('https://a');
    expect(first.admitted && second.admitted).toBe(true);
    expect(subject.admit('https://a')).toMatchObject({ admitted: false, reason: 'saturated' });
    expect(subject.isBlocked('https://a')).toBe(true);
    expect(subject.admit('https://b').admitted).toBe(true);
    if (first.admitted) first.release('success');
    expect(subject.isBlocked('https://a')).toBe(false);
  });

  it('opens after consecutive failures, lets one probe through after the open time, closes on success', () => {
    const subject = gate();
    for (let i = 0; i < 3; i++) {
      const admission = subject.admit('https://a');
      if (admission.admitted) admission.release('failure');
    }
    expect(subject.admit('https://a')).toMatchObject({
      admitted: false,
      reason: 'circuit-open',
      retryAtMs: now + 1000,
    });
    expect(subject.isBlocked('https://a')).toBe(true);
    expect(subject.openCircuits()).toEqual(['https://a']);
    now += 1000;
    const probe = subject.admit('https://a');
    expect(probe.admitted).toBe(true);
    expect(subject.admit('https://a')).toMatchObject({ admitted: false, reason: 'circuit-open' });
    if (probe.admitted) probe.release('success');
    expect(subject.admit('https://a').admitted).toBe(true);
  });

  it('a failed probe reopens; neutral releases change nothing', () => {
    const subject = gate();
    for (let i = 0; i < 3; i++) {
      const admission = subject.admit('https://a');
      if (admission.admitted) admission.release('failure');
    }
    now += 1000;
    const probe = subject.admit('https://a');
    if (probe.admitted) probe.release('failure');
    expect(subject.admit('https://a')).toMatchObject({ admitted: false, reason: 'circuit-open' });
    const other = subject.admit('https://b');
    if (other.admitted) other.release('neutral');
    expect(subject.openCircuits()).toEqual(['https://a']);
  });

  it('keys endpoints by origin', () => {
    expect(endpointOf('https://Example.com:443/a?b=1')).toBe('https://example.com');
    expect(endpointOf('http://127.0.0.1:8092/x')).toBe('http://127.0.0.1:8092');
  });
});
