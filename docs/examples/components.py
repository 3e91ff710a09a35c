"""List the switchboard components on a RabbitMQ broker, then tell one to quit.

Needs only pika. Usage: python3 components.py AMQP_URL TARGET
(TARGET: a component name, pid@host, an instance id, or "all").
"""
import json
import os
import socket
import sys
import time
import uuid

import pika

url, target = sys.argv[1], sys.argv[2]
channel = pika.BlockingConnection(pika.URLParameters(url)).channel()

# Both topics are fanout exchanges, declared as the components declare them.
for exchange in ("switchboard.status", "switchboard.control"):
    channel.exchange_declare(exchange, exchange_type="fanout")
# Our own queue for the status topic: exclusive, gone when we disconnect.
status = channel.queue_declare("", exclusive=True).method.queue
channel.queue_bind(status, "switchboard.status")

# Every component announces itself at least once per heartbeat (5 s):
# listen for a little longer than one.
components = {}
until = time.monotonic() + float(os.environ.get("LISTEN_SECONDS", "5.5"))
for _method, _props, body in channel.consume(status, auto_ack=True, inactivity_timeout=0.2):
    if time.monotonic() > until:
        break
    if body is None:
        continue
    message = json.loads(body)
    if message["type"] == "status" and message["name"] != "answer":
        fp = message["fingerprint"]
        components[fp.get("instance") or fp["pid"] + "@" + fp["host"]] = (fp, message)
channel.cancel()
for fp, message in components.values():
    print(fp["name"], fp["type"], fp["pid"] + "@" + fp["host"], message["name"],
          message["content"]["activity"], ",".join(message["content"]["transports"]))

# A command is Postage's message dictionary; answers come on the status topic.
request = uuid.uuid4().hex
me = {"name": "ops-script", "type": "tool", "pid": str(os.getpid()),
      "host": socket.gethostname(), "user": os.environ.get("USER", "")}
command = {
    "type": "command", "name": "quit", "category": "message", "version": "2",
    "fingerprint": me,
    "content": {"parameters": {
        "target": target, "request": request,
        "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}},
    "_reserved": {},
}
channel.basic_publish("switchboard.control", "", json.dumps(command))
for _method, _props, body in channel.consume(status, auto_ack=True, inactivity_timeout=30):
    if body is None:
        sys.exit("no answer")
    message = json.loads(body)
    if message["name"] == "answer" and message["content"]["request"] == request:
        print(message["fingerprint"]["name"], message["content"]["outcome"])
        break
