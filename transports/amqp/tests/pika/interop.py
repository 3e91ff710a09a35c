"""The pika side of the interop tests: plain pika, as the course's workers
and Postage use it. Usage:

    interop.py URL call QUEUE CONTENT_TYPE BODY   # RPC over direct reply-to; prints the reply
    interop.py URL receive QUEUE                  # declares QUEUE, prints "ready", prints one message
"""

import json
import sys
import uuid

import pika


def call(channel, connection, queue, content_type, body):
    replies = []

    def on_reply(_channel, _method, properties, reply_body):
        replies.append((properties, reply_body))

    channel.basic_consume("amq.rabbitmq.reply-to", on_reply, auto_ack=True)
    correlation_id = str(uuid.uuid4())
    channel.basic_publish(
        exchange="",
        routing_key=queue,
        properties=pika.BasicProperties(
            reply_to="amq.rabbitmq.reply-to",
            correlation_id=correlation_id,
            content_type=content_type,
        ),
        body=body.encode(),
    )
    for _ in range(200):
        connection.process_data_events(time_limit=0.1)
        if replies:
            break
    if not replies:
        sys.exit("no reply")
    properties, reply_body = replies[0]
    assert properties.correlation_id == correlation_id, properties.correlation_id
    print(json.dumps({"content_type": properties.content_type, "reply": json.loads(reply_body)}))


def receive(channel, queue):
    channel.queue_declare(queue=queue, auto_delete=True)
    print("ready", flush=True)
    for method, properties, body in channel.consume(queue, inactivity_timeout=20):
        if method is None:
            sys.exit("no message")
        channel.basic_ack(method.delivery_tag)
        print(json.dumps({"content_type": properties.content_type, "body": json.loads(body)}), flush=True)
        break


def main():
    url, mode = sys.argv[1], sys.argv[2]
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    if mode == "call":
        call(channel, connection, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        receive(channel, sys.argv[3])
    connection.close()


main()
