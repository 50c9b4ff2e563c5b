import { parseAuthorizationHeader } from './authorization-header';

describe('parseAuthorizationHeader', () => {
  it('reads User + Organization in any order and case', () => {
    expect(parseAuthorizationHeader('User u-1, Organization o-1')).toEqual({
      ok: true,
      credentials: { kind: 'organization', userSecret: 'u-1', organizationSecret: 'o-1' },
    });
    expect(parseAuthorizationHeader('  organization o-1 ,user   u-1  ')).toEqual({
      ok: true,
      credentials: { kind: 'organization', userSecret: 'u-1', organizationSecret: 'o-1' },
    });
  });

  it('reads User + Element', () => {
    expect(parseAuthorizationHeader('User u-1, Element t/o+k=en')).toEqual({
      ok: true,
      credentials: { kind: 'element', userSecret: 'u-1', elementToken: 't/o+k=en' },
    });
  });

  it.each([
    [undefined, /Missing Authorization/],
    ['', /Missing Authorization/],
    ['User , Organization ', /'User' has no value/],
    ['Bearer abc', /Malformed/],
    ['User a b, Organization c', /Malformed/],
    ['Organization o', /no User secret/],
    ['User u', /no Organization secret or Element token/],
    ['User u, Organization o, Element e', /both Organization and Element/],
    ['User u, User v, Organization o', /twice/],
    ['x'.repeat(5000), /too long/],
  ])('refuses %j with a clear message', (header, message) => {
    const parsed = parseAuthorizationHeader(header);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('never repeats a secret in its message', () => {
    const parsed = parseAuthorizationHeader('User super-secret-value, Organization other-secret extra');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).not.toContain('super-secret-value');
      expect(parsed.message).not.toContain('other-secret');
    }
  });
});
