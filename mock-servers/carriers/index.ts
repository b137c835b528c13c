import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { controlError, createControlApi, pause } from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { createFieldChecker, readControlJson } from '../shared/index.ts';
import { dhlProblem, dhlRoutes } from './dhl.ts';
import {
  FAULT_APIS,
  createFaultBook,
  createRateLimiter,
  DHL_PUBLISHED_RATE_LIMIT,
  createRequestLog,
  type FaultApi,
  type FaultSettings,
  type SeenRequest,
} from './faults.ts';
import { postalRoutes, soapFault } from './postal.ts';
import { SHIPPING_BASE, SHIPPING_PATH, createShippingBook, shippingAnswer, shippingRoutes } from './shipping.ts';
import {
  CARRIER_APIS,
  SCENARIOS,
  createChooser,
  createShipmentClock,
  planShipment,
  seedShipments,
  type CarrierApi,
  type Scenario,
  type Shipment,
} from './shipments.ts';

export type { CarrierApi, Scenario, Shipment } from './shipments.ts';
export type { FaultApi, FaultSettings, SeenRequest } from './faults.ts';

export interface CarriersMockOptions extends CommonMockOptions {
  /** Keys accepted in `DHL-API-Key`; default `['demo-key']`. */
  apiKeys?: string[];
  /** SOAP header credentials of the postal API; default `lab-user` / `lab-password`. */
  postal?: { login: string; password: string };
  /**
   * Per DHL API key, in real time: `limit` requests per `windowSeconds`, and at most `perDay` a day when given;
   * default DHL's published limit, `DHL_PUBLISHED_RATE_LIMIT`: 1 per second and 250 a day. Tests that are not about
   * the limit give a looser one (`{ limit: 1_000_000, windowSeconds: 60 }`).
   */
  rateLimit?: { limit: number; windowSeconds: number; perDay?: number };
  /** The longest an injected hang lasts before it answers 504; default 120 000 ms. */
  maxHangMs?: number;
}

export interface ShipmentSummary {
  api: CarrierApi;
  trackingNumber: string;
  scenario: Scenario;
  service: string;
  /** The stage of the newest visible event; `none` before the first. */
  stage: string;
  eventsVisible: number;
  eventsPlanned: number;
}

/**
 * Carrier APIs in one app: a DHL-like JSON tracking API and a postal SOAP 1.2 operation-history service, over
 * seeded shipments whose histories advance with (scaled) time, and DHL's shipping API to book and cancel parcels
 * (`shipping.ts`), with latency, errors and hangs on demand.
 *
 * @example
 * const carriers = createCarriersMock({ timeScale: 0.001, seed: 'class-a' });
 * serve({ fetch: carriers.app.fetch, port: 4200, hostname: '127.0.0.1' });
 * carriers.control.shipments(); // the tracking numbers to ask for
 */
