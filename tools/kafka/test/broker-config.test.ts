import { describe, expect, it } from 'vitest';
import { parsePorts, serverProperties } from '../src/broker-config';
import { parseJavaMajor } from '../src/java';
import { kafkaLayout } from '../src/paths';

describe('parseJavaMajor', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "25" 2025-09-16', 25],
    ['java version "1.8.0_402"', 8],
    ['no version here', undefined],
  ])('returns the major version of %j', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });
});

describe('serverProperties', () => {
  const layout = kafkaLayout('/tmp/kafka-cache');
  const text = serverProperties(layout, { port: 40001, controllerPort: 40002 });
  const settings = new Map(
    text
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => line.split('=', 2) as [string, string]),
  );

  it('returns a single-node KRaft config kafkajs can use', () => {
    expect(settings.get('process.roles')).toBe('broker,controller');
    expect(settings.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001');
    // kafkajs #1752: with the default replication factor 3 a one-node group coordinator never comes up.
    expect(settings.get('offsets.topic.replication.factor')).toBe('1');
    expect(settings.get('transaction.state.log.replication.factor')).toBe('1');
    expect(settings.get('transaction.state.log.min.isr')).toBe('1');
    expect(settings.get('auto.create.topics.enable')).toBe('false');
    expect(settings.get('log.dirs')).toBe(layout.dataDir);
  });

  it('returns ports that parsePorts reads back', () => {
    expect(parsePorts(text)).toEqual({ port: 40001, controllerPort: 40002 });
  });
});

describe('parsePorts', () => {
  it('returns undefined for a config without our listeners line', () => {
    expect(parsePorts('listeners=PLAINTEXT://:9092\n')).toBeUndefined();
  });
});
