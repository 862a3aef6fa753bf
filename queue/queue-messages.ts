// Messaging: SendMessage(Batch), ReceiveMessage (with long polling), DeleteMessage(Batch),
// ChangeMessageVisibility(Batch). Each Redis state change is one script call.
import { randomBytes, randomUUID } from "node:crypto";
import { isFifoName, validateQueueName } from "./attributes.js";
import { checkBatch } from "./batch.js";
import { runScript, type EngineContext } from "./context.js";
import { QueueError, invalidParameter, isQueueError } from "./errors.js";
import { MAX_MESSAGE_BYTES, prepareMessage, type PreparedMessage } from "./message.js";
import type { Outbox, OutboxEntry } from "./outbox.js";
import { decodeReceipt } from "./receipt.js";
import { sequenceNumber, toReceivedMessages } from "./received.js";
import type {
  BatchFailure,
  BatchOutput,
  BatchReceiptEntry,
  ChangeMessageVisibilityInput,
  DeleteMessageInput,
  QueueRef,
  ReceivedMessage,
  ReceiveMessageInput,
  ReceiveMessageOutput,
  SendMessageBatchInput,
  SendMessageBatchOutput,
  SendMessageInput,
  SendMessageOutput,
} from "./types.js";
import type { WakeHub } from "./wake-hub.js";

const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_WAIT_SECONDS = 20;

/** Joins the values of one script argument; never inside a value (blob JSON escapes control characters; ids,
 * group and deduplication ids are printable ASCII). */
const FIELD_SEPARATOR = "\u0001";

