// Receiver defences beyond the signature, for the webhooks lesson: accept deliveries only from the provider's
// published address ranges, check the payload's shape before acting on it, and give the synchronous part of the
// handler a deadline well inside the sender's timeout.
import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';

// #region allow-list
/** GitHub lists the CIDR ranges its webhooks come from in the `hooks` field of `GET https://api.github.com/meta`. */
export async function githubHookRanges(
  getJson = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json(),
): Promise<string[]> {
  const meta = (await getJson('https://api.github.com/meta')) as { hooks?: unknown };
  if (!Array.isArray(meta.hooks) || meta.hooks.some((r) => typeof r !== 'string'))
    throw new Error('no hooks ranges in /meta');
  return meta.hooks as string[];
}

/** A test for "is this address inside one of these ranges?"; `::ffff:a.b.c.d` (IPv4 seen by an IPv6 socket) counts as a.b.c.d. */
export function inRanges(cidrs: string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits] = cidr.split('/');
    const type = isIP(net) === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(net, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
  }
  return (ip) => {
    const addr = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(addr);
    return family !== 0 && list.check(addr, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * 403 for a request from outside the provider's ranges. The ranges change now and then, so they are loaded again
 * every `refreshMs`; if a reload fails, the last good list stays in use, and with no list at all the answer is 503
 * (the sender retries later). `clientIp` must return the address that connected to you (see the lesson).
 */
export function allowSources(
  loadRanges: () => Promise<string[]>,
  clientIp: (c: Context) => string | undefined,
  refreshMs = 3_600_000,
): MiddlewareHandler {
  let allowed: ((ip: string) => boolean) | undefined;
  let loadedAt = 0;
  return async (c, next) => {
    if (!allowed || Date.now() - loadedAt >= refreshMs) {
      try {
        allowed = inRanges(await loadRanges());
      } catch (err) {
        console.error('could not load the allowed ranges', err);
        if (!allowed) return c.json({ error: { code: 'ranges_unavailable' } }, 503);
      }
      loadedAt = Date.now();
    }
    const ip = clientIp(c);
    if (!ip || !allowed(ip)) return c.json({ error: { code: 'forbidden_source' } }, 403);
    await next();
  };
}
// #endregion allow-list

// #region shape
type ParcelDelivered = {
  id: string;
  type: 'parcel.delivered';
  data: { tracking_number: string; delivered_at: string };
};

/** The fields this receiver relies on, checked after the signature and before anything is done; [] when all is well. */
export function shapeProblems(body: unknown): string[] {
  const problems: string[] = [];
  const event = (body ?? {}) as Partial<ParcelDelivered>;
  if (typeof event.id !== 'string' || !/^evt_\w{1,64}$/.test(event.id))
    problems.push('id: expected evt_ and up to 64 letters or digits');
  if (event.type !== 'parcel.delivered') problems.push('type: expected parcel.delivered');
  const data = (event.data ?? {}) as Partial<ParcelDelivered['data']>;
  if (typeof data.tracking_number !== 'string' || !/^[A-Z0-9]{8,30}$/.test(data.tracking_number))
    problems.push('data.tracking_number: expected 8 to 30 capital letters or digits');
  if (typeof data.delivered_at !== 'string' || Number.isNaN(Date.parse(data.delivered_at)))
    problems.push('data.delivered_at: expected a date and time');
  return problems;
}
// #endregion shape

// #region deadline
/** Verify-and-store must finish within `ms`, far inside the sender's timeout; otherwise answer 503 so the sender retries. */
export const storeDeadline = (ms: number) =>
  timeout(ms, () => new HTTPException(503, { message: 'could not store the event in time; please retry' }));
// #endregion deadline
