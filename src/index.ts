/**
 * The library API of anycast-replay. The CLI (src/cli/) is a thin shell over
 * these functions; everything here can be called from code.
 */
export { runReplay, type ReplayRun, type ReplaySinks } from './replay.js';
export { runConnections, CONNECTION_COLUMNS, type ConnectionsResult, type ConnectionsHandlers } from './connections.js';
export { inspectCapture, renderInfoText, type CaptureInfoReport } from './info.js';
export { runPass, CaptureStats, type PacketConsumer, type PassOptions } from './pass.js';
export { normalizeOptions, DEFAULTS, POLICY_NAMES, type PolicyName, type ReplayOptions, type ResolvedOptions } from './options.js';
export { ReplayError, type ErrorCode } from './errors.js';
export { readCapture, createCaptureParser, PcapWriter, PcapngWriter, MemorySink, FdSink } from './reader/index.js';
export type { CaptureRecord, CaptureFileInfo, CaptureFormat, RecordHandler } from './reader/record.js';
export { decodePacket } from './decode/decoder.js';
export { DecodedPacket } from './decode/packet.js';
export { SkipReason, SKIP_REASON_NAMES } from './decode/skip-reasons.js';
export { ConnectionTracker } from './flows/tracker.js';
export { CloseReason, CLOSE_REASON_NAMES, type FlowListener } from './flows/events.js';
export { VERSION } from './version.js';
// Flow logs as input (issue 12, docs/flow-logs.md): the reader, and the replay's driver over an engine.
export {
  readFlowLog,
  FLOWLOG_DEFAULTS,
  detectInputFormat,
  sniffInputFormat,
  INPUT_FORMATS,
  FlowRecord,
  FlowState,
  FlowExpiry,
  FLOW_STATE_NAMES,
  type FlowLogOptions,
  type FlowLogResult,
  type FlowLogFormat,
  type InputFormat,
} from './flowlog/index.js';
export { replayFlowLogs, type FlowReplayOptions, type FlowReplayTotals } from './engine/flow-replay.js';
export { createReplayEngine, ReplayEngine, type ReplayEngineOptions, type ReplayResults } from './engine/replay-engine.js';
