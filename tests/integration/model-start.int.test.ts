/**
 * Issue 14: `npm start -- --registry` runs the local system on the model registry: a real `mlflow server` with
 * moto's S3, the shipped models published as `ride-duration@production` and `ride-tip@production`, the consumers
 * serving those aliases, the model monitor beside them; and its cleanups stop the registry with the rest.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brokers } from '@ridestream/testing';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start -- --registry', () => {
  it('serves both models from the MLflow registry, runs the monitor, and stops the registry at the end', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/dev/start.ts',
        '--registry',
        '--rides',
        '300',
        '--rate',
        '0',
        '--exit-when-done',
        '--no-view',
      ],
      {
        cwd: ROOT,
        // Without MLFLOW_TRACKING_URI: this run starts its own registry.
        env: { ...process.env, KAFKA_BROKERS: brokers().join(','), MLFLOW_TRACKING_URI: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    const ui =
      /\[start\] MLflow UI: (http:\/\/127\.0\.0\.1:\d+)\/ \(ride-duration@production = v(\d+), ride-tip@production = v(\d+)/.exec(
        output,
      );
    expect(ui, output).not.toBeNull();
    expect(output).toMatch(/\[start\] monitor ready on :\d+/);
    expect(output).toContain('all 300 rides have both predictions (duration at pickup, tip at drop-off)');
    // Stopped with the rest: the server this run started no longer answers.
    await expect(fetch(`${ui![1]}/health`)).rejects.toThrow();
  }, 600_000);
});
