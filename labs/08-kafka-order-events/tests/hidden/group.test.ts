import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { appliedEventIds, cleanup, groupAssignment, names, postLifecycles, produceRaw, projection, scratch } from '../support.ts';

let run: LabRun;
let second: LabRun | undefined;
let rebuilt: LabRun | undefined;
const files = scratch();
const rebuildGroup = () => `${run.prefix}.rebuild`;
beforeAll(async () => {
  run = await startLab({ env: { PROJECTION_FILE: files.file('a.jsonl') } });
});
afterAll(async () => {
  for (const r of [second, rebuilt, run]) await r?.stop();
  if (run) await cleanup(run.prefix, [rebuildGroup()]);
  files.remove();
});

const all = new Set<string>();

graded('two instances in one consumer group split the 3 partitions', {
  points: 3,
  hint: 'Create the topic with 3 partitions (admin.createTopics) and let every instance join the same groupId (from NAME_PREFIX); Kafka then gives each instance its own partitions.',
  timeout: 60_000,
}, async () => {
  second = await startLab({ env: { NAME_PREFIX: run.prefix, PROJECTION_FILE: files.file('b.jsonl') } });
  const { topic, group } = names(run.prefix);
  const assignment = await waitFor(async () => {
    const a = await groupAssignment(group, topic);
    return a.state === 'Stable' && a.members.length === 2 && a.members.every((p) => p.length > 0) ? a : undefined;
  }, { timeoutMs: 40_000, intervalMs: 500, message: `group ${group} stable with 2 members that each hold partitions` });
  expect(assignment.members.flat().sort(), 'the 3 partitions, each held by exactly one instance').toEqual([0, 1, 2]);
  const orderIds = Array.from({ length: 12 }, (_, i) => `g${i}-${randomUUID().slice(0, 6)}`);
  for (const id of await postLifecycles(run.url, orderIds)) all.add(id);
  const perInstance = await waitFor(async () => {
    const a = await appliedEventIds([run.url]);
    const b = await appliedEventIds([second!.url]);
    return [...all].every((id) => a.includes(id) || b.includes(id)) ? [a, b] : undefined;
  }, { timeoutMs: 30_000, message: 'all 36 events applied by one instance or the other' });
  expect(perInstance.map((ids) => ids.filter((id) => all.has(id)).length).every((n) => n > 0), 'both instances did part of the work').toBe(true);
});

graded('when one instance dies, the other takes over its partitions with no loss', {
  points: 3,
  hint: 'Keep the session timeout small (a few seconds) so that the group notices a dead instance, and commit only what was processed: the survivor resumes from the dead one\'s last commit.',
  timeout: 60_000,
}, async () => {
  expect(second, 'needs the second instance from the previous test').toBeDefined();
  second!.app.kill('SIGKILL');
  const orderIds = Array.from({ length: 12 }, (_, i) => `t${i}-${randomUUID().slice(0, 6)}`);
  const fresh = await postLifecycles(run.url, orderIds);
  await waitFor(async () => {
    const a = new Set(await appliedEventIds([run.url]));
    return fresh.every((id) => a.has(id));
  }, { timeoutMs: 45_000, intervalMs: 250, message: 'the surviving instance to apply all 36 events produced after the kill' });
  const { topic, group } = names(run.prefix);
  const after = await groupAssignment(group, topic);
  expect(after.members, 'the survivor holds all 3 partitions').toEqual([[0, 1, 2]]);
});

graded('a duplicate event (same eventId) is counted once', {
  points: 2,
  hint: 'Producers retry and consumers re-read after a crash: before applying an event, check projection.has(eventId).',
  timeout: 40_000,
}, async () => {
  const orderId = `d-${randomUUID().slice(0, 8)}`;
  const event = { eventId: `${orderId}-created`, orderId, type: 'order.created', amount: 12, at: new Date().toISOString() };
  const marker = { ...event, eventId: `${orderId}-paid`, type: 'order.paid' };
  await produceRaw(names(run.prefix).topic, [
    { key: orderId, value: JSON.stringify(event) },
    { key: orderId, value: JSON.stringify(event) },
    { key: orderId, value: JSON.stringify(marker) },
  ]);
  const view = await waitFor(async () => {
    const v = (await projection(run.url)).get(orderId);
    return v?.history.some((h) => h.eventId === marker.eventId) ? v : undefined;
  }, { timeoutMs: 30_000, message: `order ${orderId} paid in the projection` });
  expect(view.history.map((h) => h.eventId)).toEqual([event.eventId, marker.eventId]);
  all.add(event.eventId).add(marker.eventId);
});

graded('a new consumer group replays the topic from the start and rebuilds the projection', {
  points: 2,
  hint: 'subscribe({ fromBeginning: true }): a group without committed offsets then starts at the earliest offset instead of only seeing new events.',
  timeout: 60_000,
}, async () => {
  // History the new group must find: events produced (and applied by the first group) before it exists.
  const orderId = `r-${randomUUID().slice(0, 8)}`;
  const history = ['order.created', 'order.paid', 'order.cancelled'].map((type) => ({ eventId: `${orderId}-${type}`, orderId, type, amount: 7, at: new Date().toISOString() }));
  await produceRaw(names(run.prefix).topic, history.map((e) => ({ key: orderId, value: JSON.stringify(e) })));
  await waitFor(async () => (await projection(run.url)).get(orderId)?.history.length === 3, { timeoutMs: 30_000, message: `order ${orderId} applied by the first group` });
  for (const e of history) all.add(e.eventId);
  rebuilt = await startLab({ env: { NAME_PREFIX: run.prefix, GROUP_ID: rebuildGroup(), PROJECTION_FILE: files.file('rebuild.jsonl') } });
  const ids = await waitFor(async () => {
    const have = new Set(await appliedEventIds([rebuilt!.url]));
    return [...all].every((id) => have.has(id)) ? have : undefined;
  }, { timeoutMs: 45_000, intervalMs: 250, message: `the new group ${rebuildGroup()} to rebuild all ${all.size} earlier events` });
  expect(ids.size).toBeGreaterThanOrEqual(all.size);
});
