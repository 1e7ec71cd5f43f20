/** `npm run api`: the HTTP API alone (production; scale out by running more). */
import { ConfigError, loadConfig } from './config.js';
import { connectClient, createLogger, openConfiguredDatabase, startApi } from './services.js';

async function main() {
  const config = loadConfig('api');
  const logger = createLogger(config);
  const database = await openConfiguredDatabase(config);
  const temporal = await connectClient(config, config.TEMPORAL_ADDRESS);
  const api = await startApi({ config, database, temporal, adminApiKey: config.ADMIN_API_KEY, logger });
  logger.info({ port: config.PORT }, 'API listening');
  const stop = async () => {
    await api.close();
    await temporal.connection.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
