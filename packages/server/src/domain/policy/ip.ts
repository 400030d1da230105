/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress condition operators.
 *
 * Addresses are held as eight 16-bit groups (IPv4 as the last two groups with `v4: true`), so one
 * prefix comparison serves both families. An IPv4-mapped IPv6 request address (`::ffff:10.0.0.1`,
 * which Node reports for IPv4 clients on a dual-stack socket) matches IPv4 blocks as its IPv4 form
 * and IPv6 blocks as itself.
 */

export interface IpAddress {
  readonly v4: boolean;
  /** Eight 16-bit groups; an IPv4 address occupies groups 6 and 7. */
  readonly groups: Uint16Array;
}

export interface CidrBlock {
  readonly v4: boolean;
  readonly groups: Uint16Array;
  /** Prefix length in bits within the family (0–32 for IPv4, 0–128 for IPv6). */
  readonly prefix: number;
  /** The block as written, normalized (`10.0.0.1` → `10.0.0.1/32`). */
  readonly text: string;
}

const v4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4Octets(text: string): number[] | undefined {
  const match = v4Pattern.exec(text);
  if (!match) return undefined;
  const octets: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = match[i] as string;
    if (part.length > 1 && part.startsWith("0")) return undefined; // 010 is ambiguous (octal); AWS rejects it
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

function parseV6Groups(text: string): Uint16Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let body = text;
  const tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits.
  const lastColon = body.lastIndexOf(":");
  if (lastColon !== -1 && body.indexOf(".", lastColon) !== -1) {
    const octets = parseV4Octets(body.slice(lastColon + 1));
    if (!octets) return undefined;
    tail.push(
      ((octets[0] as number) << 8) | (octets[1] as number),
      ((octets[2] as number) << 8) | (octets[3] as number),
    );
    // Keep a "::" that ends right before the IPv4 part; drop a single separating ":".
    const head = body.slice(0, lastColon + 1);
    body = head.endsWith("::") ? head : head.slice(0, -1);
  }
  const doubleColon = body.indexOf("::");
  if (doubleColon !== -1 && body.indexOf("::", doubleColon + 1) !== -1) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const group of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(Number.parseInt(group, 16));
    }
    return groups;
  };
  let groups: number[];
  if (doubleColon === -1) {
    const all = parseGroups(body);
    if (!all) return undefined;
    groups = [...all, ...tail];
    if (groups.length !== 8) return undefined;
  } else {
    const head = parseGroups(body.slice(0, doubleColon));
    const rest = parseGroups(body.slice(doubleColon + 2));
    if (!head || !rest) return undefined;
    const known = head.length + rest.length + tail.length;
    if (known > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  }
  return Uint16Array.from(groups);
}

/** Parses an IPv4 or IPv6 address (an IPv6 zone such as `%eth0` is ignored). */
export function parseIp(text: string): IpAddress | undefined {
  const octets = parseV4Octets(text);
  if (octets) {
    const groups = new Uint16Array(8);
    groups[6] = ((octets[0] as number) << 8) | (octets[1] as number);
    groups[7] = ((octets[2] as number) << 8) | (octets[3] as number);
    return { v4: true, groups };
  }
  const zone = text.indexOf("%");
  const groups = parseV6Groups(zone === -1 ? text : text.slice(0, zone));
  return groups ? { v4: false, groups } : undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), if it is one. */
export function unmapV4(address: IpAddress): IpAddress | undefined {
  if (address.v4) return address;
  const g = address.groups;
  for (let i = 0; i < 5; i++) if (g[i] !== 0) return undefined;
  if (g[5] !== 0xffff) return undefined;
  return { v4: true, groups: Uint16Array.of(0, 0, 0, 0, 0, 0, g[6] as number, g[7] as number) };
}

/** Parses `address/prefix` or a bare address (a host block: /32 or /128). Host bits are masked off. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  if (addressText.includes("%")) return undefined;
  const address = parseIp(addressText);
  if (!address) return undefined;
  const max = address.v4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  const groups = Uint16Array.from(address.groups);
  const bits = address.v4 ? prefix + 96 : prefix;
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    groups[i] = (groups[i] as number) & ((0xffff << (16 - keep)) & 0xffff);
  }
  return { v4: address.v4, groups, prefix, text: `${formatGroups(address.v4, groups)}/${prefix}` };
}

function formatGroups(v4: boolean, groups: Uint16Array): string {
  if (v4) {
    const hi = groups[6] as number;
    const lo = groups[7] as number;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return Array.from(groups, (g) => g.toString(16)).join(":");
}

/** True when the block contains the address (same family; IPv4-mapped IPv6 counts as IPv4 too). */
export function cidrContains(block: CidrBlock, address: IpAddress): boolean {
  let candidate: IpAddress | undefined = address;
  if (block.v4 !== address.v4) {
    candidate = block.v4 ? unmapV4(address) : undefined;
    if (!candidate) return false;
  }
  const bits = block.v4 ? block.prefix + 96 : block.prefix;
  const a = candidate.groups;
  const b = block.groups;
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    if (keep === 0) return true;
    const mask = (0xffff << (16 - keep)) & 0xffff;
    if (((a[i] as number) & mask) !== (b[i] as number)) return false;
  }
  return true;
}

/** Compiles blocks into a matcher over request address text (unparsable text matches nothing). */
export function compileCidrSet(blocks: readonly CidrBlock[]): (addressText: string) => boolean {
  return (addressText) => {
    const address = parseIp(addressText);
    if (!address) return false;
    for (const block of blocks) if (cidrContains(block, address)) return true;
    return false;
  };
}
