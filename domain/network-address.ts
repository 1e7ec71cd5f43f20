/**
 * Which hosts an outbound webhook may reach: IP addresses classified by range (IPv4, IPv6 and
 * IPv4 inside IPv6), and host names that only mean something inside a network. Pure: the
 * addresses are parsed here, the resolving and connecting happen in activities/webhook-targets.ts.
 */

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved';

const DESCRIPTIONS: Record<Exclude<AddressClass, 'public'>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
};

/** The four bytes of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

/** The sixteen bytes of an IPv6 address (with `::`, an IPv4 tail or a `%zone`), or undefined. */
export function parseIPv6(input: string): number[] | undefined {
  const s = input.replace(/%[^%]*$/, '');
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail only at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    words = head;
  }
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** 4 or 6 for an IP address (IPv6 with or without brackets), 0 for anything else. */
export function ipVersion(s: string): 0 | 4 | 6 {
  if (parseIPv4(s)) return 4;
  if (parseIPv6(unbracket(s))) return 6;
  return 0;
}

const unbracket = (s: string) => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);

function classifyIPv4(b: number[]): AddressClass {
  const [a, b1, c] = b as [number, number, number, number];
  if (b.every((x) => x === 255)) return 'broadcast';
  if (a === 0) return b.every((x) => x === 0) ? 'unspecified' : 'reserved'; // 0/8: "this network"
  if (a === 10) return 'private';
  if (a === 127) return 'loopback';
  if (a === 100 && (b1 & 0xc0) === 64) return 'shared'; // 100.64/10
  if (a === 169 && b1 === 254) return 'link-local'; // incl. 169.254.169.254, cloud metadata
  if (a === 172 && (b1 & 0xf0) === 16) return 'private'; // 172.16/12
  if (a === 192 && b1 === 168) return 'private';
  if (a === 192 && b1 === 0 && c === 0) return 'reserved'; // IETF protocol assignments
  if (a === 192 && b1 === 0 && c === 2) return 'documentation';
  if (a === 192 && b1 === 88 && c === 99) return 'reserved'; // 6to4 relay anycast (deprecated)
  if (a === 198 && (b1 & 0xfe) === 18) return 'reserved'; // 198.18/15 benchmarking
  if (a === 198 && b1 === 51 && c === 100) return 'documentation';
  if (a === 203 && b1 === 0 && c === 113) return 'documentation';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  return 'public';
}

function classifyIPv6(b: number[]): AddressClass {
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  const v4 = (from: number) => classifyIPv4(b.slice(from, from + 4));
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && b[15] === 1) return 'loopback';
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return v4(12); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeroUpTo(12)) return 'reserved'; // ::a.b.c.d, IPv4-compatible (deprecated)
  const w = (i: number) => (b[2 * i]! << 8) | b[2 * i + 1]!;
  if (w(0) === 0x64 && w(1) === 0xff9b && [2, 3, 4, 5].every((i) => w(i) === 0)) return v4(12); // NAT64
  if (w(0) === 0x64 && w(1) === 0xff9b && w(2) === 1) return 'private'; // local-use NAT64
  if (w(0) === 0x2002) return v4(2); // 6to4 carries an IPv4 address
  if (w(0) === 0x2001 && w(1) === 0x0db8) return 'documentation';
  if (w(0) === 0x3fff && w(1) < 0x1000) return 'documentation'; // 3fff::/20
  if (w(0) === 0x2001 && w(1) < 0x200) return 'reserved'; // 2001::/23 IETF protocol assignments (Teredo …)
  if ((b[0]! & 0xfe) === 0xfc) return 'unique-local'; // fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'private'; // fec0::/10 site-local (deprecated)
  if (b[0] === 0xff) return 'multicast';
  if ((b[0]! & 0xe0) !== 0x20) return 'reserved'; // outside 2000::/3, global unicast
  return 'public';
}

/** The range an IP address is in; undefined when it is not an IP address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const v4 = parseIPv4(address);
  if (v4) return classifyIPv4(v4);
  const v6 = parseIPv6(unbracket(address));
  return v6 ? classifyIPv6(v6) : undefined;
}

/** Why a webhook may not be sent to this address ("a loopback address"), or undefined when it is public. */
export function addressRefusal(address: string): string | undefined {
  const kind = classifyAddress(address);
  if (kind === undefined) return 'not an IP address';
  return kind === 'public' ? undefined : DESCRIPTIONS[kind];
}

/** Top-level names (and suffixes) that only resolve inside a network. */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'home.arpa', 'lan', 'intranet', 'corp'];

/**
 * Why a URL's host (as `new URL(…).hostname` gives it) is not a webhook target by its look alone,
 * or undefined: internal names are refused, and IP literals by their range. A public-looking name
 * still has to resolve to public addresses.
 */
export function hostRefusal(hostname: string): string | undefined {
  const host = unbracket(hostname.toLowerCase()).replace(/\.+$/, '');
  if (host === '') return 'no host';
  if (ipVersion(host)) return addressRefusal(host);
  const suffix = INTERNAL_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return `an internal host name (${host === suffix ? suffix : `.${suffix}`})`;
  if (!host.includes('.')) return 'a single-label (internal) host name';
  return undefined;
}
