/**
 * Bounds on what a server can make the client reserve or keep (RELIABILITY.md: a server must not be
 * able to "grow its memory without bound"). A server may send any number of NoticeResponses and
 * ParameterStatus messages; real servers send a handful, so past these caps the extra ones are
 * dropped rather than kept.
 */

/**
 * The reader's message limit until ReadyForQuery. It caps only DataRow, CopyData, RowDescription and
 * FunctionCallResponse — none of them valid during startup — so a header announcing one of them is
 * refused at once, before the (possibly unauthenticated) server can make the client reserve memory
 * for its body. The other types have their own caps (e.g. Authentication 8 KiB).
 */
export const STARTUP_MAX_MESSAGE_LENGTH = 8192;

/** Most notices kept from startup; later ones are still read, then dropped. */
export const MAX_STARTUP_NOTICES = 100;

/** Most distinct run-time parameter names tracked (PostgreSQL reports about 15). */
export const MAX_PARAMETERS = 1000;

/** Records a ParameterStatus: updates to known names always apply; new names only below the cap. */
export function setParameter(parameters: Map<string, string>, name: string, value: string): void {
  if (parameters.size < MAX_PARAMETERS || parameters.has(name)) parameters.set(name, value);
}
