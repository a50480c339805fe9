/** Flow logs as input (issue 12): the library API of src/flowlog/ (docs/flow-logs.md). */
export { readFlowLog, FLOWLOG_DEFAULTS } from './read.js';
export type { FlowLogOptions, FlowLogResult, FlowLogFormat } from './read.js';
export { detectInputFormat, sniffInputFormat, INPUT_FORMATS, CONNECTIONS_CSV_HEADER } from './detect.js';
export type { InputFormat } from './detect.js';
export {
  FlowRecord,
  FlowState,
  FlowExpiry,
  FLOW_STATE_NAMES,
  FLOW_PROTO_TCP,
  FLOW_PROTO_UDP,
  FLOW_PROTO_ICMP,
  FLOW_PROTO_UNKNOWN,
} from './record.js';
export { expiryRule } from './end-rule.js';
export type { FlowTimeouts } from './end-rule.js';
export { ReorderBuffer, DEFAULT_MAX_BUFFERED } from './reorder.js';
export type { ReorderStats } from './reorder.js';
