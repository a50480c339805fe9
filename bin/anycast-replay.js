#!/usr/bin/env node
// Thin shim: the CLI lives in src/cli/main.ts (compiled to dist/ by `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
