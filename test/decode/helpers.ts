/**
 * Test helpers for the decoder: commented hex fixtures and a decode that
 * returns a plain snapshot of the reused DecodedPacket.
 */
import { decodePacket } from '../../src/decode/decoder.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { SKIP_REASON_NAMES } from '../../src/decode/skip-reasons.js';
import type { BuiltFrame } from '../../src/synth/frames.js';

/**
 * Bytes from commented hex: `#` starts a comment to the end of the line,
 * whitespace is ignored. Usable as a tag (interpolating other fixtures) or a
 * function.
 */
export function hex(strings: TemplateStringsArray | string, ...values: string[]): Uint8Array {
  const text =
    typeof strings === 'string' ? strings : strings.reduce((acc, s, i) => acc + s + (i < values.length ? values[i] : ''), '');
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export interface Decoded {
  skip: string;
  ipVersion: number;
  ipProto: number;
  src: number[];
  dst: number[];
  isTcp: boolean;
  isUdp: boolean;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  seq: number;
  ack: number;
  payloadLength: number;
  tso: boolean;
}

const shared = new DecodedPacket();

/** Decodes with the one shared DecodedPacket and copies the result out. */
export function decode(linkType: number, data: Uint8Array, originalLength = data.length, start = 0): Decoded {
  decodePacket(linkType, data, start, data.length - start, originalLength, shared);
  return snapshot(shared);
}

export function decodeFrame(frame: BuiltFrame): Decoded {
  return decode(frame.linkType, frame.data, frame.originalLength);
}

export function snapshot(p: DecodedPacket): Decoded {
  return {
    skip: SKIP_REASON_NAMES[p.skip],
    ipVersion: p.ipVersion,
    ipProto: p.ipProto,
    src: [...p.src],
    dst: [...p.dst],
    isTcp: p.isTcp,
    isUdp: p.isUdp,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    tcpFlags: p.tcpFlags,
    seq: p.seq,
    ack: p.ack,
    payloadLength: p.payloadLength,
    tso: p.tso,
  };
}
