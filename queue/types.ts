// Typed inputs and outputs of QueueEngine, named after the SQS actions. Queue attributes use SQS's names and
// string values, as on the wire, so the SQS API passes them through untouched.

export type QueueAttributeMap = Record<string, string>;

export interface MessageAttributeValue {
  /** "String", "Number" or "Binary", optionally followed by ".<custom type>" */
  dataType: string;
  stringValue?: string;
  binaryValue?: Buffer;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface QueueRef {
  queueName: string;
}

export interface CreateQueueInput extends QueueRef {
  attributes?: QueueAttributeMap;
  tags?: Record<string, string>;
}

export interface QueueInfo {
  queueName: string;
  arn: string;
}

export interface ListQueuesInput {
  queueNamePrefix?: string;
  maxResults?: number;
  nextToken?: string;
}

export interface ListQueuesOutput {
  queueNames: string[];
  nextToken?: string;
}

export interface GetQueueAttributesInput extends QueueRef {
  /** Attribute names or "All"; empty or absent returns none, as SQS does. */
  attributeNames?: string[];
}

export interface SetQueueAttributesInput extends QueueRef {
  attributes: QueueAttributeMap;
}

export interface SendMessageEntry {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  /** Only AWSTraceHeader (String) is supported, as in SQS. */
  messageSystemAttributes?: MessageAttributes;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export interface SendMessageInput extends QueueRef, SendMessageEntry {
  /** Recorded as the SenderId system attribute (e.g. the caller's access key id). */
  senderId?: string;
}

export interface SendMessageOutput {
  messageId: string;
  sequenceNumber?: string;
}

export interface SendMessageBatchInput extends QueueRef {
  entries: (SendMessageEntry & { id: string })[];
  senderId?: string;
}

export interface BatchFailure {
  id: string;
  code: string;
  message: string;
  senderFault: boolean;
}

export interface SendMessageBatchOutput {
  successful: (SendMessageOutput & { id: string })[];
  failed: BatchFailure[];
}

export interface ReceiveMessageInput extends QueueRef {
  maxNumberOfMessages?: number;
  visibilityTimeout?: number;
  /** Long poll up to 20 s; absent = the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  /** Cancels a long poll (e.g. on client disconnect); resolves with no messages. */
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** System attributes, all of them: SentTimestamp, ApproximateReceiveCount, ... (strings as on the wire). */
  attributes: Record<string, string>;
  messageAttributes: MessageAttributes;
}

export interface ReceiveMessageOutput {
  messages: ReceivedMessage[];
}

export interface DeleteMessageInput extends QueueRef {
  receiptHandle: string;
}

export interface BatchReceiptEntry {
  id: string;
  receiptHandle: string;
}

export interface BatchOutput {
  successful: { id: string }[];
  failed: BatchFailure[];
}

export interface ChangeMessageVisibilityInput extends QueueRef {
  receiptHandle: string;
  visibilityTimeout: number;
}

export interface StartMessageMoveTaskInput {
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
}

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MessageMoveTask {
  taskHandle: string;
  status: MoveTaskStatus;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  approximateNumberOfMessagesMoved: number;
  approximateNumberOfMessagesToMove: number;
  failureReason?: string;
  startedTimestamp: number;
}

export interface ListDeadLetterSourceQueuesInput extends QueueRef {
  maxResults?: number;
  nextToken?: string;
}

/** Added to Redis server time; tests use it to skip ahead without sleeping. Production leaves it at 0. */
export interface QueueClock {
  offsetMs(): number;
}
