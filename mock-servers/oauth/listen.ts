import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { MockServer } from '../types.ts';

/**
 * Starts a mock on 127.0.0.1 on a free port and tells it its base URL. For tests; the CLI has its own `startMock`.
 * (Used by the OAuth and carriers tests; it could move to `mock-servers/shared/`, which has no such helper yet.)
 */
export async function listenOnLoopback(mock: MockServer): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: mock.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  mock.setBaseUrl(url);
  return {
    url,
    async close() {
      await mock.close();
      // Hanging requests must not keep the server open after a test.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
