/**
 * The chainable PgProtocol API: type state of the builders (checked with the TypeScript compiler),
 * builder reuse, chaining, subclasses writing to their own writer, and MessageBuffer's accessors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FormatCode } from '../../src/protocol/codes.js';
import { MessageBuffer, PgProtocol } from '../../src/protocol/frontend/index.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { concat, toHex } from '../fixtures/bytes.js';
import * as fx from '../fixtures/frontend-bytes.js';
import { oid } from '../../src/types/oids.js';
import { int4 } from '../../src/types/bindable.js';

const root = new URL('../..', import.meta.url).pathname;

describe('type state (compiled with tsc)', () => {
  it('parse() cannot finish before query(); numbers must be wrapped; chains keep the subclass type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgs-frontend-types-'));
    try {
      const file = join(dir, 'snippet.ts');
      writeFileSync(
        file,
        `import { MessageBuffer, int4 } from '${join(root, 'src/codec.js')}';
const mb = new MessageBuffer();
// @ts-expect-error Parse has no finish() before .query()
mb.parse('s').finish();
// @ts-expect-error paramTypes() only after .query()
mb.parse('s').paramTypes([23]);
mb.parse('s').query('SELECT $1').paramTypes([23]).finish().sync();
mb.parse(null).query('SELECT 1').finish();
// @ts-expect-error a JS number is ambiguous: wrap it
mb.bind(null).finish([5]);
const chained: MessageBuffer = mb.bind('p').statement('s').resultFormats(1).finish([int4(5), 'x', null, 1n, true]).execute('p', 0);
const bytes: Uint8Array = mb.fnCall(1344).resultFormat(0).finish(['9']).sync().bytes();
export { chained, bytes };
`,
      );
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: true,
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('builders', () => {
  it('one builder of each kind per protocol object, reused on every call', () => {
    const mb = new MessageBuffer();
    expect(mb.bind(null)).toBe(mb.bind('other'));
    expect(mb.parse(null)).toBe(mb.parse('s'));
    expect(mb.fnCall(1)).toBe(mb.fnCall(2));
    expect(new MessageBuffer().bind(null)).not.toBe(mb.bind(null));
  });

  it('a reused builder starts clean: statement and result formats do not leak into the next Bind', () => {
    const mb = new MessageBuffer();
    mb.bind('p1').statement('s1').resultFormats(FormatCode.Binary).finish([int4(1)]);
    mb.bind('p2').finish(['x']);
    mb.fnCall(9).resultFormat(FormatCode.Binary).finish();
    mb.fnCall(9).finish();
    mb.parse('a').query('SELECT $1').paramTypes([oid.INT4]).finish();
    mb.parse('b').query('SELECT 2').finish();
    expect(toHex(mb.bytes())).toBe(
      toHex(
        concat(
          fx.fxBind({ portal: 'p1', statement: 's1', paramFormats: [1], params: [Uint8Array.of(0, 0, 0, 1)], resultFormats: [1] }),
          fx.fxBind({ portal: 'p2', statement: null, paramFormats: [], params: [Uint8Array.of(0x78)], resultFormats: [] }),
          fx.fxFunctionCall({ oid: 9, argFormats: [], args: [], resultFormat: 1 }),
          fx.fxFunctionCall({ oid: 9, argFormats: [], args: [], resultFormat: 0 }),
          fx.fxParse('a', 'SELECT $1', [23]),
          fx.fxParse('b', 'SELECT 2', []),
        ),
      ),
    );
  });

  it('bind(portal) names the portal, .statement(name) the statement (not the seed doc bug)', () => {
    const bytes = new MessageBuffer().bind('the_portal').statement('the_stmt').finish().bytes();
    const text = new TextDecoder().decode(bytes.subarray(5));
    expect(text.startsWith('the_portal\0the_stmt\0')).toBe(true);
  });
});

describe('PgProtocol subclasses', () => {
  class Recorder extends PgProtocol {
    readonly sink = new MessageWriter(4);
    protected get out(): MessageWriter {
      return this.sink;
    }
  }

  it('write to whatever writer `out` returns, and chain with their own type', () => {
    const r = new Recorder();
    const same: Recorder = r
      .query('SELECT 1')
      .describeStatement(null)
      .closeStatement('s')
      .closePortal(null)
      .flushMsg()
      .copyData('a\n')
      .copyDone()
      .copyFail('x')
      .passwordMessage('pw')
      .saslInitialResponse('M', null)
      .saslResponse(Uint8Array.of(1))
      .gssResponse(Uint8Array.of(2))
      .encodeMessage({ type: 'Execute', portal: null, maxRows: 3 })
      .terminate();
    expect(same).toBe(r);
    expect(toHex(r.sink.toBytes())).toBe(
      toHex(
        concat(
          fx.fxQuery('SELECT 1'),
          fx.fxDescribe('S', null),
          fx.fxClose('S', 's'),
          fx.fxClose('P', null),
          fx.fxFlush(),
          fx.fxCopyData(new TextEncoder().encode('a\n')),
          fx.fxCopyDone(),
          fx.fxCopyFail('x'),
          fx.fxPasswordMessage('pw'),
          fx.fxSASLInitialResponse('M', null),
          fx.fxSASLResponse(Uint8Array.of(1)),
          fx.fxGSSResponse(Uint8Array.of(2)),
          fx.fxExecute(null, 3),
          fx.fxTerminate(),
        ),
      ),
    );
  });
});

describe('MessageBuffer', () => {
  it('bytes() copies, view() does not, clear() keeps the allocation', () => {
    const mb = new MessageBuffer().sync();
    const copy = mb.bytes();
    const view = mb.view();
    expect(mb.length).toBe(5);
    expect(view.buffer).toBe(mb.writer.buf.buffer);
    expect(copy.buffer).not.toBe(mb.writer.buf.buffer);
    const buf = mb.writer.buf;
    expect(mb.clear().length).toBe(0);
    expect(mb.writer.buf).toBe(buf);
    mb.flushMsg();
    expect(toHex(copy)).toBe('53 00 00 00 04');
    expect(toHex(view)).toBe('48 00 00 00 04');
  });

  it('can wrap an existing writer, sharing it', () => {
    const w = new MessageWriter();
    w.u8(0x2a);
    const mb = new MessageBuffer(w);
    mb.sync();
    expect(w.length).toBe(6);
    expect(mb.writer).toBe(w);
  });
});
