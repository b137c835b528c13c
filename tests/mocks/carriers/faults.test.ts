import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, listenMock } from '../../../mock-servers/shared/index.ts';
import { createCarriersMock } from '../../../mock-servers/carriers/index.ts';
import {
  operationHistoryRequest,
  parsePostalAnswer,
  postSoap,
  trackDhl,
} from '../../../mock-servers/carriers/test-client.ts';

describe('fault injection seen from a client', () => {
  let carriers: ReturnType<typeof createCarriersMock>;
  let server: Awaited<ReturnType<typeof listenMock>>;
  let tn: string;
  let barcode: string;
  beforeEach(async () => {
    carriers = createCarriersMock({
      seed: 'faults',
      maxHangMs: 10_000,
      rateLimit: { limit: 1_000_000, windowSeconds: 60 },
    });
    server = await listenMock(carriers);
    tn = carriers.control.shipments().find((s) => s.api === 'dhl')!.trackingNumber;
    barcode = carriers.control.shipments().find((s) => s.api === 'postal')!.trackingNumber;
  });
  afterEach(() => server.close());

  const setFaults = (body: Record<string, unknown>) =>
    controlFetch(server, '/_control/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('adds the configured latency to one API only', async () => {
    expect((await setFaults({ api: 'dhl', latencyMs: 300 })).status).toBe(200);
    let started = performance.now();
    expect((await trackDhl(server.url, tn)).res.status).toBe(200);
    const dhlMs = performance.now() - started;
    started = performance.now();
    expect((await postSoap(server.url, operationHistoryRequest(barcode))).res.status).toBe(200);
    const postalMs = performance.now() - started;
    expect(dhlMs).toBeGreaterThanOrEqual(290);
    expect(postalMs).toBeLessThan(dhlMs);
    expect(carriers.control.requests('dhl')[0]!.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('records the query and the headers a client sent, credentials redacted, in the request log', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const dhl = await fetch(`${server.url}/track/shipments?trackingNumber=${tn}`, {
      headers: { 'DHL-API-Key': 'demo-key', traceparent },
    });
    expect(dhl.status).toBe(200);
    await postSoap(server.url, operationHistoryRequest(barcode));
    const log = (await (await controlFetch(server, '/_control/requests?api=dhl')).json()) as {
      requests: { query: string; headers: Record<string, string> }[];
    };
    expect(log.requests[0]).toMatchObject({ query: `?trackingNumber=${tn}` });
    expect(log.requests[0]!.headers).toMatchObject({ traceparent, 'dhl-api-key': '[redacted]' });
    const postal = carriers.control.requests('postal')[0]!;
    expect(postal.query).toBe('');
    expect(postal.headers['content-type']).toMatch(/^application\/soap\+xml/);
  });

  it('fails the next N requests with 503 in each vendor shape, then recovers', async () => {
    await setFaults({ api: 'all', failNext: 3, errorStatus: 503 });
    const dhl: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { res, json } = await trackDhl(server.url, tn);
      dhl.push(res.status);
      if (res.status === 503) expect(json).toMatchObject({ title: 'Service Unavailable', status: 503 });
    }
    expect(dhl).toEqual([503, 503, 503, 200, 200]);
    const { res, text } = await postSoap(server.url, operationHistoryRequest(barcode));
    expect(res.status).toBe(503);
    expect(parsePostalAnswer(text)).toMatchObject({ kind: 'fault', code: 'env:Receiver' });
    expect(carriers.control.faults().postal.failNext).toBe(2);
  });

  it('fails a share of requests: about half at errorRate 0.5, the same share for the same seed', async () => {
    await setFaults({ api: 'dhl', errorRate: 0.5, errorStatus: 500 });
    let failures = 0;
    for (let i = 0; i < 60; i++) if ((await trackDhl(server.url, tn)).res.status === 500) failures += 1;
    expect(failures).toBeGreaterThan(15);
    expect(failures).toBeLessThan(45);
    // The request log counts the same 500s, marked as injected.
    const log = (await (await controlFetch(server, '/_control/requests?api=dhl')).json()) as {
      requests: { status: number; fault?: string }[];
    };
    expect(log.requests).toHaveLength(60);
    expect(log.requests.filter((r) => r.status === 500 && r.fault === 'error')).toHaveLength(failures);
  });

  it('hangs a request until the client gives up with AbortSignal.timeout', async () => {
    await setFaults({ api: 'postal', hangNext: 1 });
    const started = performance.now();
    await expect(
      postSoap(server.url, operationHistoryRequest(barcode), undefined, AbortSignal.timeout(400)),
    ).rejects.toThrow(expect.objectContaining({ name: 'TimeoutError' }));
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(3000);
    // The hang was one-shot: the retry succeeds.
    expect(
      (await postSoap(server.url, operationHistoryRequest(barcode), undefined, AbortSignal.timeout(2000))).res.status,
    ).toBe(200);
    // The mock saw the client hang up.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !carriers.control.requests('postal').some((r) => r.fault === 'hang')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(carriers.control.requests('postal')[0]).toMatchObject({ fault: 'hang', status: 499 });
  });

  it('answers a hang with 504 after maxHangMs, and close() releases hung requests', async () => {
    const short = createCarriersMock({ maxHangMs: 200 });
    const shortServer = await listenMock(short);
    try {
      short.control.setFaults('dhl', { hangNext: 1 });
      const { res, json } = await trackDhl(shortServer.url, short.control.shipments()[0]!.trackingNumber);
      expect(res.status).toBe(504);
      expect(json).toMatchObject({ title: 'Gateway Timeout' });
    } finally {
      await shortServer.close();
    }
    carriers.control.setFaults('dhl', { hangNext: 1 });
    const pending = trackDhl(server.url, tn).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 100));
    const closed = performance.now();
    await server.close();
    await pending; // settles (reset connection) instead of hanging the test
    expect(performance.now() - closed).toBeLessThan(2000);
    server = await listenMock(createCarriersMock()); // for afterEach
  });

  it('reset clears faults and the log', async () => {
    await setFaults({ api: 'all', failNext: 5, latencyMs: 50 });
    await trackDhl(server.url, tn);
    expect((await controlFetch(server, '/_control/reset', { method: 'POST' })).status).toBe(200);
    expect(carriers.control.faults().dhl).toMatchObject({ failNext: 0, latencyMs: 0 });
    expect(carriers.control.requests()).toEqual([]);
    expect((await trackDhl(server.url, tn)).res.status).toBe(200);
  });

  it('rejects bad fault settings in our error envelope', async () => {
    const res = await setFaults({ api: 'ups', errorRate: 2, errorStatus: 418, failNext: 1.5 });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['api', 'errorRate', 'errorStatus', 'failNext']);
  });
});

