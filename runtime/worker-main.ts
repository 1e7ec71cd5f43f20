/** `npm run worker`: the case worker alone (production; scale out by running more). */
import { ConfigError, loadConfig } from './config.js';
import { connectClient, connectWorker, createLogger, openConfiguredDatabase, startWorker } from './services.js';

async function main() {
  const config = loadConfig('worker');
  const logger = createLogger(config);
  const database = await openConfiguredDatabase(config);
  const connection = await connectWorker(config, config.TEMPORAL_ADDRESS);
  const temporal = await connectClient(config, config.TEMPORAL_ADDRESS);
  const { done } = await startWorker({ config, database, connection, logger, temporal });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  // The SDK installs SIGINT/SIGTERM handlers that drain the worker; `done` settles after that.
  await done;
  await temporal.connection.close();
  await connection.close();
  await database.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
