import type { Logger } from '@ridestream/runtime';
import type { LambdaContextLike } from './lambda';

export interface LambdaRuntimeOptions {
  /** `host:port` of the Lambda Runtime API (the `AWS_LAMBDA_RUNTIME_API` variable Lambda sets). */
  readonly api: string;
  readonly logger: Pick<Logger, 'error' | 'info'>;
  /** Aborting ends the loop after the invocation in hand (tests; Lambda itself just freezes the process). */
  readonly signal?: AbortSignal;
}

const BASE = '2018-06-01/runtime';

/**
 * The Lambda Runtime API loop for a custom runtime (`provided.al2023`, or a container image run by the runtime
 * interface emulator): next invocation -> handler -> response, or an error report that makes Lambda retry the
 * batch. On the managed Node.js runtime none of this is needed: export the handler instead.
 *
 * @example
 * await runLambdaRuntime(handler, { api: config.AWS_LAMBDA_RUNTIME_API, logger });
 */
export async function runLambdaRuntime<E, R>(
  handler: (event: E, context: LambdaContextLike) => Promise<R>,
  o: LambdaRuntimeOptions,
): Promise<void> {
  const url = (path: string) => `http://${o.api}/${BASE}/${path}`;
  while (!o.signal?.aborted) {
    const next = await fetch(url('invocation/next'), { signal: o.signal }).catch((err: unknown) => {
      if (o.signal?.aborted) return undefined;
      throw err;
    });
    if (!next) return;
    const requestId = next.headers.get('lambda-runtime-aws-request-id') ?? '';
    const deadlineMs = Number(next.headers.get('lambda-runtime-deadline-ms') ?? Date.now() + 60_000);
    const context: LambdaContextLike = { getRemainingTimeInMillis: () => deadlineMs - Date.now() };
    try {
      const result = await handler((await next.json()) as E, context);
      await fetch(url(`invocation/${requestId}/response`), { method: 'POST', body: JSON.stringify(result) });
    } catch (err) {
      o.logger.error({ err, requestId }, 'invocation failed');
      await fetch(url(`invocation/${requestId}/error`), {
        method: 'POST',
        headers: { 'lambda-runtime-function-error-type': 'Unhandled' },
        body: JSON.stringify({
          errorType: (err as Error)?.name ?? 'Error',
          errorMessage: String((err as Error)?.message),
        }),
      });
    }
  }
}
