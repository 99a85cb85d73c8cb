/**
 * Self-checks for the loader and the tests: where the compiler's static data ends, and a deliberate
 * trap that proves a fault inside WebAssembly is contained by src/wasm (RELIABILITY.md case 8).
 */

/** End of the compiler's static data; src/wasm refuses a module whose value exceeds LAYOUT_START. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}

/** Traps on purpose (`unreachable`), so tests can check that a trap becomes PGS_WASM_FAULT. */
export function fault(): void {
  unreachable();
}
