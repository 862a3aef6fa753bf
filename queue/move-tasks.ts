// Message move tasks (StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask): move the messages
// of a dead-letter queue back to their source queues (or to one destination). The task's state lives in the
// DLQ's tasks hash, so any engine can list or cancel it; the engine that started it runs it in the background,
// taking batches with move-take-19.lua and delivering them through the outbox.
// If that process dies the task stays RUNNING in Redis; the moved messages are safe (outbox sweep).
import { randomUUID } from "node:crypto";
import { isFifoName, queueArn, queueNameFromArn } from "./attributes.js";
import { runScript, type EngineContext } from "./context.js";
import { QueueError, invalidParameter } from "./errors.js";
import type { Outbox, OutboxEntry } from "./outbox.js";
import type { MessageMoveTask, MoveTaskStatus, StartMessageMoveTaskInput } from "./types.js";

const MAX_RATE = 500;
/** Per batch: one script call moves at most this many, keeping each call short. */
const MAX_BATCH = 100;
/** ListMessageMoveTasks returns at most this many (as SQS). */
const MAX_LISTED = 10;

interface StoredTask extends Omit<MessageMoveTask, "status" | "approximateNumberOfMessagesMoved"> {
  queueName: string;
}

const statusField = (handle: string) => `${handle}#status`;
const movedField = (handle: string) => `${handle}#moved`;
const reasonField = (handle: string) => `${handle}#reason`;

function encodeHandle(queueName: string): string {
  return Buffer.from(`${queueName}|${randomUUID()}`, "utf8").toString("base64url");
}

function queueOfHandle(handle: string): string {
  const decoded = typeof handle === "string" ? Buffer.from(handle, "base64url").toString("utf8") : "";
  const match = /^([A-Za-z0-9_.-]{1,80})\|[0-9a-f-]{36}$/.exec(decoded);
  if (!match) throw new QueueError("ResourceNotFoundException", `Task handle ${handle} does not exist.`);
  return match[1]!;
}

