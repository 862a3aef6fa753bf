"""Kappa's Python handler host: a small runtime interface client of the agent's Lambda Runtime API.

Standard library only. Loads the handler once, then loops: GET /next, run the handler, POST /response or /error.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

RUNTIME_PATH = "/2018-06-01/runtime"


class RuntimeClient:
    def __init__(self, address):
        host, port = address.split(":")
        self.connection = http.client.HTTPConnection(host, int(port))

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The keep-alive connection was closed while idle: reconnect once.
                self.connection.close()
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def prime(self):
        _, _, body = self.request("GET", "/kappa/v1/prime")
        return json.loads(body)

    def next(self):
        status, headers, body = self.request("GET", RUNTIME_PATH + "/invocation/next")
        if status != 200:
            raise RuntimeError("/next answered %d" % status)
        return {k.lower(): v for k, v in headers.items()}, body

    def post_response(self, request_id, payload):
        self.request(
            "POST",
            RUNTIME_PATH + "/invocation/%s/response" % request_id,
            payload,
            {"Content-Type": "application/json"},
        )

    def post_error(self, path, error):
        self.request(
            "POST",
            path,
            json.dumps(error).encode("utf-8"),
            {
                "Content-Type": "application/vnd.aws.lambda.error+json",
                "Lambda-Runtime-Function-Error-Type": error["errorType"],
            },
        )

    def post_invocation_error(self, request_id, error):
        self.post_error(RUNTIME_PATH + "/invocation/%s/error" % request_id, error)

    def post_init_error(self, error):
        self.post_error(RUNTIME_PATH + "/init/error", error)


def error_body(exc, error_type=None, message=None):
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__)) if exc.__traceback__ else []
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": stack,
    }


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(task_root, handler):
    module_path, _, function_name = handler.rpartition(".")
    if not module_path or not function_name:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % handler)
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, exc))
    except SyntaxError as exc:
        raise InitError(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '%s': %s (%s, line %s)" % (module_path, exc.msg, exc.filename, exc.lineno),
        )
    function = getattr(module, function_name, None)
    if function is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_path))
    if not callable(function):
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' on module '%s' is not callable" % (function_name, module_path))
    return function


class CognitoIdentity:
    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class ClientContext:
    def __init__(self, data):
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        client_context = headers.get("lambda-runtime-client-context")
        self.client_context = ClientContext(json.loads(client_context)) if client_context else None
        identity = headers.get("lambda-runtime-cognito-identity")
        self.identity = CognitoIdentity(json.loads(identity)) if identity else None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def become_function(client):
    """A host started before its function was known receives the function's environment and task root."""
    config = client.prime()
    os.environ.clear()
    os.environ.update(config["env"])
    os.chdir(config["cwd"])
    time.tzset()


def main():
    client = RuntimeClient(os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"))
    if os.environ.get("KAPPA_HOST_PRIME"):
        become_function(client)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    try:
        handler = load_handler(task_root, os.environ.get("_HANDLER", ""))
    except InitError as exc:
        client.post_init_error({"errorMessage": str(exc), "errorType": exc.error_type, "requestId": "", "stackTrace": []})
        sys.exit(1)
    except Exception as exc:  # the module raised while being imported
        client.post_init_error(error_body(exc))
        sys.exit(1)
    while True:
        headers, body = client.next()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body) if body else {}
        except ValueError as exc:
            client.post_invocation_error(request_id, error_body(exc, "Runtime.UnmarshalError"))
            continue
        try:
            result = handler(event, LambdaContext(headers))
        except Exception as exc:
            body = error_body(exc)
            body["requestId"] = request_id
            client.post_invocation_error(request_id, body)
            continue
        try:
            payload = json.dumps(result).encode("utf-8")
        except (TypeError, ValueError) as exc:
            client.post_invocation_error(
                request_id,
                error_body(exc, "Runtime.MarshalError", "Unable to marshal response: %s" % exc),
            )
            continue
        client.post_response(request_id, payload)


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, http.client.HTTPException, RuntimeError) as exc:
        # The agent is gone: nothing to serve, so do not linger as an orphan.
        sys.stderr.write("kappa python host: %s\n" % exc)
        sys.exit(1)
