import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/errors.js';
import { createEndpoints, type Endpoints } from '../../src/dispatch/policy.js';
import { ServiceFilter, parseService, serviceMatches } from '../../src/dispatch/service-filter.js';

function server(ipVersion: 4 | 6, words: number[], port: number): Endpoints {
  const ep = createEndpoints();
  ep.ipVersion = ipVersion;
  ep.serverAddr.set(words);
  ep.serverPort = port;
  // A client that would match, to show only the server side is looked at.
  ep.clientAddr.set([0xc0000201, 0, 0, 0]);
  ep.clientPort = 443;
  return ep;
}

function errorOf(text: string): ReplayError {
  try {
    parseService(text);
  } catch (err) {
    if (err instanceof ReplayError) return err;
    throw err;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('parseService', () => {
  it('reads IPv4 forms', () => {
    expect(parseService('192.0.2.10')).toMatchObject({ ipVersion: 4, prefixLength: 32, port: -1 });
    expect(Array.from(parseService('192.0.2.10').addr)).toEqual([0xc000020a, 0, 0, 0]);
    expect(parseService('192.0.2.0/24')).toMatchObject({ prefixLength: 24, port: -1 });
    expect(parseService('192.0.2.10:443')).toMatchObject({ prefixLength: 32, port: 443 });
    expect(parseService(' 192.0.2.0/24:80 ')).toMatchObject({ text: '192.0.2.0/24:80', prefixLength: 24, port: 80 });
    expect(parseService('0.0.0.0/0:80')).toMatchObject({ prefixLength: 0, port: 80 });
  });

  it('reads IPv6 forms, with brackets when a port follows', () => {
    expect(Array.from(parseService('2001:db8::1').addr)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseService('2001:db8::/32')).toMatchObject({ ipVersion: 6, prefixLength: 32, port: -1 });
    expect(parseService('[2001:db8::1]:443')).toMatchObject({ ipVersion: 6, prefixLength: 128, port: 443 });
    expect(parseService('[2001:db8::]/32:443')).toMatchObject({ prefixLength: 32, port: 443 });
    expect(parseService('[2001:db8::/32]:443')).toMatchObject({ prefixLength: 32, port: 443 });
    expect(Array.from(parseService('::ffff:192.0.2.1').addr)).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect(Array.from(parseService('::').addr)).toEqual([0, 0, 0, 0]);
    expect(Array.from(parseService('1:2:3:4:5:6:7:8').addr)).toEqual([0x10002, 0x30004, 0x50006, 0x70008]);
  });

  it('refuses bad text with OPTION_INVALID and a message naming the value', () => {
    expect(errorOf('192.0.2.10/24').message).toBe("option --service: '192.0.2.10/24' has host bits set beyond /24");
    expect(errorOf('192.0.2.1:70000').message).toBe("option --service: '192.0.2.1:70000' has a port above 65535");
    expect(errorOf('192.0.2.0/33').message).toBe("option --service: '192.0.2.0/33' has a prefix length above 32");
    expect(errorOf('2001:db8::/32:443').message).toBe(
      "option --service: '2001:db8::/32:443' needs brackets for an IPv6 address with a port: [ADDR]/PREFIX:PORT",
    );
    expect(errorOf('example.com').message).toBe("option --service: 'example.com' has no valid IPv4 or IPv6 address");
    expect(errorOf('256.0.0.1').code).toBe('OPTION_INVALID');
    expect(errorOf('1::2::3').code).toBe('OPTION_INVALID');
    expect(errorOf('1.2.3.4::1').code).toBe('OPTION_INVALID');
    expect(errorOf('[2001:db8::1').code).toBe('OPTION_INVALID');
    expect(errorOf('1:2:3:4:5:6:7:8:9').code).toBe('OPTION_INVALID');
    expect(errorOf('').code).toBe('OPTION_INVALID');
  });
});

describe('serviceMatches', () => {
  it('matches the server address by prefix and port', () => {
    const net = parseService('192.0.2.0/24:443');
    expect(serviceMatches(net, server(4, [0xc0000263, 0, 0, 0], 443))).toBe(true);
    expect(serviceMatches(net, server(4, [0xc0000363, 0, 0, 0], 443))).toBe(false);
    expect(serviceMatches(net, server(4, [0xc0000263, 0, 0, 0], 80))).toBe(false);
    const anyPort = parseService('192.0.2.99');
    expect(serviceMatches(anyPort, server(4, [0xc0000263, 0, 0, 0], 1))).toBe(true);
    expect(serviceMatches(parseService('0.0.0.0/0'), server(4, [0xffffffff, 0, 0, 0], 1))).toBe(true);
  });

  it('matches IPv6 prefixes across word boundaries and never crosses IP versions', () => {
    const net = parseService('[2001:db8:8000::]/33');
    expect(serviceMatches(net, server(6, [0x20010db8, 0x80000000, 0, 5], 80))).toBe(true);
    expect(serviceMatches(net, server(6, [0x20010db8, 0x7fffffff, 0, 5], 80))).toBe(false);
    expect(serviceMatches(parseService('::/0'), server(4, [0, 0, 0, 0], 80))).toBe(false);
    expect(serviceMatches(parseService('0.0.0.0/0'), server(6, [0, 0, 0, 0], 80))).toBe(false);
  });

  it('an empty filter accepts everything; otherwise any one match is enough', () => {
    const ep = server(4, [0x0a000001, 0, 0, 0], 80);
    expect(new ServiceFilter([]).accepts(ep)).toBe(true);
    expect(new ServiceFilter([parseService('10.0.0.2'), parseService('10.0.0.0/8:80')]).accepts(ep)).toBe(true);
    expect(new ServiceFilter([parseService('10.0.0.2'), parseService('10.0.0.0/8:81')]).accepts(ep)).toBe(false);
  });
});
