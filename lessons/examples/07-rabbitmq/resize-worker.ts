// A work queue of image-resize jobs, for the RabbitMQ lesson: publisher confirms, a dead-letter queue, a length limit
// with backpressure, and a worker that retries later through a delay queue and never resizes one image twice. Lab 06
// builds an e-mail queue with the same tools and its own retry rule (see its README).
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';

export interface ResizeJob {
  id: string;
  image: string;
  width: number;
}

export function resizeNames(prefix: string) {
  return {
    queue: `${prefix}.resize`,
    retryQueue: `${prefix}.resize.retry`, // no consumers: jobs wait here, expire, and come back
    deadExchange: `${prefix}.resize.dlx`,
    deadQueue: `${prefix}.resize.dead`,
  };
}

// #region topology
export async function declareResizeTopology(
  ch: ConfirmChannel,
  n: ReturnType<typeof resizeNames>,
  maxLength = 5_000,
): Promise<void> {
  await ch.assertExchange(n.deadExchange, 'direct', { durable: true });
  await ch.assertQueue(n.deadQueue, { durable: true });
  await ch.bindQueue(n.deadQueue, n.deadExchange, 'dead');
  await ch.assertQueue(n.queue, {
    durable: true,
    deadLetterExchange: n.deadExchange, // nack without requeue moves a job here…
    deadLetterRoutingKey: 'dead', // …under this key, whatever key it was published with
    maxLength, // at most this many jobs waiting; then…
    overflow: 'reject-publish', // …the broker nacks new ones (the producer knows) instead of dropping old ones
  });
  // The delay queue: a job expires after 10 s and is dead-lettered through the default exchange back into the work queue.
  await ch.assertQueue(n.retryQueue, {
    durable: true,
    messageTtl: 10_000,
    deadLetterExchange: '',
    deadLetterRoutingKey: n.queue,
  });
}
// #endregion topology

// #region publish
/** Resolves when the broker has taken the job, rejects when it nacks it (for example, the queue is full). */
export function enqueueResize(
  ch: ConfirmChannel,
  queue: string,
  job: ResizeJob,
  headers: Record<string, unknown> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.sendToQueue(
      queue,
      Buffer.from(JSON.stringify(job)),
      { persistent: true, contentType: 'application/json', messageId: job.id, headers },
      (err) => (err ? reject(new Error('queue full or broker refused the job')) : resolve()),
    );
  });
}
// #endregion publish

// #region consume
/**
 * The worker's handler. `done` is the record of finished job ids: in production a table or the resized files
 * themselves, so that it survives a restart; here anything with has/add/delete.
 */
export function resizeHandler(options: {
  worker: Channel; // the channel the messages arrive on: ack and nack there
  publisher: ConfirmChannel;
  names: ReturnType<typeof resizeNames>;
  done: Pick<Set<string>, 'has' | 'add' | 'delete'>;
  resize: (job: ResizeJob) => Promise<void>;
  maxRetries?: number;
}) {
  const { worker, publisher, names, done } = options;
  return async function handle(msg: ConsumeMessage): Promise<void> {
    let job: ResizeJob;
    try {
      job = JSON.parse(msg.content.toString()) as ResizeJob;
      if (typeof job.id !== 'string' || typeof job.image !== 'string') throw new Error('not a resize job');
    } catch {
      worker.nack(msg, false, false); // no retry can fix it: straight to the dead-letter queue
      return;
    }
    if (done.has(job.id)) return worker.ack(msg); // a duplicate: already resized
    done.add(job.id); // claimed before the slow part, so a concurrent duplicate skips it
    try {
      await options.resize(job);
      worker.ack(msg); // only now is the job done
    } catch (error) {
      done.delete(job.id); // not done: a later attempt may try again
      const retries = Number(msg.properties.headers?.['x-retries'] ?? 0);
      if (retries >= (options.maxRetries ?? 3)) return worker.nack(msg, false, false); // give up: dead letter
      try {
        // A copy waits in the delay queue; the original is acked only once the broker has the copy.
        await enqueueResize(publisher, names.retryQueue, job, { 'x-retries': retries + 1, 'x-error': String(error) });
        worker.ack(msg);
      } catch {
        worker.nack(msg, false, true); // the copy was refused: put the original back
      }
    }
  };
}

export async function startResizeWorker(options: Parameters<typeof resizeHandler>[0]): Promise<void> {
  const handle = resizeHandler(options);
  await options.worker.prefetch(4); // up to 4 resizes at once on this worker; the rest go to other workers
  await options.worker.consume(
    options.names.queue,
    (msg) => {
      if (msg) void handle(msg);
    },
    { noAck: false },
  );
}
// #endregion consume
