import { describe, expect, it } from 'vitest';
import {
  addressRefusal,
  classifyAddress,
  hostRefusal,
  parseIPv4,
  parseIPv6,
  type AddressClass,
} from '../../domain/network-address.js';
import { guardedLookup, webhookUrlRefusal, type HostResolver } from '../../activities/webhook-targets.js';

describe('parsing addresses', () => {
  it('reads dotted quads and nothing else', () => {
    expect(parseIPv4('192.168.1.20')).toEqual([192, 168, 1, 20]);
    expect(parseIPv4('0.0.0.0')).toEqual([0, 0, 0, 0]);
    for (const s of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.x', '', '1..2.3', ' 1.2.3.4', '1.2.3.4444']) {
      expect(parseIPv4(s), s).toBeUndefined();
    }
  });

  it('reads IPv6 with ::, an IPv4 tail and a zone', () => {
    expect(parseIPv6('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIPv6('::')).toEqual(new Array(16).fill(0));
    expect(parseIPv6('2001:db8::ff00:42:8329')).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29,
    ]);
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toHaveLength(16);
    for (const s of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      'g::',
      '1.2.3.4',
      'example.com',
      '::1.2.3',
    ]) {
      expect(parseIPv6(s), s).toBeUndefined();
    }
  });
});

describe('classifying addresses', () => {
  const cases: [string, AddressClass][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['192.169.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['1.1.1.1', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fe80::1%lo0', 'link-local'],
    ['fec0::1', 'private'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:0808:0808::1', 'public'],
    ['2001::1', 'reserved'], // Teredo
    ['100::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:82a::200e', 'public'],
  ];
  it.each(cases)('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
    expect(addressRefusal(address) === undefined).toBe(kind === 'public');
  });

  it('says what a refused address is', () => {
    expect(addressRefusal('169.254.169.254')).toBe('a link-local address');
    expect(addressRefusal('::1')).toBe('a loopback address');
    expect(addressRefusal('shop.example')).toBe('not an IP address');
    expect(classifyAddress('shop.example')).toBeUndefined();
  });
});

describe('host names', () => {
  it('refuses internal names and non-public literals', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'localhost.',
      'api.localhost',
      'printer.local',
      'metadata.google.internal',
      'db.internal.',
      'nas.home.arpa',
      'router.lan',
      'intranet',
      'instance-data',
      '127.0.0.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[fe80::1]',
      '10.0.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '',
    ]) {
      expect(hostRefusal(host), host).toBeDefined();
    }
    expect(hostRefusal('localhost')).toBe('an internal host name (localhost)');
    expect(hostRefusal('a.local')).toBe('an internal host name (.local)');
    expect(hostRefusal('intranet')).toBe('an internal host name (intranet)');
    expect(hostRefusal('webhooks')).toBe('a single-label (internal) host name');
  });

  it('lets public-looking names and public literals through (names still have to resolve publicly)', () => {
    for (const host of [
      'shop.example',
      'hooks.shop.example.com',
      'localhost.example.com',
      'local.shop.se',
      '8.8.8.8',
      '[2606:4700:4700::1111]',
    ]) {
      expect(hostRefusal(host), host).toBeUndefined();
    }
  });
});

describe('webhookUrlRefusal', () => {
  const resolver =
    (table: Record<string, string[]>): HostResolver =>
    async (host) => {
      const addresses = table[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
  const dns = resolver({
    'hooks.shop.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'sneaky.example': ['127.0.0.1'],
    'half.example': ['93.184.216.34', '10.0.0.7'],
    'v6.example': ['::1'],
    'mapped.example': ['::ffff:169.254.169.254'],
    'empty.example': [],
  });

  it('accepts a URL whose name resolves only to public addresses', async () => {
    expect(await webhookUrlRefusal('https://hooks.shop.example/returns', dns)).toBeUndefined();
    expect(await webhookUrlRefusal('http://hooks.shop.example:8080/returns', dns)).toBeUndefined();
    expect(await webhookUrlRefusal('https://93.184.216.34/x', dns)).toBeUndefined();
  });

  it('refuses literals, internal names and names resolving to any non-public address', async () => {
    expect(await webhookUrlRefusal('http://127.0.0.1/x', dns)).toBe('the host is a loopback address');
    expect(await webhookUrlRefusal('http://169.254.169.254/latest/meta-data', dns)).toBe(
      'the host is a link-local address',
    );
    expect(await webhookUrlRefusal('http://[::1]/', dns)).toBe('the host is a loopback address');
    expect(await webhookUrlRefusal('http://2130706433/', dns)).toBe('the host is a loopback address'); // 127.0.0.1
    expect(await webhookUrlRefusal('http://0x7f.1/', dns)).toBe('the host is a loopback address');
    expect(await webhookUrlRefusal('http://localhost:8080/', dns)).toBe(
      'the host is an internal host name (localhost)',
    );
    expect(await webhookUrlRefusal('http://sneaky.example/', dns)).toBe(
      'the host sneaky.example resolves to 127.0.0.1, a loopback address',
    );
    expect(await webhookUrlRefusal('http://half.example/', dns)).toBe(
      'the host half.example resolves to 10.0.0.7, a private address',
    );
    expect(await webhookUrlRefusal('http://v6.example/', dns)).toMatch(/loopback/);
    expect(await webhookUrlRefusal('http://mapped.example/', dns)).toMatch(/link-local/);
    expect(await webhookUrlRefusal('http://nowhere.example/', dns)).toBe(
      'the host nowhere.example does not resolve (ENOTFOUND)',
    );
    expect(await webhookUrlRefusal('http://empty.example/', dns)).toBe('the host empty.example does not resolve');
    expect(await webhookUrlRefusal('ftp://hooks.shop.example/', dns)).toBe('must be an http or https URL');
    expect(await webhookUrlRefusal('not a url', dns)).toBe('must be an http or https URL');
  });
});

describe('guardedLookup', () => {
  const lookup = (resolve: HostResolver, hostname: string, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) =>
      guardedLookup(resolve)(hostname, options, (err, address, family) => done({ err, address, family })),
    );
  const fixed =
    (...addresses: string[]): HostResolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('hands the checked addresses to the socket', async () => {
    expect(await lookup(fixed('93.184.216.34'), 'a.example', {})).toMatchObject({
      err: null,
      address: '93.184.216.34',
      family: 4,
    });
    const all = await lookup(fixed('93.184.216.34', '2606:2800:220:1::1'), 'a.example', { all: true });
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect((await lookup(fixed('93.184.216.34', '2606:2800:220:1::1'), 'a.example', { family: 6 })).address).toBe(
      '2606:2800:220:1::1',
    );
  });

  it('refuses the connection when any address is not public', async () => {
    const res = await lookup(fixed('93.184.216.34', '127.0.0.1'), 'rebound.example', { all: true });
    expect(res.err?.name).toBe('RefusedTargetError');
    expect(res.err?.message).toBe('rebound.example resolves to 127.0.0.1, a loopback address');
  });

  it('passes resolution errors on', async () => {
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND x.example'), { code: 'ENOTFOUND' });
    };
    expect((await lookup(failing, 'x.example', {})).err?.code).toBe('ENOTFOUND');
  });
});
