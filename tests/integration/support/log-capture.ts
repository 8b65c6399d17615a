import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@ridestream/runtime';

/** Every pino line a logger wrote, parsed, plus the raw text (to search for what must never be logged). */
export interface LogCapture {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  text(): string;
  /** Lines whose `msg` matches. */
  matching(msg: RegExp): Record<string, unknown>[];
}

/**
 * The production logger (`createLogger`: JSON, redaction, errors under `err`) at debug level, writing into memory
 * instead of stdout, so a test can assert on what a service logged.
 */
export function captureLogs(name = 'test'): LogCapture {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8');
      raw.push(text);
      for (const line of text.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return {
    logger: createLogger({ name, level: 'debug', destination }),
    lines,
    text: () => raw.join(''),
    matching: (msg) => lines.filter((l) => typeof l['msg'] === 'string' && msg.test(l['msg'])),
  };
}
