import { createHash, randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function toAlphabet(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i % bytes.length] ?? 0) % ALPHABET.length];
  return out;
}

/** A random id such as `cus_Q2x9…`; not deterministic (use `createIdFactory` when a test needs that). */
export function randomId(prefix: string, length = 24): string {
  return prefix + toAlphabet(randomBytes(length), length);
}

export interface IdFactory {
  /** `prefix` + `length` letters/digits, e.g. `id('pi_')`. */
  id(prefix: string, length?: number): string;
  /** Lowercase hex, e.g. for commit SHAs. */
  hex(length: number): string;
  /** A v4-shaped GUID (GitHub's `X-GitHub-Delivery`, Standard Webhooks' `webhook-id`). */
  guid(): string;
  /** Raw bytes, e.g. for a signing secret. */
  bytes(length: number): Buffer;
}

/**
 * Ids and secrets for a mock. With a `seed` they repeat run after run (SHA-256 of seed + counter), so tests and
 * graders can know them in advance; without one they are random.
 */
export function createIdFactory(seed?: string): IdFactory {
  let counter = 0;
  const bytes = (length: number): Buffer => {
    if (seed === undefined) return randomBytes(length);
    const chunks: Buffer[] = [];
    let have = 0;
    while (have < length) {
      const chunk = createHash('sha256').update(`${seed}:${counter++}`).digest();
      chunks.push(chunk);
      have += chunk.length;
    }
    return Buffer.concat(chunks).subarray(0, length);
  };
  return {
    bytes,
    id: (prefix, length = 24) => prefix + toAlphabet(bytes(length), length),
    hex: (length) =>
      bytes(Math.ceil(length / 2))
        .toString('hex')
        .slice(0, length),
    guid: () => {
      if (seed === undefined) return randomUUID();
      const h = bytes(16).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
