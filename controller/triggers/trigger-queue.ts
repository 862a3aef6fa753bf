// The part of the queue engine (queue/index.ts QueueEngine) that queue triggers use; structural, so the engine fits
// as is and the controller depends on no more of it than it needs.

export interface TriggerMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: Buffer }>;
}

export interface TriggerQueueEngine {
  getQueueAttributes(input: {
    queueName: string;
    attributeNames?: string[];
  }): Promise<Record<string, string>>;
  receiveMessage(input: {
    queueName: string;
    maxNumberOfMessages?: number;
    visibilityTimeout?: number;
    waitTimeSeconds?: number;
    signal?: AbortSignal;
  }): Promise<{ messages: TriggerMessage[] }>;
  deleteMessage(input: { queueName: string; receiptHandle: string }): Promise<void>;
}
