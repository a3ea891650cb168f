'use strict';
// ioredis (5.x, default options) against the server at FKV_HOST:FKV_PORT.
// Prints TAP.  Run by tests/e2e/test_node.py against FlashKV and against
// redis-server (the oracle: every check passes against redis-server).
//
// On connect ioredis 5 sends CLIENT SETINFO LIB-NAME / LIB-VER (it ignores
// the error Redis 7.0 answers) and INFO (its ready check); no HELLO: it
// speaks RESP2 only, so there is no RESP3 variant.
const Redis = require('ioredis');
const { HOST, PORT, test, run, same, eq, step, sleep, waitFor, withTimeout, serverStop, serverStart } = require('./tap');
const assert = require('assert');

// A client with ioredis's defaults (host and port aside), closed after the test.
function client(t) {
  const c = new Redis(PORT, HOST);
  c.on('error', () => {}); // reconnection errors are expected; ioredis logs them otherwise
  t.defer(() => c.disconnect());
  return c;
}

async function fresh(t) {
  const c = client(t);
  await eq(c.flushall(), 'OK', 'FLUSHALL');
  return c;
}

test('ioredis: connects with default options, PING', async (t) => {
  const c = client(t);
  await eq(c.ping(), 'PONG', 'PING');
  await eq(c.ping('hello'), 'hello', 'PING hello');
  same(c.status, 'ready', 'status');
});

test('ioredis: SET/GET/INCR/DECR/INCRBY/INCRBYFLOAT/APPEND/STRLEN', async (t) => {
  const c = await fresh(t);
  await eq(c.set('s:a', 'hello'), 'OK', 'SET');
  await eq(c.get('s:a'), 'hello', 'GET');
  await eq(c.get('s:missing'), null, 'GET missing');
  await eq(c.incr('s:n'), 1, 'INCR new');
  await eq(c.incrby('s:n', 41), 42, 'INCRBY');
  await eq(c.decr('s:n'), 41, 'DECR');
  await eq(c.decrby('s:n', 50), -9, 'DECRBY');
  await eq(c.incrbyfloat('s:f', '2.5'), '2.5', 'INCRBYFLOAT');
  await eq(c.incrbyfloat('s:f', '0.25'), '2.75', 'INCRBYFLOAT again');
  await eq(c.append('s:a', ' world'), 11, 'APPEND');
  await eq(c.strlen('s:a'), 11, 'STRLEN');
  await assert.rejects(c.incr('s:a'), /ERR value is not an integer or out of range/, 'INCR on text');
  await eq(c.set('s:a', 'x', 'NX'), null, 'SET NX on an existing key');
  await eq(c.set('s:b', 'y', 'XX'), null, 'SET XX on a missing key');
  await eq(c.set('s:a', 'new', 'GET'), 'hello world', 'SET GET');
  await eq(c.getset('s:a', 'newer'), 'new', 'GETSET');
  await eq(c.setnx('s:a', 'z'), 0, 'SETNX existing');
  await eq(c.getdel('s:a'), 'newer', 'GETDEL');
  await eq(c.exists('s:a'), 0, 'EXISTS after GETDEL');
});

test('ioredis: MSET/MGET/MSETNX', async (t) => {
  const c = await fresh(t);
  await eq(c.mset('m:1', 'one', 'm:2', 'two', '{m}3', 'three'), 'OK', 'MSET');
  await eq(c.mset({ 'm:4': 'four', 'm:5': 'five' }), 'OK', 'MSET object');
  await eq(c.mget('m:1', 'm:missing', 'm:2', '{m}3', 'm:5'), ['one', null, 'two', 'three', 'five'], 'MGET');
  await eq(c.msetnx('m:6', 'six', 'm:1', 'uno'), 0, 'MSETNX with one existing');
  await eq(c.mget('m:6', 'm:1'), [null, 'one'], 'MGET after failed MSETNX');
  await eq(c.msetnx('m:6', 'six', 'm:7', 'seven'), 1, 'MSETNX');
  await eq(c.dbsize(), 7, 'DBSIZE');
});

