'use strict';
// ioredis (5.x, default options): work queues on blocking list pops, a
// delayed-job scheduler and a leaderboard on sorted sets, and a store finder
// on GEO, as applications use them, against the server at FKV_HOST:FKV_PORT.
// Prints TAP.  Run by tests/e2e/test_node.py against FlashKV and against
// redis-server (the oracle: every check passes against redis-server).
//
// The keys have no common hashtag, and were picked so that their slots fall
// in different classes mod 4: the blocking moves, the waiters on several
// keys and the *STORE commands cross shards (queue_checks.js's premise()).
//
// Many clients run at once, so the order of events differs from run to run;
// the checks are on what must hold whatever the order: each job delivered
// exactly once, FIFO order per producer and queue, every reply the same
// string redis-server gives.
const Redis = require('ioredis');
const { HOST, PORT, test, run, same, eq, step, show, sleep, waitFor } = require('./tap');
const assert = require('assert');
const q = require('./queue_checks');
const { premise, sorted, allJobs, checkDelivery } = q;

function client(t) {
  const c = new Redis(PORT, HOST);
  c.on('error', () => {});
  t.defer(() => c.disconnect());
  return c;
}

async function fresh(t) {
  const c = client(t);
  await eq(c.flushall(), 'OK', 'FLUSHALL');
  return c;
}

async function blockedClients(c) {
  const info = await step('INFO clients', c.info('clients'));
  return Number(/blocked_clients:(\d+)/.exec(info)[1]);
}

// Waits until exactly n clients are blocked: a consumer's blocking command
// has reached the server before the producer writes.
async function blockedNow(c, n, what) {
  const got = await waitFor(async () => (await blockedClients(c)) === n, 10000, 20);
  assert.ok(got, `${what}: ${n} client(s) blocked`);
}

// The shared checks, over ioredis's LPUSH and LLEN.
const produce = (c, p, count, queues) => q.produce((k, j) => c.lpush(k, j), p, count, queues);
const drained = (c, keys, results, total) => q.drained((k) => c.llen(k), keys, results, total);

test('ioredis: a worker pool on BLMOVE over 3 queues on different shards (600 jobs, 4 workers, 2 producers)', async (t) => {
  const c = await fresh(t);
  const queues = ['q:a', 'q:b', 'q:c'];
  const processing = [0, 1, 2, 3].map((w) => `processing:worker${w}`);
  premise([...queues, 'results']);
  premise(processing);
  let stop = false;
  const done = processing.map(() => []);
  const worker = async (w) => {
    const wc = client(t);
    for (let k = w; !stop; k++) {
      const q = queues[k % queues.length]; // round-robin from its own start
      const job = await step(`worker ${w} BLMOVE ${q}`, wc.blmove(q, processing[w], 'RIGHT', 'LEFT', 1));
      if (job === null) continue;
      done[w].push(job);
      await step('RPUSH results', wc.rpush('results', job));
      await step('LREM processing', wc.lrem(processing[w], 1, job));
    }
  };
  const workers = processing.map((_, w) => worker(w));
  const producers = [0, 1].map((p) => produce(client(t), p, 300, queues));
  try {
    await step('producers', Promise.all(producers));
    const empty = await waitFor(() => drained(c, [...queues, ...processing], 'results', 600), 30000, 50);
    assert.ok(empty, 'queues and processing lists empty, 600 results');
  } finally {
    stop = true; // each worker ends when its BLMOVE (1 s) returns
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers); // a worker's failure fails the test
  checkDelivery(done, allJobs(2, 300), queues.length, 'BLMOVE pool');
  const results = await step('LRANGE results', c.lrange('results', 0, -1));
  same(sorted(results), sorted(allJobs(2, 300)), 'the results list holds each job once');
  for (const k of [...queues, ...processing]) await eq(c.exists(k), 0, `${k} is gone when empty`);
}, { timeout: 60000 });

