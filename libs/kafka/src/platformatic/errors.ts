import { isRetriable } from '@ridestream/runtime';
import { KafkaTransportError, type KafkaErrorCode } from '../errors';

/** What @platformatic/kafka errors carry: a code (`PLT_KFK_*`), flags on protocol errors, nested errors. */
interface PlatformaticErrorShape {
  readonly code?: unknown;
  readonly canRetry?: unknown;
  readonly needsRejoin?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
}

const isObject = (e: unknown): e is PlatformaticErrorShape & Error => typeof e === 'object' && e !== null;
const nested = (e: PlatformaticErrorShape): unknown[] => (Array.isArray(e.errors) ? (e.errors as unknown[]) : []);

/**
 * What a @platformatic/kafka error says about retrying, for `isRetriable(err, classifyPlatformaticError)`; `undefined`
 * when it says nothing (then the error's own flag or the documented default decides). The client flags each protocol
 * error `canRetry` (from Kafka's own table) and network and timeout errors too; a `MultipleErrors` (one per partition
 * or broker of a request) is retriable only if every one inside is, and fatal if one inside is: a request that failed
 * on a missing topic and a lost connection at once would fail again on the topic. (A fenced producer and a refused
 * login are `canRetry: false` in the client.)
 */
export function classifyPlatformaticError(error: unknown): boolean | undefined {
  if (!isObject(error)) return undefined;
  if (error instanceof KafkaTransportError) return error.retriable;
  const inner = nested(error).filter(isObject);
  if (inner.length > 0) {
    const verdicts = inner.map(classifyPlatformaticError);
    if (verdicts.includes(false)) return false;
    return verdicts.every((v) => v === true) ? true : undefined;
  }
  if (typeof error.canRetry === 'boolean') return error.canRetry;
  return isObject(error.cause) ? classifyPlatformaticError(error.cause) : undefined;
}

/**
 * True when the group moved on (rejoin needed: the generation or member id is stale): what this instance holds of a
 * partition is no longer its to commit. Not a failure of the process; the partition is read again by its new owner.
 */
export function isStaleMembershipError(error: unknown): boolean {
  if (!isObject(error)) return false;
  if (error.needsRejoin === true) return true;
  return nested(error).some(isStaleMembershipError) || (isObject(error.cause) && isStaleMembershipError(error.cause));
}

/** Kafka's names of the protocol errors inside (`apiId`, e.g. `CONCURRENT_TRANSACTIONS`), each once. */
export function protocolErrorIds(error: unknown): string[] {
  const ids = new Set<string>();
  const visit = (e: unknown) => {
    if (!isObject(e)) return;
    const id = (e as { apiId?: unknown }).apiId;
    if (typeof id === 'string') ids.add(id);
    nested(e).forEach(visit);
    visit(e.cause);
  };
  visit(error);
  return [...ids];
}

/**
 * A platformatic failure as our typed error, `retriable` judged by `isRetriable` with the classifier above, the original kept as `cause`. The message
 * names the broker's error codes: the client's own ("Received response with error while executing API
 * InitProducerId(v5)") says which request failed but not why.
 */
export function toKafkaTransportError(code: KafkaErrorCode, what: string, cause: unknown): KafkaTransportError {
  const reason = isObject(cause) ? cause.message : String(cause);
  const ids = protocolErrorIds(cause);
  const message = `${what}: ${reason}${ids.length ? ` (${ids.join(', ')})` : ''}`;
  return new KafkaTransportError(code, message, { retriable: isRetriable(cause, classifyPlatformaticError), cause });
}
