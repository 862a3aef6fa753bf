// The queue engine's one error type and the one table that maps codes (from Lua "QERR <code>" replies and from
// validation) to what SQS answers: the JSON error name (QueueError.code, what SDKs expose as error.name), the
// legacy query-protocol code (x-amzn-query-error), the HTTP status and the default message.

interface QueueErrorSpec {
  status: number;
  queryCode: string;
  message: string;
  /** Namespace of the JSON __type: modelled SQS errors vs. the service framework's generic ones. */
  namespace: "com.amazonaws.sqs" | "com.amazon.coral.service";
}

const sqs = (queryCode: string, message: string, status = 400): QueueErrorSpec => ({
  status,
  queryCode,
  message,
  namespace: "com.amazonaws.sqs",
});

export const QUEUE_ERRORS = {
  QueueDoesNotExist: sqs("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."),
  QueueNameExists: sqs(
    "QueueAlreadyExists",
    "A queue already exists with the same name and a different value for attributes.",
  ),
  QueueDeletedRecently: sqs(
    "AWS.SimpleQueueService.QueueDeletedRecently",
    "You must wait 60 seconds after deleting a queue before you can create another queue with the same name.",
  ),
  InvalidParameterValueException: {
    ...sqs("InvalidParameterValue", "A parameter has an invalid value."),
    namespace: "com.amazon.coral.service",
  },
  MissingRequiredParameterException: {
    ...sqs("MissingParameter", "A required parameter is missing."),
    namespace: "com.amazon.coral.service",
  },
  InvalidAttributeName: sqs("InvalidAttributeName", "The specified attribute does not exist."),
  InvalidAttributeValue: sqs("InvalidAttributeValue", "A queue attribute value is invalid."),
  ReceiptHandleIsInvalid: sqs("ReceiptHandleIsInvalid", "The specified receipt handle isn't valid."),
  MessageNotInflight: sqs(
    "AWS.SimpleQueueService.MessageNotInflight",
    "The specified message isn't in flight.",
  ),
  PurgeQueueInProgress: sqs(
    "AWS.SimpleQueueService.PurgeQueueInProgress",
    "Only one PurgeQueue operation on a queue is allowed every 60 seconds.",
    403,
  ),
  InvalidMessageContents: sqs(
    "InvalidMessageContents",
    "The message contains characters outside the allowed set.",
  ),
  BatchEntryIdsNotDistinct: sqs(
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "Two or more batch entries in the request have the same Id.",
  ),
  BatchRequestTooLong: sqs(
    "AWS.SimpleQueueService.BatchRequestTooLong",
    "The length of all the messages put together is more than the limit.",
  ),
  EmptyBatchRequest: sqs(
    "AWS.SimpleQueueService.EmptyBatchRequest",
    "The batch request doesn't contain any entries.",
  ),
  InvalidBatchEntryId: sqs(
    "AWS.SimpleQueueService.InvalidBatchEntryId",
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
  ),
  TooManyEntriesInBatchRequest: sqs(
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "The batch request contains more entries than permissible (10).",
  ),
  UnsupportedOperation: sqs(
    "AWS.SimpleQueueService.UnsupportedOperation",
    "This operation is not supported.",
  ),
  ResourceNotFoundException: sqs("ResourceNotFoundException", "The specified resource does not exist.", 404),
  OverLimit: sqs("OverLimit", "The specified action violates a limit.", 403),
} satisfies Record<string, QueueErrorSpec>;

export type QueueErrorCode = keyof typeof QUEUE_ERRORS;

export class QueueError extends Error {
  readonly status: number;
  readonly queryCode: string;
  readonly namespace: string;

  constructor(
    readonly code: QueueErrorCode,
    message?: string,
  ) {
    const spec: QueueErrorSpec = QUEUE_ERRORS[code];
    super(message ?? spec.message);
    this.name = "QueueError";
    this.status = spec.status;
    this.queryCode = spec.queryCode;
    this.namespace = spec.namespace;
  }

  /** Errors of the caller's making (all of them here); the wire's SenderFault. */
  get senderFault(): boolean {
    return this.status < 500;
  }

  static fromCode(code: string): QueueError {
    if (code in QUEUE_ERRORS) return new QueueError(code as QueueErrorCode);
    return new QueueError("InvalidParameterValueException", `queue engine error ${code}`);
  }
}

export const isQueueError = (error: unknown): error is QueueError => error instanceof QueueError;

export const invalidParameter = (message: string) =>
  new QueueError("InvalidParameterValueException", message);
export const missingParameter = (name: string) =>
  new QueueError("MissingRequiredParameterException", `The request must contain the parameter ${name}.`);
