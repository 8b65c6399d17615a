import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface ApiKeyAuthOptions {
  /** Accepted keys; several at once so a key can be rotated without downtime. */
  readonly keys: readonly string[];
}

/** Comma-separated keys (`PRODUCER_API_KEYS`, or a mounted file via `PRODUCER_API_KEYS_FILE`); blanks dropped. */
export const apiKeysEnvSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(16, 'each API key must be at least 16 characters')).min(1));

// Hashing first makes both sides 32 bytes, so `timingSafeEqual` leaks neither the key nor its length.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The key a request presents: `x-api-key: <key>` or `Authorization: Bearer <key>`. */
export function presentedKey(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = request.headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1];
}

/**
 * A matcher that compares in constant time against every key (no early exit), so neither which key matched nor
 * how much of it did shows in the timing.
 */
export function apiKeyMatcher(keys: readonly string[]): (candidate: string | undefined) => boolean {
  if (keys.length === 0) throw new TypeError('apiKeyMatcher needs at least one key');
  const digests = keys.map(digest);
  return (candidate) => {
    const d = digest(candidate ?? '');
    let any = false;
    for (const k of digests) any = timingSafeEqual(k, d) || any;
    return candidate !== undefined && any;
  };
}

/**
 * Requires an API key on every route of `scope` (register it in the scope holding the business API, so probes and
 * metrics beside it stay open). Runs at `preParsing`: after the rate limiter's `onRequest`, so a key-guessing client
 * is throttled too, and before the body is read, so an anonymous client cannot make the server parse megabytes.
 * The 401 names no key and says nothing about which part was wrong.
 */
export function registerApiKeyAuth(scope: FastifyInstance, o: ApiKeyAuthOptions): void {
  const matches = apiKeyMatcher(o.keys);
  scope.addHook('preParsing', async (request, reply) => {
    if (matches(presentedKey(request))) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'missing or invalid API key (x-api-key or Authorization: Bearer)' });
  });
}
