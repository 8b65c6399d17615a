/** The few variables a bench child takes; the bench starts them, so a missing one is a bench bug. */
export function requireEnv<const K extends readonly string[]>(
  env: NodeJS.ProcessEnv,
  keys: K,
): { [P in K[number]]: string } {
  const missing = keys.filter((k) => !env[k]);
  if (missing.length) {
    console.error(`missing environment: ${missing.join(', ')}`);
    process.exit(2);
  }
  return Object.fromEntries(keys.map((k) => [k, env[k]!])) as { [P in K[number]]: string };
}
