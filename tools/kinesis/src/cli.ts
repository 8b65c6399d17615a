/**
 * Local Kinesis + DynamoDB in the foreground, for `npm start -- --transport kinesis` and for ensureKinesis's child
 * mode. Prints one JSON line with the endpoints once both listen, then runs until SIGTERM/SIGINT.
 *
 *   tsx tools/kinesis/src/cli.ts [--kinesis-port 4567] [--dynamodb-port 4568] [--exit-with-parent]
 */
import { parseArgs } from 'node:util';
import { startLocalServers } from './servers';

const { values } = parseArgs({
  options: {
    'kinesis-port': { type: 'string', default: '0' },
    'dynamodb-port': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    /** Exit when stdin closes: set by ensureKinesis, so that a killed test run leaves no server behind. */
    'exit-with-parent': { type: 'boolean', default: false },
  },
});

const servers = await startLocalServers({
  host: values.host,
  kinesisPort: Number(values['kinesis-port']),
  dynamodbPort: Number(values['dynamodb-port']),
});
process.stdout.write(
  `${JSON.stringify({ kinesisEndpoint: servers.kinesisEndpoint, dynamodbEndpoint: servers.dynamodbEndpoint })}\n`,
);

let stopping = false;
const shutdown = () => {
  // A second signal exits at once.
  if (stopping) process.exit(1);
  stopping = true;
  void servers.stop().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (values['exit-with-parent']) {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
