import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        order = json.loads(record["body"])
        if order.get("bad"):
            failures.append({"itemIdentifier": record["messageId"]})
            print(json.dumps({"msg": "order rejected", "order": order}))
        else:
            print(json.dumps({"msg": "order processed", "order": order}))
    return {"batchItemFailures": failures}
