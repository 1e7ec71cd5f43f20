/**
 * A TCP proxy in front of Temporal for one API process: frozen, it swallows what the API sends, so a
 * POST /v1/returns commits its case and then hangs at starting the workflow, where the API is killed.
 */
import net from 'node:net';

export function freezableProxy(targetPort: number) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => {
      if (!frozen) upstream.write(d);
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return {
    listen: () =>
      new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as net.AddressInfo).port))),
    freeze: (on: boolean) => (frozen = on),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
