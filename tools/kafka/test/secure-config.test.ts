import { describe, expect, it } from 'vitest';
import { scramFormatArgs, serverProperties, SCRAM_MECHANISMS, type SaslSslListener } from '../src/broker-config';
import { kafkaLayout } from '../src/paths';
import { exportCertArgs, genKeyPairArgs, keytoolCommand } from '../src/tls';

const settingsOf = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );

describe('kafkaLayout', () => {
  it('returns the jars under the cache dir by default', () => {
    const layout = kafkaLayout('/tmp/a');
    expect(layout.libDir).toBe('/tmp/a/lib');
    expect(layout.cdsArchive).toBe('/tmp/a/lib/kafka-classes.jsa');
  });

  it('returns a private layout that runs shared jars but keeps its own data, config and state', () => {
    const layout = kafkaLayout('/tmp/private', { libDir: '/repo/.cache/kafka/lib' });
    expect(layout.libDir).toBe('/repo/.cache/kafka/lib');
    expect(layout.stampFile).toBe('/repo/.cache/kafka/lib/.pom-sha256');
    expect(layout.cdsArchive).toBe('/repo/.cache/kafka/lib/kafka-classes.jsa');
    expect([layout.dataDir, layout.serverProperties, layout.stateFile, layout.lockFile, layout.logsDir]).toEqual([
      '/tmp/private/data',
      '/tmp/private/server.properties',
      '/tmp/private/state.json',
      '/tmp/private/start.lock',
      '/tmp/private/logs',
    ]);
  });
});

describe('serverProperties with a SASL_SSL listener', () => {
  const layout = kafkaLayout('/tmp/secure');
  const listener: SaslSslListener = {
    internalPort: 40003,
    keystoreFile: '/tmp/secure/tls/broker.p12',
    keystorePassword: 'store-secret',
    mechanisms: SCRAM_MECHANISMS,
  };
  const settings = settingsOf(serverProperties(layout, { port: 40001, controllerPort: 40002 }, listener));

  it('returns SASL_SSL for clients and PLAINTEXT on loopback for the broker itself', () => {
    expect(settings.get('listeners')).toBe(
      'SASL_SSL://127.0.0.1:40001,PLAINTEXT://127.0.0.1:40003,CONTROLLER://127.0.0.1:40002',
    );
    expect(settings.get('advertised.listeners')).toBe('SASL_SSL://127.0.0.1:40001,PLAINTEXT://127.0.0.1:40003');
    expect(settings.get('inter.broker.listener.name')).toBe('PLAINTEXT');
    expect(settings.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
    );
  });

  it('returns both SCRAM mechanisms, each with its login module', () => {
    expect(settings.get('listener.name.sasl_ssl.sasl.enabled.mechanisms')).toBe('SCRAM-SHA-256,SCRAM-SHA-512');
    for (const m of ['scram-sha-256', 'scram-sha-512']) {
      expect(settings.get(`listener.name.sasl_ssl.${m}.sasl.jaas.config`)).toBe(
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      );
    }
  });

  it('returns the PKCS12 keystore of the SASL_SSL listener, without client certificates', () => {
    expect(settings.get('listener.name.sasl_ssl.ssl.keystore.type')).toBe('PKCS12');
    expect(settings.get('listener.name.sasl_ssl.ssl.keystore.location')).toBe(listener.keystoreFile);
    expect(settings.get('listener.name.sasl_ssl.ssl.keystore.password')).toBe('store-secret');
    expect(settings.get('listener.name.sasl_ssl.ssl.client.auth')).toBe('none');
  });

  it('keeps the single-node settings of the plain broker', () => {
    const plain = settingsOf(serverProperties(layout, { port: 40001, controllerPort: 40002 }));
    for (const key of ['offsets.topic.replication.factor', 'auto.create.topics.enable', 'log.dirs', 'process.roles']) {
      expect(settings.get(key), key).toBe(plain.get(key));
    }
    expect([...plain.keys()].filter((k) => /sasl|ssl/.test(k))).toEqual([]);
  });
});

describe('scramFormatArgs', () => {
  it('returns one quoted --add-scram credential per mechanism', () => {
    expect(scramFormatArgs({ username: 'alice', password: 'a,b]=c' }, SCRAM_MECHANISMS)).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name="alice",password="a,b]=c"]',
      '--add-scram',
      'SCRAM-SHA-512=[name="alice",password="a,b]=c"]',
    ]);
  });

  it.each([
    [{ username: '', password: 'x' }],
    [{ username: 'alice', password: '' }],
    [{ username: 'alice', password: 'say "hi"' }],
  ])('rejects a credential it cannot write faithfully: %j', (user) => {
    expect(() => scramFormatArgs(user, ['SCRAM-SHA-256'])).toThrow(/SCRAM/);
  });
});

describe('keytool arguments', () => {
  const spec = { keystoreFile: '/t/broker.p12', certFile: '/t/cert.pem', password: 'pw' };

  it('returns a self-signed PKCS12 key pair valid for the loopback address clients dial', () => {
    const args = genKeyPairArgs(spec);
    expect(args[0]).toBe('-genkeypair');
    expect(args[args.indexOf('-ext') + 1]).toBe('SAN=IP:127.0.0.1,DNS:localhost');
    expect(args[args.indexOf('-storetype') + 1]).toBe('PKCS12');
    expect(args[args.indexOf('-keystore') + 1]).toBe('/t/broker.p12');
    expect(args[args.indexOf('-validity') + 1]).toBe('30');
  });

  it('returns an export of the certificate as PEM', () => {
    const args = exportCertArgs(spec);
    expect(args.slice(0, 2)).toEqual(['-exportcert', '-rfc']);
    expect(args[args.indexOf('-file') + 1]).toBe('/t/cert.pem');
  });

  it('returns the JDK keytool of JAVA_HOME when set', () => {
    expect(keytoolCommand({ JAVA_HOME: '/opt/jdk' })).toBe('/opt/jdk/bin/keytool');
    expect(keytoolCommand({})).toBe('keytool');
  });
});
