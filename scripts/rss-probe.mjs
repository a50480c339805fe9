/**
 * Preloaded with `node --import <this file>` by the hostile-capture tests and
 * scripts (issue 8 item 7): when the process exits, writes its peak resident
 * set size in bytes (getrusage ru_maxrss) to the file named by
 * ANYCAST_RSS_FILE. Needs no external tool such as /usr/bin/time.
 */
import fs from 'node:fs';

const target = process.env.ANYCAST_RSS_FILE;
if (target) {
  process.on('exit', () => {
    fs.writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
