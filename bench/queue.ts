// Queue engine vs BullMQ on the same Redis in the same run (npm run bench -- queue).
// Throughput: MESSAGES messages produced in batches of 10 while CONSUMERS consumers drain them; Kappa does
// send(batch) -> receive(up to 10, long poll) -> delete(batch); BullMQ does addBulk -> Worker(concurrency =
// CONSUMERS) with removeOnComplete, its equivalent of delete. Latency: a consumer waits in a long-poll receive,
// one message is sent, time until the receive returns; percentiles over LATENCY_SAMPLES sends after
// LATENCY_WARMUP unmeasured ones (both sides). Each round also
// prints load-independent costs per message (Redis commands, Redis CPU, this process's CPU); see _queue-costs.ts.
// Env: BENCH_MESSAGES (10000), BENCH_ROUNDS (3), BENCH_LATENCY_SAMPLES (1000).
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { availableParallelism, loadavg } from "node:os";
import { QueueEngine } from "../queue/index.js";
import { startRedis } from "../test/support/redis.js";
import { cpuTimes, formatSteal, stealPercentSince } from "./_host-steal.js";
import { formatCosts, measureCosts } from "./_queue-costs.js";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 1000);
const WARMUP = 3_000;
/** Sends before the latency samples, for both: the single-message paths are not the throughput runs' (JIT). */
const LATENCY_WARMUP = 300;
const CONSUMERS = 10;
const BATCH = 10;
const BODY = JSON.stringify({ orderId: 12345, items: ["a", "b", "c"], note: "x".repeat(100) });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function kappaThroughput(engine: QueueEngine, MESSAGES: number): Promise<number> {
  const queueName = "bench-throughput";
  await engine.createQueue({ queueName });
  let consumed = 0;
  let finished = 0;
  // The clock stops at the last delete, as BullMQ's stops at its last processed job; consumers still in a long
  // poll then are released at once rather than at the end of their wait.
  const allConsumed = new AbortController();
  const started = performance.now();
  const producer = (async () => {
    for (let sent = 0; sent < MESSAGES; sent += BATCH) {
      const entries = Array.from({ length: Math.min(BATCH, MESSAGES - sent) }, (_, i) => ({
        id: String(i),
        body: BODY,
      }));
      await engine.sendMessageBatch({ queueName, entries });
    }
  })();
  const consumers = Array.from({ length: CONSUMERS }, async () => {
    while (consumed < MESSAGES) {
      const { messages } = await engine.receiveMessage({
        queueName,
        maxNumberOfMessages: 10,
        waitTimeSeconds: 1,
        signal: allConsumed.signal,
      });
      if (messages.length === 0) continue;
      await engine.deleteMessageBatch({
        queueName,
        entries: messages.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle })),
      });
      consumed += messages.length;
      if (consumed >= MESSAGES && !finished) {
        finished = performance.now();
        allConsumed.abort();
      }
    }
  });
  await Promise.all([producer, ...consumers]);
  const seconds = (finished - started) / 1000;
  await engine.deleteQueue({ queueName });
  return MESSAGES / seconds;
}

async function bullThroughput(url: string, MESSAGES: number): Promise<number> {
  const connection = { host: "127.0.0.1", port: Number(new URL(url).port), maxRetriesPerRequest: null };
  const queue = new Queue("bench-bull", { connection });
  let consumed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const worker = new Worker(
    "bench-bull",
    async () => {
      consumed++;
      if (consumed === MESSAGES) done();
    },
    { connection, concurrency: CONSUMERS },
  );
  await worker.waitUntilReady();
  const started = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    const jobs = Array.from({ length: Math.min(BATCH, MESSAGES - sent) }, () => ({
      name: "m",
      data: BODY,
      opts: { removeOnComplete: true, removeOnFail: true },
    }));
    await queue.addBulk(jobs);
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return MESSAGES / seconds;
}

