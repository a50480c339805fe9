#!/usr/bin/env node
// Phase 1 of `npm run bench`: the capture reader alone. Reads every record of
// the file with an empty handler (no decoding), so its time is the floor under
// every other phase. Prints the record count on standard error.
import { readCapture } from '../dist/reader/index.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node bench/read-only.mjs FILE');
  process.exit(2);
}
let records = 0;
const info = await readCapture(file, () => {
  records++;
});
console.error(`${records} records, ${info.bytesRead} bytes (${info.format}${info.gzip ? ', gzip' : ''})`);
