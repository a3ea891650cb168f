'use strict';
// node-redis 5 (npm "redis" 5.x, installed as "redis5") with RESP: 3
// against the server at FKV_HOST:FKV_PORT.  Prints TAP.  Run by
// tests/e2e/test_node.py against FlashKV and against redis-server (the
// oracle).
//
// With RESP: 3 node-redis 5 sends HELLO 3 as the first command of every
// connection (then CLIENT SETINFO LIB-VER / LIB-NAME, whose errors from
// Redis 7.0 it ignores).  The tests node-redis 4 runs over RESP2 run here
// too (node_redis_shared.js), then RESP3's own: the connection is RESP3
// (on the wire, CLIENT INFO, CLIENT LIST), HELLO's and CONFIG GET's maps,
// nulls, how the other replies decode.  Some checks read the bytes the
// server sent, through a recording proxy (recordingProxy()).
const net = require('net');
const assert = require('assert');
const {
  createClient, createClientPool, RESP_TYPES, VerbatimString,
  WatchError, ErrorReply, MultiErrorReply, ClientClosedError,
} = require('redis5');
const { HOST, PORT, test, run, same, eq, step } = require('./tap');
const { sharedTests } = require('./node_redis_shared');
const { collectionTests } = require('./node_redis_collections');

const urlFor = (port) => `redis://${HOST}:${port}`;

// A connected client, RESP: 3 unless opts say otherwise, closed after the
// test; its 'error' events are recorded (without a listener they throw).
async function client(t, opts = {}) {
  const c = createClient({ url: urlFor(PORT), RESP: 3, ...opts });
  c.errors = [];
  c.on('error', (e) => c.errors.push(e));
  t.defer(() => (c.isOpen ? c.destroy() : undefined));
  await c.connect();
  return c;
}

async function fresh(t, opts) {
  const c = await client(t, opts);
  await eq(c.flushAll(), 'OK', 'FLUSHALL');
  return c;
}

// The RESP version the server says this connection speaks.
async function respOf(c) {
  return (await step('CLIENT INFO', c.clientInfo())).resp;
}

const api = {
  name: 'node-redis 5',
  connectedWith: 'RESP: 3',
  client,
  bool: (b) => (b ? 1 : 0),
  getBuffer: (c, key) => c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key),
  scanAll: async (c, opts) => {
    const keys = [];
    for await (const batch of c.scanIterator(opts)) keys.push(...batch);
    return keys;
  },
  // v5 sends MULTI, the commands and EXEC as one chain and rejects with
  // the first error in it: the refused command's (EXECABORT is checked on
  // the wire below).
  queueingError: /^ERR wrong number of arguments for 'get' command/,
  // On connecting and after reconnecting: HELLO 3 took effect.
  checkConnection: async (c) => same(await respOf(c), 3, 'CLIENT INFO resp'),
  ErrorReply,
  MultiErrorReply,
  WatchError,
};
sharedTests(api);
collectionTests(api);

// --- the bytes on the wire ------------------------------------------------
// A TCP proxy on a free loopback port in front of the server, recording
// what clients sent (sent()) and what the server answered (received()),
// as latin1 strings.  Closed after the test.
async function recordingProxy(t) {
  const up = [];
  const down = [];
  const sockets = new Set();
  const proxy = net.createServer((cli) => {
    const srv = net.connect(PORT, HOST);
    const close = () => { cli.destroy(); srv.destroy(); };
    for (const s of [cli, srv]) {
      sockets.add(s);
      s.on('close', close).on('error', close);
    }
    cli.on('data', (d) => { up.push(d); srv.write(d); });
    srv.on('data', (d) => { down.push(d); cli.write(d); });
  });
  await new Promise((resolve, reject) => proxy.once('error', reject).listen(0, HOST, resolve));
  t.defer(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => proxy.close(resolve));
  });
  const text = (chunks) => Buffer.concat(chunks).toString('latin1');
  return { port: proxy.address().port, sent: () => text(up), received: () => text(down) };
}

