import { clientIp, normalizeIp, rateLimitSubject } from './client-ip';

const SOCKET = '10.0.0.5';

describe('clientIp', () => {
  describe('with no trusted proxy', () => {
    it('uses the socket address and ignores X-Forwarded-For', () => {
      expect(clientIp('203.0.113.7', '198.51.100.1', 0)).toBe('203.0.113.7');
      expect(clientIp('203.0.113.7', ['198.51.100.1', '198.51.100.2'], 0)).toBe('203.0.113.7');
      expect(clientIp('203.0.113.7', undefined, 0)).toBe('203.0.113.7');
    });

    it('unmaps an IPv4 peer of a dual-stack socket', () => {
      expect(clientIp('::ffff:203.0.113.7', undefined, 0)).toBe('203.0.113.7');
    });

    it('returns an empty string when the socket has no address', () => {
      expect(clientIp(undefined, '198.51.100.1', 0)).toBe('');
    });
  });

  describe('with one trusted proxy', () => {
    it('takes the entry the proxy appended', () => {
      expect(clientIp(SOCKET, '203.0.113.7', 1)).toBe('203.0.113.7');
    });

    it('never chooses entries the client sent ahead of the proxy', () => {
      expect(clientIp(SOCKET, '1.1.1.1, 2.2.2.2, 203.0.113.7', 1)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, '127.0.0.1,203.0.113.7', 1)).toBe('203.0.113.7');
    });

    it('falls back to the socket address without the header', () => {
      expect(clientIp(SOCKET, undefined, 1)).toBe(SOCKET);
    });
  });

  describe('with several trusted proxies', () => {
    it('takes the address the outermost trusted proxy saw', () => {
      // client -> edge (appends client) -> inner (appends edge) -> gateway
      expect(clientIp(SOCKET, '203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, '203.0.113.7, 10.0.0.3, 10.0.0.2', 3)).toBe('203.0.113.7');
    });

    it('ignores spoofed entries left of the trusted ones', () => {
      expect(clientIp(SOCKET, '6.6.6.6, 7.7.7.7, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
    });

    it('falls back to the socket address when the list is shorter than the hop count', () => {
      expect(clientIp(SOCKET, '10.0.0.2', 2)).toBe(SOCKET);
      expect(clientIp(SOCKET, '203.0.113.7, 10.0.0.2', 3)).toBe(SOCKET);
    });

    it('counts hops across repeated header lines as one list', () => {
      expect(clientIp(SOCKET, ['6.6.6.6, 203.0.113.7', '10.0.0.2'], 2)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, ['6.6.6.6', '203.0.113.7, 10.0.0.2'], 2)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, ['6.6.6.6', '203.0.113.7', '10.0.0.2'], 1)).toBe('10.0.0.2');
    });
  });

  describe('junk', () => {
    it('falls back to the socket address when the chosen entry is not an IP', () => {
      expect(clientIp(SOCKET, '203.0.113.7, unknown', 1)).toBe(SOCKET);
      expect(clientIp(SOCKET, 'evil.example', 1)).toBe(SOCKET);
      expect(clientIp(SOCKET, '203.0.113.7, ', 1)).toBe(SOCKET);
      expect(clientIp(SOCKET, '', 1)).toBe(SOCKET);
      expect(clientIp(SOCKET, '999.1.1.1', 1)).toBe(SOCKET);
      expect(clientIp(SOCKET, '1.2.3.4; DROP TABLE', 1)).toBe(SOCKET);
    });

    it('is not thrown by junk the client put left of the trusted entries', () => {
      expect(clientIp(SOCKET, '"><script>, , , 203.0.113.7', 1)).toBe('203.0.113.7');
    });

    it('accepts entries with a port, as some proxies write them', () => {
      expect(clientIp(SOCKET, '203.0.113.7:51234', 1)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, '[2001:db8::7]:443', 1)).toBe('2001:db8::7');
      expect(clientIp(SOCKET, '[2001:db8::7]', 1)).toBe('2001:db8::7');
    });

    it('refuses a nonsensical hop count', () => {
      expect(() => clientIp(SOCKET, undefined, -1)).toThrow(RangeError);
      expect(() => clientIp(SOCKET, undefined, 1.5)).toThrow(RangeError);
    });
  });

  describe('IPv6', () => {
    it('takes IPv6 entries and writes them canonically', () => {
      expect(clientIp(SOCKET, '2001:DB8:0:0:0:0:0:7', 1)).toBe('2001:db8::7');
      expect(clientIp('2001:db8::1', '6.6.6.6, 2001:db8::7, 2001:db8::2', 2)).toBe('2001:db8::7');
    });

    it('unmaps IPv4-mapped entries, in either notation', () => {
      expect(clientIp(SOCKET, '::ffff:203.0.113.7', 1)).toBe('203.0.113.7');
      expect(clientIp(SOCKET, '::FFFF:cb00:7107', 1)).toBe('203.0.113.7');
    });

    it('falls back to an IPv6 socket address', () => {
      expect(clientIp('2001:db8::1', 'junk', 1)).toBe('2001:db8::1');
    });
  });
});

describe('normalizeIp', () => {
  it('gives one spelling per address', () => {
    expect(normalizeIp(' 192.0.2.1 ')).toBe('192.0.2.1');
    expect(normalizeIp('2001:0DB8:0000::0001')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('::1')).toBe('::1');
  });

  it('rejects what is not an address', () => {
    for (const junk of ['', 'localhost', '01.2.3.4', '1.2.3', '1.2.3.4/8', ':::', 'g::1']) {
      expect(normalizeIp(junk)).toBeUndefined();
    }
  });
});

describe('rateLimitSubject', () => {
  it('counts IPv4 clients by address', () => {
    expect(rateLimitSubject('203.0.113.7', 64)).toBe('203.0.113.7');
  });

  it('counts IPv6 clients by their network of the configured prefix', () => {
    const rotating = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:a:b:c:d'];
    expect(new Set(rotating.map((ip) => rateLimitSubject(ip, 64)))).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(rateLimitSubject('2001:db8:1:3::1', 64)).toBe('2001:db8:1:3::/64');
    expect(rateLimitSubject('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200::/56');
    expect(rateLimitSubject('2001:db8:1:2:a:b:c:d', 128)).toBe('2001:db8:1:2:a:b:c:d/128');
    expect(rateLimitSubject('::1', 64)).toBe('::/64');
    expect(rateLimitSubject('fe80::1:2:3:4', 48)).toBe('fe80::/48');
  });
});
