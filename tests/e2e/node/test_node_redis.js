'use strict';
// node-redis (npm "redis" 4.x, default options) against the server at
// FKV_HOST:FKV_PORT.  Prints TAP.  Run by tests/e2e/test_node.py against
// FlashKV and against redis-server (the oracle).
//
// On connect node-redis 4 sends CLIENT SETINFO LIB-NAME / LIB-VER
// (pipelined; it ignores the error Redis 7.0 answers); no HELLO: v4 speaks
// RESP2 only.  test_node_redis5_resp3.js runs the same tests (shared in
// node_redis_shared.js) with node-redis 5 over RESP3.
const { createClient, commandOptions, WatchError, ErrorReply, MultiErrorReply } = require('redis');
const { HOST, PORT, test, run, eq, step } = require('./tap');
const { sharedTests } = require('./node_redis_shared');
const { collectionTests } = require('./node_redis_collections');
const assert = require('assert');

const URL = `redis://${HOST}:${PORT}`;

// A connected client with node-redis's defaults (the URL aside), closed
// after the test.  node-redis emits 'error' on every failed reconnection
// attempt and throws it without a listener: record them.
async function client(t) {
  const c = createClient({ url: URL });
  c.errors = [];
  c.on('error', (e) => c.errors.push(e));
  t.defer(() => (c.isOpen ? c.disconnect() : undefined));
  await c.connect();
  return c;
}

const api = {
  name: 'node-redis',
  connectedWith: 'default options',
  client,
  bool: (b) => b,
  getBuffer: (c, key) => c.get(commandOptions({ returnBuffers: true }), key),
  scanAll: async (c, opts) => {
    const keys = [];
    for await (const k of c.scanIterator(opts)) keys.push(k);
    return keys;
  },
  queueingError: /^EXECABORT Transaction discarded because of previous errors/,
  ErrorReply,
  MultiErrorReply,
  WatchError,
};
sharedTests(api);
collectionTests(api);

test('node-redis: WATCH on an isolated connection (executeIsolated), EXEC rejects with WatchError', async (t) => {
  const c = await client(t);
  await eq(c.flushAll(), 'OK', 'FLUSHALL');
  await eq(c.set('w:k', '1'), 'OK', 'SET');
  // v4's documented way: WATCH on an isolated connection.
  await step('executeIsolated', c.executeIsolated(async (iso) => {
    await eq(iso.watch('w:k'), 'OK', 'WATCH');
    await eq(c.set('w:k', 'changed'), 'OK', 'SET by another connection');
    await assert.rejects(iso.multi().set('w:k', 'mine').set('w:other', 'x').exec(),
      (e) => e instanceof WatchError, 'EXEC after a watched key changed');
  }));
  await eq(c.get('w:k'), 'changed', 'the other client\'s value stays');
  await eq(c.exists('w:other'), 0, 'nothing of the aborted transaction ran');
});

run();
