// W3C Trace Context: the traceparent header, `00-<trace-id>-<parent-id>-<flags>`.
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  /** The span that handed the work to us (the command's producer), or undefined when we started the trace. */
  parentId?: string;
  flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace a command belongs to: its traceparent header when valid, else a new trace. */
export function traceFrom(header: string | undefined): TraceContext {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  if (match && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!)) {
    return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
  }
  return { traceId: randomBytes(16).toString('hex'), flags: '01' };
}

// #region child-span
/** The traceparent for one outgoing call or message: same trace, a span id of its own. */
export function childTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${randomBytes(8).toString('hex')}-${trace.flags}`;
}
// #endregion child-span
