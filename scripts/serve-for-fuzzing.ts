/**
 * The real API for schemathesis (.ci/run): createApp through startApi with its configuration from
 * the environment, an embedded database and a Temporal dev server in a temporary directory, no
 * worker (cases are opened, their workflows just do not run). Listens on PORT (default 3999) until
 * SIGINT/SIGTERM; prints `ready http://127.0.0.1:<port>` once it answers.
 *
 *   ADMIN_API_KEY=… CARRIER_WEBHOOK_SECRET_GENERIC=whsec_… npx tsx scripts/serve-for-fuzzing.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../runtime/config.js';
import { connectClient, createLogger, startApi } from '../runtime/services.js';
import { startDevServer } from '../runtime/temporal-server.js';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'returns-fuzz-'));
  const config = loadConfig('dev', { PORT: '3999', LOG_LEVEL: 'warn', ...process.env, DATA_DIR: dataDir });
  const adminApiKey = config.ADMIN_API_KEY;
  if (!adminApiKey) throw new Error('set ADMIN_API_KEY (the key schemathesis sends)');
  const logger = createLogger(config);
  const temporalServer = await startDevServer({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: config.TEMPORAL_NAMESPACE,
    log: (msg) => logger.info(msg),
  });
  const database = await openDatabase({ embeddedDir: join(dataDir, 'pglite') });
  const temporal = await connectClient(config, temporalServer.address);
  const api = await startApi({ config, database, temporal, adminApiKey, logger });
  console.log(`ready http://127.0.0.1:${config.PORT}`);
  const stop = async () => {
    await api.close();
    await temporal.connection.close();
    await database.close();
    await temporalServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
