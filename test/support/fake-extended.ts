/**
 * A scripted fake server for the query layer: answers the extended protocol of one segment at a
 * time — ParseComplete, ParameterDescription + RowDescription for a statement Describe, BindComplete,
 * RowDescription for a portal Describe, the rows and CommandComplete for an Execute, ReadyForQuery
 * for a Sync — with every result one text column `v` (int4) whose rows the test chooses per SQL, and
 * hooks that let a test break the protocol at a chosen point (stall, send something stray, die).
 */
import { MessageCode } from '../../src/protocol/codes.js';
import type { BackendMessage, FrontendMessage } from '../../src/protocol/messages.js';
import { ClientGone, readyForQuery } from './fake-server.js';
import type { FakeSession } from './fake-server.js';

const INT4 = 23;

/** A RowDescription of one int4 column `v`. */
export function oneIntColumn(): BackendMessage {
  return {
    type: 'RowDescription',
    code: MessageCode.ROW_DESCRIPTION,
    fields: [{ name: 'v', tableOid: 0, columnAttr: 0, typeOid: INT4, typeSize: 4, typeModifier: -1, format: 0 }],
  };
}

/** What a test can change in the fake server's answers. */
export interface ExtendedScript {
  /** The rows (text values of column `v`) a statement returns (default: one row `1`). */
  rows?(sql: string): string[];
  /**
   * Called for each Execute before its rows are sent; return 'stall' to send nothing more (the
   * server goes silent), or send what you like through `s` and return 'handled'.
   */
  onExecute?(s: FakeSession, sql: string, rows: string[]): 'continue' | 'stall' | 'handled' | Promise<'continue' | 'stall' | 'handled'>;
  /** Called after each ReadyForQuery the server sent (e.g. to send something stray). */
  afterReady?(s: FakeSession): void;
}

/** Answers extended-protocol traffic until the client goes away (or a hook stalls). */
export async function serveExtended(s: FakeSession, script: ExtendedScript = {}): Promise<void> {
  const statements = new Map<string, string>();
  let portalSql = '';
  let failed = false;
  for (;;) {
    let msg: FrontendMessage;
    try {
      msg = await s.read();
    } catch (err) {
      if (err instanceof ClientGone) return;
      throw err;
    }
    if (msg.type === 'Terminate') return;
    if (msg.type === 'Sync') {
      failed = false;
      s.send(readyForQuery());
      script.afterReady?.(s);
      continue;
    }
    if (failed) continue;
    switch (msg.type) {
      case 'Parse':
        statements.set(msg.name ?? '', msg.sql);
        s.send({ type: 'ParseComplete', code: MessageCode.PARSE_COMPLETE });
        break;
      case 'Describe':
        if (msg.target === 0x53) s.send({ type: 'ParameterDescription', code: MessageCode.PARAMETER_DESCRIPTION, typeOids: [] });
        s.send(oneIntColumn());
        break;
      case 'Bind':
        portalSql = statements.get(msg.statement ?? '') ?? '';
        s.send({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE });
        break;
      case 'Execute': {
        const rows = script.rows?.(portalSql) ?? ['1'];
        const what = (await script.onExecute?.(s, portalSql, rows)) ?? 'continue';
        if (what === 'stall') {
          await s.silence();
          return;
        }
        if (what === 'handled') break;
        for (const r of rows) s.sendRow([r]);
        s.send({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag: `SELECT ${rows.length}`, rows: rows.length });
        break;
      }
      case 'Flush':
        break;
      default:
        throw new Error(`fake server: cannot serve ${msg.type}`);
    }
  }
}
