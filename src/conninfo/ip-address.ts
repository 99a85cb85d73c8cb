/**
 * Numeric IP addresses, as libpq's `hostaddr` accepts them (getaddrinfo with AI_NUMERICHOST):
 * dotted-quad IPv4 and RFC 4291 IPv6 text forms (`::` compression, an embedded IPv4 tail, an
 * optional `%zone`). Pure, so that conninfo runs without Node's `net.isIP`.
 */

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const IPV4_PARTS = 4;
const IPV6_GROUPS = 8;
/** An IPv4 tail stands for two IPv6 groups. */
const IPV4_AS_GROUPS = 2;

/** True for a dotted-quad IPv4 address (`192.0.2.1`; no leading zeros, as inet_pton requires). */
export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === IPV4_PARTS && parts.every((p) => IPV4_PART.test(p));
}

/** True for an IPv6 address in text form, with an optional `%zone`. */
export function isIpv6(s: string): boolean {
  const zone = s.indexOf('%');
  const addr = zone === -1 ? s : s.slice(0, zone);
  if (zone !== -1 && zone === s.length - 1) return false;
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] | null => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return false;
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += IPV4_AS_GROUPS - 1;
  }
  if (!all.every((g) => IPV6_GROUP.test(g))) return false;
  return halves.length === 2 ? count < IPV6_GROUPS : count === IPV6_GROUPS;
}

/** True for a numeric IPv4 or IPv6 address. */
export function isIpAddress(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}
