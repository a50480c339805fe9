/** Test helper: a connection's endpoints from address text (IPv4 dotted quad or IPv6 with ::). */
import { createEndpoints, type Endpoints } from '../../src/dispatch/policy.js';

/** An address as four 32-bit words in network order (IPv4 in word 0). */
export function addressWords(text: string): { version: 4 | 6; words: Uint32Array } {
  const words = new Uint32Array(4);
  if (!text.includes(':')) {
    const parts = text.split('.').map(Number);
    words[0] = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
    return { version: 4, words };
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g, 16));
  for (let w = 0; w < 4; w++) words[w] = groups[2 * w] * 65536 + groups[2 * w + 1];
  return { version: 6, words };
}

/** Endpoints of a connection from client to server. */
export function endpoints(client: string, clientPort: number, server: string, serverPort: number): Endpoints {
  const ep = createEndpoints();
  const c = addressWords(client);
  const s = addressWords(server);
  ep.ipVersion = c.version;
  ep.clientAddr.set(c.words);
  ep.serverAddr.set(s.words);
  ep.clientPort = clientPort;
  ep.serverPort = serverPort;
  return ep;
}
