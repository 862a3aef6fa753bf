// Queue lifecycle and attributes: CreateQueue, GetQueueUrl (lookup), ListQueues, Get/SetQueueAttributes,
// PurgeQueue, DeleteQueue, ListDeadLetterSourceQueues.
import {
  READ_ONLY_ATTRIBUTES,
  SETTABLE_ATTRIBUTES,
  isPublicAttribute,
  normalizeAttributes,
  queueArn,
  validateQueueName,
} from "./attributes.js";
import { runScript, type EngineContext } from "./context.js";
import { QueueError, invalidParameter } from "./errors.js";
import type { QueueDepth } from "./metrics.js";
import type {
  CreateQueueInput,
  GetQueueAttributesInput,
  ListDeadLetterSourceQueuesInput,
  ListQueuesInput,
  ListQueuesOutput,
  QueueAttributeMap,
  QueueInfo,
  QueueRef,
  SetQueueAttributesInput,
} from "./types.js";

export interface QueueSnapshot {
  attributes: QueueAttributeMap;
  depth: QueueDepth;
  outbox: number;
  now: number;
}

function pairs(attributes: QueueAttributeMap): string[] {
  return Object.entries(attributes).flat();
}

function checkMaxResults(maxResults: number | undefined, max: number): number | undefined {
  if (maxResults === undefined || maxResults === null) return undefined;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max)
    throw invalidParameter(
      `Value ${maxResults} for parameter MaxResults is invalid. Reason: must be between 1 and ${max}.`,
    );
  return maxResults;
}

export class QueueAdmin {
  constructor(
    private readonly context: EngineContext,
    private readonly deletedNameReuseMs: number,
  ) {}

  info(queueName: string): QueueInfo {
    return { queueName, arn: queueArn(this.context.arn, queueName) };
  }

  async createQueue(input: CreateQueueInput): Promise<QueueInfo> {
    const name = validateQueueName(input.queueName);
    const attributes = normalizeAttributes(name, input.attributes ?? {}, true);
    if (attributes.deadLetterQueue) await this.requireQueue(attributes.deadLetterQueue, "RedrivePolicy");
    await runScript(this.context, "create-queue", name, pairs(attributes));
    const redis = this.context.redis;
    await redis.zadd(this.context.keys.registry(), 0, name);
    if (attributes.deadLetterQueue)
      await redis.sadd(this.context.keys.deadLetterSources(attributes.deadLetterQueue), name);
    return this.info(name);
  }

  /** GetQueueUrl's lookup: the queue's name and ARN, or QueueDoesNotExist. */
  async getQueue(input: QueueRef): Promise<QueueInfo> {
    const name = validateQueueName(input.queueName);
    await this.requireQueue(name);
    return this.info(name);
  }

  private async requireQueue(name: string, parameter?: string): Promise<void> {
    const exists = await this.context.redis.exists(this.context.keys.queue(name)[0]!);
    if (exists) return;
    if (parameter)
      throw new QueueError(
        "InvalidAttributeValue",
        `Invalid value for the parameter ${parameter}. Reason: Dead letter target does not exist.`,
      );
    throw new QueueError("QueueDoesNotExist");
  }

  async listQueues(input: ListQueuesInput = {}): Promise<ListQueuesOutput> {
    const max = checkMaxResults(input.maxResults, 1000);
    const prefix = input.queueNamePrefix ?? "";
    const start = input.nextToken ? `(${input.nextToken}` : `[${prefix}`;
    const end = prefix ? `[${prefix}\xff` : "+";
    const limit = max ?? 1000;
    const names = await this.context.redis.zrangebylex(
      this.context.keys.registry(),
      start,
      end,
      "LIMIT",
      0,
      limit + 1,
    );
    const page = names.filter((n) => n.startsWith(prefix)).slice(0, limit);
    const more = max !== undefined && names.length > limit;
    return more ? { queueNames: page, nextToken: page[page.length - 1]! } : { queueNames: page };
  }

  /** Attributes and depth after housekeeping; one script call. */
  async snapshot(queueName: string): Promise<QueueSnapshot> {
    const reply = (await runScript(this.context, "get-attributes", queueName, [])) as (string | number)[];
    const [now, stored, inFlight, delayed, outbox] = reply.slice(0, 5).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const attributes: QueueAttributeMap = {};
    for (let i = 5; i + 1 < reply.length; i += 2) attributes[String(reply[i])] = String(reply[i + 1]);
    return { attributes, now, outbox, depth: { visible: stored - inFlight - delayed, inFlight, delayed } };
  }

