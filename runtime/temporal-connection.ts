/** Connections to a Temporal cluster: plain (dev), mTLS (self-hosted) or API key (Temporal Cloud). */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config.js';

function tlsOptions(config: Config) {
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    return {
      serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
      serverRootCACertificate: config.TEMPORAL_TLS_CA_PATH ? readFileSync(config.TEMPORAL_TLS_CA_PATH) : undefined,
      clientCertPair: {
        crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH),
        key: readFileSync(config.TEMPORAL_TLS_KEY_PATH),
      },
    };
  }
  return config.TEMPORAL_API_KEY ? true : undefined;
}

export async function connectClient(config: Config, address: string): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(config), apiKey: config.TEMPORAL_API_KEY });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export function connectWorker(config: Config, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(config), apiKey: config.TEMPORAL_API_KEY });
}
