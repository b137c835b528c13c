import { createHmac } from 'node:crypto';
import { hmacSha256 } from '../shared/index.ts';
import type { IdFactory } from '../shared/index.ts';

/** How a webhook is signed: Stripe's, GitHub's, or the vendor-neutral Standard Webhooks scheme. */
export type SigningScheme = 'stripe' | 'github' | 'standard';

export interface SignInput {
  secret: string;
  /** The exact body bytes that go on the wire. */
  body: string;
  /** Unix seconds. */
  timestamp: number;
  /** Message id (Standard Webhooks' `webhook-id`; stays the same across retries). */
  messageId: string;
}

/** `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>`; Stripe uses the `whsec_…` secret as given. */
export function signStripe({ secret, body, timestamp }: SignInput): Record<string, string> {
  return { 'Stripe-Signature': `t=${timestamp},v1=${hmacSha256(secret, `${timestamp}.${body}`)}` };
}

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`, plus the legacy SHA-1 header GitHub still sends. */
export function signGitHub({ secret, body }: SignInput): Record<string, string> {
  return {
    'X-Hub-Signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
    'X-Hub-Signature-256': `sha256=${hmacSha256(secret, body)}`,
  };
}

/** Standard Webhooks: the key is the base64 part of `whsec_<base64>`, decoded; the signature is base64. */
export function signStandard({ secret, body, timestamp, messageId }: SignInput): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${hmacSha256(key, `${messageId}.${timestamp}.${body}`, 'base64')}`,
  };
}

export function signatureHeaders(scheme: SigningScheme, input: SignInput): Record<string, string> {
  if (scheme === 'stripe') return signStripe(input);
  if (scheme === 'github') return signGitHub(input);
  return signStandard(input);
}

/** The header names that carry a signature, per scheme (used to corrupt them on purpose). */
const SIGNATURE_HEADERS: Record<SigningScheme, string[]> = {
  stripe: ['Stripe-Signature'],
  github: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  standard: ['webhook-signature'],
};

/** Flip the last character of each signature so it no longer matches (the `corrupt_signature` fault). */
export function corruptSignature(scheme: SigningScheme, headers: Record<string, string>): void {
  for (const name of SIGNATURE_HEADERS[scheme]) {
    const value = headers[name];
    if (value === undefined) continue;
    const last = value.at(-1);
    headers[name] = value.slice(0, -1) + (last === 'A' || last === '0' ? 'B' : last === '=' ? 'A=' : '0');
  }
}

/** A fresh signing secret in the shape each scheme uses. */
export function newSigningSecret(scheme: SigningScheme, ids: IdFactory): string {
  if (scheme === 'standard') return `whsec_${ids.bytes(24).toString('base64')}`;
  if (scheme === 'stripe') return ids.id('whsec_', 32);
  return ids.hex(40);
}
