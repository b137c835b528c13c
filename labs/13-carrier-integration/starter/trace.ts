// W3C Trace Context: the traceparent header, `00-<trace-id>-<parent-id>-<flags>`.
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  /** The span that handed the work to us (the command's producer), or undefined when we started the trace. */
  parentId?: string;
  flags: string;
}

// TODO 9: read a command's traceparent header (when it is valid); a new trace only when there is none.
export function traceFrom(header: string | undefined): TraceContext {
  void header;
  return { traceId: randomBytes(16).toString('hex'), flags: '01' };
}

// TODO 10: the traceparent for one outgoing call or message.
export function childTraceparent(trace: TraceContext): string {
  void trace;
  return '';
}
