// The mock server registry: every mock by name, started the same way by the CLI (`lab mock`), the lab harness and
// the tests.
import { createCarriersMock } from './carriers/index.ts';
import { createGitHubMock } from './github/index.ts';
import { createOAuthMock } from './oauth/index.ts';
import { listenMock } from './shared/index.ts';
import { createStripeMock } from './stripe/index.ts';
import type { MockServer } from './types.ts';

export type { GitHubControl } from './github/index.ts';
export type { StripeControl } from './stripe/index.ts';
export type { MockServer } from './types.ts';
export { CONTROL_TOKEN_HEADER, controlFetch } from './shared/index.ts';

const FACTORIES = {
  stripe: createStripeMock,
  github: createGitHubMock,
  oauth: createOAuthMock,
  carriers: createCarriersMock,
} as const satisfies Record<string, (options: never) => MockServer<unknown>>;

export type MockName = keyof typeof FACTORIES;

/** The control handle a mock's factory gives (StripeControl for 'stripe', …): typed by name, no casts. */
export type ControlOf<N extends MockName> = ReturnType<(typeof FACTORIES)[N]>['control'];

export const MOCK_NAMES = Object.keys(FACTORIES) as MockName[];

/** Where `lab mock NAME` listens unless told otherwise. */
export const DEFAULT_PORTS: Record<MockName, number> = {
  stripe: 12111,
  github: 12112,
  oauth: 12113,
  carriers: 12114,
};

export const isMockName = (name: string): name is MockName => Object.hasOwn(FACTORIES, name);

/** Build a mock by name with its factory's options (not listening yet). */
export function createMock<N extends MockName>(name: N, options?: Record<string, unknown>): MockServer<ControlOf<N>>;
export function createMock(name: string, options?: Record<string, unknown>): MockServer<unknown>;
export function createMock(name: string, options: Record<string, unknown> = {}): MockServer<unknown> {
  if (!isMockName(name)) throw new RangeError(`unknown mock "${name}"; known mocks: ${MOCK_NAMES.join(', ')}`);
  return (FACTORIES[name] as (o: Record<string, unknown>) => MockServer<unknown>)(options);
}

export interface StartedMock<Control = unknown> {
  name: string;
  url: string;
  port: number;
  mock: MockServer<Control>;
  /** The token `/_control/…` and `/_inspector` demand: for the tests and the person, never for the app. */
  controlToken: string;
  /** Keys, tokens and signing secrets (from the mock's control handle), e.g. `${mocks.stripe.secrets.webhook_secret}`. */
  secrets: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Create a mock and serve it. `port` defaults to 0 (any free port; `lab mock` passes `DEFAULT_PORTS`); the rest of the
 * options go to the factory.
 * @example const stripe = await startMock('stripe', { timeScale: 0.0001 }); // stripe.url, stripe.secrets.api_key
 */
export async function startMock<N extends MockName>(
  name: N,
  options?: { port?: number; host?: string } & Record<string, unknown>,
): Promise<StartedMock<ControlOf<N>>>;
export async function startMock(
  name: string,
  options?: { port?: number; host?: string } & Record<string, unknown>,
): Promise<StartedMock>;
export async function startMock(
  name: string,
  { port = 0, host = '127.0.0.1', ...options }: { port?: number; host?: string } & Record<string, unknown> = {},
): Promise<StartedMock> {
  const mock = createMock(name, options);
  const listening = await listenMock(mock, { port, host }).catch(async (error: unknown) => {
    await mock.close(); // e.g. the port is taken: do not leave the mock's timers behind
    throw error;
  });
  const control = mock.control as { secrets?: () => Record<string, unknown> } | undefined;
  return {
    name,
    url: listening.url,
    port: listening.port,
    mock,
    controlToken: listening.controlToken,
    get secrets() {
      return typeof control?.secrets === 'function' ? control.secrets() : {};
    },
    close: listening.close,
  };
}

/**
 * The inspector page of a started mock, if it has one (the mocks that send webhooks do), as a link that carries the
 * control token (the page needs it for its data and its live stream).
 */
export async function inspectorUrl(started: { url: string; controlToken: string }): Promise<string | undefined> {
  const url = `${started.url}/_inspector?token=${encodeURIComponent(started.controlToken)}`;
  const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    async (res) => {
      await res.body?.cancel();
      return res.ok;
    },
    () => false,
  );
  return ok ? url : undefined;
}
