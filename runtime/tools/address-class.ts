import { isIPv4, isIPv6 } from 'node:net';

/**
 * Why an address is not an ordinary public one. `loopback` and `private` can be opened up per tool
 * (allow_localhost, allow_private_network); the others never are.
 */
export type AddressClass =
  | 'loopback'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'cloud metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

interface Range {
  bytes: number[];
  prefixBits: number;
  addressClass: AddressClass;
}

// Most specific first: the metadata addresses sit inside link-local, CGNAT and ULA ranges and
// must win over them, because allow_private_network must never open a cloud's credential service.
const ipv4Ranges: Range[] = [
  { bytes: [169, 254, 169, 254], prefixBits: 32, addressClass: 'cloud metadata' },
  { bytes: [169, 254, 170, 2], prefixBits: 32, addressClass: 'cloud metadata' }, // AWS ECS task metadata
  { bytes: [100, 100, 100, 200], prefixBits: 32, addressClass: 'cloud metadata' }, // Alibaba Cloud
  { bytes: [255, 255, 255, 255], prefixBits: 32, addressClass: 'broadcast' },
  { bytes: [0, 0, 0, 0], prefixBits: 8, addressClass: 'unspecified' },
  { bytes: [127, 0, 0, 0], prefixBits: 8, addressClass: 'loopback' },
  { bytes: [10, 0, 0, 0], prefixBits: 8, addressClass: 'private' },
  { bytes: [172, 16, 0, 0], prefixBits: 12, addressClass: 'private' },
  { bytes: [192, 168, 0, 0], prefixBits: 16, addressClass: 'private' },
  { bytes: [100, 64, 0, 0], prefixBits: 10, addressClass: 'carrier-grade NAT' },
  { bytes: [169, 254, 0, 0], prefixBits: 16, addressClass: 'link-local' },
  { bytes: [192, 0, 0, 0], prefixBits: 24, addressClass: 'reserved' }, // IETF protocol assignments
  { bytes: [198, 18, 0, 0], prefixBits: 15, addressClass: 'reserved' }, // benchmarking
  { bytes: [224, 0, 0, 0], prefixBits: 4, addressClass: 'multicast' },
  { bytes: [240, 0, 0, 0], prefixBits: 4, addressClass: 'reserved' },
];

const ipv6Ranges: Range[] = [
  { bytes: [0xfd, 0x00, 0x0e, 0xc2, ...zeros(10), 0x02, 0x54], prefixBits: 128, addressClass: 'cloud metadata' },
  { bytes: zeros(16), prefixBits: 128, addressClass: 'unspecified' },
  { bytes: [...zeros(15), 1], prefixBits: 128, addressClass: 'loopback' },
  { bytes: [0xfc, ...zeros(15)], prefixBits: 7, addressClass: 'private' }, // unique local fc00::/7
  { bytes: [0xfe, 0x80, ...zeros(14)], prefixBits: 10, addressClass: 'link-local' },
  { bytes: [0xfe, 0xc0, ...zeros(14)], prefixBits: 10, addressClass: 'reserved' }, // deprecated site-local
  { bytes: [0xff, ...zeros(15)], prefixBits: 8, addressClass: 'multicast' },
];

/**
 * Classifies an IP address (v4 or v6, without brackets). Returns undefined for an ordinary public
 * address, or when `address` is not an IP address at all.
 */
export function classifyAddress(address: string): AddressClass | undefined {
  if (isIPv4(address)) return matchRange(ipv4Ranges, parseIpv4(address));
  if (!isIPv6(address)) return undefined;
  const bytes = parseIpv6(address);
  const embeddedIpv4 = embeddedIpv4Of(bytes);
  if (embeddedIpv4) return matchRange(ipv4Ranges, embeddedIpv4);
  return matchRange(ipv6Ranges, bytes);
}

/**
 * IPv6 forms that carry an IPv4 address and can reach it: IPv4-mapped (::ffff:a.b.c.d), the
 * deprecated IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96). They are judged by that address.
 */
function embeddedIpv4Of(bytes: number[]): number[] | undefined {
  const head = bytes.slice(0, 12);
  const isMapped = head.slice(0, 10).every((b) => b === 0) && head[10] === 0xff && head[11] === 0xff;
  const isCompatible = head.every((b) => b === 0) && bytes.slice(12).some((b, i) => b !== 0 && (i < 3 || b > 1));
  const isNat64 = [0x00, 0x64, 0xff, 0x9b, ...zeros(8)].every((b, i) => head[i] === b);
  return isMapped || isCompatible || isNat64 ? bytes.slice(12) : undefined;
}

function matchRange(ranges: Range[], bytes: number[]): AddressClass | undefined {
  return ranges.find((range) => hasPrefix(bytes, range.bytes, range.prefixBits))?.addressClass;
}

function hasPrefix(bytes: number[], prefix: number[], prefixBits: number): boolean {
  for (let bit = 0; bit < prefixBits; bit += 8) {
    const remaining = Math.min(8, prefixBits - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIpv4(address: string): number[] {
  return address.split('.').map(Number);
}

/** Expands a valid IPv6 address (as `isIPv6` accepts it, zone id allowed) to its 16 bytes. */
function parseIpv6(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const tailIpv4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tailIpv4) {
    const [a = 0, b = 0, c = 0, d = 0] = parseIpv4(tailIpv4);
    text = `${text.slice(0, -tailIpv4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [headText = '', tailText] = text.split('::');
  const head = groupsOf(headText);
  const tail = tailText === undefined ? [] : groupsOf(tailText);
  const groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

function groupsOf(text: string): number[] {
  return text === '' ? [] : text.split(':').map((group) => Number.parseInt(group, 16));
}

function zeros(count: number): number[] {
  return Array<number>(count).fill(0);
}