export function createCarriersMock(options: CarriersMockOptions = {}) {
  const seed = options.seed ?? 'integration-lab';
  const timeScale = options.timeScale ?? 1;
  // DHL's own limit unless told otherwise: a client that works against the mock's default works against DHL.
  const initialRate = options.rateLimit
    ? {
        limit: options.rateLimit.limit,
        windowMs: options.rateLimit.windowSeconds * 1000,
        ...(options.rateLimit.perDay === undefined ? {} : { perDay: options.rateLimit.perDay }),
      }
    : { ...DHL_PUBLISHED_RATE_LIMIT };
  const maxHangMs = options.maxHangMs ?? 120_000;
  const apiKeys = options.apiKeys ?? ['demo-key'];
  const postalCredentials = options.postal ?? { login: 'lab-user', password: 'lab-password' };

  const clock = createShipmentClock(timeScale);
  const faults = createFaultBook(createChooser(`faults:${seed}`));
  const limiter = createRateLimiter(initialRate);
  const log = createRequestLog();
  const closing = new AbortController();
  let extraChooser = createChooser(`extra:${seed}`);
  let shippingChooser = createChooser(`shipping:${seed}`);
  let shipments = seedShipments(seed);
  const shipping = createShippingBook();

  const find = (api: CarrierApi) => (number: string) =>
    shipments.find((s) => s.api === api && s.trackingNumber.toUpperCase() === number.toUpperCase());

  function summary(s: Shipment): ShipmentSummary {
    const visible = clock.visibleEvents(s);
    return {
      api: s.api,
      trackingNumber: s.trackingNumber,
      scenario: s.scenario,
      service: s.service,
      stage: visible.at(-1)?.stage ?? 'none',
      eventsVisible: visible.length,
      eventsPlanned: s.plan.length,
    };
  }

  const control = {
    /** What a lab's environment needs (the CLI prints it; also `GET /_control/secrets`). */
    secrets: (): Record<string, unknown> => ({
      dhl_api_key: apiKeys[0],
      postal_login: postalCredentials.login,
      postal_password: postalCredentials.password,
    }),
    shipments: (): ShipmentSummary[] => shipments.map(summary),
    /** Registers a shipment whose story starts now. */
    addShipment(api: CarrierApi, scenario: Scenario, trackingNumber?: string): ShipmentSummary {
      const elapsed = clock.worldElapsed();
      const shipment = planShipment(
        api,
        scenario,
        extraChooser,
        Number.isFinite(elapsed) ? elapsed : 0,
        trackingNumber,
      );
      if (find(api)(shipment.trackingNumber)) throw new RangeError(`${api} already has ${shipment.trackingNumber}`);
      shipments.push(shipment);
      return summary(shipment);
    },
    /** Parcels booked through the shipping API, oldest first, with their state (`booked` or `cancelled`). */
    bookings: () => shipping.list(),
    faults: () =>
      Object.fromEntries(FAULT_APIS.map((api) => [api, faults.get(api)])) as Record<FaultApi, FaultSettings>,
    setFaults: (api: FaultApi, change: Partial<FaultSettings>) => faults.set(api, change),
    clearFaults: (api?: FaultApi) => faults.clear(api),
    requests: (api?: SeenRequest['api']) => log.list(api),
    clearRequests: () => log.clear(),
    rateLimit: () => {
      const { limit, windowMs, perDay } = limiter.config();
      return { limit, windowSeconds: windowMs / 1000, ...(perDay === undefined ? {} : { perDay }) };
    },
    /** A new limit, fresh windows; without `perDay`, no daily cap. */
    setRateLimit: (limit: number, windowSeconds: number, perDay?: number) =>
      limiter.configure({ limit, windowMs: windowSeconds * 1000, ...(perDay === undefined ? {} : { perDay }) }),
    /** Seeded shipments back from the start, no faults, empty log and rate windows. */
    reset(): void {
      shipments = seedShipments(seed);
      extraChooser = createChooser(`extra:${seed}`);
      shippingChooser = createChooser(`shipping:${seed}`);
      shipping.reset();
      clock.restart();
      faults.clear();
      log.clear();
      limiter.configure(initialRate);
    },
  };

  const app = new Hono();
  const controlApi = createControlApi(app, 'carriers', options.controlToken);
  const controlToken = controlApi.token;
  // Which injected fault a request met, keyed by the request object the log middleware saw first.
  const faultOf = new WeakMap<Request, 'error' | 'hang' | 'hang-after'>();

  app.use('*', async (c, next) => {
    const raw = c.req.raw;
    const started = performance.now();
    await next();
    if (c.req.path.startsWith('/_control')) return;
    const path = c.req.path;
    const api = path.startsWith('/track/')
      ? 'dhl'
      : path.startsWith('/postal/')
        ? 'postal'
        : path.startsWith(SHIPPING_PATH)
          ? 'dhl-shipping'
          : 'other';
    const fault = faultOf.get(raw);
    log.add({
      at: new Date().toISOString(),
      api,
      method: c.req.method,
      path: c.req.path,
      query: new URL(raw.url).search,
      headers: recordedHeaders(raw.headers),
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      ...(fault ? { fault } : {}),
    });
  });

  type ErrorRenderer = (c: Context, status: ContentfulStatusCode, message: string) => Response;
  const injectFaults =
    (api: FaultApi, renderError: ErrorRenderer): MiddlewareHandler =>
    async (c, next) => {
      const signals = [c.req.raw.signal, closing.signal];
      const { latencyMs } = faults.get(api);
      // 499 (nginx's "client closed request"): only the request log ever sees it.
      if (latencyMs > 0 && !(await pause(latencyMs, ...signals))) return new Response(null, { status: 499 });
      const outcome = faults.decide(api);
      if (outcome.kind === 'hang') {
        faultOf.set(c.req.raw, 'hang');
        if (!(await pause(maxHangMs, ...signals))) return new Response(null, { status: 499 });
        return renderError(c, 504, 'The request timed out upstream (injected hang).');
      }
      if (outcome.kind === 'hang-after') {
        faultOf.set(c.req.raw, 'hang-after');
        await next(); // the request takes effect; only its answer is held back
        if (!(await pause(maxHangMs, ...signals))) c.res = new Response(null, { status: 499 });
        return;
      }
      if (outcome.kind === 'error') {
        faultOf.set(c.req.raw, 'error');
        return renderError(
          c,
          outcome.status,
          outcome.status === 503 ? 'The service is temporarily unavailable.' : 'An internal error occurred.',
        );
      }
      await next();
    };

  app.use(
    '/track/*',
    injectFaults('dhl', (c, status, message) => dhlProblem(c, status, message)),
  );
  app.use(
    '/postal/*',
    injectFaults('postal', (c, status, message) => soapFault(c, 'Receiver', message, { status })),
  );
  app.use(
    `${SHIPPING_PATH}*`,
    injectFaults('dhl-shipping', (c, status, message) => shippingAnswer(c, status, message)),
  );
  // The three APIs, one module each, mounted after the middleware above: Hono runs a parent's middleware on a
  // sub-app's routes only when it was registered before the `app.route()` call.
  app.route('/track', dhlRoutes({ apiKeys: () => apiKeys, limiter, find: find('dhl'), clock }));
  app.route(
    SHIPPING_BASE,
    shippingRoutes({
      book: shipping,
      apiKeys: () => apiKeys,
      choose: () => shippingChooser,
      onBooked: (shipmentNo) => {
        const elapsed = clock.worldElapsed();
        const start = Number.isFinite(elapsed) ? elapsed : 0;
        shipments.push(planShipment('dhl', 'in-progress', shippingChooser, start, shipmentNo));
      },
      onCancelled: (shipmentNo) => {
        shipments = shipments.filter((s) => !(s.api === 'dhl' && s.trackingNumber === shipmentNo));
      },
    }),
  );
  app.route('/postal', postalRoutes({ credentials: () => postalCredentials, find: find('postal'), clock }));

  // ---- control API: our own error envelope ----
  const ctl = controlApi.routes;
  const apiParam = (value: unknown, allowAll: boolean): CarrierApi[] | undefined => {
    if (allowAll && (value === undefined || value === 'all')) return [...CARRIER_APIS];
    return CARRIER_APIS.includes(value as CarrierApi) ? [value as CarrierApi] : undefined;
  };
  const faultApiParam = (value: unknown): FaultApi[] | undefined => {
    if (value === undefined || value === 'all') return [...FAULT_APIS];
    return FAULT_APIS.includes(value as FaultApi) ? [value as FaultApi] : undefined;
  };

  ctl.get('/shipments', (c) => c.json({ shipments: control.shipments() }));
  ctl.post('/shipments', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const trackingNumber = check.optionalString('trackingNumber');
    const api = apiParam(body.value.api, false)?.[0];
    const scenario = body.value.scenario;
    if (!api) check.problems.push({ field: 'api', message: `must be one of ${CARRIER_APIS.join(', ')}` });
    if (!SCENARIOS.includes(scenario as Scenario)) {
      check.problems.push({ field: 'scenario', message: `must be one of ${SCENARIOS.join(', ')}` });
    }
    if (trackingNumber !== undefined && !/^[A-Z0-9-]{4,40}$/.test(trackingNumber)) {
      check.problems.push({ field: 'trackingNumber', message: 'must be 4 to 40 capital letters, digits or dashes' });
    }
    if (check.problems.length > 0 || !api)
      return controlError(c, 422, 'validation_failed', 'Bad shipment.', check.problems);
    if (trackingNumber !== undefined && find(api)(trackingNumber)) {
      return controlError(c, 409, 'shipment_exists', `${api} already has ${trackingNumber}.`);
    }
    return c.json(control.addShipment(api, scenario as Scenario, trackingNumber), 201);
  });

  ctl.get('/bookings', (c) => c.json({ bookings: control.bookings() }));
  ctl.get('/faults', (c) => c.json(control.faults()));
  ctl.post('/faults', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const apis = faultApiParam(body.value.api);
    if (!apis) check.problems.push({ field: 'api', message: `must be ${FAULT_APIS.join(', ')} or all` });
    const change: Partial<FaultSettings> = {};
    const latencyMs = check.optionalNumber('latencyMs', 0, 600_000);
    const errorRate = check.optionalNumber('errorRate', 0, 1);
    const failNext = check.optionalNumber('failNext', 0, 10_000);
    const hangNext = check.optionalNumber('hangNext', 0, 10_000);
    const hangAfterNext = check.optionalNumber('hangAfterNext', 0, 10_000);
    const errorStatus = body.value.errorStatus;
    if (errorStatus !== undefined && errorStatus !== 500 && errorStatus !== 503) {
      check.problems.push({ field: 'errorStatus', message: 'must be 500 or 503' });
    }
    for (const [field, value] of Object.entries({ failNext, hangNext, hangAfterNext })) {
      if (value !== undefined && !Number.isInteger(value))
        check.problems.push({ field, message: 'must be a whole number' });
    }
    if (check.problems.length > 0 || !apis)
      return controlError(c, 422, 'validation_failed', 'Bad fault settings.', check.problems);
    Object.assign(
      change,
      latencyMs === undefined ? {} : { latencyMs },
      errorRate === undefined ? {} : { errorRate },
      failNext === undefined ? {} : { failNext },
      hangNext === undefined ? {} : { hangNext },
      hangAfterNext === undefined ? {} : { hangAfterNext },
      errorStatus === undefined ? {} : { errorStatus },
    );
    for (const api of apis) control.setFaults(api, change);
    return c.json(control.faults());
  });
  ctl.delete('/faults', (c) => {
    control.clearFaults();
    return c.json(control.faults());
  });

  ctl.get('/requests', (c) => {
    const api = c.req.query('api');
    if (api !== undefined && !['dhl', 'postal', 'dhl-shipping', 'other'].includes(api)) {
      return controlError(c, 400, 'invalid_parameter', 'api must be dhl, postal, dhl-shipping or other.', [
        { field: 'api', message: 'unknown API' },
      ]);
    }
    return c.json({ requests: control.requests(api as SeenRequest['api'] | undefined) });
  });
  ctl.delete('/requests', (c) => {
    control.clearRequests();
    return c.body(null, 204);
  });

  ctl.get('/rate-limit', (c) => c.json(control.rateLimit()));
  ctl.post('/rate-limit', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const limit = check.optionalNumber('limit', 1, 1_000_000);
    const windowSeconds = check.optionalNumber('windowSeconds', 0.001, 86_400);
    const perDay = check.optionalNumber('perDay', 1, 1_000_000_000);
    if (limit === undefined) check.problems.push({ field: 'limit', message: 'is required' });
    if (windowSeconds === undefined) check.problems.push({ field: 'windowSeconds', message: 'is required' });
    if (check.problems.length > 0 || limit === undefined || windowSeconds === undefined) {
      return controlError(c, 422, 'validation_failed', 'Bad rate limit.', check.problems);
    }
    control.setRateLimit(Math.floor(limit), windowSeconds, perDay === undefined ? undefined : Math.floor(perDay));
    return c.json(control.rateLimit());
  });

  controlApi.mount({ secrets: control.secrets, reset: control.reset });

  // Hono calls only the top-level app's notFound, so it picks each area's error shape by path.
  const within = (path: string, area: string) => path === area || path.startsWith(`${area}/`);
  app.notFound((c) => {
    const path = c.req.path;
    if (within(path, '/_control'))
      return controlError(c, 404, 'not_found', `No control route ${c.req.method} ${path}.`);
    if (within(path, '/postal')) return soapFault(c, 'Sender', `No SOAP endpoint at ${path}.`, { status: 404 });
    if (within(path, '/parcel')) return shippingAnswer(c, 404, `No route ${c.req.method} ${path}.`);
    return dhlProblem(c, 404, `No route ${c.req.method} ${path}.`);
  });
  app.onError((err, c) => {
    if (within(c.req.path, '/postal')) return soapFault(c, 'Receiver', err.message);
    if (within(c.req.path, '/parcel')) return shippingAnswer(c, 500, err.message);
    return dhlProblem(c, 500, err.message);
  });

  const server: MockServer<typeof control> = {
    name: 'carriers',
    app,
    control,
    controlToken,
    setBaseUrl() {
      // Nothing in the carriers' answers names the mock's own URL.
    },
    async close() {
      // Releases hanging and delayed requests so no timer outlives the mock.
      closing.abort();
    },
  };
  return server;
}

const REDACTED_HEADERS = new Set(['dhl-api-key', 'authorization', 'x-control-token']);

/** A request's headers as the request log keeps them: lower-case names, credentials redacted. */
function recordedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : value;
  });
  return out;
}

/** @public The control handle of a carriers mock, for lab tests (`run.mocks.carriers.mock.control`). */
export type CarriersControl = ReturnType<typeof createCarriersMock>['control'];