test('ioredis: SETRANGE/GETRANGE/GETEX, binary and UTF-8 values', async (t) => {
  const c = await fresh(t);
  await eq(c.set('r:a', 'Hello World'), 'OK', 'SET');
  await eq(c.setrange('r:a', 6, 'Redis'), 11, 'SETRANGE');
  await eq(c.get('r:a'), 'Hello Redis', 'GET after SETRANGE');
  await eq(c.setrange('r:pad', 3, 'x'), 4, 'SETRANGE past the end');
  await eq(c.getBuffer('r:pad'), Buffer.from([0, 0, 0, 0x78]), 'zero padding');
  await eq(c.getrange('r:a', 0, 4), 'Hello', 'GETRANGE');
  await eq(c.getrange('r:a', -5, -1), 'Redis', 'GETRANGE negative');
  await eq(c.getex('r:a', 'EX', 100), 'Hello Redis', 'GETEX EX');
  const ttl = await c.ttl('r:a');
  assert.ok(ttl > 0 && ttl <= 100, `TTL after GETEX EX 100: ${ttl}`);
  await eq(c.getex('r:a', 'PERSIST'), 'Hello Redis', 'GETEX PERSIST');
  await eq(c.ttl('r:a'), -1, 'TTL after GETEX PERSIST');
  await eq(c.getex('r:missing'), null, 'GETEX missing');
  const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x80, 0]);
  await eq(c.set(Buffer.from('r:bin\x00key'), bin), 'OK', 'SET binary');
  await eq(c.getBuffer(Buffer.from('r:bin\x00key')), bin, 'GET binary');
  await eq(c.strlen(Buffer.from('r:bin\x00key')), 8, 'STRLEN binary');
  await eq(c.set('r:utf8', 'héllo wörld ✓'), 'OK', 'SET UTF-8');
  await eq(c.get('r:utf8'), 'héllo wörld ✓', 'GET UTF-8');
  const big = 'x'.repeat(1 << 20);
  await eq(c.set('r:big', big), 'OK', 'SET 1 MiB');
  same((await c.get('r:big')).length, 1 << 20, 'GET 1 MiB');
});

test('ioredis: expiry (SET EX, PEXPIRE, TTL/PTTL, PERSIST) and a key that expires', async (t) => {
  const c = await fresh(t);
  await eq(c.set('e:a', 'v', 'EX', 100), 'OK', 'SET EX');
  let ttl = await c.ttl('e:a');
  assert.ok(ttl > 0 && ttl <= 100, `TTL after SET EX 100: ${ttl}`);
  await eq(c.set('e:b', 'v'), 'OK', 'SET');
  await eq(c.ttl('e:b'), -1, 'TTL without expiry');
  await eq(c.pexpire('e:b', 200000), 1, 'PEXPIRE');
  const pttl = await c.pttl('e:b');
  assert.ok(pttl > 0 && pttl <= 200000, `PTTL after PEXPIRE 200000: ${pttl}`);
  ttl = await c.ttl('e:b');
  assert.ok(ttl > 0 && ttl <= 200, `TTL after PEXPIRE 200000: ${ttl}`);
  await eq(c.persist('e:b'), 1, 'PERSIST');
  await eq(c.ttl('e:b'), -1, 'TTL after PERSIST');
  await eq(c.ttl('e:missing'), -2, 'TTL missing');
  await eq(c.expire('e:missing', 10), 0, 'EXPIRE missing');
  // Really expires: 300 ms, then poll with a generous deadline.
  await eq(c.set('e:short', 'v', 'PX', 300), 'OK', 'SET PX 300');
  await eq(c.set('e:short2', 'v'), 'OK', 'SET');
  await eq(c.pexpire('e:short2', 300), 1, 'PEXPIRE 300');
  const gone = await waitFor(async () => (await c.exists('e:short', 'e:short2')) === 0, 10000, 100);
  assert.ok(gone, 'keys with a 300 ms expiry still exist after 10 s');
  await eq(c.get('e:short'), null, 'GET expired');
  await eq(c.ttl('e:short2'), -2, 'TTL expired');
  await eq(c.get('e:a'), 'v', 'the key with 100 s left is still there');
  // Expired by the server on its own (active expiry), not only on access.
  await eq(c.set('e:active', 'v', 'PX', 100), 'OK', 'SET PX 100');
  const swept = await waitFor(async () => (await c.dbsize()) === 2, 15000, 200);
  assert.ok(swept, `DBSIZE still ${await c.dbsize()} after 15 s: the expired key was not removed`);
});

