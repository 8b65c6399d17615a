/** Every way the local broker tool can fail; callers branch on `code`, never on `message`. */
export const KAFKA_TOOL_ERROR_CODES = [
  'JAVA_MISSING',
  'JAVA_TOO_OLD',
  'MAVEN_MISSING',
  'FETCH_FAILED',
  'FORMAT_FAILED',
  'START_FAILED',
  'START_TIMEOUT',
  'PORT_IN_USE',
  'BROKERS_UNREACHABLE',
  'STOP_FAILED',
  'LOCK_TIMEOUT',
  'TLS_SETUP_FAILED',
  'INVALID_OPTIONS',
] as const;

export type KafkaToolErrorCode = (typeof KAFKA_TOOL_ERROR_CODES)[number];

export class KafkaToolError extends Error {
  override readonly name = 'KafkaToolError';
  readonly code: KafkaToolErrorCode;
  /** The broker log excerpt that explains a failed start, when there is one. */
  readonly logTail: string | undefined;

  constructor(code: KafkaToolErrorCode, message: string, options: { cause?: unknown; logTail?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.logTail = options.logTail;
  }
}

export function isKafkaToolError(err: unknown, code?: KafkaToolErrorCode): err is KafkaToolError {
  return err instanceof KafkaToolError && (code === undefined || err.code === code);
}
