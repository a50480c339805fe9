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

  it('is MurmurHash3 (x86, 32-bit, seed 0x9747b28c) over the key words as little-endian bytes: 4 words for IPv4, 10 for IPv6', () => {
    const k = new FlowKey();
    setFlowKeyFromPacket(k, packet([0x0a000001], 40000, [0xc0000201], 443));
    expect(k.hash).toBe(murmur3Reference(words([0x0a000001, 0xc0000201, (40000 << 16) | 443, (4 << 8) | 6]), 0x9747b28c));
    const a6 = [0x20010db8, 0, 0, 1];
    const b6 = [0x20010db8, 0, 0, 0xffff0002];
    setFlowKeyFromPacket(k, packet(b6, 80, a6, 50000, 6));
    expect(k.srcIsA).toBe(false);
    expect(k.hash).toBe(murmur3Reference(words([...a6, ...b6, (50000 << 16) | 80, (6 << 8) | 6]), 0x9747b28c));
  });
});

/** The 32-bit words as little-endian bytes, as MurmurHash3 reads its input. */
function words(ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const view = new DataView(out.buffer);
  ws.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** MurmurHash3_x86_32, written from the reference (smhasher MurmurHash3.cpp), as a signed int. */
function murmur3Reference(data: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let h = seed >>> 0;
  const blocks = data.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // No tail: the inputs here are whole words.
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

