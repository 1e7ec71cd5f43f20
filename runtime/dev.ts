/**
 * `npm run dev`: everything on one machine — a Temporal dev server (unless TEMPORAL_ADDRESS is set),
 * the embedded database (unless DATABASE_URL is set), the worker and the API. Ctrl-C stops it all.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, publicUrl } from './config.js';
import {
  connectClient,
  connectWorker,
  createLogger,
  openConfiguredDatabase,
  startApi,
  startWorker,
} from './services.js';
import { startDevServer, type DevServer } from './temporal-server.js';

/** Dev mode keeps one generated admin key in DATA_DIR, so a restart does not change it. */
function devAdminKey(dataDir: string): string {
  const file = join(dataDir, 'admin-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `rok_dev_${randomBytes(18).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function main() {
  const config = loadConfig('dev');
  const logger = createLogger(config);
  const stops: (() => Promise<unknown>)[] = [];
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'stop failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  let devServer: DevServer | undefined;
  let address = config.TEMPORAL_ADDRESS;
  if (!address) {
    const server = await startDevServer({
      dataDir: config.DATA_DIR,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      log: (msg) => logger.info(msg),
    });
    stops.push(() => server.stop());
    devServer = server;
    address = server.address;
  }
  const database = await openConfiguredDatabase(config);
  stops.push(() => database.close());
  const adminApiKey = config.ADMIN_API_KEY ?? devAdminKey(config.DATA_DIR);

  const temporal = await connectClient(config, address);
  stops.push(() => temporal.connection.close());
  const connection = await connectWorker(config, address);
  const { worker, done } = await startWorker({ config, database, connection, logger, temporal });
  stops.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await done;
    await connection.close();
  });
  const api = await startApi({ config, database, temporal, adminApiKey, logger });
  stops.push(() => api.close());

  const url = publicUrl(config);
  console.log(
    [
      '',
      'returns-orchestrator is running',
      `  API          ${url}/v1`,
      `  API docs     ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
      `  Temporal UI  ${devServer ? devServer.uiUrl : '(external cluster at ' + address + ')'}`,
      `  Database     ${database.kind === 'embedded' ? 'embedded PGlite in ' + join(config.DATA_DIR, 'pglite') : 'PostgreSQL (DATABASE_URL)'}`,
      `  Admin key    ${config.ADMIN_API_KEY ? '(from ADMIN_API_KEY)' : adminApiKey}`,
      `  E-mails      ${config.SMTP_URL ? 'SMTP' : join(config.DATA_DIR, 'mail') + '/*.eml'}`,
      '',
    ].join('\n'),
  );
  done.catch(async (err) => {
    logger.fatal({ err }, 'worker stopped');
    await shutdown('worker-failure');
  });
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
