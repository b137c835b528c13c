// GitHub signs the raw body with HMAC-SHA256 and the hook's secret: X-Hub-Signature-256: sha256=<hex>.
import { createHmac, timingSafeEqual } from 'node:crypto';

// #region verify-signature
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const received = Buffer.from(header);
  // timingSafeEqual throws on different lengths; the length itself is public (always 71), so checking it first
  // leaks nothing. Comparing with === would stop at the first wrong character and leak, byte by byte, how close a
  // forgery is.
  return received.length === expected.length && timingSafeEqual(received, expected);
}
// #endregion verify-signature
