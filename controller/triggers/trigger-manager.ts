// Keeps one runner per QueueTrigger and per Schedule in step with the store.
import type { Logger } from "pino";
import type { ResourceStore } from "../../api/store.js";
import type { Clock } from "../clock.js";
import type { Invoker } from "../invoker/invoker.js";
import type { ControllerMetrics } from "../metrics.js";
import type { StatusWriter } from "../status.js";

/** The part of queue/ QueueEngine that queue triggers use (structural, so tests and the engine both fit). */
export interface TriggerQueueEngine {
  receiveMessage(input: {
    queueName: string;
    maxNumberOfMessages?: number;
    visibilityTimeout?: number;
    waitTimeSeconds?: number;
    signal?: AbortSignal;
  }): Promise<{ messages: TriggerMessage[] }>;
  deleteMessage(input: { queueName: string; receiptHandle: string }): Promise<void>;
}

export interface TriggerMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: Buffer }>;
}

export interface TriggerManagerOptions {
  store: ResourceStore;
  queueEngine?: TriggerQueueEngine;
  invoker?: Invoker;
  statusWriter: StatusWriter;
  metrics: ControllerMetrics;
  clock: Clock;
  logger: Logger;
  region: string;
}

export class TriggerManager {
  constructor(private readonly options: TriggerManagerOptions) {}

  sync(): void {
    void this.options;
  }

  async close(): Promise<void> {}
}