test('ioredis: workers on BRPOPLPUSH, and consumers on BLMPOP ... COUNT 5', async (t) => {
  const c = await fresh(t);
  const queues = ['q:a', 'q:b'];
  const processing = ['processing:worker0', 'processing:worker1'];
  premise([...queues, 'results']);
  let stop = false;
  const done = [[], []];
  const worker = async (w) => {
    const wc = client(t);
    for (let k = w; !stop; k++) {
      const q = queues[k % queues.length];
      const job = await step(`BRPOPLPUSH ${q}`, wc.brpoplpush(q, processing[w], 1));
      if (job === null) continue;
      done[w].push(job);
      await step('RPUSH results', wc.rpush('results', job));
      await step('LREM processing', wc.lrem(processing[w], 1, job));
    }
  };
  let workers = [0, 1].map(worker);
  try {
    await step('producers', Promise.all([0, 1].map((p) => produce(client(t), p, 100, queues))));
    const empty = await waitFor(() => drained(c, [...queues, ...processing], 'results', 200), 20000, 50);
    assert.ok(empty, 'BRPOPLPUSH: queues and processing lists empty, 200 results');
  } finally {
    stop = true;
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers);
  checkDelivery(done, allJobs(2, 100), queues.length, 'BRPOPLPUSH');

  // BLMPOP takes up to 5 jobs at a time from the first non-empty queue.
  const mqueues = ['q:a', 'q:b', 'q:c'];
  premise([...mqueues, 'batch:results']);
  stop = false;
  const got = [[], []];
  const consumer = async (w) => {
    const wc = client(t);
    while (!stop) {
      const r = await step('BLMPOP', wc.blmpop(1, 3, ...mqueues, 'RIGHT', 'COUNT', 5));
      if (r === null) continue;
      assert.ok(mqueues.includes(r[0]) && r[1].length >= 1 && r[1].length <= 5, `BLMPOP reply ${show(r)}`);
      const from = mqueues.indexOf(r[0]);
      assert.ok(r[1].every((j) => Number(j.split(':')[2]) % mqueues.length === from), `BLMPOP: all of ${show(r)} from ${r[0]}`);
      got[w].push(...r[1]);
      await step('RPUSH results', wc.rpush('batch:results', ...r[1]));
    }
  };
  workers = [0, 1].map(consumer);
  try {
    await step('producers', Promise.all([0, 1].map((p) => produce(client(t), p, 100, mqueues))));
    const empty = await waitFor(() => drained(c, mqueues, 'batch:results', 200), 20000, 50);
    assert.ok(empty, 'BLMPOP: queues empty, 200 results');
  } finally {
    stop = true;
    await Promise.all(workers.map((w) => w.catch(() => {})));
  }
  await Promise.all(workers);
  checkDelivery(got, allJobs(2, 100), mqueues.length, 'BLMPOP COUNT 5');
  await eq(c.llen('batch:results'), 200, 'results list');
  await eq(c.blmpop(0.1, 2, 'q:a', 'q:b', 'LEFT', 'COUNT', 5), null, 'BLMPOP times out on empty queues');
}, { timeout: 60000 });

