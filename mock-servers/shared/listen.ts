import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { MockServer } from '../types.ts';

export interface ListeningMock {
  url: string;
  port: number;
  /** The mock's control token (see `MockServer.controlToken`). */
  controlToken: string;
  /** Stop the mock (timers, deliveries, event streams), then the HTTP server, dropping open connections. */
  close(): Promise<void>;
}

/**
 * Serve a mock over HTTP and tell it its base URL. `port: 0` picks any free port.
 * @example const { url, close } = await listenMock(createStripeMock(), { port: 0 });
 */
export async function listenMock(
  mock: MockServer,
  { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<ListeningMock> {
  const server = createAdaptorServer({ fetch: mock.app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  mock.setBaseUrl(url);
  return {
    url,
    port: actual,
    controlToken: mock.controlToken,
    async close() {
      await mock.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
