import { z } from 'zod';

/** One environment variable as the docs show it, read from the zod schema that validates it. */
export interface EnvVariable {
  readonly name: string;
  /** `undefined`: required; `null`: optional without a default. */
  readonly default: unknown;
  readonly description: string | undefined;
  /** Allowed values in a few words (`kafka`, `kinesis`; `0..65535`), when the schema says more than "a string". */
  readonly values: string | undefined;
}

type Zod = z.ZodType;

/**
 * Reads a variable's default, description and allowed values off its zod schema: descriptions may sit on any wrapper
 * (`.describe()` after `.default()` or before), defaults on a `ZodDefault`, and the value type under `optional`,
 * `default` and the input side of a `pipe` (what the environment holds, before any transform).
 */
export function describeVariable(name: string, schema: Zod): EnvVariable {
  let current: Zod = schema;
  let description: string | undefined;
  let fallback: unknown = undefined;
  let optional = false;
  for (;;) {
    description ??= current.description;
    const def = current.def as { type: string; innerType?: Zod; defaultValue?: unknown; in?: Zod; out?: Zod };
    if (def.type === 'default') {
      if (fallback === undefined) fallback = def.defaultValue;
      current = def.innerType!;
    } else if (def.type === 'optional') {
      optional = true;
      current = def.innerType!;
    } else break;
  }
  return {
    name,
    default: fallback !== undefined ? fallback : optional ? null : undefined,
    description,
    values: valuesOf(current),
  };
}

function valuesOf(schema: Zod): string | undefined {
  const def = schema.def as { type: string; in?: Zod; out?: Zod };
  // z.stringbool() is a pipe from a string to a boolean: the environment holds one of its words.
  if (def.type === 'pipe' && def.out?.def.type === 'boolean') return '`true`/`false` (also `1`/`0`, `yes`/`no`)';
  const json = z.toJSONSchema(def.type === 'pipe' ? def.in! : schema, { io: 'input', unrepresentable: 'any' }) as {
    type?: string;
    enum?: unknown[];
    format?: string;
    minimum?: number;
    exclusiveMinimum?: number;
    maximum?: number;
  };
  if (json.enum) return json.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (json.format === 'uri') return 'URL';
  if (json.type === 'integer' || json.type === 'number') {
    const kind = json.type === 'integer' ? 'integer' : 'number';
    // `.positive()` is an exclusive minimum of 0: an integer >= 1.
    if (json.minimum === undefined && json.exclusiveMinimum !== undefined && kind === 'integer') {
      json.minimum = json.exclusiveMinimum + 1;
    }
    // zod writes MAX_SAFE_INTEGER as the maximum of a plain `.int()`: no bound worth printing.
    if (json.maximum !== undefined && json.maximum >= Number.MAX_SAFE_INTEGER) delete json.maximum;
    if (json.minimum !== undefined && json.maximum !== undefined) return `${kind} ${json.minimum}..${json.maximum}`;
    if (json.minimum !== undefined) return `${kind} >= ${json.minimum}`;
    return kind;
  }
  return undefined;
}

/** Every variable of an object schema, in the schema's order. */
export function describeEnvSchema(schema: z.ZodObject): EnvVariable[] {
  return Object.entries(schema.shape).map(([name, s]) => describeVariable(name, s as Zod));
}
