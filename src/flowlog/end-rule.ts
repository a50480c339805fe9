/**
 * The end rule (docs/flow-logs.md "When a connection ends"): a flow log gives
 * a connection's first and last packet, but the balancer must keep a
 * connection that was never closed active until it would have expired,
 * because it cannot know sooner (SPEC §3: "for the balancer and the sampler it
 * stays active until the expiry instant"). One pure function, like Zeek's own
 * `conn_state` (STYLE: close reasons as a closed list).
 *
 * Zeek's `conn_state` values are defined in Zeek's
 * `scripts/base/protocols/conn/main.zeek` (`Conn::Info`, and the function
 * `conn_state` that computes them): for TCP, SF, REJ and the RST states mean a
 * FIN from both sides, a rejection or a RST — closed at the last packet, as
 * our tracker closes on the second FIN or any RST. S0 is a SYN with no reply,
 * which our tracker expires after --syn-timeout. S1, S2, S3, SH, SHR and OTH
 * were never closed both ways (at most one FIN), so Zeek removed them after
 * its inactivity timeout (or at the end of its input) and our tracker would
 * have expired them after --idle-timeout. OTH is also what Zeek writes when
 * the originator sent a RST on a connection whose SYN it never saw; the
 * `history` field tells that case apart (an `R` or `r` letter: a RST).
 * For UDP and ICMP Zeek computes conn_state from which sides sent anything;
 * such flows only ever end by inactivity, so they all take the UDP timeout.
 */
import { NS_PER_SEC, type Duration } from '../time.js';
import { FLOW_PROTO_TCP, FlowExpiry, FlowState, type FlowRecord } from './record.js';

/**
 * Which timeout to add to the last packet of a connection of protocol
 * `proto` whose log says `state`; `historyHasReset` = Zeek's `history` field
 * holds an `R` or `r` (false when the log has no such field).
 */
export function expiryRule(proto: number, state: number, historyHasReset: boolean): FlowExpiry {
  if (proto !== FLOW_PROTO_TCP) return FlowExpiry.UDP;
  switch (state) {
    case FlowState.SF:
    case FlowState.REJ:
    case FlowState.RSTO:
    case FlowState.RSTR:
    case FlowState.RSTOS0:
    case FlowState.RSTRH:
    case FlowState.FIN:
    case FlowState.RST:
    case FlowState.PORT_REUSE:
    case FlowState.EVICTED:
    case FlowState.END_OF_TRACE:
      return FlowExpiry.NONE;
    case FlowState.S0:
    case FlowState.SYN_TIMEOUT:
      return FlowExpiry.SYN;
    case FlowState.OTH:
      return historyHasReset ? FlowExpiry.NONE : FlowExpiry.IDLE;
    default:
      // S1, S2, S3, SH, SHR, CSV `idle`, and an unset state.
      return FlowExpiry.IDLE;
  }
}

/** The timeouts the end rule adds; 0 = off (the connection then stays active until the log ends). */
export interface FlowTimeouts {
  /** TCP idle timeout (--idle-timeout, default 300 s). */
  idle: Duration;
  /** TCP SYN timeout (--syn-timeout, default 60 s). */
  syn: Duration;
  /** UDP (and ICMP) inactivity timeout (--udp-timeout, default 60 s, Zeek's udp_inactivity_timeout). */
  udp: Duration;
}

/**
 * Completes `rec` once its start, last packet, protocol and state are set:
 * clamps a last packet before the start to the start, and computes `expiry`
 * and the end (last + the rule's timeout, with a carry into the seconds;
 * Infinity when that timeout is 0).
 */
export function applyEndRule(rec: FlowRecord, timeouts: FlowTimeouts, historyHasReset: boolean): void {
  if (rec.lastSec < rec.startSec || (rec.lastSec === rec.startSec && rec.lastNsec < rec.startNsec)) {
    rec.lastSec = rec.startSec;
    rec.lastNsec = rec.startNsec;
  }
  const expiry = expiryRule(rec.proto, rec.state, historyHasReset);
  rec.expiry = expiry;
  const t = expiry === FlowExpiry.NONE ? undefined : expiry === FlowExpiry.IDLE ? timeouts.idle : expiry === FlowExpiry.SYN ? timeouts.syn : timeouts.udp;
  if (t === undefined) {
    rec.endSec = rec.lastSec;
    rec.endNsec = rec.lastNsec;
  } else if (t.sec === 0 && t.nsec === 0) {
    rec.endSec = Number.POSITIVE_INFINITY;
    rec.endNsec = 0;
  } else {
    let nsec = rec.lastNsec + t.nsec;
    let sec = rec.lastSec + t.sec;
    if (nsec >= NS_PER_SEC) {
      nsec -= NS_PER_SEC;
      sec += 1;
    }
    rec.endSec = sec;
    rec.endNsec = nsec;
  }
}

/**
 * `applyEndRule` for a log that gives a duration (Zeek): the last packet is
 * start + (durSec, durNsec), with a carry into the seconds.
 */
export function applyEndRuleWithDuration(rec: FlowRecord, durSec: number, durNsec: number, timeouts: FlowTimeouts, historyHasReset: boolean): void {
  let lastNsec = rec.startNsec + durNsec;
  let lastSec = rec.startSec + durSec;
  if (lastNsec >= NS_PER_SEC) {
    lastNsec -= NS_PER_SEC;
    lastSec += 1;
  }
  rec.lastSec = lastSec;
  rec.lastNsec = lastNsec;
  applyEndRule(rec, timeouts, historyHasReset);
}