test('ioredis: pipeline() of 200 commands, replies in order, one error among them', async (t) => {
  const c = await fresh(t);
  const p = c.pipeline();
  const want = [];
  for (let i = 0; i < 50; i++) {
    p.set(`p:${i}`, `v${i}`); want.push([null, 'OK']);
    p.incr('p:counter'); want.push([null, i + 1]);
    p.get(`p:${i}`); want.push([null, `v${i}`]);
    p.append('p:log', `${i},`); want.push([null, `${[...Array(i + 1).keys()].join(',')},`.length]);
  }
  const res = await step('pipeline exec', p.exec());
  same(res.length, 200, 'number of replies');
  same(res, want, 'pipeline replies');
  const p2 = c.pipeline().set('p:text', 'abc').incr('p:text').get('p:text').mget('p:0', 'p:49', 'p:nope');
  const r2 = await step('pipeline exec', p2.exec());
  same(r2[0], [null, 'OK'], 'SET in pipeline');
  assert.ok(r2[1][0] instanceof Error && /not an integer/.test(r2[1][0].message), `INCR on text in pipeline: ${r2[1]}`);
  same(r2[2], [null, 'abc'], 'GET after the error');
  same(r2[3], [null, ['v0', 'v49', null]], 'MGET after the error');
  // A big one: 2000 SETs in one pipeline, then read back.
  const p3 = c.pipeline();
  for (let i = 0; i < 2000; i++) p3.set(`big:${i}`, `${i}`);
  const r3 = await step('pipeline exec', p3.exec());
  assert.ok(r3.every(([e, v]) => e === null && v === 'OK'), 'every SET OK');
  await eq(c.dbsize(), 2000 + 50 + 3, 'DBSIZE');
  await eq(c.get('big:1999'), '1999', 'GET last');
});

test('ioredis: multi().exec() runs the commands as one transaction', async (t) => {
  const c = await fresh(t);
  const res = await step('MULTI ... EXEC', c.multi().set('t:a', '1').incr('t:a').incrby('t:a', 10).get('t:a').mget('t:a', 't:none').exec());
  same(res, [[null, 'OK'], [null, 2], [null, 12], [null, '12'], [null, ['12', null]]], 'EXEC replies');
  await eq(c.get('t:a'), '12', 'value after EXEC');
  // Empty transaction.
  await eq(c.multi().exec(), [], 'empty MULTI/EXEC');
  // multi({pipeline: false}): MULTI, each command answered QUEUED, then EXEC.
  await eq(c.multi({ pipeline: false }), 'OK', 'MULTI');
  await eq(c.set('t:b', 'x'), 'QUEUED', 'SET queued');
  await eq(c.get('t:b'), 'QUEUED', 'GET queued');
  await eq(c.exec(), [[null, 'OK'], [null, 'x']], 'EXEC replies (not pipelined)');
  // The connection is back to normal afterwards.
  await eq(c.get('t:b'), 'x', 'GET after EXEC');
});

test('ioredis: an error inside EXEC is that command\'s result; queueing errors abort (EXECABORT)', async (t) => {
  const c = await fresh(t);
  const res = await step('MULTI SET INCR SET EXEC', c.multi().set('t:s', 'text').incr('t:s').set('t:after', 'yes').exec());
  same(res.length, 3, 'three results');
  same(res[0], [null, 'OK'], 'SET');
  assert.ok(res[1][0] instanceof Error && /not an integer/.test(res[1][0].message), `INCR on text: ${res[1]}`);
  same(res[2], [null, 'OK'], 'SET after the failing command');
  await eq(c.get('t:after'), 'yes', 'the rest of the transaction ran');
  // A command the server refuses while queueing (wrong arity): EXEC fails.
  await assert.rejects(c.multi().set('t:x', '1').call('get').set('t:y', '2').exec(),
    /EXECABORT Transaction discarded because of previous errors/, 'EXECABORT');
  await eq(c.exists('t:x', 't:y'), 0, 'nothing of the aborted transaction ran');
  await eq(c.ping(), 'PONG', 'connection fine afterwards');
});

