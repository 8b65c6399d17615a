import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { KinesisTransportError } from './errors';
import type { Lease } from './lease';

type Item = Record<string, AttributeValue>;

function toItem(l: Lease): Item {
  const item: Item = {
    leaseKey: { S: l.leaseKey },
    stream: { S: l.stream },
    leaseCounter: { N: String(l.leaseCounter) },
    checkpoint: { S: l.checkpoint },
    parentShardIds: { L: l.parentShardIds.map((p) => ({ S: p })) },
    ownerSwitchesSinceCheckpoint: { N: String(l.ownerSwitchesSinceCheckpoint) },
  };
  if (l.leaseOwner !== null) item.leaseOwner = { S: l.leaseOwner };
  return item;
}

function fromItem(item: Item): Lease {
  return {
    leaseKey: item.leaseKey?.S ?? '',
    stream: item.stream?.S ?? '',
    leaseOwner: item.leaseOwner?.S ?? null,
    leaseCounter: Number(item.leaseCounter?.N ?? 0),
    checkpoint: item.checkpoint?.S ?? 'TRIM_HORIZON',
    parentShardIds: (item.parentShardIds?.L ?? []).map((v) => v.S ?? ''),
    ownerSwitchesSinceCheckpoint: Number(item.ownerSwitchesSinceCheckpoint?.N ?? 0),
  };
}

/** A conditional write that lost the race returns null (someone else owns or changed the lease). */
async function conditional<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return null;
    throw err;
  }
}

export interface LeaseTable {
  readonly name: string;
  /** Creates the table if missing (on-demand capacity) and waits until it is ACTIVE. */
  ensure(): Promise<void>;
  /** Every lease, strongly consistent; rejects leases of another stream (one table per application and stream). */
  scan(): Promise<Lease[]>;
  /** Inserts the lease unless a row exists (another worker's shard sync got there first). */
  create(lease: Lease): Promise<boolean>;
  /** Takes (or steals) a lease seen with `seen.leaseCounter`; null when the lease moved meanwhile. */
  take(seen: Lease, owner: string): Promise<Lease | null>;
  /** Bumps the counter if `owner` still owns it; null = lost. */
  renew(leaseKey: string, owner: string): Promise<number | null>;
  /** Stores the checkpoint if `owner` still owns the lease; false = lost, the checkpoint must not move. */
  checkpoint(leaseKey: string, owner: string, checkpoint: string): Promise<boolean>;
  /** Gives the lease up (owner removed) so another worker can take it at once. */
  release(leaseKey: string, owner: string): Promise<boolean>;
}

/**
 * The lease table. Takes are conditioned on the counter the taker saw, so two takers cannot both win; renewals,
 * checkpoints and releases are conditioned on the owner only, so a worker's own renewal never fails its own
 * checkpoint, while a stolen lease fails both for the old owner.
 */
export function leaseTable(ddb: DynamoDBClient, name: string, stream: string): LeaseTable {
  const ownerIs = (owner: string) => ({
    ConditionExpression: 'leaseOwner = :owner',
    ExpressionAttributeValues: { ':owner': { S: owner } } as Item,
  });
  return {
    name,
    async ensure() {
      try {
        await ddb.send(
          new CreateTableCommand({
            TableName: name,
            AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      } catch (err) {
        if (!(err instanceof ResourceInUseException)) throw err;
      }
      for (let i = 0; ; i++) {
        const out = await ddb.send(new DescribeTableCommand({ TableName: name })).catch((err: unknown) => {
          if (err instanceof ResourceNotFoundException) return undefined;
          throw err;
        });
        if (out?.Table?.TableStatus === 'ACTIVE') return;
        if (i > 600)
          throw new KinesisTransportError('STREAM_NOT_ACTIVE', `lease table ${name} not ACTIVE`, { retriable: true });
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async scan() {
      const leases: Lease[] = [];
      let start: Item | undefined;
      do {
        const out = await ddb.send(
          new ScanCommand({ TableName: name, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        leases.push(...(out.Items ?? []).map(fromItem));
        start = out.LastEvaluatedKey;
      } while (start);
      const foreign = leases.find((l) => l.stream !== stream);
      if (foreign) {
        throw new KinesisTransportError(
          'LEASE_TABLE_MISMATCH',
          `lease table ${name} holds shards of stream ${foreign.stream}, not ${stream}: use one table per application and stream`,
          { context: { stream } },
        );
      }
      return leases;
    },
    async create(lease) {
      const put = () =>
        ddb.send(
          new PutItemCommand({
            TableName: name,
            Item: toItem(lease),
            ConditionExpression: 'attribute_not_exists(leaseKey)',
          }),
        );
      return (await conditional(put)) !== null;
    },
    async take(seen, owner) {
      const values: Item = { ':seen': { N: String(seen.leaseCounter) }, ':me': { S: owner }, ':one': { N: '1' } };
      if (seen.leaseOwner !== null) values[':old'] = { S: seen.leaseOwner };
      const out = await conditional(() =>
        ddb.send(
          new UpdateItemCommand({
            TableName: name,
            Key: { leaseKey: { S: seen.leaseKey } },
            UpdateExpression: 'SET leaseOwner = :me ADD leaseCounter :one, ownerSwitchesSinceCheckpoint :one',
            ConditionExpression:
              seen.leaseOwner === null
                ? 'leaseCounter = :seen AND attribute_not_exists(leaseOwner)'
                : 'leaseCounter = :seen AND leaseOwner = :old',
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes ? fromItem(out.Attributes) : null;
    },
    async renew(leaseKey, owner) {
      const c = ownerIs(owner);
      const out = await conditional(() =>
        ddb.send(
          new UpdateItemCommand({
            TableName: name,
            Key: { leaseKey: { S: leaseKey } },
            UpdateExpression: 'ADD leaseCounter :one',
            ConditionExpression: c.ConditionExpression,
            ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':one': { N: '1' } },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return out ? Number(out.Attributes?.leaseCounter?.N ?? 0) : null;
    },
    async checkpoint(leaseKey, owner, checkpoint) {
      const c = ownerIs(owner);
      const out = await conditional(() =>
        ddb.send(
          new UpdateItemCommand({
            TableName: name,
            Key: { leaseKey: { S: leaseKey } },
            UpdateExpression: 'SET checkpoint = :cp, ownerSwitchesSinceCheckpoint = :zero ADD leaseCounter :one',
            ConditionExpression: c.ConditionExpression,
            ExpressionAttributeValues: {
              ...c.ExpressionAttributeValues,
              ':cp': { S: checkpoint },
              ':zero': { N: '0' },
              ':one': { N: '1' },
            },
          }),
        ),
      );
      return out !== null;
    },
    async release(leaseKey, owner) {
      const c = ownerIs(owner);
      const out = await conditional(() =>
        ddb.send(
          new UpdateItemCommand({
            TableName: name,
            Key: { leaseKey: { S: leaseKey } },
            UpdateExpression: 'REMOVE leaseOwner ADD leaseCounter :one',
            ConditionExpression: c.ConditionExpression,
            ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':one': { N: '1' } },
          }),
        ),
      );
      return out !== null;
    },
  };
}