test('ioredis: a delayed-job scheduler on a sorted set, two pollers claiming with ZREM', async (t) => {
  const c = await fresh(t);
  const t0 = Date.now();
  const due = {};
  const args = [];
  for (let i = 0; i < 200; i++) {
    const id = `job:${String(i).padStart(3, '0')}`;
    due[id] = t0 + 200 + 4 * i; // the last is due about a second from now
    args.push(due[id], id);
  }
  await eq(c.zadd('delayed', ...args), 200, 'ZADD 200 delayed jobs');
  const claims = [[], []];
  const poller = async (w) => {
    const pc = client(t);
    const claimed = () => claims[0].length + claims[1].length;
    const giveUp = Date.now() + 15000; // a lost job must not keep it polling
    while (claimed() < 200 && Date.now() < giveUp) {
      const now = Date.now();
      const ids = await step('ZRANGEBYSCORE', pc.zrangebyscore('delayed', '-inf', now, 'LIMIT', 0, 10));
      assert.ok(ids.length <= 10, `LIMIT 0 10 gave ${ids.length}`);
      for (const id of ids) assert.ok(due[id] <= now, `${id} due at ${due[id]} handed out at ${now}`);
      const won = await step('ZREM', Promise.all(ids.map((id) => pc.zrem('delayed', id))));
      ids.forEach((id, i) => { if (won[i] === 1) claims[w].push(id); });
      if (ids.length === 0) await sleep(5);
    }
  };
  await step('pollers', Promise.all([poller(0), poller(1)]));
  same(sorted(claims.flat()), sorted(Object.keys(due)), 'each job claimed exactly once');
  await eq(c.zcard('delayed'), 0, 'nothing left');
  await eq(c.exists('delayed'), 0, 'the emptied sorted set is gone');
  await eq(c.zadd('delayed', t0 + 3600000, 'job:later', t0 - 1, 'job:late'), 2, 'ZADD one past, one future');
  await eq(c.zrangebyscore('delayed', '-inf', Date.now(), 'WITHSCORES', 'LIMIT', 0, 10),
    ['job:late', String(t0 - 1)], 'only the due job, score as sent');
  await eq(c.zrangebyscore('delayed', `(${t0 - 1}`, '+inf'), ['job:later'], 'exclusive min');
});

test('ioredis: BZPOPMIN / BZPOPMAX waiters on several keys woken by ZADD, BZMPOP with COUNT', async (t) => {
  const c = await fresh(t);
  const keys = ['zq:a', 'zq:b', 'zq:c', 'zq:d'];
  premise(keys);
  // Three consumers wait on the same three keys, in a known order; one ZADD
  // of three members serves them first come first served, lowest first.
  const consumers = [client(t), client(t), client(t)];
  const pops = [];
  for (let i = 0; i < 3; i++) {
    pops.push(consumers[i].bzpopmin('zq:a', 'zq:b', 'zq:c', 10));
    await blockedNow(c, i + 1, `consumer ${i}`);
  }
  await eq(c.zadd('zq:b', 3, 'z', 1, 'x', 2, 'y'), 3, 'ZADD wakes them');
  same(await step('BZPOPMIN replies', Promise.all(pops)),
    [['zq:b', 'x', '1'], ['zq:b', 'y', '2'], ['zq:b', 'z', '3']], 'each consumer got one, in order');
  await eq(c.exists('zq:b'), 0, 'zq:b emptied by the pops');

  // More data than waiters: the rest stays.
  const max = consumers[0].bzpopmax('zq:c', 'zq:a', 10);
  await blockedNow(c, 1, 'BZPOPMAX consumer');
  await eq(c.zadd('zq:a', 1.5, 'lo', 9, 'hi'), 2, 'ZADD on the second key');
  await eq(max, ['zq:a', 'hi', '9'], 'BZPOPMAX');
  await eq(c.zrange('zq:a', 0, -1, 'WITHSCORES'), ['lo', '1.5'], 'the rest stays');
  await eq(c.bzpopmin('zq:none', 'zq:a', 1), ['zq:a', 'lo', '1.5'], 'BZPOPMIN with data returns at once');
  await eq(c.bzpopmin('zq:none', 0.1), null, 'BZPOPMIN times out');

  // BZMPOP COUNT: one waiter, a ZADD of five, it takes three.
  const mp = consumers[1].bzmpop(10, 2, 'zq:a', 'zq:d', 'MIN', 'COUNT', 3);
  await blockedNow(c, 1, 'BZMPOP consumer');
  await eq(c.zadd('zq:d', 5, 'e', 4, 'd', 3, 'c', 2, 'b', 1, 'a'), 5, 'ZADD five');
  await eq(mp, ['zq:d', [['a', '1'], ['b', '2'], ['c', '3']]], 'BZMPOP MIN COUNT 3');
  await eq(c.bzmpop(1, 2, 'zq:c', 'zq:d', 'MAX', 'COUNT', 10), ['zq:d', [['e', '5'], ['d', '4']]],
    'BZMPOP MAX with data: the rest at once');
  await eq(c.bzmpop(0.1, 2, 'zq:c', 'zq:d', 'MIN'), null, 'BZMPOP times out');
  await eq(c.zmpop(1, 'zq:d', 'MIN'), null, 'ZMPOP on a missing key');

  // A waiter on several shards is served exactly once when two keys get
  // data at the same time (one MULTI over both).
  const once = consumers[2].bzpopmin('zq:a', 'zq:c', 10);
  await blockedNow(c, 1, 'a waiter on two keys');
  await eq(c.multi().zadd('zq:c', 7, 'c7').zadd('zq:a', 1, 'a1').exec(), [[null, 1], [null, 1]], 'MULTI ZADD two keys');
  const r = await step('BZPOPMIN', once);
  const left = r && r[0] === 'zq:c' ? ['zq:a', 'a1', '1'] : ['zq:c', 'c7', '7'];
  assert.ok([show(['zq:c', 'c7', '7']), show(['zq:a', 'a1', '1'])].includes(show(r)), `BZPOPMIN got ${show(r)}`);
  await eq(c.zmpop(2, 'zq:a', 'zq:c', 'MIN'), [left[0], [[left[1], left[2]]]], 'the other member stays');
  await eq(c.exists('zq:a', 'zq:c'), 0, 'both keys emptied');
});

