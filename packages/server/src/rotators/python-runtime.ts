/**
 * The Python side of a local Lambda invocation, run as `python -c <this> <file> <handler> <deadline
 * ms since epoch> <function name> <function ARN>`: imports the handler's file as Lambda does (its
 * folder first on `sys.path`), reads the event from stdin, calls `handler(event, context)` with a
 * Lambda-shaped context, and writes one JSON result to fd 3: `{"ok": true}` or `{"ok": false,
 * "errorType": ..., "errorMessage": ...}`. What the function prints goes to stdout/stderr, which the
 * rotator counts and discards.
 */
export const pythonRuntime = `
import importlib.util, json, os, sys, time, uuid

def main():
    path, handler_name, deadline_ms, function_name, function_arn = sys.argv[1:6]
    result = os.fdopen(3, "w")

    class LambdaContext:
        function_version = "$LATEST"
        memory_limit_in_mb = "128"
        def __init__(self):
            self.function_name = function_name
            self.invoked_function_arn = function_arn
            self.aws_request_id = str(uuid.uuid4())
            self.log_group_name = "/aws/lambda/" + function_name
            self.log_stream_name = "coffer-local"
            self.identity = None
            self.client_context = None
        def get_remaining_time_in_millis(self):
            return max(0, int(deadline_ms) - int(time.time() * 1000))

    try:
        event = json.loads(sys.stdin.read())
        folder = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, folder)
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        handler = getattr(module, handler_name, None)
        if not callable(handler):
            raise AttributeError("%s has no function %s" % (os.path.basename(path), handler_name))
        handler(event, LambdaContext())
        outcome = {"ok": True}
    except BaseException as error:
        outcome = {"ok": False, "errorType": type(error).__name__, "errorMessage": str(error)}
    sys.stdout.flush()
    sys.stderr.flush()
    result.write(json.dumps(outcome))
    result.close()

main()
`;