async function kappaLatency(engine: QueueEngine): Promise<number[]> {
  const queueName = "bench-latency";
  await engine.createQueue({ queueName });
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i++) {
    const receiving = engine.receiveMessage({ queueName, waitTimeSeconds: 20 });
    // Let the receive reach its wait (subscribed, queue found empty) before sending.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    const t0 = performance.now();
    await engine.sendMessage({ queueName, body: BODY });
    const { messages } = await receiving;
    if (i >= LATENCY_WARMUP) samples.push(performance.now() - t0);
    await engine.deleteMessage({ queueName, receiptHandle: messages[0]!.receiptHandle });
  }
  await engine.deleteQueue({ queueName });
  return samples.sort((a, b) => a - b);
}

async function bullLatency(url: string): Promise<number[]> {
  const connection = { host: "127.0.0.1", port: Number(new URL(url).port), maxRetriesPerRequest: null };
  const queue = new Queue("bench-bull-latency", { connection });
  const samples: number[] = [];
  let pending: ((value: void) => void) | undefined;
  const worker = new Worker("bench-bull-latency", async () => pending?.(), { connection, concurrency: 1 });
  await worker.waitUntilReady();
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i++) {
    await new Promise((r) => setTimeout(r, 1));
    const processed = new Promise<void>((resolve) => (pending = resolve));
    const t0 = performance.now();
    await queue.add("m", BODY, { removeOnComplete: true });
    await processed;
    if (i >= LATENCY_WARMUP) samples.push(performance.now() - t0);
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return samples.sort((a, b) => a - b);
}

const server = await startRedis();
const redis = new Redis(server.url);
const stats = new Redis(server.url);
const engine = new QueueEngine({ redis, prefix: "bench", deletedQueueNameReuseSeconds: 0 });
const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
try {
  console.log(
    `messages=${MESSAGES} consumers=${CONSUMERS} batch=${BATCH} body=${BODY.length}B rounds=${ROUNDS} ` +
      `redis=${server.kind} cores=${availableParallelism()} ${load()}`,
  );
  // Warm up both (script load, JIT, heap growth) on a smaller run.
  await bullThroughput(server.url, WARMUP);
  await kappaThroughput(engine, WARMUP);
  // Alternate the two so a burst of load from elsewhere does not land on one side only.
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const roundStart = cpuTimes();
    const bull = await measureCosts(stats, MESSAGES, () => bullThroughput(server.url, MESSAGES));
    const kappa = await measureCosts(stats, MESSAGES, () => kappaThroughput(engine, MESSAGES));
    ratios.push(kappa.result / bull.result);
    console.log(`round ${round} (${load()}, ${formatSteal(stealPercentSince(roundStart))})`);
    console.log(`  throughput  bullmq add->process:         ${bull.result.toFixed(0)} msgs/s`);
    console.log(`              ${formatCosts(bull.costs)}`);
    console.log(`  throughput  kappa send->receive->delete: ${kappa.result.toFixed(0)} msgs/s`);
    console.log(`              ${formatCosts(kappa.costs)}`);
    console.log(`  ratio kappa/bullmq: ${(kappa.result / bull.result).toFixed(2)}x`);
  }
  console.log(
    `ratio kappa/bullmq: median ${median(ratios).toFixed(2)}x over ${ROUNDS} rounds ` +
      `(${ratios.map((r) => r.toFixed(2)).join(", ")}) (goal >= 2x)`,
  );
  const latencyStart = cpuTimes();
  const k = await kappaLatency(engine);
  const b = await bullLatency(server.url);
  const latencySteal = formatSteal(stealPercentSince(latencyStart));
  const fmt = (s: number[]) =>
    `p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms`;
  console.log(`latency     kappa send -> waiting long-poll returns: ${fmt(k)} (goal p99 < 5 ms)`);
  console.log(`latency     bullmq add -> worker processing:         ${fmt(b)}`);
  console.log(`latency     measured with ${latencySteal} (CPU time the host took from this VM)`);
  console.log(`done (${load()})`);
} finally {
  await engine.close();
  redis.disconnect();
  stats.disconnect();
  await server.stop();
}
