import { describe, expect, it } from 'vitest';
import { DecodedPacket, IPPROTO_TCP } from '../../src/decode/packet.js';
import { FlowKey, compareEndpoints, hashFlowKey, setFlowKeyFromPacket } from '../../src/flows/key.js';

function packet(src: number[], srcPort: number, dst: number[], dstPort: number, version = 4): DecodedPacket {
  const p = new DecodedPacket();
  p.ipVersion = version;
  p.ipProto = IPPROTO_TCP;
  p.src.set(src);
  p.dst.set(dst);
  p.srcPort = srcPort;
  p.dstPort = dstPort;
  return p;
}

function snapshot(k: FlowKey): unknown {
  return [k.ipVersion, k.proto, [...k.aAddr], k.aPort, [...k.bAddr], k.bPort, k.hash];
}

describe('FlowKey', () => {
  it('both directions give the same canonical key and hash; srcIsA tells them apart', () => {
    const k1 = new FlowKey();
    const k2 = new FlowKey();
    setFlowKeyFromPacket(k1, packet([0x0a000002], 80, [0x0a000001], 40000));
    setFlowKeyFromPacket(k2, packet([0x0a000001], 40000, [0x0a000002], 80));
    expect(snapshot(k1)).toEqual(snapshot(k2));
    // A is the smaller address: 10.0.0.1.
    expect(k1.aAddr[0]).toBe(0x0a000001);
    expect(k1.aPort).toBe(40000);
    expect(k1.srcIsA).toBe(false);
    expect(k2.srcIsA).toBe(true);
  });

  it('compares address words as unsigned, word 0 first, then the port', () => {
    const hi = new Uint32Array([0xc0000201, 0, 0, 0]);
    const lo = new Uint32Array([0x0a000001, 0, 0, 0]);
    expect(compareEndpoints(lo, 9, hi, 1)).toBeLessThan(0);
    expect(compareEndpoints(hi, 1, lo, 9)).toBeGreaterThan(0);
    expect(compareEndpoints(lo, 1, lo, 2)).toBeLessThan(0);
    expect(compareEndpoints(lo, 2, lo, 2)).toBe(0);
    const v6a = new Uint32Array([0x20010db8, 0, 0, 1]);
    const v6b = new Uint32Array([0x20010db8, 0, 0, 2]);
    expect(compareEndpoints(v6a, 65535, v6b, 0)).toBeLessThan(0);
  });

  it('same endpoints with another port, version or protocol hash differently', () => {
    const k = new FlowKey();
    setFlowKeyFromPacket(k, packet([0x0a000001], 40000, [0x0a000002], 80));
    const h = k.hash;
    setFlowKeyFromPacket(k, packet([0x0a000001], 40001, [0x0a000002], 80));
    expect(k.hash).not.toBe(h);
    setFlowKeyFromPacket(k, packet([0x0a000001], 40000, [0x0a000002], 80, 6));
    expect(k.hash).not.toBe(h);
    k.proto = 17;
    expect(hashFlowKey(k)).not.toBe(k.hash);
    expect(h).toBe(h | 0); // a signed 32-bit integer
  });
});
