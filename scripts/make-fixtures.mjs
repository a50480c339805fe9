#!/usr/bin/env node
// Writes the synthetic captures kept in fixtures/ from the compiled library
// (run through `npm run fixtures`, which builds first). Deterministic: the
// same options give the same bytes on any machine, and test/synth checks the
// committed files against them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWebTrafficFile } from '../dist/synth/web-traffic.js';
import { WEB_SMALL_OPTIONS, WEB_SMALL_PATH } from '../dist/synth/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, WEB_SMALL_PATH);
const stats = writeWebTrafficFile(out, WEB_SMALL_OPTIONS);
const ends = Object.entries(stats.ends)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ');
console.log(
  `${WEB_SMALL_PATH}: ${stats.fileBytes} bytes, ${stats.packets} packets, ` +
    `${stats.connections} connections (${stats.connectionsIpv6} IPv6; ${ends})`,
);
