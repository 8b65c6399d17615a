export { createOpsServer, listenable, registerMethodNotAllowed, registerOpsRoutes } from './ops-server';
export type { OpsServer, OpsServerOptions } from './ops-server';
