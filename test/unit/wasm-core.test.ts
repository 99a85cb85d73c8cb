import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, ProtocolError } from '../../src/errors.js';
import { createCore, getCore, initCore } from '../../src/wasm/core.js';
import { wasmBytes } from '../../src/wasm/embedded.generated.js';
import { Layout, Status } from '../../src/wasm/layout.js';
import { hex } from '../fixtures/bytes.js';

const globalValue = (name: string): unknown => {
  const g = (getCore().exports as unknown as Record<string, unknown>)[name];
  return g instanceof WebAssembly.Global ? g.value : undefined;
};

describe('layout and status constants', () => {
  it('agree with the globals exported by the WASM core', () => {
    for (const [name, value] of Object.entries(Layout)) expect([name, globalValue(name)]).toEqual([name, value]);
    for (const [name, value] of Object.entries(Status)) expect([name, globalValue(`STATUS_${name}`)]).toEqual([name, value]);
  });

  it('keeps every region inside memory and static data below the layout', () => {
    const core = getCore();
    expect(core.exports.heapBase()).toBeLessThanOrEqual(Layout.LAYOUT_START);
    expect(core.bytes.length).toBe(Layout.MEMORY_PAGES * Layout.PAGE_SIZE);
    expect(Layout.LAYOUT_END).toBeLessThanOrEqual(core.bytes.length);
    expect(Layout.RESULT).toBeGreaterThanOrEqual(Layout.FORMATS + Layout.FORMATS_SIZE);
    expect(Layout.INPUT).toBeGreaterThanOrEqual(Layout.RESULT + Layout.RESULT_SIZE);
    expect(Layout.MESSAGES).toBeGreaterThanOrEqual(Layout.INPUT + Layout.INPUT_SIZE + 16);
    expect(Layout.FIELDS).toBeGreaterThanOrEqual(Layout.MESSAGES + Layout.MAX_MESSAGES * Layout.MESSAGE_WORDS * 4);
    expect(Layout.ASCII).toBeGreaterThanOrEqual(Layout.FIELDS + Layout.MAX_FIELDS * Layout.FIELD_WORDS * 4);
    expect(Layout.MAX_FIELDS).toBeGreaterThanOrEqual(65535 + 16384);
  });

  it('refuses a module that does not export the expected layout', async () => {
    // The smallest valid module: magic + version, no exports.
    const empty = new WebAssembly.Module(hex('00 61 73 6d 01 00 00 00') as Uint8Array<ArrayBuffer>);
    await expect(initCore({ module: empty })).rejects.toMatchObject({ code: ErrorCode.WASM_FAULT });
  });

  it('adopts a caller-supplied module', async () => {
    const module = await WebAssembly.compile(wasmBytes() as Uint8Array<ArrayBuffer>);
    const core = await initCore({ module });
    expect(core.module).toBe(module);
    expect(getCore()).toBe(core);
  });
});

describe('collapseFormats (Bind/FunctionCall 0/1/N)', () => {
  const collapse = (codes: number[]): number => {
    const core = getCore();
    core.formats.fill(7); // garbage beyond n must not matter
    core.formats.set(codes);
    return core.collapseFormats(codes.length);
  };

  it('sends no codes for no parameters or all text', () => {
    expect(collapse([])).toBe(0);
    expect(collapse([0])).toBe(0);
    expect(collapse(Array(100).fill(0))).toBe(0);
  });

  it('sends one code when all share one non-text format', () => {
    expect(collapse([1])).toBe(1);
    expect(collapse(Array(33).fill(1))).toBe(1);
    expect(collapse(Array(65535).fill(1))).toBe(1);
  });

  it('sends every code when formats are mixed, wherever the odd one is', () => {
    for (const n of [2, 15, 16, 17, 31, 32, 33, 1000]) {
      for (const at of [0, 1, n >> 1, n - 1]) {
        const codes = Array(n).fill(0);
        codes[at] = 1;
        expect(collapse(codes)).toBe(n);
        codes.fill(1);
        codes[at] = 0;
        expect(collapse(codes)).toBe(n);
      }
    }
  });

  it('rejects counts outside the scratch without calling into WASM', () => {
    const core = getCore();
    for (const n of [-1, 65537, 1.5, Number.NaN]) {
      expect(() => core.collapseFormats(n)).toThrow(ClientError);
    }
    expect(core.exports.collapseFormats(-1)).toBe(Status.BAD_ARGUMENT);
    expect(core.exports.collapseFormats(Layout.FORMATS_SIZE + 1)).toBe(Status.BAD_ARGUMENT);
  });
});

describe('faults (RELIABILITY case 8)', () => {
  it('turns a trap into PGS_WASM_FAULT and resets the instance', () => {
    const core = createCore();
    const before = core.bytes;
    before[Layout.FORMATS] = 1;
    let caught: unknown;
    try {
      core.fault();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).code).toBe(ErrorCode.WASM_FAULT);
    expect((caught as ProtocolError).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    // A fresh instance: new memory, views rebuilt, old contents gone, still working.
    expect(core.bytes).not.toBe(before);
    expect(core.formats[0]).toBe(0);
    core.formats.set([1, 1, 1]);
    expect(core.collapseFormats(3)).toBe(1);
  });
});