// A client through a new recording proxy, with c.proxy and
// - c.wire(what, f): awaits f() (the client's command(s)) and returns
//   [reply, the bytes the server sent meanwhile]; the client sends nothing
//   else meanwhile (no ping timer);
// - c.expectWire(what, f, reply, bytes): checks both.
async function wiredClient(t, opts) {
  const proxy = await recordingProxy(t);
  const c = await client(t, { url: urlFor(proxy.port), ...opts });
  c.proxy = proxy;
  c.wire = async (what, f) => {
    const from = proxy.received().length;
    const reply = await step(what, f());
    return [reply, proxy.received().slice(from)];
  };
  c.expectWire = async (what, f, reply, bytes) => same(await c.wire(what, f), [reply, bytes], `${what}: reply and bytes`);
  return c;
}

// Plain-object copy of a map decoded as an object (node-redis makes them
// with a null prototype, which deepStrictEqual tells from {}).
const plain = (o) => Object.assign({}, o);
const HELLO_KEYS = ['server', 'version', 'proto', 'id', 'mode', 'role', 'modules'];

test('node-redis 5: RESP: 3 sends HELLO 3 first, gets a map; CLIENT INFO and CLIENT LIST say resp=3 (resp=2 without the option)', async (t) => {
  const c = await wiredClient(t);
  const sent = c.proxy.sent();
  assert.ok(sent.startsWith('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n'), `first command sent: ${JSON.stringify(sent.slice(0, 40))}`);
  const received = c.proxy.received();
  assert.ok(received.startsWith('%7\r\n$6\r\nserver\r\n'), `HELLO 3's reply: ${JSON.stringify(received.slice(0, 60))}, not a map of 7`);
  const id = await step('CLIENT ID', c.clientId());
  const info = await step('CLIENT INFO', c.clientInfo());
  same([info.id, info.resp], [id, 3], 'CLIENT INFO id, resp');
  const list = await step('CLIENT LIST', c.sendCommand(['CLIENT', 'LIST']));
  const mine = String(list).split('\n').filter((l) => l.startsWith(`id=${id} `));
  assert.ok(mine.length === 1 && / resp=3( |$)/.test(mine[0].trim()), `CLIENT LIST, line for id=${id}: ${JSON.stringify(mine)}`);
  // A client without the RESP option: no HELLO, RESP2.
  const c2 = await client(t, { RESP: undefined });
  same(await respOf(c2), 2, 'CLIENT INFO resp without the RESP option');
  const list2 = await step('CLIENT LIST', c.sendCommand(['CLIENT', 'LIST']));
  const id2 = await c2.clientId();
  assert.ok(new RegExp(`^id=${id2} .* resp=2( |\\r?$)`, 'm').test(String(list2)), `CLIENT LIST, line for id=${id2}: resp=2 expected in ${JSON.stringify(String(list2))}`);
});

test('node-redis 5: HELLO\'s reply is a map (an object, a Map with RESP_TYPES.MAP); HELLO 2 switches back to a flat array', async (t) => {
  const c = await wiredClient(t);
  const id = await c.clientId();
  const [hello, bytes] = await c.wire('HELLO 3', () => c.sendCommand(['HELLO', '3']));
  assert.ok(bytes.startsWith('%7\r\n'), `HELLO 3's reply on the wire: ${JSON.stringify(bytes.slice(0, 40))}`);
  same(Object.keys(hello), HELLO_KEYS, 'HELLO 3 keys, in order');
  same(plain(hello), {
    server: 'redis', version: hello.version, proto: 3, id, mode: 'standalone', role: 'master', modules: [],
  }, 'HELLO 3');
  assert.ok(/^7\.\d+\.\d+$/.test(hello.version), `version: ${hello.version}`);
  same(plain(await step('HELLO (no version)', c.hello())), plain(hello), 'HELLO without a version: the same map');
  const asMap = await step('HELLO 3 as a Map', c.sendCommand(['HELLO', '3'], { typeMapping: { [RESP_TYPES.MAP]: Map } }));
  assert.ok(asMap instanceof Map, `with RESP_TYPES.MAP: Map, got ${asMap && asMap.constructor && asMap.constructor.name}`);
  same([...asMap.keys()], HELLO_KEYS, 'Map keys');
  same(asMap.get('proto'), 3, 'Map proto');
  // HELLO 2 on another connection: the server answers a flat array.
  const b = await wiredClient(t);
  const [hello2, bytes2] = await b.wire('HELLO 2', () => b.sendCommand(['HELLO', '2']));
  assert.ok(bytes2.startsWith('*14\r\n'), `HELLO 2's reply on the wire: ${JSON.stringify(bytes2.slice(0, 40))}`);
  same([hello2.length, hello2[4], hello2[5]], [14, 'proto', 2], 'HELLO 2: a flat array with proto 2');
  const [info] = await b.wire('CLIENT INFO', () => b.sendCommand(['CLIENT', 'INFO']));
  assert.ok(/ resp=2(\s|$)/.test(String(info)), `CLIENT INFO after HELLO 2: ${info}`);
});

