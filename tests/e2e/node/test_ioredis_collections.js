'use strict';
// ioredis (5.x, default options): lists, hashes and sets as applications
// use them, against the server at FKV_HOST:FKV_PORT.  Prints TAP.  Run by
// tests/e2e/test_node.py against FlashKV and against redis-server (the
// oracle: every check passes against redis-server).  Keys without a common
// hashtag land on different shards of FlashKV, so the moves between keys
// (LMOVE, RPOPLPUSH, SMOVE, SINTERSTORE...) cross shards.
const Redis = require('ioredis');
const { HOST, PORT, test, run, same, eq, step } = require('./tap');
const assert = require('assert');

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

const sorted = (a) => [...a].sort();

test('ioredis: a reliable job queue on lists (LPUSH, LMOVE, RPOPLPUSH, LREM, LRANGE, LMPOP)', async (t) => {
  const c = await fresh(t);
  await eq(c.lpush('q:jobs', 'job:1', 'job:2', 'job:3'), 3, 'LPUSH');
  await eq(c.rpush('q:jobs', 'job:0'), 4, 'RPUSH');
  await eq(c.lrange('q:jobs', 0, -1), ['job:3', 'job:2', 'job:1', 'job:0'], 'LRANGE');
  await eq(c.lmove('q:jobs', 'q:processing', 'RIGHT', 'LEFT'), 'job:0', 'LMOVE to processing');
  await eq(c.rpoplpush('q:jobs', 'q:processing'), 'job:1', 'RPOPLPUSH');
  await eq(c.llen('q:jobs'), 2, 'LLEN jobs');
  await eq(c.lrange('q:processing', 0, -1), ['job:1', 'job:0'], 'processing list');
  await eq(c.lrem('q:processing', 1, 'job:0'), 1, 'LREM done job');
  await eq(c.lindex('q:processing', 0), 'job:1', 'LINDEX');
  await eq(c.lset('q:processing', 0, 'job:1:retry'), 'OK', 'LSET');
  await eq(c.linsert('q:jobs', 'BEFORE', 'job:2', 'job:2.5'), 3, 'LINSERT');
  await eq(c.lpos('q:jobs', 'job:2'), 2, 'LPOS');
  await eq(c.ltrim('q:jobs', 0, 1), 'OK', 'LTRIM');
  await eq(c.lrange('q:jobs', 0, -1), ['job:3', 'job:2.5'], 'after LTRIM');
  await eq(c.lpop('q:jobs', 5), ['job:3', 'job:2.5'], 'LPOP count');
  await eq(c.exists('q:jobs'), 0, 'an emptied list is gone');
  await eq(c.rpop('q:jobs'), null, 'RPOP on a missing list');
  await eq(c.lmpop(2, 'q:none', 'q:processing', 'LEFT'), ['q:processing', ['job:1:retry']], 'LMPOP');
  await eq(c.type('q:processing'), 'none', 'TYPE after the last pop');
});

test('ioredis: hashes as records (HSET object, HGETALL, HINCRBY, HMGET, HDEL, hscanStream)', async (t) => {
  const c = await fresh(t);
  await eq(c.hset('user:1', { name: 'Ada', visits: '1', lang: 'en' }), 3, 'HSET object');
  await eq(c.hgetall('user:1'), { name: 'Ada', visits: '1', lang: 'en' }, 'HGETALL');
  await eq(c.hincrby('user:1', 'visits', 41), 42, 'HINCRBY');
  await eq(c.hincrbyfloat('user:1', 'score', '1.5'), '1.5', 'HINCRBYFLOAT');
  await eq(c.hmget('user:1', 'name', 'missing', 'visits'), ['Ada', null, '42'], 'HMGET');
  await eq(c.hsetnx('user:1', 'name', 'Bob'), 0, 'HSETNX existing');
  await eq(c.hexists('user:1', 'lang'), 1, 'HEXISTS');
  await eq(c.hstrlen('user:1', 'name'), 3, 'HSTRLEN');
  await eq(c.hdel('user:1', 'lang', 'nosuch'), 1, 'HDEL');
  await eq(c.hlen('user:1'), 3, 'HLEN');
  same(sorted(await c.hkeys('user:1')), ['name', 'score', 'visits'], 'HKEYS');
  same(sorted(await c.hvals('user:1')), ['1.5', '42', 'Ada'], 'HVALS');
  await assert.rejects(c.hincrby('user:1', 'name', 1), /ERR hash value is not an integer/, 'HINCRBY on text');
  await assert.rejects(c.lpush('user:1', 'x'), /WRONGTYPE/, 'LPUSH on a hash');
  const big = {};
  for (let i = 0; i < 2000; i++) big[`f${i}`] = `v${i}`;
  await eq(c.hset('big', big), 2000, 'HSET 2000 fields');
  await eq(c.object('ENCODING', 'big'), 'hashtable', 'OBJECT ENCODING');
  const seen = {};
  await new Promise((resolve, reject) => {
    const s = c.hscanStream('big', { count: 50 });
    s.on('data', (kv) => { for (let i = 0; i < kv.length; i += 2) seen[kv[i]] = kv[i + 1]; });
    s.on('end', resolve);
    s.on('error', reject);
  });
  same(seen, big, 'hscanStream returns every field with its value');
  const r = await c.hrandfield('big', 5, 'WITHVALUES');
  same(r.length, 10, 'HRANDFIELD 5 WITHVALUES');
  for (let i = 0; i < r.length; i += 2) same(big[r[i]], r[i + 1], `HRANDFIELD pair ${r[i]}`);
});

