import { isIP } from 'node:net';

// WHATWG URL serialisation writes an IPv4-mapped address as ::ffff:XXXX:XXXX.
const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The canonical text of an IP address, or undefined when `value` is not one. One client must have
 * one spelling: a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d, and IPv6 can be written
 * in many ways, each of which would otherwise be its own rate-limit bucket or allowlist miss.
 * IPv4-mapped IPv6 becomes dotted IPv4, other IPv6 its RFC 5952 form; the zone id is dropped because
 * it names our interface, not the client.
 */
export function normalizeIp(value: string): string | undefined {
  const trimmed = value.trim();
  const zone = trimmed.indexOf('%');
  const address = zone < 0 ? trimmed : trimmed.slice(0, zone);
  const family = isIP(address);
  // Node's isIP already refuses IPv4 with leading zeros, so a valid IPv4 is canonical as written.
  if (family === 4) return address;
  if (family !== 6) return undefined;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = MAPPED_IPV4.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1] ?? '0', 16);
  const low = parseInt(mapped[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

// Some proxies (Azure Application Gateway, for one) append the peer's port.
const BRACKETED_IPV6 = /^\[([^\]]+)\](?::\d+)?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;

function forwardedAddress(entry: string): string | undefined {
  const trimmed = entry.trim();
  const unwrapped = BRACKETED_IPV6.exec(trimmed)?.[1] ?? IPV4_WITH_PORT.exec(trimmed)?.[1] ?? trimmed;
  return normalizeIp(unwrapped);
}

/**
 * The address of the client that sent this request, as far as we can trust anyone to say.
 *
 * `trustedHops` is the number of proxies in front of the gateway that append the address they saw to
 * X-Forwarded-For. Everything left of what they appended was written by the client and is worthless
 * for identification, so the N-th entry from the right — what the outermost trusted proxy saw — is
 * the one to use. That only holds if the inner proxies cannot be reached except through the outer
 * ones. With 0 hops the header is ignored entirely, since any client can send it.
 *
 * Falls back to the socket address when the list is too short (the request skipped a proxy) or the
 * chosen entry is not an IP address. Returns '' when there is no socket address (closed socket).
 */
export function clientIp(
  socketAddress: string | undefined,
  xForwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  if (!Number.isSafeInteger(trustedHops) || trustedHops < 0) {
    throw new RangeError(`trustedHops must be a non-negative integer, got ${trustedHops}`);
  }
  const direct = socketAddress === undefined ? '' : (normalizeIp(socketAddress) ?? socketAddress);
  if (trustedHops === 0 || xForwardedFor === undefined) return direct;
  // Repeated header lines form one list, in order (RFC 9110 §5.3).
  const hops = (Array.isArray(xForwardedFor) ? xForwardedFor.join(',') : xForwardedFor).split(',');
  if (hops.length < trustedHops) return direct;
  return forwardedAddress(hops[hops.length - trustedHops] ?? '') ?? direct;
}

/** The eight 16-bit groups of a canonical IPv6 address (hex groups, `::` at most once). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * Whom a rate limit counts for `ip` (as clientIp returns it): an IPv4 address, or the IPv6 network
 * of its first `ipv6PrefixLength` bits (`2001:db8:1:2::/64`). An IPv6 subscriber is given a whole
 * /64 or more and may use any address in it, so counting single addresses would hand one client
 * fresh quota with every address it picks.
 */
export function rateLimitSubject(ip: string, ipv6PrefixLength: number): string {
  if (isIP(ip) !== 6) return ip;
  const masked = ipv6Groups(ip).map((group, i) => {
    const bits = Math.min(16, Math.max(0, ipv6PrefixLength - i * 16));
    return bits === 0 ? 0 : group & (0xffff << (16 - bits)) & 0xffff;
  });
  // Through normalizeIp again, so the network has one spelling (RFC 5952) whatever the address's.
  return `${normalizeIp(masked.map((group) => group.toString(16)).join(':'))}/${ipv6PrefixLength}`;
}
