import { spawnTsx } from '@ridestream/testing';
import { describe, expect, it } from 'vitest';

describe('npm start -- --transport kinesis', () => {
  it('runs the three services on a local Kinesis and gets both predictions for every replayed ride', async () => {
    // Without KINESIS_ENDPOINT, start.ts runs its own kinesalite + dynalite and stops them on exit.
    const start = spawnTsx('tools/dev/start.ts', {
      unset: ['KINESIS_ENDPOINT', 'DYNAMODB_ENDPOINT'],
      args: ['--transport', 'kinesis', '--rides', '300', '--rate', '0', '--exit-when-done', '--no-view'],
    });
    const code = await start.exited;
    const output = start.output();
    expect(output).toContain('(started by this run)');
    expect(output).toContain('all 300 rides have both predictions (duration at pickup, tip at drop-off)');
    // The web dashboard ran beside them (its /readyz answered) and its address was printed.
    expect(output).toMatch(/\[start\] dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(code, output).toBe(0);
  });
});
