'use strict';
// Pub/Sub with real clients: ioredis (5.x, RESP2) and node-redis 5 over
// RESP3 (its subscriptions arrive as pushes on the same connection as the
// commands), against the server at FKV_HOST:FKV_PORT.  Prints TAP.  Run
// by tests/e2e/test_node.py against FlashKV and against redis-server (the
// oracle: every check passes against redis-server).
//
// The channels were picked on both shards of a two-worker FlashKV (slot
// mod 2), so owners and subscribers sit on different workers.
const Redis = require('ioredis');
const keySlot = require('cluster-key-slot');
const { createClient } = require('redis5');
const { HOST, PORT, test, run, same, eq, step, waitFor } = require('./tap');
const assert = require('assert');

function ioclient(t) {
  const c = new Redis(PORT, HOST);
  c.on('error', () => {});
  t.defer(() => c.disconnect());
  return c;
}

async function nodeClient(t, opts = {}) {
  const c = createClient({ url: `redis://${HOST}:${PORT}`, RESP: 3, ...opts });
  c.on('error', () => {});
  t.defer(() => (c.isOpen ? c.destroy() : undefined));
  await c.connect();
  return c;
}

// Channels news.<n> on each side of slot mod 2.
function channelsOnBothShards() {
  const out = [];
  for (let i = 0; out.length < 2; i++) {
    const ch = `news.${i}`;
    if (out.length === 0 || keySlot(ch) % 2 !== keySlot(out[0]) % 2) out.push(ch);
  }
  return out;
}
const [CH0, CH1] = channelsOnBothShards();

test('ioredis: subscribe, message events in publish order, counts', async (t) => {
  const sub = ioclient(t);
  const pub = ioclient(t);
  same(await step('SUBSCRIBE', sub.subscribe(CH0, CH1)), 2, 'subscribed to 2 channels');
  const got = [];
  sub.on('message', (ch, msg) => got.push(`${ch}:${msg}`));
  const want = [];
  for (let i = 0; i < 200; i++) {
    const ch = i % 2 ? CH1 : CH0;
    want.push(`${ch}:m${i}`);
    same(await pub.publish(ch, `m${i}`), 1, `PUBLISH ${ch} counts one subscriber`);
  }
  assert.ok(await waitFor(() => got.length >= want.length, 10000), `got ${got.length} of ${want.length}`);
  const per = (ch) => got.filter((x) => x.startsWith(`${ch}:`));
  same(per(CH0), want.filter((x) => x.startsWith(`${CH0}:`)), `messages of ${CH0} in order`);
  same(per(CH1), want.filter((x) => x.startsWith(`${CH1}:`)), `messages of ${CH1} in order`);
  same(await step('UNSUBSCRIBE', sub.unsubscribe(CH0)), 1, 'one channel left');
  same(await pub.publish(CH0, 'gone'), 0, 'nobody on the channel any more');
});

test('ioredis: psubscribe gets pmessage, with the channel too message first', async (t) => {
  const sub = ioclient(t);
  const pub = ioclient(t);
  await step('PSUBSCRIBE', sub.psubscribe('news.*'));
  await step('SUBSCRIBE', sub.subscribe(CH1));
  const events = [];
  sub.on('message', (ch, msg) => events.push(['message', ch, msg]));
  sub.on('pmessage', (pat, ch, msg) => events.push(['pmessage', pat, ch, msg]));
  same(await pub.publish(CH1, 'both'), 2, 'the channel and the pattern count');
  same(await pub.publish(CH0, 'pattern'), 1, 'only the pattern');
  assert.ok(await waitFor(() => events.length >= 3, 10000), `events ${JSON.stringify(events)}`);
  same(events, [['message', CH1, 'both'], ['pmessage', 'news.*', CH1, 'both'],
    ['pmessage', 'news.*', CH0, 'pattern']], 'message then pmessage, as Redis');
  same(await pub.pubsub('NUMPAT'), 1, 'PUBSUB NUMPAT');
  same(await pub.pubsub('NUMSUB', CH1, CH0), [CH1, 1, CH0, 0], 'PUBSUB NUMSUB');
  const ch = await pub.pubsub('CHANNELS', 'news.*');
  same(ch, [CH1], 'PUBSUB CHANNELS');
});

test('ioredis: a subscribed connection refuses other commands (RESP2)', async (t) => {
  const sub = ioclient(t);
  await step('SUBSCRIBE', sub.subscribe(CH0));
  // ioredis itself refuses most commands in subscriber mode; send one raw.
  const err = await sub.call('PING').then((v) => v, (e) => e);
  same(err, ['pong', ''], 'PING in subscribed mode');
  await step('UNSUBSCRIBE', sub.unsubscribe());
  same(await sub.get('nokey'), null, 'back to normal after UNSUBSCRIBE');
});

test('node-redis 5 RESP3: subscribe with commands on the same connection', async (t) => {
  const c = await nodeClient(t);
  const pub = await nodeClient(t, { RESP: 2 });
  const got = [];
  await step('SUBSCRIBE', c.subscribe(CH0, (msg, ch) => got.push(`${ch}:${msg}`)));
  await step('PSUBSCRIBE', c.pSubscribe('news.*', (msg, ch) => got.push(`p:${ch}:${msg}`)));
  same(await c.set('k', 'v'), 'OK', 'SET while subscribed (RESP3)');
  same(await c.get('k'), 'v', 'GET while subscribed (RESP3)');
  same(await pub.publish(CH0, 'hello'), 2, 'PUBLISH counts the channel and the pattern');
  same(await pub.publish(CH1, 'hi'), 1, 'PUBLISH to the other shard: the pattern only');
  assert.ok(await waitFor(() => got.length >= 3, 10000), `got ${JSON.stringify(got)}`);
  same(got, [`${CH0}:hello`, `p:${CH0}:hello`, `p:${CH1}:hi`], 'messages in order');
  await step('UNSUBSCRIBE', c.unsubscribe(CH0));
  await step('PUNSUBSCRIBE', c.pUnsubscribe('news.*'));
  same(await pub.publish(CH0, 'x'), 0, 'nobody left');
  same(await c.del('k'), 1, 'DEL');
});

test('node-redis 5: sharded pub/sub (SSUBSCRIBE, SPUBLISH)', async (t) => {
  const c = await nodeClient(t, { RESP: 2 });
  const sub = c.duplicate();
  sub.on('error', () => {});
  t.defer(() => (sub.isOpen ? sub.destroy() : undefined));
  await sub.connect();
  const got = [];
  await step('SSUBSCRIBE', sub.sSubscribe(CH1, (msg, ch) => got.push(`${ch}:${msg}`)));
  same(await c.sPublish(CH1, 's1'), 1, 'SPUBLISH counts the shard subscriber');
  same(await c.publish(CH1, 'plain'), 0, 'PUBLISH does not reach shard channels');
  assert.ok(await waitFor(() => got.length >= 1, 10000), 'the shard message came');
  same(got, [`${CH1}:s1`], 'smessage');
  same(await c.sendCommand(['PUBSUB', 'SHARDNUMSUB', CH1]), [CH1, 1], 'PUBSUB SHARDNUMSUB');
});

run();