describe('histories advance with scaled time', () => {
  it('walks an in-progress shipment from pre-transit to delivered on both APIs', async () => {
    // 27 world hours pass in about 5 real seconds; the first stage change comes after 0.36 s, late enough for the
    // first poll to see "pre-transit" even on a busy machine.
    const carriers = createCarriersMock({
      seed: 'timeline',
      timeScale: 0.00005,
      rateLimit: { limit: 10_000, windowSeconds: 60 },
    });
    const server = await listenMock(carriers);
    try {
      const tn = carriers.control
        .shipments()
        .find((s) => s.api === 'dhl' && s.scenario === 'in-progress')!.trackingNumber;
      const barcode = carriers.control
        .shipments()
        .find((s) => s.api === 'postal' && s.scenario === 'in-progress')!.trackingNumber;
      const seen: string[] = [];
      carriers.control.reset(); // the story starts now, not when the server started listening
      const deadline = Date.now() + 15_000;
      let postalRecords = 0;
      while (Date.now() < deadline) {
        const { json } = await trackDhl(server.url, tn);
        const code = json.shipments[0].status.statusCode as string;
        if (seen.at(-1) !== code) seen.push(code);
        const answer = parsePostalAnswer((await postSoap(server.url, operationHistoryRequest(barcode))).text);
        if (answer.kind === 'history') {
          expect(answer.records.length).toBeGreaterThanOrEqual(postalRecords); // history only grows
          postalRecords = answer.records.length;
        }
        if (code === 'delivered' && postalRecords === 6) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toEqual(['pre-transit', 'transit', 'delivered']);
      expect(postalRecords).toBe(6);
      const final = await trackDhl(server.url, tn);
      expect(final.json.shipments[0].events).toHaveLength(6);

      // A shipment registered through the control API starts its story at that moment.
      const added = await controlFetch(server, '/_control/shipments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api: 'dhl', scenario: 'in-progress', trackingNumber: 'LAB-0001' }),
      });
      expect(added.status).toBe(201);
      expect(await added.json()).toMatchObject({ trackingNumber: 'LAB-0001', stage: 'created', eventsVisible: 1 });
      expect((await trackDhl(server.url, 'LAB-0001')).json.shipments[0].status.statusCode).toBe('pre-transit');
    } finally {
      await server.close();
    }
  });

  it('at real time (timeScale 1) the in-progress shipment has only just been created', () => {
    const carriers = createCarriersMock();
    const byScenario = Object.fromEntries(
      carriers.control
        .shipments()
        .filter((s) => s.api === 'dhl')
        .map((s) => [s.scenario, s.stage]),
    );
    expect(byScenario).toEqual({
      delivered: 'delivered',
      'in-progress': 'created',
      slow: 'created',
      failed: 'picked-up',
      unknown: 'none',
    });
  });
});