test('ioredis: WATCH, a change by another client, EXEC returns null (aborted)', async (t) => {
  const a = await fresh(t);
  const b = client(t);
  await eq(a.set('w:k', '1'), 'OK', 'SET');
  await eq(a.watch('w:k'), 'OK', 'WATCH');
  await eq(b.set('w:k', 'changed'), 'OK', 'SET by the other client');
  await eq(a.multi().set('w:k', 'mine').set('w:other', 'x').exec(), null, 'EXEC after a watched key changed');
  await eq(a.get('w:k'), 'changed', 'the other client\'s value stays');
  await eq(a.exists('w:other'), 0, 'nothing of the aborted transaction ran');
  // Unchanged: EXEC runs.
  await eq(a.watch('w:k'), 'OK', 'WATCH again');
  await eq(b.get('w:k'), 'changed', 'a read by the other client');
  await eq(a.multi().set('w:k', 'mine').exec(), [[null, 'OK']], 'EXEC with the key unchanged');
  await eq(a.get('w:k'), 'mine', 'value after EXEC');
  // UNWATCH: a later change no longer aborts.
  await eq(a.watch('w:k'), 'OK', 'WATCH a third time');
  await eq(a.unwatch(), 'OK', 'UNWATCH');
  await eq(b.set('w:k', 'again'), 'OK', 'SET by the other client');
  await eq(a.multi().incr('w:n').exec(), [[null, 1]], 'EXEC after UNWATCH');
  // A watched key that expires counts as changed.
  await eq(a.set('w:exp', 'v', 'PX', 200), 'OK', 'SET PX 200');
  await eq(a.watch('w:exp'), 'OK', 'WATCH a key about to expire');
  assert.ok(await waitFor(async () => (await b.exists('w:exp')) === 0, 10000, 100), 'key expired');
  await eq(a.multi().set('w:exp', 'mine').exec(), null, 'EXEC after the watched key expired');
});

test('ioredis: scanStream() returns every key exactly once as a set (MATCH, COUNT)', async (t) => {
  const c = await fresh(t);
  const want = new Set();
  const p = c.pipeline();
  for (let i = 0; i < 1500; i++) {
    const k = i % 3 ? `scan:${i}` : `scan:{tag}${i}`;
    want.add(k);
    p.set(k, 'v');
  }
  for (let i = 0; i < 100; i++) p.set(`other:${i}`, 'v');
  await step('pipeline exec', p.exec());
  const collect = (opts) => new Promise((resolve, reject) => {
    const got = [];
    const s = c.scanStream(opts);
    s.on('data', (keys) => got.push(...keys));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  const got = await collect({ match: 'scan:*', count: 100 });
  const gotSet = new Set(got);
  const missing = [...want].filter((k) => !gotSet.has(k));
  const extra = [...gotSet].filter((k) => !want.has(k));
  assert.ok(!missing.length && !extra.length, `missing ${missing.length} ${missing.slice(0, 5)}, extra ${extra.length} ${extra.slice(0, 5)}`);
  const all = new Set(await collect({ count: 10 }));
  same(all.size, 1600, 'scanStream without MATCH, COUNT 10: distinct keys');
  same(new Set(await collect({ match: 'other:*' })).size, 100, 'MATCH other:*');
  await eq(collect({ match: 'nothing:*', count: 1000 }), [], 'MATCH with no key');
});

test('ioredis: reconnects after the server restarts on the same port', async (t) => {
  const c = await fresh(t);
  const events = [];
  for (const e of ['close', 'reconnecting', 'ready']) c.on(e, () => events.push(e));
  await eq(c.set('re:before', '1'), 'OK', 'SET before the restart');
  await serverStop();
  assert.ok(await waitFor(() => c.status !== 'ready', 10000), `client still "${c.status}" 10 s after the server stopped`);
  // Issued while the server is down: ioredis queues it (offline queue).
  const during = c.set('re:during', '2');
  during.catch(() => {});
  await sleep(200);
  await serverStart();
  await eq(withTimeout(during, 20000, 'SET queued while the server was down'), 'OK', 'SET queued while down');
  await eq(c.ping(), 'PONG', 'PING after reconnecting');
  await eq(c.get('re:before'), null, 'new server: old key gone');
  await eq(c.get('re:during'), '2', 'GET the key set while down');
  assert.ok(events.includes('reconnecting') && events.lastIndexOf('ready') > events.indexOf('close'), `events: ${events}`);
  same(c.status, 'ready', 'status');
  // Another client connects normally too.
  const d = client(t);
  await eq(d.incr('re:n'), 1, 'a new client');
}, { timeout: 60000 });

test('ioredis: quit() ends the connection cleanly', async (t) => {
  const c = new Redis(PORT, HOST);
  c.on('error', () => {});
  t.defer(() => c.disconnect());
  await eq(c.ping(), 'PONG', 'PING');
  const ended = new Promise((r) => c.once('end', r));
  await eq(c.quit(), 'OK', 'QUIT');
  await withTimeout(ended, 10000, 'end event');
  same(c.status, 'end', 'status');
});

run();
