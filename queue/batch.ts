// The checks SQS applies to every *Batch request before looking at the entries.
import { QueueError } from "./errors.js";

const MAX_BATCH_ENTRIES = 10;

export function checkBatch(entries: { id: string }[] | undefined): void {
  if (!Array.isArray(entries) || entries.length === 0) throw new QueueError("EmptyBatchRequest");
  if (entries.length > MAX_BATCH_ENTRIES)
    throw new QueueError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const seen = new Set<string>();
  for (const entry of entries) {
    if (typeof entry?.id !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(entry.id))
      throw new QueueError(
        "InvalidBatchEntryId",
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got "${entry?.id ?? ""}".`,
      );
    if (seen.has(entry.id)) throw new QueueError("BatchEntryIdsNotDistinct", `Id ${entry.id} repeated.`);
    seen.add(entry.id);
  }
}
