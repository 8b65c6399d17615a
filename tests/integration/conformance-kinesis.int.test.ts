/** The transport conformance suite on Kinesis (kinesalite + dynalite started for this file). */
import { describe } from 'vitest';
import { registerConformanceSuite } from './conformance';
import { kinesisAdapter, useLocalKinesis } from './conformance-kinesis-adapter';

describe('Kinesis adapter', () => {
  const local = useLocalKinesis();
  registerConformanceSuite(() => kinesisAdapter(local));
});
