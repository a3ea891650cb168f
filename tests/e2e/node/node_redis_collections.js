'use strict';
// node_redis_collections.js - lists, hashes and sets through node-redis's
// own API, registered by test_node_redis.js (v4, RESP2) and
// test_node_redis5_resp3.js (v5, RESP3): collectionTests(api) with the same
// api object as node_redis_shared.js.  Replies that RESP3 types as maps or
// sets are compared after normalising (an object or a Map; an array or a
// Set), so both versions read the same checks.
const assert = require('assert');
const { test, same, eq } = require('./tap');

const sorted = (a) => [...a].sort();
const asObject = (m) => (m instanceof Map ? Object.fromEntries(m) : { ...m });

function collectionTests(api) {
  const N = api.name;
  const bool = (b) => api.bool(b);

  async function fresh(t) {
    const c = await api.client(t);
    await eq(c.flushAll(), 'OK', 'FLUSHALL');
    return c;
  }

  test(`${N}: lists: push, move between lists on different shards, trim, pop`, async (t) => {
    const c = await fresh(t);
    await eq(c.lPush('nl:jobs', ['a', 'b', 'c']), 3, 'LPUSH');
    await eq(c.rPush('nl:jobs', 'z'), 4, 'RPUSH');
    await eq(c.lRange('nl:jobs', 0, -1), ['c', 'b', 'a', 'z'], 'LRANGE');
    await eq(c.lMove('nl:jobs', 'nl:work', 'RIGHT', 'LEFT'), 'z', 'LMOVE');
    await eq(c.rPopLPush('nl:jobs', 'nl:work'), 'a', 'RPOPLPUSH');
    await eq(c.lLen('nl:work'), 2, 'LLEN');
    await eq(c.lIndex('nl:work', -1), 'z', 'LINDEX -1');
    await eq(c.lInsert('nl:jobs', 'AFTER', 'c', 'c2'), 3, 'LINSERT');
    await eq(c.lPos('nl:jobs', 'b'), 2, 'LPOS');
    await eq(c.lRem('nl:work', 0, 'z'), 1, 'LREM');
    await eq(c.lTrim('nl:jobs', 1, -1), 'OK', 'LTRIM');
    await eq(c.lPopCount('nl:jobs', 10), ['c2', 'b'], 'LPOP count');
    await eq(c.exists('nl:jobs'), 0, 'the emptied list is gone');
    await eq(c.rPop('nl:work'), 'a', 'RPOP');
    await eq(c.lPop('nl:work'), null, 'LPOP on a missing list');
  });

  test(`${N}: hashes: HSET with an object, HGETALL, HINCRBY, HSCAN iterator`, async (t) => {
    const c = await fresh(t);
    await eq(c.hSet('nh:user', { name: 'Ada', visits: 1 }), 2, 'HSET object');
    same(asObject(await c.hGetAll('nh:user')), { name: 'Ada', visits: '1' }, 'HGETALL');
    await eq(c.hIncrBy('nh:user', 'visits', 9), 10, 'HINCRBY');
    await eq(c.hmGet('nh:user', ['name', 'nope']), ['Ada', null], 'HMGET');
    await eq(c.hExists('nh:user', 'name'), bool(true), 'HEXISTS');
    await eq(c.hDel('nh:user', 'name'), 1, 'HDEL');
    await eq(c.hLen('nh:user'), 1, 'HLEN');
    const fields = {};
    for (let i = 0; i < 1200; i++) fields[`f${i}`] = `v${i}`;
    await eq(c.hSet('nh:big', fields), 1200, 'HSET 1200 fields');
    const seen = {};
    for await (const e of c.hScanIterator('nh:big', { COUNT: 100 })) {
      if (Array.isArray(e)) for (const x of e) seen[x.field] = x.value; // v5: batches
      else seen[e.field] = e.value;
    }
    same(seen, fields, 'hScanIterator returns every field');
    await assert.rejects(c.sAdd('nh:big', 'x'), /WRONGTYPE/, 'SADD on a hash');
  });

  test(`${N}: sets: tags, intersections on different shards, SMOVE, SPOP, SSCAN iterator`, async (t) => {
    const c = await fresh(t);
    await eq(c.sAdd('ns:red', ['apple', 'cherry']), 2, 'SADD');
    await eq(c.sAdd('ns:sweet', ['apple', 'honey']), 2, 'SADD');
    same(sorted(await c.sInter(['ns:red', 'ns:sweet'])), ['apple'], 'SINTER');
    same(sorted(await c.sUnion(['ns:red', 'ns:sweet'])), ['apple', 'cherry', 'honey'], 'SUNION');
    await eq(c.sDiffStore('ns:only-red', ['ns:red', 'ns:sweet']), 1, 'SDIFFSTORE');
    await eq(c.sMove('ns:red', 'ns:sweet', 'cherry'), bool(true), 'SMOVE');
    await eq(c.sIsMember('ns:sweet', 'cherry'), bool(true), 'SISMEMBER');
    await eq(c.sCard('ns:sweet'), 3, 'SCARD');
    same(sorted(await c.sMembers('ns:only-red')), ['cherry'], 'SMEMBERS');
    const members = [];
    for (let i = 0; i < 1500; i++) members.push(`m${i}`);
    await eq(c.sAdd('ns:many', members), 1500, 'SADD 1500');
    const got = new Set();
    for await (const m of c.sScanIterator('ns:many', { COUNT: 100 })) {
      for (const x of Array.isArray(m) ? m : [m]) got.add(x);
    }
    same(got.size, 1500, 'sScanIterator returns every member');
    // v5 names the counted form sPopCount; v4 takes the count in sPop.
    const popped = await (c.sPopCount ? c.sPopCount('ns:many', 1500) : c.sPop('ns:many', 1500));
    same(new Set(popped).size, 1500, 'SPOP count takes every member once');
    await eq(c.exists('ns:many'), 0, 'the emptied set is gone');
  });

  test(`${N}: collections inside MULTI/EXEC`, async (t) => {
    const c = await fresh(t);
    const r = await c.multi().rPush('nm:l', ['1', '2']).sAdd('nm:s', '1').hSet('nm:h', 'f', '1')
      .lPop('nm:l').sMove('nm:s', 'nm:s2', '1').hIncrBy('nm:h', 'f', 1).exec();
    same(r, [2, 1, 1, '1', bool(true), 2], 'EXEC results');
    await eq(c.exists(['nm:s', 'nm:s2']), 1, 'the member moved');
  });
}

module.exports = { collectionTests };
