/** What the integration global setup provides to every test file (vitest `inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}
export {};