// --- a leaderboard --------------------------------------------------------
// Ranking order as Redis keeps it: by score, ties by member (bytewise).
function byScore(scores) {
  return Object.keys(scores).sort((a, b) => scores[a] - scores[b] || (a < b ? -1 : a > b ? 1 : 0));
}
const withScores = (members, scores) => members.flatMap((m) => [m, String(scores[m])]);
const player = (i) => `player:${String(i).padStart(3, '0')}`;

test('ioredis: a leaderboard on sorted sets (ZINCRBY from 4 clients, ranks, ZUNIONSTORE WEIGHTS, ZRANGESTORE, ZINTER)', async (t) => {
  const c = await fresh(t);
  premise(['board:week1', 'board:week2', 'board:total']);
  premise(['board:total', 'board:top10']);
  // Four clients add points to 200 players at once; two send one command at
  // a time, two pipeline; one of them adds halves too.
  const inc = (k, i) => ((i * 7 + k * 3) % 50) + (k === 3 && i % 4 === 0 ? 0.5 : 0);
  const week1 = {};
  for (let i = 0; i < 200; i++) week1[player(i)] = inc(0, i) + inc(1, i) + inc(2, i) + inc(3, i);
  await step('4 clients ZINCRBY', Promise.all([0, 1, 2, 3].map(async (k) => {
    const pc = client(t);
    if (k < 2) {
      for (let i = 0; i < 200; i++) await pc.zincrby('board:week1', inc(k, i), player(i));
      return;
    }
    const p = pc.pipeline();
    for (let i = 199; i >= 0; i--) p.zincrby('board:week1', inc(k, i), player(i));
    const res = await p.exec();
    assert.ok(res.every(([err]) => err === null), 'no errors in the ZINCRBY pipeline');
  })));
  await eq(c.zcard('board:week1'), 200, 'ZCARD');
  await eq(c.zincrby('board:week1', 0, 'player:000'), String(week1['player:000']), 'ZINCRBY 0 gives the total');
  await eq(c.zincrby('board:week1', '-0.5', 'player:004'), String(week1['player:004'] - 0.5), 'ZINCRBY -0.5');
  week1['player:004'] -= 0.5;
  const up = byScore(week1);
  const down = [...up].reverse();
  await eq(c.zrevrange('board:week1', 0, 9, 'WITHSCORES'), withScores(down.slice(0, 10), week1), 'ZREVRANGE 0 9 WITHSCORES');
  await eq(c.zrange('board:week1', 0, 4), up.slice(0, 5), 'ZRANGE 0 4');
  for (const m of ['player:000', 'player:004', 'player:123', down[0], up[0]]) {
    await eq(c.zrank('board:week1', m), up.indexOf(m), `ZRANK ${m}`);
    await eq(c.zrevrank('board:week1', m), down.indexOf(m), `ZREVRANK ${m}`);
    await eq(c.zscore('board:week1', m), String(week1[m]), `ZSCORE ${m}`);
  }
  await eq(c.zrank('board:week1', 'nobody'), null, 'ZRANK of a missing member');
  await eq(c.zmscore('board:week1', 'player:001', 'nobody', 'player:199'),
    [String(week1['player:001']), null, String(week1['player:199'])], 'ZMSCORE');
  const count = (lo, hi) => up.filter((m) => week1[m] >= lo && week1[m] <= hi).length;
  await eq(c.zcount('board:week1', 100, 150), count(100, 150), 'ZCOUNT 100 150');
  await eq(c.zcount('board:week1', '(100', '+inf'), count(100.25, Infinity), 'ZCOUNT (100 +inf');

  // A second week for every third player, quarter points.
  const week2 = {};
  const args = [];
  for (let i = 0; i < 200; i += 3) {
    week2[player(i)] = (i % 10) + 0.25;
    args.push(week2[player(i)], player(i));
  }
  await eq(c.zadd('board:week2', ...args), 67, 'ZADD week 2');
  const total = {};
  for (const m of up) total[m] = week1[m] + 2 * (week2[m] || 0);
  await eq(c.zunionstore('board:total', 2, 'board:week1', 'board:week2', 'WEIGHTS', 1, 2), 200, 'ZUNIONSTORE WEIGHTS 1 2');
  const totalDown = byScore(total).reverse();
  await eq(c.zrevrange('board:total', 0, 9, 'WITHSCORES'), withScores(totalDown.slice(0, 10), total), 'ZREVRANGE of the union');
  await eq(c.zscore('board:total', 'player:003'), String(total['player:003']), 'ZSCORE in the union');
  await eq(c.zrangestore('board:top10', 'board:total', 0, 9, 'REV'), 10, 'ZRANGESTORE REV');
  await eq(c.zrange('board:top10', 0, -1, 'WITHSCORES'), withScores(totalDown.slice(0, 10).reverse(), total), 'the stored top 10');
  const both = {};
  for (const m of Object.keys(week2)) both[m] = week1[m] + week2[m];
  await eq(c.zinter(2, 'board:week1', 'board:week2', 'WITHSCORES'), withScores(byScore(both), both), 'ZINTER WITHSCORES');
  const best = {};
  for (const m of Object.keys(week2)) best[m] = Math.max(week1[m], week2[m]);
  await eq(c.zinter(2, 'board:week2', 'board:week1', 'AGGREGATE', 'MAX', 'WITHSCORES'), withScores(byScore(best), best), 'ZINTER AGGREGATE MAX');
  await eq(c.zunion(2, 'board:week2', 'nosuch', 'WITHSCORES'), withScores(byScore(week2), week2), 'ZUNION with a missing key');
});

