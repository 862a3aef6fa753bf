import json
import platform


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": f"Hello from Python {platform.python_version()}, {name}!",
                            "requestId": context.aws_request_id}),
    }
