/**
 * The WebAssembly ABI of pg-stream: numbers in, numbers out, no allocation, no traps on bad input.
 * This file only re-exports; each concept lives in its own module. The layout, status and column
 * kind constants are exported as globals so that src/wasm can check its mirror of them at load time
 * and in tests.
 */
export * from './layout';
export * from './status';
export * from './columns/kinds';
export { SOURCE_MESSAGES, SOURCE_TUPLES } from './columns/gather';
export { collapseFormats } from './format-codes';
export { configure, scan } from './framing';
export { classify } from './ascii';
export { decodeIntColumn } from './columns/integers';
export { decodeColumn } from './columns/index';
export { copyReset, copyScan, copyScanMessages } from './copy-binary';
export { heapBase, fault } from './diagnostics';
