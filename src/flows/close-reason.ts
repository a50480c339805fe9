/**
 * How a packet closes a connection (SPEC §3), as one pure function, in the
 * manner of Zeek's `conn_state`: the tracker keeps the state bits, this
 * decides.
 */
import { TCP_FLAG_FIN, TCP_FLAG_RST } from '../decode/packet.js';
import { CloseReason } from './events.js';
import { FLAG_FIN_CLIENT, FLAG_FIN_SERVER } from './table.js';

/**
 * The close caused by a packet of an open connection: `rst` for any RST (it
 * wins over a FIN in the same packet), `fin` when the packet carries a FIN and,
 * counting it, both sides have now sent one, else `open`. `finBitsAfter` are
 * the connection's FLAG_FIN_CLIENT / FLAG_FIN_SERVER bits including this
 * packet's FIN. A FIN repeated by the same side never closes (half-close).
 */
export function closeAtPacket(tcpFlags: number, finBitsAfter: number): CloseReason {
  if ((tcpFlags & TCP_FLAG_RST) !== 0) return CloseReason.RST;
  if (
    (tcpFlags & TCP_FLAG_FIN) !== 0 &&
    (finBitsAfter & (FLAG_FIN_CLIENT | FLAG_FIN_SERVER)) === (FLAG_FIN_CLIENT | FLAG_FIN_SERVER)
  ) {
    return CloseReason.FIN;
  }
  return CloseReason.OPEN;
}
