import { CONTRACT_DOCUMENT_VERSION, CONTRACT_MESSAGES, componentSchemas } from '@ridestream/contracts';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import type { AppConfigSchemas } from './deploy-doc';
import { describeVariable } from './env-doc';

const KAFKA_BINDING = '0.5.0';
const MESSAGE = '#/components/messages/';

/** The topic and group names as the apps default them: read off their config schemas, never restated here. */
export interface StreamNames {
  readonly rides: string;
  readonly deadLetters: string;
  readonly consumers: readonly { readonly app: string; readonly group: string; readonly output: string }[];
}

function defaultOf(apps: readonly AppConfigSchemas[], app: string, variable: string): string {
  const schema = apps.find((a) => a.app === app)?.schemas.kafka;
  const field = schema?.shape[variable];
  const value = field && describeVariable(variable, field as never).default;
  if (typeof value !== 'string') throw new Error(`apps/${app}/src/config.ts: no default for ${variable} on kafka`);
  return value;
}

/** Stream names from the apps' Kafka schemas: the producer's RIDES_TOPIC, each consumer's group, output and DLQ. */
export function streamNames(apps: readonly AppConfigSchemas[]): StreamNames {
  const consumers = ['duration-consumer', 'tip-consumer'].map((app) => ({
    app,
    group: defaultOf(apps, app, 'CONSUMER_GROUP'),
    output: defaultOf(apps, app, 'OUTPUT_TOPIC'),
    input: defaultOf(apps, app, 'INPUT_TOPIC'),
    deadLetters: defaultOf(apps, app, 'DEAD_LETTER_TOPIC'),
  }));
  const rides = defaultOf(apps, 'producer', 'RIDES_TOPIC');
  for (const c of consumers) {
    if (c.input !== rides) throw new Error(`${c.app} reads ${c.input} by default, the producer writes ${rides}`);
  }
  const deadLetters = [...new Set(consumers.map((c) => c.deadLetters))];
  if (deadLetters.length !== 1) throw new Error(`the consumers default to different DLQs: ${deadLetters.join(', ')}`);
  return { rides, deadLetters: deadLetters[0]!, consumers };
}

const DLQ_HEADER_DESCRIPTIONS: Record<keyof typeof DLQ_HEADERS, string> = {
  code: 'why, as a code a drainer can branch on (`INVALID_EVENT`, `INVALID_JSON`, `UNKNOWN_ZONE`, ...)',
  reason: 'why, in words naming the fields (at most 2,000 characters)',
  issues: 'JSON array of `{ path, message }`, one per broken field (at most 2,000 characters)',
  sourceStream: 'the topic (or stream) the record was read from',
  sourcePartition: 'its partition',
  sourcePosition: 'its offset (or Kinesis sequence number)',
  consumer: 'the consumer group that rejected it',
  modelVersion: 'the model version the consumer served',
  failedAt: 'when it was rejected (ISO 8601, UTC)',
};

const rideIdKey = (what: string) => ({
  kafka: {
    key: { type: 'string', minLength: 1, maxLength: 64, description: `the rideId of the ${what}` },
    bindingVersion: KAFKA_BINDING,
  },
});

const traceHeaders = {
  type: 'object',
  properties: {
    traceparent: { type: 'string', description: 'W3C trace context, when the sender traces (Kafka only)' },
  },
};

/**
 * The AsyncAPI 3 document of every topic and message (docs/contracts/ridestream.asyncapi.json): the rides topic, both
 * prediction topics and the dead-letter topic with its headers, the Kafka bindings (key = rideId, consumer groups).
 * Payload schemas come from `CONTRACT_MESSAGES`, in JSON Schema draft-07 (AsyncAPI's default schema format).
 */
export function asyncApiDocument(names: StreamNames): object {
  const kinds = { 'duration-consumer': 'DurationPrediction', 'tip-consumer': 'TipPrediction' } as const;
  const channelId = (topic: string) =>
    topic.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase());
  const channel = (topic: string, message: string, description: string) => ({
    address: topic,
    description,
    messages: { [message]: { $ref: `${MESSAGE}${message}` } },
    bindings: { kafka: { topic, bindingVersion: KAFKA_BINDING } },
  });
  const channels: Record<string, object> = {
    [channelId(names.rides)]: channel(
      names.rides,
      'RideEvent',
      'Ride events, keyed by rideId (one ride stays on one partition).',
    ),
    [channelId(names.deadLetters)]: channel(
      names.deadLetters,
      'DeadLetter',
      'Records a consumer could not score: the original key and bytes, with headers saying why and where from.',
    ),
  };
  const operations: Record<string, object> = {
    publishRides: {
      action: 'send',
      channel: { $ref: `#/channels/${channelId(names.rides)}` },
      summary: 'The producer publishes validated ride events (POST /rides).',
    },
  };
  for (const c of names.consumers) {
    const message = kinds[c.app as keyof typeof kinds];
    const id = channelId(c.output);
    channels[id] = channel(c.output, message, `${CONTRACT_MESSAGES[message].summary} Keyed by rideId.`);
    const group = { kafka: { groupId: { type: 'string', enum: [c.group] }, bindingVersion: KAFKA_BINDING } };
    operations[`${channelId(c.app)}ReceivesRides`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId(names.rides)}` },
      summary: `${c.app} scores every ride in its own consumer group.`,
      bindings: group,
    };
    operations[`${channelId(c.app)}SendsPredictions`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${c.app} publishes one prediction per valid ride (deterministic predictionId: drop duplicates).`,
    };
    operations[`${channelId(c.app)}SendsDeadLetters`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId(names.deadLetters)}` },
      summary: `${c.app} dead-letters what it cannot score; the partition moves on.`,
    };
  }
  const schemas = componentSchemas(
    Object.fromEntries(Object.entries(CONTRACT_MESSAGES).map(([name, m]) => [name, m.schema])),
    { prefix: '#/components/schemas/', target: 'draft-7' },
  );
  const messages: Record<string, object> = Object.fromEntries(
    Object.entries(CONTRACT_MESSAGES).map(([name, m]) => [
      name,
      {
        name,
        title: m.title,
        summary: m.summary,
        contentType: 'application/json',
        headers: traceHeaders,
        payload: { $ref: `#/components/schemas/${name}` },
        bindings: rideIdKey(name === 'RideEvent' ? 'ride' : 'ride it predicts'),
      },
    ]),
  );
  messages.DeadLetter = {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'A record that could not be scored, unchanged, with the reason in headers.',
    description: 'The value is the original bytes (often not valid JSON: that may be why it is here).',
    headers: {
      type: 'object',
      required: Object.values(DLQ_HEADERS),
      properties: Object.fromEntries(
        Object.entries(DLQ_HEADERS).map(([k, header]) => [
          header,
          { type: 'string', description: DLQ_HEADER_DESCRIPTIONS[k as keyof typeof DLQ_HEADERS] },
        ]),
      ),
    },
    payload: { description: 'the original record value, unchanged' },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'the original record key (the rideId when the producer wrote it)' },
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'ridestream streams',
      version: CONTRACT_DOCUMENT_VERSION,
      description:
        "Every topic of ridestream and the messages on it. Topic and group names are the apps' defaults (each " +
        'app can be pointed elsewhere: docs/DEPLOY.md). The same messages travel on Kinesis streams of the same ' +
        'names, with the partition key = rideId and no headers.',
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: 'localhost:9092', protocol: 'kafka', description: 'set by KAFKA_BROKERS in each app' },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}
