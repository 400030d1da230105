import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cidrContains, parseCidr, parseIp, unmapV4 } from "./ip.js";

describe("IP addresses and CIDR blocks", () => {
  it("parses IPv4 and IPv6 forms", () => {
    assert.deepEqual(parseIp("192.0.2.1")?.groups, Uint16Array.of(0, 0, 0, 0, 0, 0, 0xc000, 0x0201));
    assert.deepEqual(parseIp("2001:db8::1")?.groups, Uint16Array.of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
    assert.deepEqual(parseIp("::")?.groups, new Uint16Array(8));
    assert.deepEqual(parseIp("1::")?.groups, Uint16Array.of(1, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(
      parseIp("::ffff:1.2.3.4")?.groups,
      Uint16Array.of(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304),
    );
    assert.deepEqual(parseIp("::1.2.3.4")?.groups, Uint16Array.of(0, 0, 0, 0, 0, 0, 0x0102, 0x0304));
    assert.deepEqual(
      parseIp("1:2:3:4:5:6:7.8.9.10")?.groups,
      Uint16Array.of(1, 2, 3, 4, 5, 6, 0x0708, 0x090a),
    );
    assert.deepEqual(parseIp("fe80::1%eth0")?.groups, Uint16Array.of(0xfe80, 0, 0, 0, 0, 0, 0, 1));
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.1.1.1",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::1",
      ":1",
      "1:2:3:4:5:6:7::8:9",
      "::ffff:1.2.3",
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it("parses blocks, masks host bits and normalizes the text", () => {
    assert.equal(parseCidr("10.1.2.3/8")?.text, "10.0.0.0/8");
    assert.equal(parseCidr("192.0.2.1")?.text, "192.0.2.1/32");
    assert.equal(parseCidr("2001:db8::1/32")?.text, "2001:db8:0:0:0:0:0:0/32");
    assert.equal(parseCidr("::1")?.prefix, 128);
    for (const bad of [
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "10.0.0.0/-1",
      "10.0.0.0/8/8",
      "fe80::1%eth0/64",
      "x/8",
    ]) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  it("IPv4 containment agrees with integer arithmetic", () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const toInt = ([a, b, c, d]: [number, number, number, number]) =>
      ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), octets, (network, prefix, address) => {
        const block = parseCidr(`${network.join(".")}/${prefix}`);
        const ip = parseIp(address.join("."));
        assert.ok(block && ip);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const expected = (toInt(network) & mask) >>> 0 === (toInt(address) & mask) >>> 0;
        assert.equal(cidrContains(block, ip), expected);
        const mapped = parseIp(`::ffff:${address.join(".")}`);
        assert.ok(mapped);
        assert.equal(cidrContains(block, mapped), expected, "IPv4-mapped form");
        assert.deepEqual(unmapV4(mapped)?.groups, ip.groups);
      }),
    );
  });

  it("IPv6 containment agrees with BigInt arithmetic", () => {
    const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
    const toBig = (g: number[]) => g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);
    fc.assert(
      fc.property(groups, fc.integer({ min: 0, max: 128 }), groups, (network, prefix, address) => {
        const block = parseCidr(`${network.map((g) => g.toString(16)).join(":")}/${prefix}`);
        const ip = parseIp(address.map((g) => g.toString(16)).join(":"));
        assert.ok(block && ip);
        const shift = BigInt(128 - prefix);
        const expected = toBig(network) >> shift === toBig(address) >> shift;
        assert.equal(cidrContains(block, ip), expected);
      }),
    );
  });
});
