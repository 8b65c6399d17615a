import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start -- --transport kinesis', () => {
  it('runs the three services on a local Kinesis and gets both predictions for every replayed ride', async () => {
    // Without KINESIS_ENDPOINT, start.ts runs its own kinesalite + dynalite and stops them on exit.
    const { KINESIS_ENDPOINT: _k, DYNAMODB_ENDPOINT: _d, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/dev/start.ts',
        '--transport',
        'kinesis',
        '--rides',
        '300',
        '--rate',
        '0',
        '--exit-when-done',
        '--no-view',
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toContain('(started by this run)');
    expect(output).toContain('all 300 rides have both predictions (duration at pickup, tip at drop-off)');
    // The web dashboard ran beside them (its /readyz answered) and its address was printed.
    expect(output).toMatch(/\[start\] dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(code, output).toBe(0);
  });
});
