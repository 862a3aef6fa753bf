// `kappa queue ...`: SQS queues of the local platform, through its SQS API (the real AWS SDK, SigV4).
import type { SQSClient } from "@aws-sdk/client-sqs";
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { sqsClient } from "../aws-clients.js";

type SqsApi = typeof import("@aws-sdk/client-sqs");
import { contextOf, type CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { renderTable } from "../output/table.js";

export function registerQueue(program: Command): void {
  const queue = program
    .command("queue")
    .description("create, list, send to, receive from, purge and redrive SQS queues")
    .addHelpText(
      "after",
      `
Examples:
  kappa queue create jobs --visibility-timeout 60
  kappa queue create jobs-dlq && kappa queue create jobs --dlq jobs-dlq --max-receive 3
  kappa queue send jobs --body '{"id":1}'
  kappa queue receive jobs --max 10 --wait 5 --delete
  kappa queue purge jobs
  kappa queue redrive jobs-dlq          move the DLQ's messages back to their source queue`,
    );

  queue
    .command("list")
    .option(
      "-a, --all",
      "also the platform's internal queues (kappa-async_*: each function's async invocations)",
    )
    .description("list queues with their approximate counts")
    .action(async (o: { all?: boolean }, command: Command) =>
      withSqs(command, async (context, sqs, sqsApi) => {
        const all = (await sqs.send(new sqsApi.ListQueuesCommand({}))).QueueUrls ?? [];
        const urls = o.all ? all : all.filter((url) => !/\/kappa-async_[^/]*$/.test(url));
        const rows: { name: string; url: string; visible: number; inFlight: number; delayed: number }[] = [];
        for (const url of urls) {
          const a =
            (await sqs.send(new sqsApi.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))
              .Attributes ?? {};
          rows.push({
            name: url.split("/").pop() ?? url,
            url,
            visible: Number(a.ApproximateNumberOfMessages ?? 0),
            inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
            delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
          });
        }
        await context.emit({ queues: rows }, () =>
          rows.length === 0
            ? context.out.dim("no queues\n")
            : renderTable(
                ["name", "visible", "in flight", "delayed", "url"],
                rows.map((r) => [r.name, String(r.visible), String(r.inFlight), String(r.delayed), r.url]),
                context.out,
              ),
        );
      }),
    );

  queue
    .command("create")
    .argument("<name>", "SQS queue name (FIFO names end in .fifo)")
    .option("--fifo", "a FIFO queue (the name must end in .fifo)")
    .option("--visibility-timeout <seconds>", "0-43200")
    .option("--delay <seconds>", "0-900")
    .option("--retention <seconds>", "60-1209600")
    .option("--dlq <queue>", "dead-letter queue name (must exist)")
    .option("--max-receive <count>", "receives before a message moves to the DLQ (1-1000)", "5")
    .description("create a queue (kept in Redis; to keep it in the folder, write a Queue manifest)")
    .action(
      async (
        name: string,
        o: {
          fifo?: boolean;
          visibilityTimeout?: string;
          delay?: string;
          retention?: string;
          dlq?: string;
          maxReceive: string;
        },
        command: Command,
      ) =>
        withSqs(command, async (context, sqs, sqsApi) => {
          if (o.fifo && !name.endsWith(".fifo"))
            throw new UsageError(`a FIFO queue's name ends in .fifo: use ${name}.fifo`);
          const attributes: Record<string, string> = {};
          if (o.fifo) attributes.FifoQueue = "true";
          if (o.visibilityTimeout !== undefined)
            attributes.VisibilityTimeout = integer(o.visibilityTimeout, "--visibility-timeout");
          if (o.delay !== undefined) attributes.DelaySeconds = integer(o.delay, "--delay");
          if (o.retention !== undefined)
            attributes.MessageRetentionPeriod = integer(o.retention, "--retention");
          if (o.dlq) {
            const dlqUrl = await queueUrl(sqs, o.dlq);
            const arn = (
              await sqs.send(
                new sqsApi.GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
              )
            ).Attributes?.QueueArn;
            attributes.RedrivePolicy = JSON.stringify({
              deadLetterTargetArn: arn,
              maxReceiveCount: Number(integer(o.maxReceive, "--max-receive")),
            });
          }
          const url = (
            await sqs.send(new sqsApi.CreateQueueCommand({ QueueName: name, Attributes: attributes }))
          ).QueueUrl;
          await context.emit({ queueUrl: url }, () => context.out.ok(`created ${name}`) + `  ${url}\n`);
        }),
    );

  queue
    .command("send")
    .argument("<queue>", "queue name")
    .option("-b, --body <text|@file>", "message body (text or @path)", "{}")
    .option("--delay <seconds>", "DelaySeconds for this message")
    .option("--group-id <id>", "MessageGroupId (FIFO queues)")
    .option("--dedup-id <id>", "MessageDeduplicationId (FIFO queues without content-based deduplication)")
    .description("send one message")
    .action(
      async (
        name: string,
        o: { body: string; delay?: string; groupId?: string; dedupId?: string },
        command: Command,
      ) =>
        withSqs(command, async (context, sqs, sqsApi) => {
          const body = o.body.startsWith("@") ? readBodyFile(o.body.slice(1)) : o.body;
          const out = await sqs.send(
            new sqsApi.SendMessageCommand({
              QueueUrl: await queueUrl(sqs, name),
              MessageBody: body,
              DelaySeconds: o.delay === undefined ? undefined : Number(integer(o.delay, "--delay")),
              MessageGroupId: o.groupId,
              MessageDeduplicationId: o.dedupId,
            }),
          );
          await context.emit({ messageId: out.MessageId, md5OfMessageBody: out.MD5OfMessageBody }, () =>
            context.out.ok(`sent ${out.MessageId}\n`),
          );
        }),
    );

  queue
    .command("receive")
    .argument("<queue>", "queue name")
    .option("--max <count>", "1-10 messages", "1")
    .option("--wait <seconds>", "long-poll up to this long (0-20)", "0")
    .option("--visibility-timeout <seconds>", "hide the received messages this long")
    .option("--delete", "delete the messages after printing them (acknowledge)")
    .description("receive messages (and optionally delete them)")
    .action(
      async (
        name: string,
        o: { max: string; wait: string; visibilityTimeout?: string; delete?: boolean },
        command: Command,
      ) =>
        withSqs(command, async (context, sqs, sqsApi) => {
          const url = await queueUrl(sqs, name);
          const out = await sqs.send(
            new sqsApi.ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: Number(integer(o.max, "--max")),
              WaitTimeSeconds: Number(integer(o.wait, "--wait")),
              VisibilityTimeout:
                o.visibilityTimeout === undefined
                  ? undefined
                  : Number(integer(o.visibilityTimeout, "--visibility-timeout")),
              MessageSystemAttributeNames: ["All"],
            }),
          );
          const messages = out.Messages ?? [];
          if (o.delete && messages.length > 0) {
            const deleted = await sqs.send(
              new sqsApi.DeleteMessageBatchCommand({
                QueueUrl: url,
                Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            );
            if (deleted.Failed?.length)
              throw new CliError(
                `received, but could not delete ${deleted.Failed.length} message(s): ${deleted.Failed[0]!.Message}`,
              );
          }
          await context.emit({ messages }, () =>
            messages.length === 0
              ? context.out.dim("no messages\n")
              : messages
                  .map(
                    (m) =>
                      `${context.out.dim(`${m.MessageId} (receive #${m.Attributes?.ApproximateReceiveCount ?? "?"})`)}\n${m.Body}\n`,
                  )
                  .join(""),
          );
        }),
    );

  queue
    .command("purge")
    .argument("<queue>", "queue name")
    .description("delete every message in the queue")
    .action(async (name: string, _o: unknown, command: Command) =>
      withSqs(command, async (context, sqs, sqsApi) => {
        await sqs.send(new sqsApi.PurgeQueueCommand({ QueueUrl: await queueUrl(sqs, name) }));
        await context.emit({ purged: name }, () => context.out.ok(`purged ${name}\n`));
      }),
    );

  queue
    .command("redrive")
    .argument("<dlq>", "the dead-letter queue whose messages go back")
    .option("--to <queue>", "destination queue (default: each message's source queue)")
    .description("move messages from a dead-letter queue back to their source (StartMessageMoveTask)")
    .action(async (name: string, o: { to?: string }, command: Command) =>
      withSqs(command, async (context, sqs, sqsApi) => {
        const arnOf = async (q: string) =>
          (
            await sqs.send(
              new sqsApi.GetQueueAttributesCommand({
                QueueUrl: await queueUrl(sqs, q),
                AttributeNames: ["QueueArn"],
              }),
            )
          ).Attributes?.QueueArn;
        const task = await sqs.send(
          new sqsApi.StartMessageMoveTaskCommand({
            SourceArn: await arnOf(name),
            DestinationArn: o.to ? await arnOf(o.to) : undefined,
          }),
        );
        await context.emit({ taskHandle: task.TaskHandle }, () =>
          context.out.ok(`redrive started from ${name}${o.to ? ` to ${o.to}` : ""}\n`),
        );
      }),
    );
}

async function withSqs(
  command: Command,
  body: (context: CommandContext, sqs: SQSClient, sqsApi: SqsApi) => Promise<void>,
): Promise<void> {
  const context = contextOf(command);
  const state = context.dev();
  const sqsApi = await import("@aws-sdk/client-sqs"); // the SDK is loaded only by the commands that use it
  const sqs = await sqsClient(state);
  try {
    await body(context, sqs, sqsApi);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as { name?: string; message?: string };
    throw new CliError(`${e.name ?? "Error"}: ${e.message ?? String(error)}`);
  } finally {
    sqs.destroy();
  }
}

async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  const { GetQueueUrlCommand } = await import("@aws-sdk/client-sqs");
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  } catch (error) {
    const code = (error as { name?: string }).name ?? "";
    if (code === "QueueDoesNotExist" || code.includes("NonExistentQueue")) {
      throw new CliError(
        `queue ${name} does not exist; \`kappa queue list\` shows the queues, \`kappa queue create ${name}\` makes it`,
      );
    }
    throw error;
  }
}

function integer(value: string, flag: string): string {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number (got "${value}")`);
  return value;
}

function readBodyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `--body @${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
