/**
 * The options of the synthetic captures kept in the repository, in one place:
 * `scripts/make-fixtures.mjs` writes them (`npm run fixtures`) and
 * test/synth checks that the committed files are exactly what these options
 * generate.
 */
import type { WebTrafficOptions } from './web-traffic.js';

/**
 * `fixtures/web-small.pcap`: one minute of a small web server in the style of
 * the paper's 1998 traces — header-only frames (snaplen 68), port 80, mostly
 * one request per connection (HTTP/1.0-like, the server closing), small
 * objects — about 230 connections in under 300 KB. A few connections end by
 * RST, are left unfinished or never get past their SYN, and a fifth are IPv6,
 * so every code path of a replay has something to do.
 */
export const WEB_SMALL_OPTIONS: Readonly<WebTrafficOptions> = Object.freeze({
  seed: 1,
  durationSec: 60,
  connectionRate: 3.5,
  ipv6Fraction: 0.2,
  snaplen: 68,
  servers: ['192.0.2.80', '192.0.2.81', '2001:db8::80'],
  serverPorts: [80],
  model: {
    requestsMean: 1.3,
    responseMedianBytes: 2_000,
    responseTailFraction: 0.05,
    responseMaxBytes: 2_000_000,
    serverCloseFraction: 0.6,
    keepAliveTimeoutFraction: 0.1,
    rstFraction: 0.04,
    unfinishedFraction: 0.03,
    synOnlyFraction: 0.02,
  },
});

/** Path of the fixture, relative to the repository root. */
export const WEB_SMALL_PATH = 'fixtures/web-small.pcap';
