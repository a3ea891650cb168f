'use strict';
// node_redis_shared.js - the node-redis tests that read the same with v4
// (test_node_redis.js, RESP2) and v5 (test_node_redis5_resp3.js, RESP3):
// sharedTests(api) registers them with tap.js.  Where the two versions
// differ, api says how:
//
//   name                 prefix of the test names ("node-redis", ...)
//   connectedWith        how client() configures it, for a test name
//   client(t)            a connected client, closed after the test, with
//                        c.errors (its 'error' events)
//   bool(b)              what a 0/1 reply decodes to: v4 turns SETNX,
//                        EXPIRE, ... into booleans, v5 leaves the integer
//   getBuffer(c, key)    GET returning a Buffer
//   scanAll(c, opts)     every key scanIterator(opts) yields (v4 yields
//                        keys, v5 arrays of keys)
//   queueingError        how EXEC rejects when the server refused a command
//                        while queueing (v4: EXECABORT; v5: the refused
//                        command's own error, the first in the chain)
//   checkConnection(c)   optional, async: checks on a (re)connected client
//   ErrorReply, MultiErrorReply, WatchError: the version's classes
const assert = require('assert');
const { test, same, eq, step, sleep, waitFor, withTimeout, serverStop, serverStart } = require('./tap');

function sharedTests(api) {
  const { ErrorReply, MultiErrorReply, WatchError } = api;
  const N = api.name;
  const client = (t) => api.client(t);
  const bool = (b) => api.bool(b);

  async function fresh(t) {
    const c = await client(t);
    await eq(c.flushAll(), 'OK', 'FLUSHALL');
    return c;
  }

  test(`${N}: connects with ${api.connectedWith}, PING`, async (t) => {
    const c = await client(t);
    await eq(c.ping(), 'PONG', 'PING');
    await eq(c.ping('hello'), 'hello', 'PING hello');
    same(c.isReady, true, 'isReady');
    if (api.checkConnection) await api.checkConnection(c);
  });

  test(`${N}: SET/GET/INCR/DECR/INCRBY/INCRBYFLOAT/APPEND/STRLEN`, async (t) => {
    const c = await fresh(t);
    await eq(c.set('s:a', 'hello'), 'OK', 'SET');
    await eq(c.get('s:a'), 'hello', 'GET');
    await eq(c.get('s:missing'), null, 'GET missing');
    await eq(c.incr('s:n'), 1, 'INCR new');
    await eq(c.incrBy('s:n', 41), 42, 'INCRBY');
    await eq(c.decr('s:n'), 41, 'DECR');
    await eq(c.decrBy('s:n', 50), -9, 'DECRBY');
    await eq(c.incrByFloat('s:f', 2.5), '2.5', 'INCRBYFLOAT');
    await eq(c.incrByFloat('s:f', 0.25), '2.75', 'INCRBYFLOAT again');
    await eq(c.append('s:a', ' world'), 11, 'APPEND');
    await eq(c.strLen('s:a'), 11, 'STRLEN');
    await assert.rejects(c.incr('s:a'), (e) => e instanceof ErrorReply && /ERR value is not an integer or out of range/.test(e.message), 'INCR on text');
    await eq(c.set('s:a', 'x', { NX: true }), null, 'SET NX on an existing key');
    await eq(c.set('s:b', 'y', { XX: true }), null, 'SET XX on a missing key');
    await eq(c.set('s:a', 'new', { GET: true }), 'hello world', 'SET GET');
    await eq(c.getSet('s:a', 'newer'), 'new', 'GETSET');
    await eq(c.setNX('s:a', 'z'), bool(false), 'SETNX existing');
    await eq(c.getDel('s:a'), 'newer', 'GETDEL');
    await eq(c.exists('s:a'), 0, 'EXISTS after GETDEL');
  });

  test(`${N}: MSET/MGET/MSETNX`, async (t) => {
    const c = await fresh(t);
    await eq(c.mSet(['m:1', 'one', 'm:2', 'two', '{m}3', 'three']), 'OK', 'MSET');
    await eq(c.mSet({ 'm:4': 'four', 'm:5': 'five' }), 'OK', 'MSET object');
    await eq(c.mGet(['m:1', 'm:missing', 'm:2', '{m}3', 'm:5']), ['one', null, 'two', 'three', 'five'], 'MGET');
    await eq(c.mSetNX(['m:6', 'six', 'm:1', 'uno']), bool(false), 'MSETNX with one existing');
    await eq(c.mGet(['m:6', 'm:1']), [null, 'one'], 'MGET after failed MSETNX');
    await eq(c.mSetNX(['m:6', 'six', 'm:7', 'seven']), bool(true), 'MSETNX');
    await eq(c.dbSize(), 7, 'DBSIZE');
  });

  test(`${N}: SETRANGE/GETRANGE/GETEX, binary and UTF-8 values`, async (t) => {
    const c = await fresh(t);
    await eq(c.set('r:a', 'Hello World'), 'OK', 'SET');
    await eq(c.setRange('r:a', 6, 'Redis'), 11, 'SETRANGE');
    await eq(c.get('r:a'), 'Hello Redis', 'GET after SETRANGE');
    await eq(c.setRange('r:pad', 3, 'x'), 4, 'SETRANGE past the end');
    await eq(api.getBuffer(c, 'r:pad'), Buffer.from([0, 0, 0, 0x78]), 'zero padding');
    await eq(c.getRange('r:a', 0, 4), 'Hello', 'GETRANGE');
    await eq(c.getRange('r:a', -5, -1), 'Redis', 'GETRANGE negative');
    await eq(c.getEx('r:a', { EX: 100 }), 'Hello Redis', 'GETEX EX');
    const ttl = await c.ttl('r:a');
    assert.ok(ttl > 0 && ttl <= 100, `TTL after GETEX EX 100: ${ttl}`);
    await eq(c.getEx('r:a', { PERSIST: true }), 'Hello Redis', 'GETEX PERSIST');
    await eq(c.ttl('r:a'), -1, 'TTL after GETEX PERSIST');
    await eq(c.sendCommand(['GETEX', 'r:missing']), null, 'GETEX missing');
    const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x80, 0]);
    const key = Buffer.from('r:bin\x00key');
    await eq(c.set(key, bin), 'OK', 'SET binary');
    await eq(api.getBuffer(c, key), bin, 'GET binary');
    await eq(c.strLen(key), 8, 'STRLEN binary');
    await eq(c.set('r:utf8', 'héllo wörld ✓'), 'OK', 'SET UTF-8');
    await eq(c.get('r:utf8'), 'héllo wörld ✓', 'GET UTF-8');
    const big = 'x'.repeat(1 << 20);
    await eq(c.set('r:big', big), 'OK', 'SET 1 MiB');
    same((await c.get('r:big')).length, 1 << 20, 'GET 1 MiB');
  });

  test(`${N}: expiry (SET EX, PEXPIRE, TTL/PTTL, PERSIST) and a key that expires`, async (t) => {
    const c = await fresh(t);
    await eq(c.set('e:a', 'v', { EX: 100 }), 'OK', 'SET EX');
    let ttl = await c.ttl('e:a');
    assert.ok(ttl > 0 && ttl <= 100, `TTL after SET EX 100: ${ttl}`);
    await eq(c.set('e:b', 'v'), 'OK', 'SET');
    await eq(c.ttl('e:b'), -1, 'TTL without expiry');
    await eq(c.pExpire('e:b', 200000), bool(true), 'PEXPIRE');
    const pttl = await c.pTTL('e:b');
    assert.ok(pttl > 0 && pttl <= 200000, `PTTL after PEXPIRE 200000: ${pttl}`);
    ttl = await c.ttl('e:b');
    assert.ok(ttl > 0 && ttl <= 200, `TTL after PEXPIRE 200000: ${ttl}`);
    await eq(c.persist('e:b'), bool(true), 'PERSIST');
    await eq(c.ttl('e:b'), -1, 'TTL after PERSIST');
    await eq(c.ttl('e:missing'), -2, 'TTL missing');
    await eq(c.expire('e:missing', 10), bool(false), 'EXPIRE missing');
    // Really expires: 300 ms, then poll with a generous deadline.
    await eq(c.set('e:short', 'v', { PX: 300 }), 'OK', 'SET PX 300');
    await eq(c.set('e:short2', 'v'), 'OK', 'SET');
    await eq(c.pExpire('e:short2', 300), bool(true), 'PEXPIRE 300');
    const gone = await waitFor(async () => (await c.exists(['e:short', 'e:short2'])) === 0, 10000, 100);
    assert.ok(gone, 'keys with a 300 ms expiry still exist after 10 s');
    await eq(c.get('e:short'), null, 'GET expired');
    await eq(c.ttl('e:short2'), -2, 'TTL expired');
    await eq(c.get('e:a'), 'v', 'the key with 100 s left is still there');
    // Expired by the server on its own (active expiry), not only on access.
    await eq(c.set('e:active', 'v', { PX: 100 }), 'OK', 'SET PX 100');
    const swept = await waitFor(async () => (await c.dbSize()) === 2, 15000, 200);
    assert.ok(swept, `DBSIZE still ${await c.dbSize()} after 15 s: the expired key was not removed`);
  });

  test(`${N}: pipelining with Promise.all (no MULTI), replies in order, one error among them`, async (t) => {
    const c = await fresh(t);
    // Commands issued in the same tick go out in one write.
    const calls = [];
    const want = [];
    for (let i = 0; i < 50; i++) {
      calls.push(c.set(`p:${i}`, `v${i}`)); want.push('OK');
      calls.push(c.incr('p:counter')); want.push(i + 1);
      calls.push(c.get(`p:${i}`)); want.push(`v${i}`);
      calls.push(c.append('p:log', `${i},`)); want.push(`${[...Array(i + 1).keys()].join(',')},`.length);
    }
    await eq(Promise.all(calls), want, 'replies');
    const r2 = await Promise.allSettled([c.set('p:text', 'abc'), c.incr('p:text'), c.get('p:text'), c.mGet(['p:0', 'p:49', 'p:nope'])]);
    same(r2[0], { status: 'fulfilled', value: 'OK' }, 'SET');
    assert.ok(r2[1].status === 'rejected' && r2[1].reason instanceof ErrorReply && /not an integer/.test(r2[1].reason.message), `INCR on text: ${r2[1].status} ${r2[1].reason}`);
    same(r2[2], { status: 'fulfilled', value: 'abc' }, 'GET after the error');
    same(r2[3], { status: 'fulfilled', value: ['v0', 'v49', null] }, 'MGET after the error');
    // A big one: 2000 SETs at once.
    const sets = [];
    for (let i = 0; i < 2000; i++) sets.push(c.set(`big:${i}`, `${i}`));
    const r3 = await Promise.all(sets);
    assert.ok(r3.every((v) => v === 'OK'), 'every SET OK');
    await eq(c.dbSize(), 2000 + 50 + 3, 'DBSIZE');
    await eq(c.get('big:1999'), '1999', 'GET last');
    // multi().execAsPipeline(): a batch without MULTI/EXEC.
    await eq(c.multi().set('p:x', '1').incr('p:x').get('p:x').execAsPipeline(), ['OK', 2, '2'], 'execAsPipeline');
  });

  test(`${N}: multi().exec() runs the commands as one transaction`, async (t) => {
    const c = await fresh(t);
    const res = await step('MULTI ... EXEC', c.multi().set('t:a', '1').incr('t:a').incrBy('t:a', 10).get('t:a').mGet(['t:a', 't:none']).exec());
    same(res, ['OK', 2, 12, '12', ['12', null]], 'EXEC replies');
    await eq(c.get('t:a'), '12', 'value after EXEC');
    await eq(c.multi().exec(), [], 'empty MULTI/EXEC');
    // Issued concurrently with other commands of the same client.
    const [r1, g, r2] = await step('two MULTI/EXEC and a GET at once', Promise.all([
      c.multi().incr('t:c').incr('t:c').exec(),
      c.get('t:c'),
      c.multi().incr('t:c').exec(),
    ]));
    same([r1, g, r2], [[1, 2], '2', [3]], 'transactions interleaved with a plain command');
    await eq(c.get('t:c'), '3', 'GET after EXEC');
  });

  test(`${N}: an error inside EXEC rejects with MultiErrorReply holding every reply; a queueing error aborts the transaction`, async (t) => {
    const c = await fresh(t);
    const e = await c.multi().set('t:s', 'text').incr('t:s').set('t:after', 'yes').exec().then(
      (v) => assert.fail(`EXEC resolved: ${v}`), (err) => err);
    assert.ok(e instanceof MultiErrorReply, `EXEC rejected with ${e && e.constructor.name}: ${e && e.message}, not a MultiErrorReply`);
    same(e.errorIndexes, [1], 'errorIndexes');
    same(e.replies[0], 'OK', 'SET');
    assert.ok(e.replies[1] instanceof ErrorReply && /not an integer/.test(e.replies[1].message), `INCR on text: ${e.replies[1]}`);
    same(e.replies[2], 'OK', 'SET after the failing command');
    await eq(c.get('t:after'), 'yes', 'the rest of the transaction ran');
    // A command the server refuses while queueing (wrong arity): the server
    // discards the transaction, EXEC answers EXECABORT.
    await assert.rejects(c.multi().set('t:x', '1').addCommand(['GET']).set('t:y', '2').exec(),
      (err) => err instanceof ErrorReply && api.queueingError.test(err.message), `EXEC rejects with ${api.queueingError}`);
    await eq(c.exists(['t:x', 't:y']), 0, 'nothing of the aborted transaction ran');
    await eq(c.ping(), 'PONG', 'connection fine afterwards');
  });

  test(`${N}: WATCH on a plain client: EXEC rejects with WatchError after a change by another client or an expiry, runs after UNWATCH`, async (t) => {
    const c = await fresh(t);
    const a = await client(t);
    await eq(c.set('w:k', '1'), 'OK', 'SET');
    await eq(a.watch('w:k'), 'OK', 'WATCH');
    await eq(c.set('w:k', 'changed'), 'OK', 'SET by another client');
    await assert.rejects(a.multi().set('w:k', 'mine').set('w:other', 'x').exec(),
      (e) => e instanceof WatchError, 'EXEC after a watched key changed');
    await eq(c.get('w:k'), 'changed', 'the other client\'s value stays');
    await eq(c.exists('w:other'), 0, 'nothing of the aborted transaction ran');
    await eq(a.watch('w:k'), 'OK', 'WATCH again');
    await eq(c.get('w:k'), 'changed', 'a read by the other client');
    await eq(a.multi().set('w:k', 'mine').exec(), ['OK'], 'EXEC with the key unchanged');
    await eq(a.get('w:k'), 'mine', 'value after EXEC');
    await eq(a.watch('w:k'), 'OK', 'WATCH a third time');
    await eq(a.unwatch(), 'OK', 'UNWATCH');
    await eq(c.set('w:k', 'again'), 'OK', 'SET by the other client');
    await eq(a.multi().incr('w:n').exec(), [1], 'EXEC after UNWATCH');
    await eq(a.set('w:exp', 'v', { PX: 200 }), 'OK', 'SET PX 200');
    await eq(a.watch('w:exp'), 'OK', 'WATCH a key about to expire');
    assert.ok(await waitFor(async () => (await c.exists('w:exp')) === 0, 10000, 100), 'key expired');
    await assert.rejects(a.multi().set('w:exp', 'mine').exec(), (e) => e instanceof WatchError, 'EXEC after the watched key expired');
  });

  test(`${N}: scanIterator() returns every key exactly once as a set (MATCH, COUNT)`, async (t) => {
    const c = await fresh(t);
    const want = new Set();
    const sets = [];
    for (let i = 0; i < 1500; i++) {
      const k = i % 3 ? `scan:${i}` : `scan:{tag}${i}`;
      want.add(k);
      sets.push(c.set(k, 'v'));
    }
    for (let i = 0; i < 100; i++) sets.push(c.set(`other:${i}`, 'v'));
    await Promise.all(sets);
    const collect = (opts) => step(`scanIterator(${JSON.stringify(opts)})`, api.scanAll(c, opts));
    const got = new Set(await collect({ MATCH: 'scan:*', COUNT: 100 }));
    const missing = [...want].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !want.has(k));
    assert.ok(!missing.length && !extra.length, `missing ${missing.length} ${missing.slice(0, 5)}, extra ${extra.length} ${extra.slice(0, 5)}`);
    same(new Set(await collect({ COUNT: 10 })).size, 1600, 'scanIterator without MATCH, COUNT 10: distinct keys');
    same(new Set(await collect({ MATCH: 'other:*' })).size, 100, 'MATCH other:*');
    await eq(collect({ MATCH: 'nothing:*', COUNT: 1000 }), [], 'MATCH with no key');
    same(new Set(await collect({ TYPE: 'string', MATCH: 'other:*' })).size, 100, 'TYPE string');
  });

  test(`${N}: reconnects after the server restarts on the same port`, async (t) => {
    const c = await fresh(t);
    const events = [];
    for (const e of ['end', 'reconnecting', 'ready']) c.on(e, () => events.push(e));
    await eq(c.set('re:before', '1'), 'OK', 'SET before the restart');
    await serverStop();
    assert.ok(await waitFor(() => !c.isReady, 10000), 'client still ready 10 s after the server stopped');
    // Issued while the server is down: node-redis queues it (offline queue).
    const during = c.set('re:during', '2');
    during.catch(() => {});
    await sleep(200);
    await serverStart();
    await eq(withTimeout(during, 20000, 'SET queued while the server was down'), 'OK', 'SET queued while down');
    await eq(c.ping(), 'PONG', 'PING after reconnecting');
    await eq(c.get('re:before'), null, 'new server: old key gone');
    await eq(c.get('re:during'), '2', 'GET the key set while down');
    assert.ok(events.includes('reconnecting') && events.includes('ready'), `events: ${events}`);
    assert.ok(c.errors.length > 0, 'an error event for the lost connection');
    same(c.isReady, true, 'isReady');
    if (api.checkConnection) await api.checkConnection(c);
    const d = await client(t);
    await eq(d.incr('re:n'), 1, 'a new client');
  }, { timeout: 60000 });

  test(`${N}: quit() ends the connection cleanly`, async (t) => {
    const c = await client(t);
    await eq(c.ping(), 'PONG', 'PING');
    await eq(c.quit(), 'OK', 'QUIT');
    same(c.isOpen, false, 'isOpen');
  });
}

module.exports = { sharedTests };
