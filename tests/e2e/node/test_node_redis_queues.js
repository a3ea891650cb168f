'use strict';
// node-redis (npm "redis" 4.x, default options): the job-queue patterns of
// test_ioredis_queues.js through the other common Node client, whose
// blocking commands need a connection of their own (one client per
// worker), against the server at FKV_HOST:FKV_PORT.  Prints TAP.  Run by
// tests/e2e/test_node.py against FlashKV and against redis-server (the
// oracle: every check passes there).  The queues live on different shards
// (queue_checks.js's premise()).
const { createClient } = require('redis');
const { HOST, PORT, test, run, same, eq, step, waitFor } = require('./tap');
const { premise, sorted, produce, allJobs, checkDelivery, drained } = require('./queue_checks');
const assert = require('assert');

const URL = `redis://${HOST}:${PORT}`;

async function client(t) {
  const c = createClient({ url: URL });
  c.on('error', () => {});
  t.defer(() => (c.isOpen ? c.disconnect() : undefined));
  await c.connect();
  return c;
}

async function fresh(t) {
  const c = await client(t);
  await eq(c.flushAll(), 'OK', 'FLUSHALL');
  return c;
}

const push = (c) => (k, j) => c.lPush(k, j);
const llen = (c) => (k) => c.lLen(k);

test('node-redis: a worker pool on BLMOVE over 3 queues on different shards (600 jobs, 4 workers, 2 producers)', async (t) => {
  const c = await fresh(t);
  const queues = ['q:a', 'q:b', 'q:c'];
  const processing = [0, 1, 2, 3].map((w) => `processing:worker${w}`);
  premise([...queues, 'results']);
  premise(processing);
  let stop = false;
  const done = processing.map(() => []);
  const worker = async (w) => {
    const wc = await client(t);
    for (let k = w; !stop; k++) {
      const q = queues[k % queues.length];
      const job = await step(`worker ${w} BLMOVE ${q}`, wc.blMove(q, processing[w], 'RIGHT', 'LEFT', 1));
      if (job === null) continue;
      done[w].push(job);
      await step('RPUSH results', wc.rPush('results', job));
      await step('LREM processing', wc.lRem(processing[w], 1, job));
    }
  };
  const workers = processing.map((_, w) => worker(w));
  const producers = [0, 1].map(async (p) => produce(push(await client(t)), p, 300, queues));
  try {
    await step('producers', Promise.all(producers));
    const empty = await waitFor(() => drained(llen(c), [...queues, ...processing], 'results', 600), 30000, 50);
    assert.ok(empty, 'queues and processing lists empty, 600 results');
  } finally {
    stop = true; // each worker ends when its BLMOVE (1 s) returns
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers);
  checkDelivery(done, allJobs(2, 300), queues.length, 'BLMOVE pool');
  const results = await step('LRANGE results', c.lRange('results', 0, -1));
  same(sorted(results), sorted(allJobs(2, 300)), 'the results list holds each job once');
  for (const k of [...queues, ...processing]) await eq(c.exists(k), 0, `${k} is gone when empty`);
}, { timeout: 60000 });

test('node-redis: BRPOPLPUSH workers, BLPOP over several queues, and timeouts', async (t) => {
  const c = await fresh(t);
  const queues = ['q:a', 'q:b'];
  const processing = ['processing:worker0', 'processing:worker1'];
  premise([...queues, 'results']);
  let stop = false;
  const done = [[], []];
  const worker = async (w) => {
    const wc = await client(t);
    for (let k = w; !stop; k++) {
      const q = queues[k % queues.length];
      const job = await step(`BRPOPLPUSH ${q}`, wc.brPopLPush(q, processing[w], 1));
      if (job === null) continue;
      done[w].push(job);
      await step('RPUSH results', wc.rPush('results', job));
      await step('LREM processing', wc.lRem(processing[w], 1, job));
    }
  };
  let workers = [0, 1].map(worker);
  try {
    await step('producers', Promise.all([0, 1].map(async (p) => produce(push(await client(t)), p, 100, queues))));
    const empty = await waitFor(() => drained(llen(c), [...queues, ...processing], 'results', 200), 20000, 50);
    assert.ok(empty, 'BRPOPLPUSH: queues and processing lists empty, 200 results');
  } finally {
    stop = true;
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers);
  checkDelivery(done, allJobs(2, 100), queues.length, 'BRPOPLPUSH');

  // BLPOP on three queues: each reply names the queue it took from.
  const bqueues = ['q:a', 'q:b', 'q:c'];
  premise(bqueues);
  stop = false;
  const got = [[], []];
  const consumer = async (w) => {
    const wc = await client(t);
    while (!stop) {
      const r = await step('BLPOP', wc.blPop(bqueues, 1));
      if (r === null) continue;
      assert.ok(bqueues.includes(r.key), `BLPOP reply names a queue: ${r.key}`);
      assert.ok(Number(r.element.split(':')[2]) % bqueues.length === bqueues.indexOf(r.key), `BLPOP: ${r.element} from ${r.key}`);
      got[w].push(r.element);
    }
  };
  workers = [0, 1].map(consumer);
  try {
    // RPUSH here: BLPOP pops from the left, so the queues stay FIFO.
    await step('producers', Promise.all([0, 1].map(async (p) => {
      const pc = await client(t);
      return produce((k, j) => pc.rPush(k, j), p, 100, bqueues);
    })));
    const empty = await waitFor(async () => (await Promise.all(bqueues.map((k) => c.lLen(k)))).every((n) => n === 0) &&
      got.flat().length === 200, 20000, 50);
    assert.ok(empty, 'BLPOP: queues empty, 200 jobs taken');
  } finally {
    stop = true;
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers);
  checkDelivery(got, allJobs(2, 100), bqueues.length, 'BLPOP over 3 queues');
  await eq(c.blPop(['q:a', 'q:b'], 0.1), null, 'BLPOP times out on empty queues');
  await eq(c.blMove('q:a', 'q:b', 'LEFT', 'RIGHT', 0.1), null, 'BLMOVE times out on an empty source');
}, { timeout: 60000 });

run();