// --- nearest stores -------------------------------------------------------
// 49 stores on a grid over central Paris (store:RC, row R, column C) and one
// in Lyon.  The GEO replies are compared as the strings redis-server 7.0
// gives (checked there first), and against what the test computes itself.
const stores = [];
for (let r = 0; r < 7; r++) {
  for (let col = 0; col < 7; col++) stores.push([(2.30 + col * 0.015).toFixed(3), (48.83 + r * 0.01).toFixed(3), `store:${r}${col}`]);
}
stores.push(['4.8357', '45.7640', 'store:lyon']);
const HOME = ['2.3522', '48.8566'];

// Haversine on Redis's earth radius, in km.
function km(lon1, lat1, lon2, lat2) {
  const rad = (d) => (d * Math.PI) / 180;
  const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return (2 * 6372797.560856 * Math.asin(Math.sqrt(a))) / 1000;
}

test('ioredis: nearest stores with GEO (GEOADD, GEOSEARCH, GEODIST, GEOPOS, GEOHASH, GEOSEARCHSTORE)', async (t) => {
  const c = await fresh(t);
  premise(['stores', 'home:near', 'stores:dist']);
  await eq(c.geoadd('stores', ...stores.flat()), 50, 'GEOADD 50 stores');
  await eq(c.geoadd('stores', 'CH', '2.300', '48.830', 'store:00'), 0, 'GEOADD CH of an unchanged point');
  await eq(c.zcard('stores'), 50, 'a GEO set is a sorted set');
  const near = await step('GEOSEARCH', c.geosearch('stores', 'FROMLONLAT', ...HOME, 'BYRADIUS', 2, 'km', 'ASC', 'COUNT', 5, 'WITHDIST', 'WITHCOORD'));
  same(near, [
    ['store:33', '0.6487', ['2.34499901533126831', '48.86000112614513569']],
    ['store:34', '0.6846', ['2.35999792814254761', '48.86000112614513569']],
    ['store:23', '0.9038', ['2.34499901533126831', '48.84999911645039106']],
    ['store:24', '0.9299', ['2.35999792814254761', '48.84999911645039106']],
    ['store:43', '1.5809', ['2.34499901533126831', '48.87000060111873267']],
  ], 'GEOSEARCH BYRADIUS ASC COUNT 5 WITHDIST WITHCOORD');
  const where = Object.fromEntries(stores.map(([lon, lat, m]) => [m, [Number(lon), Number(lat)]]));
  let last = 0;
  for (const [m, dist, [lon, lat]] of near) {
    const d = Number(dist);
    assert.ok(d >= last && d <= 2, `${m} at ${dist} km: ascending, within 2 km`);
    last = d;
    assert.ok(Math.abs(d - km(...HOME.map(Number), ...where[m])) < 0.001, `${m}: ${dist} km is the distance from home`);
    assert.ok(Math.abs(Number(lon) - where[m][0]) < 1e-5 && Math.abs(Number(lat) - where[m][1]) < 1e-5, `${m}: coordinates ${lon} ${lat}`);
  }
  const all = await step('GEOSEARCH all', c.geosearch('stores', 'FROMLONLAT', ...HOME, 'BYRADIUS', 2, 'km', 'ASC'));
  same(all, ['store:33', 'store:34', 'store:23', 'store:24', 'store:43', 'store:44',
    'store:32', 'store:35', 'store:22', 'store:25', 'store:13', 'store:14'], 'GEOSEARCH BYRADIUS ASC');
  same(all.slice(0, 5), near.map((x) => x[0]), 'the 5 nearest begin the full ASC list');
  await eq(c.geosearch('stores', 'FROMMEMBER', 'store:33', 'BYBOX', 3, 3, 'km', 'ASC'),
    ['store:33', 'store:32', 'store:34', 'store:43', 'store:23', 'store:42', 'store:44', 'store:22', 'store:24'],
    'GEOSEARCH FROMMEMBER BYBOX: the 3x3 block around store:33');
  await eq(c.geodist('stores', 'store:00', 'store:lyon', 'km'), '390.9457', 'GEODIST km');
  await eq(c.geodist('stores', 'store:00', 'store:66'), '9375.9146', 'GEODIST m');
  await eq(c.geodist('stores', 'store:00', 'nosuch'), null, 'GEODIST to a missing member');
  await eq(c.geopos('stores', 'store:00', 'nosuch', 'store:lyon'), [
    ['2.30000227689743042', '48.83000016650319708'], null, ['4.83569830656051636', '45.76399891744564741'],
  ], 'GEOPOS');
  await eq(c.geohash('stores', 'store:00', 'store:lyon', 'nosuch'), ['u09tu34z3g0', 'u05kq514xg0', null], 'GEOHASH');
  await eq(c.geosearchstore('home:near', 'stores', 'FROMLONLAT', ...HOME, 'BYRADIUS', 2, 'km'), all.length, 'GEOSEARCHSTORE');
  await eq(c.zcard('home:near'), all.length, 'ZCARD of the stored result');
  same(sorted(await c.zrange('home:near', 0, -1)), sorted(all), 'the stored members');
  await eq(c.geosearchstore('stores:dist', 'stores', 'FROMLONLAT', ...HOME, 'BYRADIUS', 2, 'km', 'ASC', 'COUNT', 5, 'STOREDIST'), 5, 'GEOSEARCHSTORE STOREDIST');
  await eq(c.zrange('stores:dist', 0, -1, 'WITHSCORES'), [
    'store:33', '0.64868330901463267', 'store:34', '0.6846435143494739', 'store:23', '0.90375679064604664',
    'store:24', '0.92991000827405756', 'store:43', '1.5808908248422997',
  ], 'STOREDIST keeps the distances in km at full precision');
  await eq(c.geosearch('nosuch', 'FROMLONLAT', ...HOME, 'BYRADIUS', 2, 'km'), [], 'GEOSEARCH of a missing key');
});

