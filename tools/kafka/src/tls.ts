import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KafkaToolError } from './errors';
import { exec, isEnoent, lastLines } from './exec';

/** Same rule as `javaCommand`: $JAVA_HOME/bin/keytool when set, else `keytool` on PATH (it ships with every JDK). */
export function keytoolCommand(env: NodeJS.ProcessEnv): string {
  const home = env['JAVA_HOME'];
  return home ? join(home, 'bin', 'keytool') : 'keytool';
}

export interface KeystoreSpec {
  /** PKCS12 file with the broker's private key and self-signed certificate. */
  readonly keystoreFile: string;
  /** The certificate as PEM: what clients trust (`ssl.ca`, KAFKA_SSL_CA_FILE). */
  readonly certFile: string;
  readonly password: string;
  readonly validityDays?: number;
}

const ALIAS = 'broker';

/**
 * `keytool -genkeypair` for a self-signed broker certificate. The subject alternative names hold the loopback
 * address and `localhost`, because clients check the name they dialled against them (Node checks an IP against
 * the `IP:` entries only, never against the CN).
 */
export function genKeyPairArgs(spec: KeystoreSpec): string[] {
  return [
    '-genkeypair',
    '-alias',
    ALIAS,
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    String(spec.validityDays ?? 30),
    '-dname',
    'CN=ridestream-test-broker',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    '-storetype',
    'PKCS12',
    '-keystore',
    spec.keystoreFile,
    '-storepass',
    spec.password,
    // PKCS12 has one password for the store and its keys; keytool wants both given when not prompting.
    '-keypass',
    spec.password,
    '-noprompt',
  ];
}

/** `keytool -exportcert -rfc`: the certificate in PEM, for clients to trust. */
export function exportCertArgs(spec: KeystoreSpec): string[] {
  return [
    '-exportcert',
    '-rfc',
    '-alias',
    ALIAS,
    '-storetype',
    'PKCS12',
    '-keystore',
    spec.keystoreFile,
    '-storepass',
    spec.password,
    '-file',
    spec.certFile,
  ];
}

async function keytool(env: NodeJS.ProcessEnv, args: string[], what: string): Promise<void> {
  const command = keytoolCommand(env);
  let result;
  try {
    result = await exec(command, args, { env });
  } catch (err) {
    if (!isEnoent(err)) throw err;
    throw new KafkaToolError('JAVA_MISSING', `cannot run '${command}': no JDK keytool found; set JAVA_HOME`, {
      cause: err,
    });
  }
  if (result.code !== 0) {
    throw new KafkaToolError(
      'TLS_SETUP_FAILED',
      `keytool ${what} exited with ${result.code}:\n${lastLines(result.output, 10)}`,
    );
  }
}

/**
 * Creates the keystore and its PEM certificate unless both exist already (a restart keeps the certificate
 * clients were given). Two short JVM runs, ~1-2 s on 2 cores.
 */
export async function ensureSelfSignedKeystore(env: NodeJS.ProcessEnv, spec: KeystoreSpec): Promise<boolean> {
  if (existsSync(spec.keystoreFile) && existsSync(spec.certFile)) return false;
  for (const file of [spec.keystoreFile, spec.certFile]) {
    rmSync(file, { force: true }); // keytool refuses to add the alias to a half-made store
    mkdirSync(dirname(file), { recursive: true });
  }
  await keytool(env, genKeyPairArgs(spec), '-genkeypair');
  await keytool(env, exportCertArgs(spec), '-exportcert');
  return true;
}