test('node-redis 5: CONFIG GET returns a map: an object by default, a Map with RESP_TYPES.MAP', async (t) => {
  const c = await wiredClient(t);
  const [one, bytes] = await c.wire('CONFIG GET timeout', () => c.configGet('timeout'));
  same(bytes, '%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n', 'CONFIG GET timeout on the wire');
  same(plain(one), { timeout: '0' }, 'CONFIG GET timeout');
  same(plain(await step('CONFIG GET two', c.configGet(['timeout', 'databases']))), { timeout: '0', databases: '16' }, 'CONFIG GET timeout databases');
  const pattern = await step('CONFIG GET max*', c.configGet('max*'));
  same(pattern.maxclients, '10000', 'CONFIG GET max*: maxclients');
  assert.ok(Object.keys(pattern).every((k) => k.startsWith('max')), `CONFIG GET max*: ${Object.keys(pattern)}`);
  const [none, bytesNone] = await c.wire('CONFIG GET no-such', () => c.configGet('no-such-parameter'));
  same([plain(none), bytesNone], [{}, '%0\r\n'], 'CONFIG GET of an unknown parameter: an empty map');
  const m = await step('CONFIG GET as a Map', c.withTypeMapping({ [RESP_TYPES.MAP]: Map }).configGet(['timeout', 'databases']));
  assert.ok(m instanceof Map, `with RESP_TYPES.MAP: Map, got ${m && m.constructor && m.constructor.name}`);
  same(new Map([...m].sort()), new Map([['databases', '16'], ['timeout', '0']]), 'the Map');
});

test('node-redis 5: RESP3 nulls (_) decode to null: GET, MGET, SET NX, GETDEL, in EXEC, the EXEC a WATCH aborts', async (t) => {
  const c = await wiredClient(t);
  await eq(c.flushAll(), 'OK', 'FLUSHALL');
  const expect = c.expectWire;
  await expect('GET missing', () => c.get('n:missing'), null, '_\r\n');
  await eq(c.set('n:a', 'v'), 'OK', 'SET');
  await expect('MGET', () => c.mGet(['n:a', 'n:missing']), ['v', null], '*2\r\n$1\r\nv\r\n_\r\n');
  await expect('SET NX existing', () => c.set('n:a', 'x', { NX: true }), null, '_\r\n');
  await expect('GETDEL missing', () => c.getDel('n:missing'), null, '_\r\n');
  await expect('SET GET of a missing key', () => c.set('n:b', 'v', { GET: true }), null, '_\r\n');
  await expect('GET missing by sendCommand', () => c.sendCommand(['GET', 'n:missing']), null, '_\r\n');
  await expect('MULTI GET missing EXEC', () => c.multi().get('n:missing').get('n:a').exec(), [null, 'v'],
    '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n_\r\n$1\r\nv\r\n');
  // WATCH, a change by another client: EXEC answers a RESP3 null.
  const other = await client(t);
  await eq(c.watch('n:a'), 'OK', 'WATCH');
  await eq(other.set('n:a', 'changed'), 'OK', 'SET by another client');
  const from = c.proxy.received().length;
  await assert.rejects(c.multi().set('n:a', 'mine').exec(), (e) => e instanceof WatchError, 'EXEC after the watched key changed');
  same(c.proxy.received().slice(from), '+OK\r\n+QUEUED\r\n_\r\n', 'the aborted EXEC on the wire');
  // A queueing error: EXEC answers EXECABORT (v5 rejects with the first error).
  const from2 = c.proxy.received().length;
  await assert.rejects(c.multi().set('n:x', '1').addCommand(['GET']).exec(), ErrorReply, 'a queueing error');
  const bytes = c.proxy.received().slice(from2);
  assert.ok(/^\+OK\r\n\+QUEUED\r\n-ERR wrong number of arguments[^\r]*\r\n-EXECABORT Transaction discarded because of previous errors\.?\r\n$/.test(bytes), `MULTI with a queueing error on the wire: ${JSON.stringify(bytes)}`);
  await eq(c.get('n:a'), 'changed', 'GET after');
});

