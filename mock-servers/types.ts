import type { Hono } from 'hono';

/**
 * What every mock factory returns (`createStripeMock`, `createGitHubMock`, `createOAuthMock`, `createCarriersMock`).
 * The CLI (`lab mock <name>`), the lab harness and the tests all start mocks through the same factory.
 */
export interface MockServer<Control = unknown> {
  /** Short name: stripe | github | oauth | carriers. */
  readonly name: string;
  /** The whole mock: vendor routes, `/_control/…` and `/_inspector`. */
  readonly app: Hono;
  /** In-process handle for tests (the same operations as the HTTP control API). */
  readonly control: Control;
  /**
   * What `/_control/…` and `/_inspector` demand (`X-Control-Token`, `Authorization: Bearer` or `?token=`): random per
   * start unless given in options. Only whoever started the mock holds it; it never goes into a lab app's environment.
   */
  readonly controlToken: string;
  /** Tell the mock its own public base URL once it listens (used in links, hook URLs, JWT `iss`). */
  setBaseUrl(url: string): void;
  /** Stop timers and pending deliveries. */
  close(): Promise<void>;
}

export interface CommonMockOptions {
  /** Multiplies every real-world delay (retry schedules, shipment progress). 1 = real time; 0.0001 = fast tests. */
  timeScale?: number;
  /** Deterministic ids and secrets in tests (never the control token). */
  seed?: string;
  /** The control token (at least 16 characters); default: 256 random bits, new on every start. */
  controlToken?: string;
}
