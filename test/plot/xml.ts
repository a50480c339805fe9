/**
 * A strict XML 1.0 well-formedness check for the SVG tests (XML 1.0 §2–§4,
 * the subset an SVG of ours can hold): an optional XML declaration, comments,
 * one root element, elements properly nested with matching end tags,
 * attributes quoted and not repeated, and only the five predefined entities
 * or character references in text and attribute values. No DTD, CDATA or
 * processing instructions are accepted. Returns the elements found, each with
 * its attributes, so tests can count them.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Text content directly inside it (entities resolved). */
  text: string;
  readonly parent: XmlElement | undefined;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function resolve(text: string, at: number): string {
  return text.replace(/&([^;]*);?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & at ${at}`);
    if (ENTITIES[ref] !== undefined) return ENTITIES[ref];
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (num) return String.fromCodePoint(parseInt(num[1], ref[1] === 'x' ? 16 : 10));
    throw new Error(`unknown entity &${ref}; at ${at}`);
  });
}

/** Throws with a position on the first well-formedness error; returns every element in document order. */
export function parseXml(doc: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let i = 0;
  let rootDone = false;
  for (let k = 0; k < doc.length; k++) {
    const c = doc.charCodeAt(k);
    if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) throw new Error(`forbidden character U+${c.toString(16)} at ${k}`);
  }
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0 || !/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z0-9._-]+")?( standalone="(yes|no)")?\s*\?>$/.test(doc.slice(0, end + 2))) {
      throw new Error('bad XML declaration');
    }
    i = end + 2;
  }
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    if (text.includes('>') && text.includes(']]>')) throw new Error(`']]>' in text at ${i}`);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    } else {
      stack[stack.length - 1].text += resolve(text, i);
    }
    if (lt < 0) break;
    i = lt;
    if (doc.startsWith('<!--', i)) {
      const end = doc.indexOf('-->', i + 4);
      if (end < 0 || doc.slice(i + 4, end).includes('--')) throw new Error(`bad comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (doc.startsWith('</', i)) {
      const m = NAME.exec(doc.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (open === undefined || open.name !== m[0]) throw new Error(`end tag </${m[0]}> does not match <${open?.name}> at ${i}`);
      let j = i + 2 + m[0].length;
      while (/\s/.test(doc[j] ?? '')) j++;
      if (doc[j] !== '>') throw new Error(`bad end tag at ${i}`);
      i = j + 1;
      if (stack.length === 0) rootDone = true;
      continue;
    }
    if (doc[i + 1] === '!' || doc[i + 1] === '?') throw new Error(`unsupported markup at ${i}`);
    // Start tag or empty-element tag.
    const m = NAME.exec(doc.slice(i + 1));
    if (!m) throw new Error(`bad tag name at ${i}`);
    if (rootDone || (stack.length === 0 && elements.length > 0)) throw new Error(`second root element at ${i}`);
    let j = i + 1 + m[0].length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(j))![0].length;
      j += ws;
      if (doc[j] === '>' || doc.startsWith('/>', j)) break;
      if (ws === 0) throw new Error(`no space before an attribute at ${j}`);
      const an = NAME.exec(doc.slice(j));
      if (!an) throw new Error(`bad attribute name at ${j}`);
      j += an[0].length;
      if (doc[j] !== '=') throw new Error(`attribute without = at ${j}`);
      const quote = doc[j + 1];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute at ${j}`);
      const close = doc.indexOf(quote, j + 2);
      if (close < 0) throw new Error(`unclosed attribute at ${j}`);
      const raw = doc.slice(j + 2, close);
      if (raw.includes('<')) throw new Error(`< in an attribute value at ${j}`);
      if (Object.hasOwn(attrs, an[0])) throw new Error(`attribute ${an[0]} repeated at ${j}`);
      attrs[an[0]] = resolve(raw, j);
      j = close + 1;
    }
    const el: XmlElement = { name: m[0], attrs, text: '', parent: stack[stack.length - 1] };
    elements.push(el);
    if (doc[j] === '>') {
      stack.push(el);
      i = j + 1;
    } else {
      i = j + 2;
      if (stack.length === 0) rootDone = true;
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> not closed`);
  if (elements.length === 0) throw new Error('no root element');
  return elements;
}
