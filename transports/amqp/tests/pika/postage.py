"""A Postage component written from Postage's README with pika and plain
dictionaries (not the postage library), for the Postage interop tests.
Usage:

    postage.py URL send EXCHANGE KEY NAME PARAMETERS         # MessageCommand, fire-and-forget; prints its pid
    postage.py URL rpc EXCHANGE KEY NAME PARAMETERS TIMEOUT MAX_RETRY
                                                             # RpcCommand as GenericProducer._rpc_send sends it;
                                                             # prints {"reply": body, "attempts": n}
    postage.py URL receive EXCHANGE QUEUE KEY COUNT          # a MessageProcessor's consumer: prints "ready",
                                                             # then each message body; answers rpc commands
                                                             # (`fail`: a MessageResultError, else a MessageResult
                                                             # of the parameters) to reply_to, no correlation id
    postage.py URL status EXCHANGE NAME                      # MessageStatus(NAME) to a fanout exchange

PARAMETERS is JSON: what the producer puts in content.parameters.
"""

import getpass
import json
import os
import socket
import sys
import time

import pika


def fingerprint(name, kind):
    """Postage's Fingerprint(name, type).as_dict(): every value a string."""
    return {"name": str(name), "type": str(kind), "pid": str(os.getpid()),
            "host": str(socket.gethostname()), "user": str(getpass.getuser()), "vhost": "/"}


def message(kind, name, category, content, sender):
    """Postage's Message body."""
    return {"type": kind, "name": name, "category": category, "version": "2",
            "fingerprint": sender, "content": content, "_reserved": {}}


def declare_echo_exchange(channel, exchange):
    """Postage's EchoExchange: direct, durable, not auto-delete."""
    channel.exchange_declare(exchange=exchange, exchange_type="direct", passive=False,
                             durable=True, auto_delete=False)


def send(channel, exchange, key, name, parameters):
    declare_echo_exchange(channel, exchange)
    body = message("command", name, "message", {"parameters": parameters},
                   fingerprint("echo_send", "application"))
    channel.basic_publish(exchange=exchange, routing_key=key, body=json.dumps(body),
                          properties=pika.BasicProperties(content_type="application/json"))
    print(json.dumps({"pid": os.getpid()}), flush=True)


def rpc(connection, channel, exchange, key, name, parameters, timeout, max_retry):
    declare_echo_exchange(channel, exchange)
    body = json.dumps(message("command", name, "rpc", {"parameters": parameters},
                              fingerprint("echo_send", "application")))
    attempts = 0
    while True:
        attempts += 1
        # GenericProducer._build_rpc_properties: a new exclusive queue per send, no correlation id.
        reply_to = channel.queue_declare(queue="", exclusive=True, auto_delete=True).method.queue
        channel.basic_publish(exchange=exchange, routing_key=key, body=body,
                              properties=pika.BasicProperties(content_type="application/json",
                                                              reply_to=reply_to))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, _properties, reply = channel.basic_get(reply_to, auto_ack=True)
            if method is not None:
                print(json.dumps({"reply": json.loads(reply), "attempts": attempts}))
                return
            connection.process_data_events(time_limit=0.02)
        if attempts > max_retry:
            # MessageResultException(TimeoutError.__name__, str(TimeoutError()))
            timed_out = message("result", "none", "message",
                                {"type": "exception", "value": "TimeoutError", "message": ""}, {})
            print(json.dumps({"reply": timed_out, "attempts": attempts}))
            return


def receive(channel, exchange, queue, key, count):
    declare_echo_exchange(channel, exchange)
    channel.queue_declare(queue=queue)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key=key)
    channel.basic_qos(prefetch_count=1)
    print("ready", flush=True)
    seen = 0
    for method, properties, body in channel.consume(queue, inactivity_timeout=20):
        if method is None:
            sys.exit("no message")
        decoded = json.loads(body)
        if decoded.get("category") == "rpc" and properties.reply_to:
            # GenericConsumer.rpc_reply: a MessageResult, no properties at all.
            parameters = decoded["content"]["parameters"]
            if decoded["name"] == "fail":
                # MessageResultError(message): a foreseen failure.
                content = {"type": "error", "value": None, "message": "it failed, as foreseen"}
            else:
                content = {"type": "success", "value": parameters, "message": ""}
            answer = message("result", "none", "message", content, {})
            channel.basic_publish(exchange="", routing_key=properties.reply_to, body=json.dumps(answer))
        channel.basic_ack(method.delivery_tag)
        print(json.dumps({"content_type": properties.content_type, "body": decoded}), flush=True)
        seen += 1
        if seen == count:
            break
    channel.queue_delete(queue=queue)


def status(channel, exchange, name):
    # MessageStatus(name): the status is the message's name, content is empty.
    body = message("status", name, "message", {}, fingerprint("echo_receive", "controller"))
    channel.basic_publish(exchange=exchange, routing_key="", body=json.dumps(body),
                          properties=pika.BasicProperties(content_type="application/json"))
    print(json.dumps({"pid": os.getpid()}), flush=True)


def main():
    url, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    if mode == "send":
        send(channel, args[0], args[1], args[2], json.loads(args[3]))
    elif mode == "rpc":
        rpc(connection, channel, args[0], args[1], args[2], json.loads(args[3]),
            float(args[4]), int(args[5]))
    elif mode == "receive":
        receive(channel, args[0], args[1], args[2], int(args[3]))
    elif mode == "status":
        status(channel, args[0], args[1])
    else:
        sys.exit(f"unknown mode {mode}")
    connection.close()


if __name__ == "__main__":
    main()