test('ioredis: sets as tags (SADD, SINTER, SUNIONSTORE, SMOVE, SPOP, sscanStream)', async (t) => {
  const c = await fresh(t);
  await eq(c.sadd('tag:red', 'apple', 'cherry', 'strawberry'), 3, 'SADD');
  await eq(c.sadd('tag:sweet', 'apple', 'cherry', 'honey'), 3, 'SADD');
  same(sorted(await c.sinter('tag:red', 'tag:sweet')), ['apple', 'cherry'], 'SINTER');
  same(sorted(await c.sunion('tag:red', 'tag:sweet')), ['apple', 'cherry', 'honey', 'strawberry'], 'SUNION');
  same(sorted(await c.sdiff('tag:red', 'tag:sweet')), ['strawberry'], 'SDIFF');
  await eq(c.sinterstore('tag:both', 'tag:red', 'tag:sweet'), 2, 'SINTERSTORE');
  await eq(c.sunionstore('tag:any', 'tag:red', 'tag:sweet'), 4, 'SUNIONSTORE');
  await eq(c.sintercard(2, 'tag:red', 'tag:sweet'), 2, 'SINTERCARD');
  await eq(c.smove('tag:red', 'tag:sweet', 'strawberry'), 1, 'SMOVE');
  await eq(c.sismember('tag:sweet', 'strawberry'), 1, 'SISMEMBER after SMOVE');
  await eq(c.smismember('tag:red', 'apple', 'strawberry'), [1, 0], 'SMISMEMBER');
  await eq(c.scard('tag:any'), 4, 'SCARD');
  await eq(c.srem('tag:both', 'apple'), 1, 'SREM');
  const popped = await c.spop('tag:both', 10);
  same(popped, ['cherry'], 'SPOP count takes the rest');
  await eq(c.exists('tag:both'), 0, 'an emptied set is gone');
  await eq(c.sadd('ids', 1, 2, 3), 3, 'SADD integers');
  await eq(c.object('ENCODING', 'ids'), 'intset', 'OBJECT ENCODING intset');
  await eq(c.smembers('ids'), ['1', '2', '3'], 'SMEMBERS of an intset, sorted');
  const want = [];
  for (let i = 0; i < 3000; i++) want.push(`m${i}`);
  await eq(c.sadd('many', ...want), 3000, 'SADD 3000');
  const got = new Set();
  await new Promise((resolve, reject) => {
    const s = c.sscanStream('many', { count: 100 });
    s.on('data', (ms) => ms.forEach((m) => got.add(m)));
    s.on('end', resolve);
    s.on('error', reject);
  });
  same(got.size, 3000, 'sscanStream returns every member');
  const rnd = await c.srandmember('many', -20);
  same(rnd.length, 20, 'SRANDMEMBER -20');
  assert.ok(rnd.every((m) => got.has(m)), 'random members are members');
});

test('ioredis: collections in pipelines and MULTI/EXEC, and WATCH on a hash', async (t) => {
  const c = await fresh(t);
  const p = c.pipeline();
  for (let i = 0; i < 100; i++) p.rpush(`pl:list`, i).sadd(`pl:set`, i % 10).hset(`pl:hash`, `f${i}`, i);
  const res = await step('pipeline exec', p.exec());
  same(res.length, 300, 'pipeline replies');
  assert.ok(res.every(([err]) => err === null), 'no errors in the pipeline');
  await eq(c.llen('pl:list'), 100, 'LLEN');
  await eq(c.scard('pl:set'), 10, 'SCARD');
  await eq(c.hlen('pl:hash'), 100, 'HLEN');
  await eq(c.multi().lpop('pl:list').smove('pl:set', 'pl:set2', '3').hincrby('pl:hash', 'f0', 5).exec(),
    [[null, '0'], [null, 1], [null, 5]], 'MULTI/EXEC over three keys');
  const other = client(t);
  await eq(c.watch('pl:hash'), 'OK', 'WATCH a hash');
  await eq(other.hset('pl:hash', 'f1', 'changed'), 0, 'another client changes a field');
  await eq(c.multi().hset('pl:hash', 'f1', 'mine').exec(), null, 'EXEC aborted: the hash changed');
  await eq(c.hget('pl:hash', 'f1'), 'changed', 'the other client\'s write stands');
});

run();
