"use strict";
/*
 * Obscura's host for TypeScript plugins (their compiled CommonJS entry): `node host.cjs <entry>`.
 *
 * Reads the envelope {"obscura_version":1,"action","auth","input"} (or "batch":[{id,input}]) from
 * stdin, loads the entry (module.exports, or its `default` export as tsc emits it), checks it
 * exports `capabilities` and `execute(action, input, auth)`, calls it (or
 * `executeBatch(action, items, auth)`, or `execute` per item when there is no executeBatch) and
 * prints one line {"ok":true,"result"} / {"ok":true,"results":[{id,result}]} /
 * {"ok":false,"error"} on stdout, then exits 0 — even if the plugin left timers or sockets open.
 *
 * Everything the plugin prints itself (console.log/info/debug/dir/table, process.stdout.write)
 * goes to stderr, where the server logs it, so it cannot corrupt the answer. No npm dependencies.
 */

const path = require("node:path");
const { pathToFileURL } = require("node:url");

const realWrite = process.stdout.write.bind(process.stdout);
const toStderr = (...args) => process.stderr.write(...args);
process.stdout.write = toStderr;
const viaStderr = console.error.bind(console);
for (const name of ["log", "info", "debug"]) console[name] = viaStderr;
console.dir = (value, options) => viaStderr(require("node:util").inspect(value, options));
console.table = (value) => viaStderr(require("node:util").inspect(value));

let answered = false;

function messageOf(err) {
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

function answer(doc) {
  if (answered) return;
  answered = true;
  let text;
  try {
    text = JSON.stringify(doc, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  } catch (err) {
    text = JSON.stringify({ ok: false, error: `the result is not JSON: ${messageOf(err)}` });
  }
  realWrite(`${text}\n`, () => process.exit(0));
}

function fail(err) {
  answer({ ok: false, error: messageOf(err) });
}

process.on("uncaughtException", (err) => {
  if (answered) return;
  fail(err);
});
process.on("unhandledRejection", (reason) => {
  // a stray promise of the plugin: log it, the call itself decides the answer
  process.stderr.write(`unhandled rejection: ${messageOf(reason)}\n`);
});

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function load(entry) {
  let mod;
  try {
    mod = require(entry);
  } catch (err) {
    if (err && (err.code === "ERR_REQUIRE_ESM" || err.code === "ERR_REQUIRE_ASYNC_MODULE")) {
      mod = await import(pathToFileURL(entry).href);
    } else {
      throw new Error(`Failed to load plugin: ${messageOf(err)}`);
    }
  }
  const plugin = (mod && mod.default) ?? mod;
  if (!plugin || typeof plugin.execute !== "function") {
    throw new Error("The plugin does not export an execute() function");
  }
  if (!plugin.capabilities || typeof plugin.capabilities !== "object") {
    throw new Error("The plugin does not export a capabilities object");
  }
  return plugin;
}

async function main() {
  const entry = process.argv[2];
  if (!entry) throw new Error("usage: node host.cjs <entry.js>");
  const raw = await readStdin();
  let env;
  try {
    env = JSON.parse(raw);
  } catch (err) {
    throw new Error(`the host was given something that is not JSON: ${messageOf(err)}`);
  }
  const plugin = await load(path.resolve(entry));
  const action = String(env.action ?? "");
  const auth = env.auth && typeof env.auth === "object" ? env.auth : {};
  if (Array.isArray(env.batch)) {
    const items = env.batch.map((item) => ({ id: String(item.id), input: item.input ?? {} }));
    let results;
    if (typeof plugin.executeBatch === "function") {
      results = await plugin.executeBatch(action, items, auth);
    } else {
      results = [];
      for (const item of items) {
        try {
          results.push({ id: item.id, result: (await plugin.execute(action, item.input, auth)) ?? null });
        } catch (err) {
          results.push({ id: item.id, result: null, error: messageOf(err) });
        }
      }
    }
    answer({ ok: true, results: Array.isArray(results) ? results : [] });
    return;
  }
  const result = await plugin.execute(action, env.input ?? {}, auth);
  answer({ ok: true, result: result ?? null });
}

main().catch(fail);
