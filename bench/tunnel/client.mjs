// The load of bench/tunnel.sh: N concurrent MCP clients (the official TypeScript SDK's Streamable HTTP client), each
// with its own session, calling one tool back to back for a fixed time after a warm-up. Prints one JSON line:
// {calls, seconds, callsPerSecond, p50Ms, p99Ms, meanMs, bytes, errors, cpuMs, switches}. cpuMs is the CPU time each
// process used in the timed window: this client's own, and that of every process named in --watch (name=pid,...; read
// from /proc/<pid>/stat, so Linux only). switches counts the context switches in the window: each of those processes'
// (summed over its threads, from /proc/<pid>/task/*/status; a thread that ends within the window is not counted) and
// the whole machine's (machine, from the ctxt line of /proc/stat).
//
//   node client.mjs --url URL --clients 32 --seconds 15 --warmup 5 --tool echo|blob [--bytes 1048576] [--token T]
//                   [--watch perimeter=123,agent=456]
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = new URL(args.url);
const clients = Number(args.clients ?? 1);
const seconds = Number(args.seconds ?? 15);
const warmup = Number(args.warmup ?? 5);
const tool = args.tool ?? 'echo';
const bytes = Number(args.bytes ?? 1048576);
const headers = args.token ? { Authorization: `Bearer ${args.token}` } : {};
const toolArgs = tool === 'blob' ? { bytes } : { text: 'ping' };

const watched = (args.watch ?? '')
  .split(',')
  .filter((pair) => pair.includes('='))
  .map((pair) => pair.split('='));
const ticksPerSecond = 100; // USER_HZ: the unit of utime and stime in /proc/<pid>/stat on Linux

function processCpuMs(pid) {
  // utime and stime are fields 14 and 15; the comm field before them may hold spaces, so count from its closing ')'
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function processSwitches(pid) {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) total += Number(match[1]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return total;
}

// What the window's ends read: CPU time in ms and context switches, this client's, each watched process's and, for
// switches, the whole machine's.
function snapshot() {
  const own = process.cpuUsage();
  const machine = Number(/^ctxt (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1]);
  return {
    cpuMs: Object.fromEntries([
      ['client', (own.user + own.system) / 1000],
      ...watched.map(([name, pid]) => [name, processCpuMs(pid)]),
    ]),
    switches: Object.fromEntries([
      ['client', processSwitches(process.pid)],
      ...watched.map(([name, pid]) => [name, processSwitches(pid)]),
      ['machine', machine],
    ]),
  };
}

async function connect() {
  const client = new Client({ name: 'perimeter-bench', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  return { client, transport };
}

// Ends the session with DELETE, as a well-behaved client does, so that the server does not carry every earlier
// series' sessions into the next one.
async function disconnect({ client, transport }) {
  await transport.terminateSession().catch(() => {});
  await client.close().catch(() => {});
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sessions = await Promise.all(Array.from({ length: clients }, connect));
const latencies = [];
let received = 0;
let errors = 0;
const start = performance.now();
const measureFrom = start + warmup * 1000;
const end = measureFrom + seconds * 1000;
let atStart;
let atEnd;
setTimeout(() => (atStart = snapshot()), measureFrom - performance.now());
setTimeout(() => (atEnd = snapshot()), end - performance.now());

await Promise.all(
  sessions.map(async ({ client }) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const result = await client.callTool({ name: tool, arguments: toolArgs });
        const t1 = performance.now();
        const size = result.content?.[0]?.text?.length ?? 0;
        if (tool === 'blob' && size !== bytes) throw new Error(`blob of ${size} bytes, not ${bytes}`);
        if (t0 >= measureFrom && t1 <= end) {
          latencies.push(t1 - t0);
          received += size;
        }
      } catch (e) {
        errors++;
        if (errors <= 3) console.error(`call failed: ${e.message ?? e}`);
      }
    }
  }),
);
atEnd ??= snapshot();
const difference = (from, to) => Object.fromEntries(Object.keys(to).map((name) => [name, to[name] - from[name]]));
await Promise.all(sessions.map(disconnect));

latencies.sort((a, b) => a - b);
const mean = latencies.reduce((sum, x) => sum + x, 0) / (latencies.length || 1);
console.log(
  JSON.stringify({
    calls: latencies.length,
    seconds,
    callsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: mean,
    bytes: received,
    errors,
    cpuMs: difference(atStart.cpuMs, atEnd.cpuMs),
    switches: difference(atStart.switches, atEnd.switches),
  }),
);
process.exit(errors > 0 ? 1 : 0);
