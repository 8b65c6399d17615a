/**
 * The Kubernetes manifests: every overlay renders with kustomize and passes kubeconform in strict mode against
 * schemas made offline (Kubernetes from its swagger, KEDA from its CRDs), and the parts that schemas cannot judge
 * (probes on the ops port each app really listens on, KEDA trigger parameters, lag-scaling policy) are checked here.
 */
import { readFileSync } from 'node:fs';
import { describeVariable, loadAppConfigSchemas, REPO_ROOT as ROOT_URL } from '@ridestream/contracts-tool';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CRD_SCHEMA_DIR, SCHEMA_MODULES, goModuleDir, kedaSchemaFiles } from '../src/index';
import { kubeconform, overlays, prepareToolchain, render, validateAll, type Toolchain } from '../src/index';

type Obj = { kind: string; metadata: { name: string }; spec: Record<string, unknown> } & Record<string, unknown>;
interface Container {
  name: string;
  ports?: { name: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: { requests?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
}
const podContainers = (d: Obj) =>
  (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;

let t: Toolchain;
const rendered = new Map<string, Obj[]>();
beforeAll(async () => {
  t = await prepareToolchain();
  for (const o of overlays()) {
    rendered.set(
      o,
      parseAllDocuments(await render(t, o)).map((d) => d.toJS() as Obj),
    );
  }
}, 600_000);

/** Every parameter KEDA's Kafka scaler reads from trigger metadata, from its source (`keda:"name=..."` tags). */
async function kedaKafkaParameters(): Promise<Set<string>> {
  const source = readFileSync(`${await goModuleDir(SCHEMA_MODULES.keda.module)}/pkg/scalers/kafka_scaler.go`, 'utf8');
  const names = new Set<string>();
  for (const [, name, order] of source.matchAll(/keda:"name=(\w+),order=([\w;]+)/g)) {
    if (order!.includes('triggerMetadata')) names.add(name!);
    if (order!.includes('resolvedEnv')) names.add(`${name}FromEnv`);
  }
  return names;
}

describe('deploy/k8s', () => {
  it('validates every overlay and the examples with kubeconform, strict and offline', async () => {
    const r = await validateAll(t);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it.each([
    ['a misspelled ScaledObject field', 'minReplicaCount: 1', 'minReplicaCont: 1'],
    ['a misspelled probe', 'readinessProbe:', 'readinesProbe:'],
    ['a string where a number goes', 'containerPort: 8080', 'containerPort: eighty'],
  ])('fails on %s', async (_, from, to) => {
    const yaml = await render(t, 'deploy/k8s/overlays/production');
    expect(yaml).toContain(from);
    const r = await kubeconform(t, yaml.replace(from, to));
    expect(r.ok).toBe(false);
  });

  it('returns the KEDA schemas as generated from its CRDs (`npm run k8s -- keda-schemas` after a bump)', async () => {
    for (const [name, content] of await kedaSchemaFiles()) {
      expect(readFileSync(`${CRD_SCHEMA_DIR}/${name}`, 'utf8'), name).toBe(content);
    }
  });

  it('probes every app on the ops port its config listens on, with resources requested', async () => {
    const apps = await loadAppConfigSchemas(ROOT_URL);
    for (const [overlay, objects] of rendered) {
      const deployments = objects.filter((o) => o.kind === 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort(), overlay).toEqual([
        'duration-consumer',
        'prediction-api',
        'producer',
        'tip-consumer',
      ]);
      for (const d of deployments) {
        const app = apps.find((a) => a.app === d.metadata.name)!;
        const schema = app.schemas.kafka ?? app.schemas['']!;
        const port = describeVariable('HTTP_PORT', schema.shape.HTTP_PORT as never).default;
        const [c] = podContainers(d);
        expect(c!.ports, `${overlay} ${d.metadata.name}`).toEqual([{ name: 'http', containerPort: port }]);
        expect(c!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(c!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(Object.keys(c!.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('scales each consumer on its own group lag, capped at the partitions, ignoring a stuck partition', async () => {
    const known = await kedaKafkaParameters();
    expect(known).toContain('excludePersistentLag');
    for (const [overlay, objects] of rendered) {
      const scaled = objects.filter((o) => o.kind === 'ScaledObject');
      expect(scaled.map((s) => s.metadata.name).sort(), overlay).toEqual(['duration-consumer', 'tip-consumer']);
      for (const s of scaled) {
        const spec = s.spec as {
          scaleTargetRef: { name: string };
          triggers: { type: string; metadata: Record<string, string> }[];
        };
        const [trigger] = spec.triggers;
        expect(trigger!.type).toBe('kafka');
        expect(trigger!.metadata).toMatchObject({ allowIdleConsumers: 'false', excludePersistentLag: 'true' });
        expect(Number(trigger!.metadata.lagThreshold)).toBeGreaterThan(0);
        for (const key of Object.keys(trigger!.metadata))
          expect(known, `${overlay} ${s.metadata.name}: ${key}`).toContain(key);
        // The group KEDA watches is the one the consumer joins: both read CONSUMER_GROUP from the same ConfigMap.
        const target = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === spec.scaleTargetRef.name)!;
        const env = Object.assign(
          {},
          ...podContainers(target)[0]!.envFrom!.map(
            (e) =>
              (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === e.configMapRef?.name)?.data ??
                {}) as object,
          ),
        ) as Record<string, string>;
        expect(env[trigger!.metadata.consumerGroupFromEnv!]).toBe(s.metadata.name);
        expect(env[trigger!.metadata.topicFromEnv!]).toBe('rides');
        expect(env[trigger!.metadata.bootstrapServersFromEnv!]).toMatch(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
      }
    }
  });
});
