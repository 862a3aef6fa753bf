// Shapes received messages for the wire: filters system and message attributes by the names the caller asked
// for and adds the checksums SDKs verify (MD5OfBody; MD5OfMessageAttributes over the attributes returned).
import {
  md5OfBody,
  md5OfMessageAttributes,
  type MessageAttributes,
  type ReceivedMessage,
} from "../../queue/index.js";

function wantsAttribute(names: string[], name: string): boolean {
  return names.some(
    (n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -1))),
  );
}

export function wireMessage(message: ReceivedMessage, systemNames: string[], attributeNames: string[]) {
  const out: Record<string, unknown> = {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: md5OfBody(message.body),
    Body: message.body,
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.attributes))
    if (systemNames.includes("All") || systemNames.includes(name)) attributes[name] = value;
  if (Object.keys(attributes).length) out.Attributes = attributes;
  const selected: MessageAttributes = {};
  for (const [name, value] of Object.entries(message.messageAttributes))
    if (wantsAttribute(attributeNames, name)) selected[name] = value;
  const md5 = md5OfMessageAttributes(selected);
  if (md5) {
    out.MD5OfMessageAttributes = md5;
    out.MessageAttributes = Object.fromEntries(
      Object.entries(selected).map(([name, v]) => [
        name,
        v.binaryValue !== undefined
          ? { DataType: v.dataType, BinaryValue: v.binaryValue.toString("base64") }
          : { DataType: v.dataType, StringValue: v.stringValue },
      ]),
    );
  }
  return out;
}