// The reply error, exactly as Redis words it.
async function fails(promise, message, what) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: should fail with ${message}`);
  same(err.message, message, what);
}

test('ioredis: bad input to the queue, sorted set and GEO commands: exact errors, data untouched', async (t) => {
  const c = await fresh(t);
  await eq(c.lpush('q:a', 'job'), 1, 'LPUSH');
  await eq(c.zadd('zq:a', 1, 'm'), 1, 'ZADD');
  await fails(c.blmove('q:a', 'q:b', 'RIGHT', 'LEFT', -1), 'ERR timeout is negative', 'BLMOVE negative timeout');
  await fails(c.blmove('q:a', 'q:b', 'UP', 'LEFT', 1), 'ERR syntax error', 'BLMOVE bad direction');
  await fails(c.blmpop(1, 1, 'q:a', 'LEFT', 'COUNT', 0), 'ERR count should be greater than 0', 'BLMPOP COUNT 0');
  await fails(c.bzmpop(1, 1, 'zq:a', 'MIN', 'COUNT', 0), 'ERR count should be greater than 0', 'BZMPOP COUNT 0');
  await fails(c.bzpopmin('zq:a', 'abc'), 'ERR timeout is not a float or out of range', 'BZPOPMIN bad timeout');
  const wrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  await fails(c.blmove('zq:a', 'q:b', 'RIGHT', 'LEFT', 1), wrongType, 'BLMOVE from a sorted set');
  await fails(c.blmove('q:a', 'zq:a', 'RIGHT', 'LEFT', 1), wrongType, 'BLMOVE into a sorted set');
  await eq(c.lrange('q:a', 0, -1), ['job'], 'the job stays in its queue');
  await fails(c.bzpopmin('q:a', 1), wrongType, 'BZPOPMIN on a list');
  await fails(c.zincrby('zq:a', 'abc', 'm'), 'ERR value is not a valid float', 'ZINCRBY by text');
  await fails(c.zunionstore('zq:b', 2, 'zq:a', 'zq:c', 'WEIGHTS', 1), 'ERR syntax error', 'ZUNIONSTORE one weight short');
  await fails(c.zrangestore('zq:b', 'zq:a', 0, -1, 'BYLEX'), 'ERR min or max not valid string range item', 'ZRANGESTORE BYLEX 0 -1');
  await eq(c.exists('zq:b'), 0, 'no destination written');
  await fails(c.geoadd('zq:a', 200, 100, 'x'), 'ERR invalid longitude,latitude pair 200.000000,100.000000', 'GEOADD out of range');
  await fails(c.geosearch('zq:a', 'FROMLONLAT', 0, 0, 'BYRADIUS', 1, 'parsec'),
    'ERR unsupported unit provided. please use M, KM, FT, MI', 'GEOSEARCH bad unit');
  await fails(c.geosearch('zq:a', 'FROMMEMBER', 'nosuch', 'BYRADIUS', 1, 'km'),
    'ERR could not decode requested zset member', 'GEOSEARCH FROMMEMBER missing');
  await eq(c.zrange('zq:a', 0, -1, 'WITHSCORES'), ['m', '1'], 'the sorted set is unchanged');
});

run();
