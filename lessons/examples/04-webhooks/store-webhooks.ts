// A receiver for a Shopify-style store platform, for the webhooks lesson: the platform signs each delivery with
// `X-Shopify-Hmac-Sha256` (the base64 HMAC-SHA256 of the raw body), names the event in `X-Shopify-Topic` and gives
// each delivery an id in `X-Shopify-Webhook-Id`. Lab 04 (GitHub) uses the same ideas with other headers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';

// #region verify-hmac
/** The header must be the base64 HMAC-SHA256 of the exact bytes received, under the app's shared secret. */
export function verifyStoreHmac(secret: string, rawBody: Uint8Array, header: string | undefined): boolean {
  if (!header || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false; // 32 bytes in base64, nothing else
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // Same length by construction (the regular expression above), so timingSafeEqual cannot throw.
  return timingSafeEqual(Buffer.from(header, 'base64'), expected);
}
// #endregion verify-hmac

// #region dedupe
/**
 * Delivery ids seen in the last `ttlMs` (the platform stops retrying after that), in memory. A Map keeps insertion
 * order, so the oldest entries are at the front and expire first.
 */
export function recentIds(ttlMs: number) {
  const seenAt = new Map<string, number>();
  return function firstTime(id: string, now = Date.now()): boolean {
    for (const [old, at] of seenAt) {
      if (now - at < ttlMs) break;
      seenAt.delete(old);
    }
    if (seenAt.has(id)) return false;
    seenAt.set(id, now);
    return true;
  };
}
// #endregion dedupe

export function createStoreReceiver(options: { secret: string; restock: (productIds: number[]) => Promise<void> }) {
  const firstTime = recentIds(48 * 3600_000);
  const cancelled: number[] = [];
  const app = new Hono();

  // #region receive
  app.post(
    '/webhooks/store',
    bodyLimit({ maxSize: 5 * 1024 * 1024, onError: (c) => c.json({ error: { code: 'too_large' } }, 413) }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer()); // the bytes as sent, before any parsing
      if (!verifyStoreHmac(options.secret, raw, c.req.header('X-Shopify-Hmac-Sha256'))) {
        return c.json({ error: { code: 'invalid_signature', message: 'The HMAC does not match the body.' } }, 401);
      }
      const deliveryId = c.req.header('X-Shopify-Webhook-Id');
      if (!deliveryId) return c.json({ error: { code: 'missing_webhook_id' } }, 400);
      let payload: { id?: number; line_items?: { product_id: number }[] };
      try {
        payload = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        return c.json({ error: { code: 'malformed_json' } }, 400);
      }
      if (!firstTime(deliveryId)) return c.json({ received: true, duplicate: true });

      switch (c.req.header('X-Shopify-Topic')) {
        case 'orders/cancelled': {
          cancelled.push(payload.id ?? 0);
          // Accepted now, done later: the restock calls another API that may be slow.
          const products = (payload.line_items ?? []).map((l) => l.product_id);
          setImmediate(() => void options.restock(products).catch((e) => console.error('restock failed', e)));
          return c.json({ accepted: true }, 202);
        }
        default:
          return c.body(null, 204); // received; nothing to do for this topic
      }
    },
  );
  // #endregion receive

  app.get('/cancelled', (c) => c.json({ data: cancelled }));
  return app;
}
