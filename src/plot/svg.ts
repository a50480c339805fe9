/**
 * A small SVG writer: elements as strings, one per line, attributes in the
 * order given, numbers through `fmt` (format.ts). Nothing depends on the
 * clock, the locale or chance — no dates, no random ids — so the same plot
 * gives the same bytes.
 */
import { escapeXml, fmt } from './format.js';

export type AttrValue = string | number;
export type Attrs = Readonly<Record<string, AttrValue | undefined>>;

function attrText(attrs: Attrs): string {
  let text = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === '') continue;
    text += ` ${name}="${typeof value === 'number' ? fmt(value) : escapeXml(value)}"`;
  }
  return text;
}

export class SvgBuilder {
  private readonly lines: string[] = [];
  private depth = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    title: string,
  ) {
    this.lines.push('<?xml version="1.0" encoding="UTF-8"?>');
    this.open('svg', {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${fmt(width)} ${fmt(height)}`,
      'font-family': 'sans-serif',
      'font-size': 12,
    });
    this.lines.push(`${this.indent()}<title>${escapeXml(title)}</title>`);
    // An opaque background: rsvg-convert leaves a transparent PNG otherwise.
    this.el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' });
  }

  private indent(): string {
    return '  '.repeat(this.depth);
  }

  open(tag: string, attrs: Attrs = {}): this {
    this.lines.push(`${this.indent()}<${tag}${attrText(attrs)}>`);
    this.depth++;
    return this;
  }

  close(tag: string): this {
    this.depth--;
    this.lines.push(`${this.indent()}</${tag}>`);
    return this;
  }

  /** An empty element. */
  el(tag: string, attrs: Attrs): this {
    this.lines.push(`${this.indent()}<${tag}${attrText(attrs)}/>`);
    return this;
  }

  text(x: number, y: number, content: string, attrs: Attrs = {}): this {
    this.lines.push(`${this.indent()}<text${attrText({ x, y, ...attrs })}>${escapeXml(content)}</text>`);
    return this;
  }

  line(x1: number, y1: number, x2: number, y2: number, attrs: Attrs = {}): this {
    return this.el('line', { x1, y1, x2, y2, ...attrs });
  }

  /** The whole document (closes the root). */
  finish(): string {
    this.close('svg');
    return this.lines.join('\n') + '\n';
  }
}

/**
 * Path data built point by point: `M` to start (or after a gap), then `H`/`V`
 * when a step is axis-parallel and `L` otherwise; a point equal to the last
 * one adds nothing.
 */
export class PathData {
  private d = '';
  private lastX = '';
  private lastY = '';
  private open = false;
  /** The last command ('M', 'H', 'V', 'L'), where it starts in `d`, and the point before it. */
  private lastCmd = '';
  private lastCmdAt = 0;
  private fromX = 0;
  private fromY = 0;

  move(x: number, y: number): void {
    const fx = fmt(x);
    const fy = fmt(y);
    if (this.d !== '') this.d += ' ';
    this.lastCmd = 'M';
    this.lastCmdAt = this.d.length;
    this.d += `M${fx} ${fy}`;
    this.lastX = fx;
    this.lastY = fy;
    this.open = true;
  }

  /**
   * Appends an `H` or `V`; one that goes on in the same direction as the
   * command before it replaces that one (three points on a line need two).
   */
  private straight(cmd: 'H' | 'V', from: number, to: number): void {
    const same = this.lastCmd === cmd && Math.sign(to - from) === Math.sign(from - (cmd === 'H' ? this.fromX : this.fromY));
    if (same) {
      this.d = this.d.slice(0, this.lastCmdAt);
    } else {
      if (cmd === 'H') this.fromX = from;
      else this.fromY = from;
      this.lastCmd = cmd;
      this.lastCmdAt = this.d.length;
    }
    this.d += `${cmd}${fmt(to)}`;
  }

  to(x: number, y: number): void {
    if (!this.open) {
      this.move(x, y);
      return;
    }
    const fx = fmt(x);
    const fy = fmt(y);
    if (fx === this.lastX && fy === this.lastY) return;
    if (fy === this.lastY) this.straight('H', Number(this.lastX), x);
    else if (fx === this.lastX) this.straight('V', Number(this.lastY), y);
    else {
      this.lastCmd = 'L';
      this.lastCmdAt = this.d.length;
      this.d += `L${fx} ${fy}`;
    }
    this.lastX = fx;
    this.lastY = fy;
  }

  /** Ends the current piece; the next point starts a new one with `M`. */
  gap(): void {
    this.open = false;
  }

  get empty(): boolean {
    return this.d === '';
  }

  toString(): string {
    return this.d;
  }
}
