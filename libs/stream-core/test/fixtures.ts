import type { SourceRecord } from '../src/index';

/** A record at `position` with an empty JSON value: for tests of what happens to outcomes, not of scoring. */
export const rec = (position: string): SourceRecord => ({
  position,
  key: `r${position}`,
  value: Buffer.from('{}'),
  headers: {},
  timestampMs: 0,
});
