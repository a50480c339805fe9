/**
 * The capture reader's public API (SPEC §1, §2a; docs/reader.md).
 */
export { readCapture, DEFAULT_CHUNK_BYTES } from './source.js';
export type { ReadCaptureOptions } from './source.js';
export { createCaptureParser } from './parser.js';
export type { CaptureParser } from './parser.js';
export { MAX_CAPTURED_LENGTH, MAX_BLOCK_LENGTH, MAX_INTERFACES_PER_SECTION, MAX_TIMESTAMP_SECONDS } from './caps.js';
export { sniffFormat, isGzip } from './sniff.js';
export { PcapWriter, PcapngWriter, MemorySink, FdSink, FD_SINK_BUFFER_BYTES } from './writer.js';
export type { CaptureSink, PcapWriterOptions, PcapngSectionOptions, PcapngInterfaceOptions } from './writer.js';
export { gzipBytes, cutBytes, withU32, flipByte } from './damage.js';
export type { CaptureRecord, RecordHandler, CaptureFormat, CaptureFileInfo } from './record.js';