export class MoveTasks {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly context: EngineContext,
    private readonly outbox: Outbox,
    private readonly isDeadLetterQueue: (name: string) => Promise<boolean>,
  ) {}

  async start(input: StartMessageMoveTaskInput): Promise<{ taskHandle: string }> {
    const source = queueNameFromArn(input.sourceArn, "SourceArn");
    const destination = input.destinationArn ? queueNameFromArn(input.destinationArn, "DestinationArn") : "";
    const rate = input.maxNumberOfMessagesPerSecond;
    if (rate !== undefined && rate !== null && (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE))
      throw invalidParameter(
        `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and ${MAX_RATE}.`,
      );
    if (isFifoName(source))
      throw new QueueError("UnsupportedOperation", "Message move tasks are not supported for FIFO queues.");
    const redis = this.context.redis;
    const [meta] = this.context.keys.queue(source);
    if (!(await redis.exists(meta!)))
      throw new QueueError("ResourceNotFoundException", `The resource ${input.sourceArn} does not exist.`);
    if (destination && !(await redis.exists(this.context.keys.queue(destination)[0]!)))
      throw new QueueError(
        "ResourceNotFoundException",
        `The resource ${input.destinationArn} does not exist.`,
      );
    if (!(await this.isDeadLetterQueue(source)))
      throw invalidParameter("Source queue must be configured as a Dead Letter Queue.");
    const tasks = await this.list(input.sourceArn, MAX_LISTED);
    if (tasks.some((t) => t.status === "RUNNING" || t.status === "CANCELLING"))
      throw invalidParameter(
        "There is already a task running. Only one active task is allowed for a source queue ARN at a given time.",
      );
    const snapshot = (await runScript(this.context, "get-attributes", source, [])) as number[];
    const toMove = Number(snapshot[1]) - Number(snapshot[2]) - Number(snapshot[3]);
    const taskHandle = encodeHandle(source);
    const task: StoredTask = {
      taskHandle,
      queueName: source,
      sourceArn: input.sourceArn,
      approximateNumberOfMessagesToMove: toMove,
      startedTimestamp: Date.now(),
    };
    if (destination) task.destinationArn = queueArn(this.context.arn, destination);
    if (rate) task.maxNumberOfMessagesPerSecond = rate;
    await redis.hset(
      this.context.keys.tasks(source),
      taskHandle,
      JSON.stringify(task),
      statusField(taskHandle),
      "RUNNING",
      movedField(taskHandle),
      0,
    );
    const run = this.run(task, destination).catch(async (error: unknown) => {
      this.context.logger?.error({ err: error, taskHandle }, "message move task failed");
      await this.finish(task, "FAILED", error instanceof Error ? error.message : String(error)).catch(
        () => undefined,
      );
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { taskHandle };
  }

  private async status(task: StoredTask): Promise<string | null> {
    return this.context.redis.hget(this.context.keys.tasks(task.queueName), statusField(task.taskHandle));
  }

  private async finish(task: StoredTask, status: MoveTaskStatus, reason?: string): Promise<void> {
    const fields: string[] = [statusField(task.taskHandle), status];
    if (reason) fields.push(reasonField(task.taskHandle), reason);
    await this.context.redis.hset(this.context.keys.tasks(task.queueName), ...fields);
  }

  private async run(task: StoredTask, destination: string): Promise<void> {
    const rate = task.maxNumberOfMessagesPerSecond ?? MAX_RATE;
    const batch = Math.min(rate, MAX_BATCH);
    for (;;) {
      if (this.closed) return;
      const status = await this.status(task);
      if (status === "CANCELLING") return this.finish(task, "CANCELLED");
      if (status !== "RUNNING") return;
      const started = Date.now();
      const [left, entries] = (await runScript(this.context, "move-take", task.queueName, [
        batch,
        destination,
      ])) as [number, OutboxEntry[]];
      const moved = await this.outbox.deliver(task.queueName, entries);
      await this.context.redis.hincrby(
        this.context.keys.tasks(task.queueName),
        movedField(task.taskHandle),
        moved,
      );
      if (entries.length === 0 || left === 0) return this.finish(task, "COMPLETED");
      const pause = (entries.length / rate) * 1000 - (Date.now() - started);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  async list(sourceArn: string, maxResults = 1): Promise<MessageMoveTask[]> {
    const source = queueNameFromArn(sourceArn, "SourceArn");
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LISTED)
      throw invalidParameter(
        `Value ${maxResults} for parameter MaxResults is invalid. Reason: must be between 1 and 10.`,
      );
    const all = await this.context.redis.hgetall(this.context.keys.tasks(source));
    const tasks: MessageMoveTask[] = [];
    for (const [field, value] of Object.entries(all)) {
      if (field.includes("#")) continue;
      const stored = JSON.parse(value) as StoredTask;
      const { queueName: _queueName, ...rest } = stored;
      const task: MessageMoveTask = {
        ...rest,
        status: (all[statusField(field)] ?? "FAILED") as MoveTaskStatus,
        approximateNumberOfMessagesMoved: Number(all[movedField(field)] ?? 0),
      };
      const reason = all[reasonField(field)];
      if (reason) task.failureReason = reason;
      tasks.push(task);
    }
    return tasks.sort((a, b) => b.startedTimestamp - a.startedTimestamp).slice(0, maxResults);
  }

  async cancel(taskHandle: string): Promise<{ approximateNumberOfMessagesMoved: number }> {
    const queueName = queueOfHandle(taskHandle);
    const key = this.context.keys.tasks(queueName);
    const [status, moved] = await this.context.redis.hmget(
      key,
      statusField(taskHandle),
      movedField(taskHandle),
    );
    if (!status)
      throw new QueueError("ResourceNotFoundException", `Task handle ${taskHandle} does not exist.`);
    if (status !== "RUNNING")
      throw invalidParameter(`Task is in status ${status} and can no longer be cancelled.`);
    await this.context.redis.hset(key, statusField(taskHandle), "CANCELLING");
    return { approximateNumberOfMessagesMoved: Number(moved ?? 0) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }
}