test('node-redis 5: RESP3 replies decode right: INCRBYFLOAT bulk strings, integers (also past 2^53), simple strings, verbatim INFO and CLIENT INFO, errors, arrays', async (t) => {
  const c = await wiredClient(t);
  await eq(c.flushAll(), 'OK', 'FLUSHALL');
  const expect = c.expectWire;
  await expect('INCRBYFLOAT 2.5', () => c.incrByFloat('d:f', 2.5), '2.5', '$3\r\n2.5\r\n');
  await expect('INCRBYFLOAT 0.25', () => c.incrByFloat('d:f', 0.25), '2.75', '$4\r\n2.75\r\n');
  await expect('INCRBYFLOAT 0.1', () => c.incrByFloat('d:g', 0.1), '0.1', '$3\r\n0.1\r\n');
  await expect('INCRBYFLOAT 0.2', () => c.incrByFloat('d:g', 0.2), '0.3', '$3\r\n0.3\r\n');
  await expect('INCRBYFLOAT 5.0e3', () => c.sendCommand(['INCRBYFLOAT', 'd:f', '5.0e3']), '5002.75', '$7\r\n5002.75\r\n');
  await expect('INCRBYFLOAT -5002.75', () => c.incrByFloat('d:f', -5002.75), '0', '$1\r\n0\r\n');
  await expect('INCRBYFLOAT -1.5 on an integer', () => c.sendCommand(['INCRBYFLOAT', 'd:i', '-1.5']), '-1.5', '$4\r\n-1.5\r\n');
  await expect('INCR', () => c.incr('d:n'), 1, ':1\r\n');
  await expect('DECRBY', () => c.decrBy('d:n', 3), -2, ':-2\r\n');
  await eq(c.set('d:big', '9223372036854775806'), 'OK', 'SET near the top');
  const exact = c.withTypeMapping({ [RESP_TYPES.NUMBER]: String });
  await expect('INCR to 2^63-1 (NUMBER: String)', () => exact.incr('d:big'), '9223372036854775807', ':9223372036854775807\r\n');
  await expect('DECRBY (NUMBER: String)', () => exact.decrBy('d:big', 2), '9223372036854775805', ':9223372036854775805\r\n');
  await expect('DECRBY to a negative (NUMBER: String)', () => exact.decrBy('d:n', 1), '-3', ':-3\r\n');
  await expect('SET', () => c.set('d:s', 'x'), 'OK', '+OK\r\n');
  await expect('TYPE', () => c.type('d:s'), 'string', '+string\r\n');
  await expect('PING', () => c.ping(), 'PONG', '+PONG\r\n');
  await expect('EXISTS', () => c.exists(['d:s', 'd:s', 'd:none']), 2, ':2\r\n');
  await expect('ECHO', () => c.echo('a\r\nb'), 'a\r\nb', '$4\r\na\r\nb\r\n');
  // INFO and CLIENT INFO are verbatim strings (=LEN\r\ntxt:...).
  const [info, infoBytes] = await c.wire('INFO server', () => c.info('server'));
  assert.ok(/^=\d+\r\ntxt:# Server\r\n/.test(infoBytes), `INFO on the wire: ${JSON.stringify(infoBytes.slice(0, 40))}`);
  assert.ok(typeof info === 'string' && /^# Server\r\n/.test(info) && /\r\nredis_version:7\./.test(info), `INFO: ${JSON.stringify(String(info).slice(0, 60))}`);
  const verbatim = await step('CLIENT INFO (VERBATIM_STRING: VerbatimString)', c.sendCommand(['CLIENT', 'INFO'], { typeMapping: { [RESP_TYPES.VERBATIM_STRING]: VerbatimString } }));
  assert.ok(verbatim instanceof VerbatimString && verbatim.format === 'txt', `CLIENT INFO: ${verbatim && verbatim.constructor && verbatim.constructor.name} format ${verbatim && verbatim.format}`);
  assert.ok(/^id=\d+ .* resp=3\s*$/.test(String(verbatim)), `CLIENT INFO text: ${verbatim}`);
  // An error reply: -ERR..., rejected as an ErrorReply.
  const from = c.proxy.received().length;
  await assert.rejects(c.incr('d:s'), (e) => e instanceof ErrorReply && e.message === 'ERR value is not an integer or out of range', 'INCR on text');
  same(c.proxy.received().slice(from), '-ERR value is not an integer or out of range\r\n', 'the error on the wire');
  // Arrays: TIME, SCAN (a cursor and an array of keys, each page).
  const [time, timeBytes] = await c.wire('TIME', () => c.sendCommand(['TIME']));
  assert.ok(Array.isArray(time) && time.length === 2 && time.every((x) => /^\d+$/.test(x)) && /^\*2\r\n\$\d+\r\n/.test(timeBytes), `TIME: ${time} ${JSON.stringify(timeBytes)}`);
  assert.ok(Math.abs(Number(time[0]) - Date.now() / 1000) < 60, `TIME ${time[0]} is not now`);
  const scanned = [];
  let cursor = '0';
  for (let page = 0; page === 0 || cursor !== '0'; page++) {
    assert.ok(page < 1000, 'SCAN did not end in 1000 pages');
    const [raw, bytes] = await c.wire('SCAN', () => c.sendCommand(['SCAN', cursor, 'MATCH', 'd:*', 'COUNT', '1000']));
    assert.ok(Array.isArray(raw) && raw.length === 2 && /^\d+$/.test(raw[0]) && Array.isArray(raw[1]), `SCAN reply: ${JSON.stringify(raw)}`);
    const want = `*2\r\n$${raw[0].length}\r\n${raw[0]}\r\n*${raw[1].length}\r\n${raw[1].map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;
    same(bytes, want, 'SCAN reply on the wire');
    [cursor] = raw;
    scanned.push(...raw[1]);
  }
  same(scanned.sort(), ['d:big', 'd:f', 'd:g', 'd:i', 'd:n', 'd:s'], 'every key SCAN returned');
  const page = await step('scan()', c.scan('0', { MATCH: 'd:s', COUNT: 1000 }));
  assert.ok(typeof page.cursor === 'string' && Array.isArray(page.keys), `scan(): ${JSON.stringify(page)}`);
  await expect('DBSIZE', () => c.dbSize(), 6, ':6\r\n');
});

test('node-redis 5: WATCH on a client of createClientPool().execute() (v5\'s replacement of executeIsolated), EXEC rejects with WatchError', async (t) => {
  const c = await fresh(t);
  const pool = createClientPool({ url: urlFor(PORT), RESP: 3 });
  pool.on('error', () => {});
  t.defer(() => (pool.isOpen ? pool.destroy() : undefined));
  await step('pool connect', pool.connect());
  await eq(c.set('w:k', '1'), 'OK', 'SET');
  await step('execute', pool.execute(async (iso) => {
    same(await respOf(iso), 3, 'the pool\'s client: CLIENT INFO resp');
    await eq(iso.watch('w:k'), 'OK', 'WATCH');
    await eq(c.set('w:k', 'changed'), 'OK', 'SET by another connection');
    await assert.rejects(iso.multi().set('w:k', 'mine').set('w:other', 'x').exec(),
      (e) => e instanceof WatchError, 'EXEC after a watched key changed');
  }));
  await eq(c.get('w:k'), 'changed', 'the other client\'s value stays');
  await eq(c.exists('w:other'), 0, 'nothing of the aborted transaction ran');
  await eq(pool.incr('w:n'), 1, 'a command through the pool');
});

test('node-redis 5: close() (v5\'s replacement of QUIT) ends the connection cleanly', async (t) => {
  const c = await client(t);
  await eq(c.set('c:k', 'v'), 'OK', 'SET');
  const pending = c.get('c:k');
  await step('close', c.close());
  await eq(pending, 'v', 'the reply to a command sent before close()');
  same(c.isOpen, false, 'isOpen');
  await assert.rejects(c.ping(), ClientClosedError, 'a command after close()');
  const d = await client(t);
  await eq(d.get('c:k'), 'v', 'a new client');
});

run();
