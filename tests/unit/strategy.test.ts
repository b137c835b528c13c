import { describe, expect, test } from 'vitest';
import { planFor, type Situation } from '../../cli/services/strategy.ts';
import { resolveServiceNames } from '../../cli/services/index.ts';

const base: Situation = {
  service: 'kafka',
  ready: false,
  portBusy: false,
  port: 9092,
  dockerEngine: false,
  localFallback: false,
};

describe('lab services up: which way to get a broker', () => {
  test('a broker that already answers is used as it is, even when Docker runs', () => {
    expect(planFor({ ...base, ready: true, portBusy: true, dockerEngine: true, localFallback: true })).toEqual({
      action: 'use-running',
    });
  });
  test('Docker comes before the local fallback', () => {
    expect(planFor({ ...base, dockerEngine: true, localFallback: true }).action).toBe('docker');
  });
  test('without Docker, the local fallback', () => {
    expect(planFor({ ...base, localFallback: true }).action).toBe('local');
  });
  test('a port held by something that is not the broker is reported, never started over', () => {
    const plan = planFor({ ...base, portBusy: true, dockerEngine: true, localFallback: true });
    expect(plan.action).toBe('port-conflict');
    expect(plan.action === 'port-conflict' && plan.message).toMatch(/port 9092 is taken.*KAFKA_BROKERS/s);
  });
  test('nothing available: the message names the three ways', () => {
    const plan = planFor({ ...base, service: 'rabbitmq', port: 5672, localMissing: 'rabbitmq-server' });
    expect(plan.action).toBe('unavailable');
    const message = plan.action === 'unavailable' ? plan.message : '';
    expect(message).toContain('start Docker');
    expect(message).toContain('apt-get install rabbitmq-server');
    expect(message).toContain('AMQP_URL=');
    expect(message).toContain('missing now: rabbitmq-server');
  });
});

describe('service names', () => {
  test('no names means every broker', () => {
    expect(resolveServiceNames([])).toEqual(['rabbitmq', 'kafka']);
  });
  test('names are case-insensitive', () => {
    expect(resolveServiceNames(['Kafka'])).toEqual(['kafka']);
  });
  test('an unknown name is an error that lists the known ones', () => {
    expect(() => resolveServiceNames(['redis'])).toThrow(/unknown service "redis".*rabbitmq, kafka/);
  });
});
