'use strict';
// What the job-queue tests of every client library check (test_ioredis_queues.js,
// test_node_redis_queues.js): keys on different shards, job ids, producers,
// and exactly-once, FIFO-per-producer delivery.
const keySlot = require('cluster-key-slot');
const { same, step, sleep } = require('./tap');
const assert = require('assert');

// The keys were picked so that their slots fall in different classes mod 4
// (FlashKV maps slot -> shard as slot mod nshards): this checks that choice,
// so a rename cannot quietly turn cross-shard cases into single-shard ones.
function premise(keys) {
  const classes = keys.map((k) => keySlot(k) % 4);
  same(new Set(classes).size, keys.length, `the test's keys ${keys.join(' ')} are on different shards (slot mod 4)`);
}

const sorted = (a) => [...a].sort();

// Producers push job ids "job:<producer>:<nnnn>"; job n of a producer goes to
// queue n mod queues.length.  A few ms of random pause now and then lets the
// consumers find the queues empty and block.  push(queue, job) is the
// client's LPUSH.
function jobId(p, n) {
  return `job:${p}:${String(n).padStart(4, '0')}`;
}

async function produce(push, p, count, queues) {
  for (let n = 0; n < count; n++) {
    await step(`LPUSH ${jobId(p, n)}`, push(queues[n % queues.length], jobId(p, n)));
    if (Math.random() < 0.3) await sleep(Math.floor(Math.random() * 4));
  }
}

function allJobs(producers, count) {
  const all = [];
  for (let p = 0; p < producers; p++) for (let n = 0; n < count; n++) all.push(jobId(p, n));
  return all;
}

// Every job handled exactly once, and each consumer saw the jobs one
// producer put in one queue in the order they were pushed (a queue is FIFO:
// LPUSH, pop RIGHT).  nqueues: job n went to queue n mod nqueues.
function checkDelivery(perConsumer, want, nqueues, what) {
  const got = perConsumer.flat();
  same(got.length, want.length, `${what}: number of deliveries`);
  same(sorted(got), sorted(want), `${what}: every job delivered exactly once`);
  perConsumer.forEach((jobs, w) => {
    const last = {};
    for (const j of jobs) {
      const [, p, n] = j.split(':');
      const from = `${p} queue ${Number(n) % nqueues}`;
      assert.ok(last[from] === undefined || last[from] < j, `${what}: consumer ${w} got ${j} after ${last[from]}`);
      last[from] = j;
    }
  });
}

// llen(key) is the client's LLEN.
async function drained(llen, keys, results, total) {
  for (const k of keys) if ((await llen(k)) !== 0) return false;
  return (await llen(results)) === total;
}

module.exports = { premise, sorted, jobId, produce, allJobs, checkDelivery, drained };