  async getQueueAttributes(input: GetQueueAttributesInput): Promise<QueueAttributeMap> {
    const name = validateQueueName(input.queueName);
    const wanted = input.attributeNames ?? [];
    const known = new Set([...SETTABLE_ATTRIBUTES, ...READ_ONLY_ATTRIBUTES, "All"]);
    for (const attribute of wanted)
      if (!known.has(attribute))
        throw new QueueError("InvalidAttributeName", `Unknown Attribute ${attribute}.`);
    const { attributes: stored, depth } = await this.snapshot(name);
    const all: QueueAttributeMap = {};
    for (const [field, value] of Object.entries(stored)) if (isPublicAttribute(field)) all[field] = value;
    all.QueueArn = queueArn(this.context.arn, name);
    all.ApproximateNumberOfMessages = String(depth.visible);
    all.ApproximateNumberOfMessagesNotVisible = String(depth.inFlight);
    all.ApproximateNumberOfMessagesDelayed = String(depth.delayed);
    if (wanted.includes("All")) return all;
    const out: QueueAttributeMap = {};
    for (const attribute of wanted) if (all[attribute] !== undefined) out[attribute] = all[attribute]!;
    return out;
  }

  async setQueueAttributes(input: SetQueueAttributesInput): Promise<void> {
    const name = validateQueueName(input.queueName);
    if (!input.attributes || typeof input.attributes !== "object")
      throw new QueueError(
        "MissingRequiredParameterException",
        "The request must contain the parameter Attributes.",
      );
    const attributes = normalizeAttributes(name, input.attributes, false);
    const target = attributes.deadLetterQueue;
    if (target && target !== "\0") await this.requireQueue(target, "RedrivePolicy");
    const previous = target
      ? await this.context.redis.hget(this.context.keys.queue(name)[0]!, "deadLetterQueue")
      : null;
    await runScript(this.context, "set-attributes", name, pairs(attributes));
    if (target) {
      if (previous && previous !== target)
        await this.context.redis.srem(this.context.keys.deadLetterSources(previous), name);
      if (target !== "\0") await this.context.redis.sadd(this.context.keys.deadLetterSources(target), name);
    }
  }

  async purgeQueue(input: QueueRef): Promise<void> {
    const name = validateQueueName(input.queueName);
    await runScript(this.context, "purge", name, [0, 0]);
  }

  async deleteQueue(input: QueueRef): Promise<void> {
    const name = validateQueueName(input.queueName);
    const redis = this.context.redis;
    const target = await redis.hget(this.context.keys.queue(name)[0]!, "deadLetterQueue");
    await runScript(this.context, "purge", name, [1, this.deletedNameReuseMs]);
    await redis.zrem(this.context.keys.registry(), name);
    if (target) await redis.srem(this.context.keys.deadLetterSources(target), name);
  }

  async listDeadLetterSourceQueues(input: ListDeadLetterSourceQueuesInput): Promise<ListQueuesOutput> {
    const name = validateQueueName(input.queueName);
    await this.requireQueue(name);
    const max = checkMaxResults(input.maxResults, 1000);
    const sources = (await this.context.redis.smembers(this.context.keys.deadLetterSources(name))).sort();
    const after = input.nextToken ? sources.filter((s) => s > input.nextToken!) : sources;
    const limit = max ?? 1000;
    const page = after.slice(0, limit);
    return max !== undefined && after.length > limit
      ? { queueNames: page, nextToken: page[page.length - 1]! }
      : { queueNames: page };
  }

  /** Depth of up to `limit` queues, for the metrics scrape. */
  async depths(limit: number): Promise<Map<string, QueueDepth>> {
    const names = await this.context.redis.zrange(this.context.keys.registry(), "0", String(limit - 1));
    const out = new Map<string, QueueDepth>();
    for (const name of names) {
      const snapshot = await this.snapshot(name).catch(() => undefined);
      if (snapshot) out.set(name, snapshot.depth);
    }
    return out;
  }
}
