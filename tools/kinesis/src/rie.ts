import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The AWS Lambda runtime interface emulator is a Go module without release tags on the module proxy: pin the
 * pseudo-version, and build it with `go install` (the only way to get it here: its GitHub release binaries are
 * out of reach).
 */
export const RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
export const RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';

const DEFAULT_DIR = fileURLToPath(new URL(`../../../.cache/aws-lambda-rie/${RIE_VERSION}`, import.meta.url));

/**
 * Returns the path of the emulator binary, building it into `.cache/aws-lambda-rie/<version>/` on first use
 * (about 45 s; needs Go). Throws with the reason when it cannot be built.
 */
export async function ensureRie(dir: string = DEFAULT_DIR): Promise<string> {
  const bin = join(dir, 'aws-lambda-rie');
  if (existsSync(bin)) return bin;
  // The official Go install location is not always on a non-login shell's PATH.
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  try {
    await promisify(execFile)(go, ['install', `${RIE_MODULE}@${RIE_VERSION}`], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' },
      timeout: 300_000,
    });
  } catch (cause) {
    throw new Error(`cannot build the Lambda runtime interface emulator (go install ${RIE_MODULE}): ${cause}`, {
      cause,
    });
  }
  return bin;
}
