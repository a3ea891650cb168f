'use strict';
// tap.js - a tiny TAP runner for the Node.js client tests (no dependency).
//
// - test(name, fn, {timeout}) registers a test; run() runs them one after
//   the other and prints "1..N", "ok N - name", "not ok N - name" and "# "
//   diagnostics.  fn(t) gets t.defer(f): cleanups run after the test, even
//   when it failed or timed out (each bounded to 5 s).
// - Every test has a timeout (default 20 s); the whole run has one too
//   (FKV_TOTAL_TIMEOUT_MS, default 150 s): then it prints "Bail out!" and
//   exits, so a hung client never hangs the suite.
// - The server: FKV_HOST / FKV_PORT.  When started by test_node.py
//   (FKV_CONTROL=1), serverStop() / serverStart() ask it, through a
//   "# control: stop|start" line on stdout and an answer line on stdin, to
//   stop the server and to start it again on the same port.  Without the
//   launcher the tests that need that are skipped.
const assert = require('assert');
const readline = require('readline');

const HOST = process.env.FKV_HOST || '127.0.0.1';
const PORT = Number(process.env.FKV_PORT || 6379);

class Skip extends Error {}

function show(v) {
  try {
    return JSON.stringify(v, (k, x) => {
      if (x instanceof Error) return `${x.name}: ${x.message}`;
      if (x && x.type === 'Buffer' && Array.isArray(x.data)) return `<Buffer ${Buffer.from(x.data).toString('hex')}>`;
      if (typeof x === 'bigint') return `${x}n`;
      return x;
    });
  } catch (e) {
    return String(v);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    Promise.resolve(promise).finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls cond() (sync or async) every `every` ms until it is truthy or
// `deadline` ms have passed; returns its last value (truthy or not).
async function waitFor(cond, deadline = 10000, every = 50) {
  const end = Date.now() + deadline;
  let v;
  for (;;) {
    v = await cond();
    if (v || Date.now() >= end) return v;
    await sleep(every);
  }
}

// --- the launcher's control channel -------------------------------------
let lines = null;
const waiting = [];
const pending = [];
function stdinLine() {
  if (!lines) {
    lines = readline.createInterface({ input: process.stdin });
    lines.on('line', (l) => (waiting.length ? waiting.shift()(l) : pending.push(l)));
    lines.on('close', () => { while (waiting.length) waiting.shift()(null); });
  }
  if (pending.length) return Promise.resolve(pending.shift());
  return new Promise((resolve) => waiting.push(resolve));
}

async function control(what) {
  if (process.env.FKV_CONTROL !== '1') throw new Skip('needs test_node.py to stop and start the server');
  process.stdout.write(`# control: ${what}\n`);
  const answer = await withTimeout(stdinLine(), 60000, `launcher's answer to ${what}`);
  if (answer !== `${what} ok`) throw new Error(`launcher could not ${what} the server: ${answer}`);
}
const serverStop = () => control('stop');
const serverStart = () => control('start');

// --- the runner ---------------------------------------------------------
const tests = [];
function test(name, fn, opts = {}) {
  tests.push({ name, fn, timeout: opts.timeout || 20000 });
}

function diag(text) {
  for (const l of String(text).split('\n')) console.log(`# ${l}`);
}

async function run() {
  const total = Number(process.env.FKV_TOTAL_TIMEOUT_MS || 150000);
  setTimeout(() => {
    console.log(`Bail out! the whole run took more than ${total} ms`);
    process.exit(2);
  }, total).unref();
  // A test that timed out may still fail later: report, do not crash.
  process.on('unhandledRejection', (e) => diag(`unhandled rejection (after a timeout?): ${e && e.stack || e}`));

  console.log(`1..${tests.length}`);
  let failed = 0;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    const cleanups = [];
    const ctx = { defer: (f) => cleanups.push(f) };
    let err = null;
    try {
      await withTimeout(t.fn(ctx), t.timeout, 'test');
    } catch (e) {
      err = e;
    }
    for (const f of cleanups.reverse()) {
      try {
        await withTimeout(f(), 5000, 'cleanup');
      } catch (e) {
        diag(`cleanup: ${e && e.message}`);
      }
    }
    const name = t.name.replace(/#/g, '\\#');
    if (err instanceof Skip) {
      console.log(`ok ${i + 1} - ${name} # SKIP ${err.message}`);
    } else if (err) {
      failed++;
      console.log(`not ok ${i + 1} - ${name}`);
      diag(err && err.stack ? err.stack.split('\n').slice(0, 8).join('\n') : show(err));
    } else {
      console.log(`ok ${i + 1} - ${name}`);
    }
  }
  // Clients a failed test could not close would keep the process alive.
  process.exit(failed ? 1 : 0);
}

// deepStrictEqual with both values in the message.
function same(got, want, what) {
  assert.deepStrictEqual(got, want, `${what}: got ${show(got)}, want ${show(want)}`);
}

// Awaits a command; a rejection is rethrown named after the step (a reply
// error's own stack shows only the client's parser).
async function step(what, promise) {
  try {
    return await promise;
  } catch (e) {
    const err = new Error(`${what}: ${e && e.name}: ${e && e.message}`);
    err.cause = e;
    throw err;
  }
}

// await eq(client.get('k'), 'v', 'GET'): the reply, or the rejection, named.
async function eq(promise, want, what) {
  same(await step(what, promise), want, what);
}

module.exports = { HOST, PORT, Skip, test, run, diag, show, same, eq, step, sleep, waitFor, withTimeout, serverStop, serverStart };
