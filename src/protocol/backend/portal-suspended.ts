/** PortalSuspended: empty body; says Execute stopped at its row limit with rows left in the portal. */
import { MessageCode } from '../codes.js';
import type { PortalSuspended } from '../messages.js';
import { emptyCodec } from './empty.js';

const portalSuspended = emptyCodec<PortalSuspended>({ type: 'PortalSuspended', code: MessageCode.PORTAL_SUSPENDED });

/** Decodes PortalSuspended (its body must be empty); returns one shared frozen instance. */
export const decodePortalSuspended = portalSuspended.decode;

/** Writes PortalSuspended. */
export const encodePortalSuspended = portalSuspended.encode;
