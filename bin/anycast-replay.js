#!/usr/bin/env node
// Thin shim: the CLI lives in src/cli/main.ts, compiled to dist/ by `npm run build`
// (a clone builds it once; the published package ships it).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    process.stderr.write("anycast-replay: the compiled code (dist/) is missing: run 'npm run build' in the clone first\n");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