const entryError: Record<string, () => QueueError> = {
  MessageTooLong: () =>
    invalidParameter(
      "One or more parameters are invalid. Reason: Message must be shorter than the queue's MaximumMessageSize.",
    ),
  MissingDeduplicationId: () =>
    invalidParameter(
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    ),
  VisibilityTooLong: () =>
    invalidParameter(
      "Value for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    ),
  ReceiptHandleIsInvalid: () => new QueueError("ReceiptHandleIsInvalid"),
  MessageNotInflight: () => new QueueError("MessageNotInflight"),
};

const entryFailure = (status: string): QueueError =>
  (entryError[status] ?? (() => QueueError.fromCode(status)))();

/** What send-19.lua received for one hand-off ({ visibility ms, token, positions... }) as receive-19.lua's flat
 * list. */
function handedMessages(
  taken: (number | string)[],
  now: number,
  ids: string[],
  prepared: PreparedMessage[],
): (string | number)[] | undefined {
  if (taken.length < 3) return undefined;
  const token = String(taken[1]);
  const flat: (string | number)[] = [];
  for (let t = 2; t < taken.length; t++) {
    const m = Number(taken[t]) - 1;
    flat.push(ids[m]!, prepared[m]!.blob, 1, now, token, now, "", "");
  }
  return flat;
}

const toFailure = (id: string, error: QueueError): BatchFailure => ({
  id,
  code: error.code,
  message: error.message,
  senderFault: error.senderFault,
});

function integerInRange(
  value: number | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidParameter(
      `Value ${value} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`,
    );
  return value;
}

export class QueueMessages {
  constructor(
    private readonly context: EngineContext,
    private readonly wakeHub: WakeHub,
    private readonly outbox: Outbox,
  ) {}

  private async send(
    queueName: string,
    prepared: PreparedMessage[],
  ): Promise<(SendMessageOutput | QueueError)[]> {
    const fifo = isFifoName(queueName);
    const channel = this.context.keys.wakeChannel(queueName);
    // The messages' fields in one argument (send-19.lua splits it), their blobs one argument each: an argument
    // costs the client more than its bytes, and splitting blobs out of one would cost the script a copy of each.
    let packed = "";
    const ids: string[] = [];
    const blobs: string[] = [];
    for (const m of prepared) {
      const id = randomUUID();
      ids.push(id);
      blobs.push(m.blob);
      if (packed) packed += FIELD_SEPARATOR;
      packed += fifo
        ? [id, m.size, m.delaySeconds, m.groupId, m.deduplicationId, m.contentSha256].join(FIELD_SEPARATOR)
        : id + FIELD_SEPARATOR + m.size + FIELD_SEPARATOR + m.delaySeconds;
    }
    const args: (string | number)[] = [prepared.length, packed, ...blobs];
    // Standard queues: hand the new messages straight to receivers of this engine that wait for them.
    const claimed = fifo
      ? []
      : this.wakeHub.claim(channel, prepared.filter((m) => m.delaySeconds <= 0).length);
    args.push(claimed.length);
    for (const c of claimed) args.push(c.request.max, c.request.visibility, randomBytes(6).toString("hex"));
    let reply: [string | [string, string, string][], number, (number | string)[][], number];
    try {
      reply = (await runScript(this.context, "send", queueName, args)) as typeof reply;
    } catch (error) {
      for (const c of claimed) c.deliver(undefined);
      throw error;
    }
    const [results, visible, handed, now] = reply;
    if (claimed.length) {
      // The sender goes on first (its next call is not queued behind what the receivers do with their messages);
      // the receivers get theirs in the same turn of the event loop.
      setImmediate(() =>
        claimed.forEach((c, i) => {
          const taken = handed[i];
          c.deliver(taken && handedMessages(taken, now, ids, prepared), taken ? Number(taken[0]) : undefined);
        }),
      );
    }
    // The script published "<visible> <first message id>"; wake this engine's receivers now, not on its echo.
    this.wakeHub.sent(channel, visible, ids[0]!);
    if (typeof results === "string")
      return results
        .split(" ")
        .map((status, i) => (status === "OK" ? { messageId: ids[i]! } : entryFailure(status)));
    return results.map(([status, messageId, seq]) =>
      status === "OK" ? { messageId, sequenceNumber: sequenceNumber(seq) } : entryFailure(status),
    );
  }

  async sendMessage(input: SendMessageInput): Promise<SendMessageOutput> {
    const name = validateQueueName(input.queueName);
    const prepared = prepareMessage(input, isFifoName(name), input.senderId);
    const [result] = await this.send(name, [prepared]);
    if (result instanceof QueueError) throw result;
    this.context.metrics?.sent.inc({ queue: name });
    return result!;
  }

  async sendMessageBatch(input: SendMessageBatchInput): Promise<SendMessageBatchOutput> {
    const name = validateQueueName(input.queueName);
    checkBatch(input.entries);
    const fifo = isFifoName(name);
    const output: SendMessageBatchOutput = { successful: [], failed: [] };
    const valid: { id: string; prepared: PreparedMessage }[] = [];
    let total = 0;
    for (const entry of input.entries) {
      try {
        const prepared = prepareMessage(entry, fifo, input.senderId);
        total += prepared.size;
        valid.push({ id: entry.id, prepared });
      } catch (error) {
        if (!isQueueError(error)) throw error;
        output.failed.push(toFailure(entry.id, error));
      }
    }
    if (total > MAX_MESSAGE_BYTES)
      throw new QueueError(
        "BatchRequestTooLong",
        `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
      );
    if (valid.length === 0) return output;
    const results = await this.send(
      name,
      valid.map((v) => v.prepared),
    );
    results.forEach((result, i) => {
      const id = valid[i]!.id;
      if (result instanceof QueueError) output.failed.push(toFailure(id, result));
      else output.successful.push({ id, ...result });
    });
    if (output.successful.length) this.context.metrics?.sent.inc({ queue: name }, output.successful.length);
    return output;
  }

  async receiveMessage(input: ReceiveMessageInput): Promise<ReceiveMessageOutput> {
    const name = validateQueueName(input.queueName);
    const max = integerInRange(input.maxNumberOfMessages, "MaxNumberOfMessages", 1, 10) ?? 1;
    const visibility =
      integerInRange(input.visibilityTimeout, "VisibilityTimeout", 0, MAX_VISIBILITY_SECONDS) ?? -1;
    let wait = integerInRange(input.waitTimeSeconds, "WaitTimeSeconds", 0, MAX_WAIT_SECONDS);
    const started = Date.now();
    const signal = input.signal;
    const lease = wait === 0 ? undefined : await this.wakeHub.lease(this.context.keys.wakeChannel(name));
    const clock = this.context.offsetMs();
    try {
      // A receive of this engine just left the queue with nothing visible and nothing was announced since (a
      // consumer back from deleting its batch): wait for a wake before looking, rather than look to find nothing.
      const handOff = { max, visibility };
      const quietMs = wait && lease?.quietFor(clock);
      let handed: (string | number)[] | undefined;
      if (quietMs)
        handed = await lease!.wait(lease!.version(), Math.min(wait! * 1000, quietMs), max, signal, handOff);
      for (;;) {
        if (handed) return this.received(name, toReceivedMessages(this.context.arn, name, handed));
        const seen = lease?.version() ?? 0;
        const nonce = randomBytes(6).toString("hex");
        const reply = (await runScript(this.context, "receive", name, [max, visibility, nonce])) as [
          number,
          number,
          number,
          OutboxEntry[],
          (string | number)[],
          number,
          number,
        ];
        const [now, nextDue, outboxSize, dead, flat, defaultWait, left] = reply;
        if (left === 0) lease?.markEmpty(seen, nextDue >= 0 ? Math.max(0, nextDue - now) : Infinity, clock);
        if (dead.length > 0) await this.outbox.deliver(name, dead);
        if (outboxSize > dead.length) await this.outbox.sweep(name);
        const messages = toReceivedMessages(this.context.arn, name, flat);
        wait ??= defaultWait;
        const remaining = wait * 1000 - (Date.now() - started);
        if (messages.length > 0 || remaining <= 0 || !lease || signal?.aborted) {
          // Messages are still visible: let waiters of this process take them.
          if (left > 0) lease?.nudge(left);
          return this.received(name, messages);
        }
        // Nothing taken although some are visible (a call's dead-letter budget ran out): look again at once.
        if (left > 0) continue;
        const untilDue = nextDue >= 0 ? Math.max(1, nextDue - now + 1) : remaining;
        handed = await lease.wait(seen, Math.min(remaining, untilDue), max, signal, handOff);
      }
    } finally {
      lease?.release();
    }
  }

  private received(queueName: string, messages: ReceivedMessage[]): ReceiveMessageOutput {
    if (messages.length) this.context.metrics?.received.inc({ queue: queueName }, messages.length);
    return { messages };
  }

  private async byReceipt(
    script: "delete" | "change-visibility",
    queueName: string,
    entries: { id: string; receiptHandle: string; visibilityTimeout?: number }[],
  ): Promise<BatchOutput> {
    const output: BatchOutput = { successful: [], failed: [] };
    const args: (string | number)[] = [];
    const sent: string[] = [];
    for (const entry of entries) {
      try {
        const receipt = decodeReceipt(entry.receiptHandle);
        const extra: (string | number)[] = [];
        if (script === "change-visibility") {
          if (entry.visibilityTimeout === undefined || entry.visibilityTimeout === null)
            throw new QueueError(
              "MissingRequiredParameterException",
              "The request must contain the parameter VisibilityTimeout.",
            );
          extra.push(
            integerInRange(entry.visibilityTimeout, "VisibilityTimeout", 0, MAX_VISIBILITY_SECONDS)!,
          );
        }
        args.push(receipt.messageId, receipt.token, ...extra);
        sent.push(entry.id);
      } catch (error) {
        if (!isQueueError(error)) throw error;
        output.failed.push(toFailure(entry.id, error));
      }
    }
    if (sent.length === 0) return output;
    const reply = (await runScript(this.context, script, queueName, [sent.length, ...args])) as string;
    reply.split(" ").forEach((status, i) => {
      const id = sent[i]!;
      if (status === "OK") output.successful.push({ id });
      else output.failed.push(toFailure(id, entryFailure(status)));
    });
    if (script === "delete" && output.successful.length)
      this.context.metrics?.deleted.inc({ queue: queueName }, output.successful.length);
    return output;
  }

  private async single(
    script: "delete" | "change-visibility",
    queueName: string,
    entry: Omit<BatchReceiptEntry, "id"> & { visibilityTimeout?: number },
  ) {
    if (typeof entry.receiptHandle !== "string" || entry.receiptHandle === "")
      throw new QueueError(
        "MissingRequiredParameterException",
        "The request must contain the parameter ReceiptHandle.",
      );
    const result = await this.byReceipt(script, queueName, [{ id: "0", ...entry }]);
    const failure = result.failed[0];
    if (failure) throw new QueueError(failure.code as QueueError["code"], failure.message);
  }

  deleteMessage(input: DeleteMessageInput): Promise<void> {
    return this.single("delete", validateQueueName(input.queueName), input);
  }

  async deleteMessageBatch(input: QueueRef & { entries: BatchReceiptEntry[] }): Promise<BatchOutput> {
    const name = validateQueueName(input.queueName);
    checkBatch(input.entries);
    return this.byReceipt("delete", name, input.entries);
  }

  changeMessageVisibility(input: ChangeMessageVisibilityInput): Promise<void> {
    return this.single("change-visibility", validateQueueName(input.queueName), input);
  }

  async changeMessageVisibilityBatch(
    input: QueueRef & { entries: (BatchReceiptEntry & { visibilityTimeout: number })[] },
  ): Promise<BatchOutput> {
    const name = validateQueueName(input.queueName);
    checkBatch(input.entries);
    return this.byReceipt("change-visibility", name, input.entries);
  }
}
