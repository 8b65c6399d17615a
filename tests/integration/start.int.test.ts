import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brokers } from '@ridestream/testing';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start', () => {
  it('runs the three services as processes and gets both predictions for every replayed ride', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tools/dev/start.ts', '--rides', '500', '--rate', '0', '--exit-when-done', '--no-view'],
      {
        cwd: ROOT,
        env: { ...process.env, KAFKA_BROKERS: brokers().join(',') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toContain('all 500 rides have both predictions (duration at pickup, tip at drop-off)');
    // The web dashboard ran beside them (its /readyz answered) and its address was printed.
    expect(output).toMatch(/\[start\] dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(code, output).toBe(0);
  });
});
