/**
 * A small PNG decoder for the render tests (PNG spec, ISO/IEC 15948 / W3C
 * PNG 2nd ed.): 8-bit greyscale, RGB, grey+alpha or RGBA, not interlaced —
 * what rsvg-convert and Chromium write. IDAT chunks are joined and inflated
 * with node:zlib, then each scanline is unfiltered (None, Sub, Up, Average,
 * Paeth). Pixels come out as RGBA.
 */
import * as zlib from 'node:zlib';

export interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, row after row. */
  readonly rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per colour type (table 11.1); palette (3) is not supported. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

export function decodePng(png: Uint8Array): Image {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colorType = data[9];
      if (bitDepth !== 8 || CHANNELS[colorType] === undefined || data[12] !== 0) {
        throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}, interlace ${data[12]}`);
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    off += 12 + len;
  }
  const channels = CHANNELS[colorType];
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels] : 0;
      const b = y > 0 ? pixels[out - stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) v += paeth(a, b, c);
      else if (filter !== 0) throw new Error(`bad filter ${filter} on line ${y}`);
      pixels[out + x] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    if (channels === 1 || channels === 2) {
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = pixels[p];
      rgba[i * 4 + 3] = channels === 2 ? pixels[p + 1] : 255;
    } else {
      rgba[i * 4] = pixels[p];
      rgba[i * 4 + 1] = pixels[p + 1];
      rgba[i * 4 + 2] = pixels[p + 2];
      rgba[i * 4 + 3] = channels === 4 ? pixels[p + 3] : 255;
    }
  }
  return { width, height, rgba };
}

export interface Region {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** `#rrggbb` → [r, g, b]. */
export function hexRgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Pixels in `region` (the whole image by default) within `tolerance` of the colour on every channel, opaque. */
export function countColor(img: Image, hex: string, tolerance = 8, region?: Region): number {
  const [r, g, b] = hexRgb(hex);
  const x0 = Math.max(0, Math.floor(region?.x ?? 0));
  const y0 = Math.max(0, Math.floor(region?.y ?? 0));
  const x1 = Math.min(img.width, Math.ceil(region ? region.x + region.w : img.width));
  const y1 = Math.min(img.height, Math.ceil(region ? region.y + region.h : img.height));
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      if (
        img.rgba[i + 3] >= 250 &&
        Math.abs(img.rgba[i] - r) <= tolerance &&
        Math.abs(img.rgba[i + 1] - g) <= tolerance &&
        Math.abs(img.rgba[i + 2] - b) <= tolerance
      ) {
        n++;
      }
    }
  }
  return n;
}

/** Distinct RGBA values in the image, and pixels that are not the background colour. */
export function pixelStats(img: Image, background = '#ffffff'): { distinct: number; nonBackground: number } {
  const seen = new Set<number>();
  const [r, g, b] = hexRgb(background);
  let nonBackground = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const p = i * 4;
    seen.add(((img.rgba[p] << 24) | (img.rgba[p + 1] << 16) | (img.rgba[p + 2] << 8) | img.rgba[p + 3]) >>> 0);
    if (img.rgba[p] !== r || img.rgba[p + 1] !== g || img.rgba[p + 2] !== b || img.rgba[p + 3] !== 255) nonBackground++;
  }
  return { distinct: seen.size, nonBackground };
}
