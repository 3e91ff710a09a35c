"""The course's sensorhub statistics programs, rebuilt from the course text
("Task Queues and Publish/Subscribe") with pika and requests, to check that
switchboard's stats service, worker and client can each replace theirs.

Modes:
  worker             the statistics worker (consumes "stats", PUTs to API_SERVER)
  send_task S JSON   the API's _send_task: publishes {"data": [...], "sensor": S}
  client S           the client: GET stats; on 202, listen on "notifications"

Departures from the text, each marked below: a broker without TLS is reached
without it (the course always wraps the socket, verifying nothing without a
CA); the worker PUTs to its href once (the text prefixes API_SERVER twice);
the client prints JSON rather than a dict, and says when it listens.
"""

import json
import os
import ssl
import sys
from datetime import datetime

import pika
import requests

API_SERVER = os.environ["API_SERVER"]


class RabbitBackend(object):
    def __init__(self, broker, user, passwd, ca=None, client_cert=None, client_key=None):
        host, port = broker.split(":")
        self.host = host
        self.port = int(port)
        self.user = user
        self.passwd = passwd
        self.credentials = pika.PlainCredentials(self.user, self.passwd)
        self.ca = ca
        self.client_cert = client_cert
        self.client_key = client_key

    def get_connection(self, vhost="/"):
        if not self.ca:
            # Departure: a plain broker (the course's always speaks TLS).
            return pika.BlockingConnection(
                pika.ConnectionParameters(self.host, self.port, vhost, self.credentials)
            )
        context = ssl.create_default_context(cafile=self.ca)
        context.verify_mode = ssl.CERT_REQUIRED
        if self.client_cert and self.client_key:
            context.load_cert_chain(certfile=self.client_cert, keyfile=self.client_key)
        return pika.BlockingConnection(pika.ConnectionParameters(
            self.host,
            self.port,
            vhost,
            self.credentials,
            ssl_options=pika.SSLOptions(context)
        ))


def backend():
    return RabbitBackend(
        os.environ["PWP_RABBIT_URI"],
        os.environ["PWP_RABBIT_USER"],
        os.environ["PWP_RABBIT_PASSWD"],
        os.environ.get("CA_CERT"),
        os.environ.get("PWP_RABBIT_CLIENT_CERT"),
        os.environ.get("PWP_RABBIT_CLIENT_KEY"),
    )


# --- the worker -------------------------------------------------------------

channel = None


def calculate_stats(data):
    return {"mean": sum(data) / len(data)}


def send_notification(channel, sensor):
    channel.basic_publish(
        exchange="notifications",
        routing_key="",
        body=json.dumps({
            "task": "statistics",
            "sensor": sensor,
        })
    )


def log_error(channel, message):
    channel.basic_publish(
        exchange="logs",
        routing_key="",
        body=json.dumps({
            "timestamp": datetime.now().isoformat(),
            "content": message
        })
    )


def handle_task(channel, method, properties, body):
    print("Handling task", flush=True)
    try:
        task = json.loads(body)
        data = task["data"]
        sensor = task["sensor"]
        href = API_SERVER + f"/api/sensors/{sensor}/stats/"
    except KeyError as e:
        log_error(channel, f"Task parse error: {e}")
    else:
        stats = calculate_stats(task["data"])
        stats["generated"] = datetime.now().isoformat()
        with requests.Session() as session:
            # Departure: the text PUTs to API_SERVER + href, with href
            # already starting with API_SERVER.
            resp = session.put(href, json=stats)
            if resp.status_code != 204:
                log_error(channel, f"Unable to send result: {resp.status_code}")
            else:
                send_notification(channel, sensor)
    finally:
        channel.basic_ack(delivery_tag=method.delivery_tag)


def worker(backend):
    connection = backend.get_connection(os.environ["PWP_RABBIT_VHOST"])
    channel = connection.channel()
    channel.exchange_declare(exchange="notifications", exchange_type="fanout")
    channel.exchange_declare(exchange="logs", exchange_type="fanout")
    channel.queue_declare(queue="stats")
    channel.basic_consume(queue="stats", on_message_callback=handle_task)
    print("Service started", flush=True)
    channel.start_consuming()


# --- the API's _send_task -------------------------------------------------------

def send_task(backend, sensor, values):
    body = {
        "data": values,
        "sensor": sensor
    }
    connection = backend.get_connection(os.environ["PWP_RABBIT_VHOST"])
    channel = connection.channel()
    channel.queue_declare(queue="stats")
    channel.basic_publish(
        exchange="",
        routing_key="stats",
        body=json.dumps(body)
    )
    connection.close()


# --- the client -------------------------------------------------------------

class StopListening(Exception):
    pass


sensor = None


def notification_handler(ch, method, properties, body):
    try:
        data = json.loads(body)
        href = API_SERVER + f"/api/sensors/{sensor}/stats/"
        notification_for = data["sensor"]
    except (KeyError, json.JSONDecodeError) as e:
        print(e)
        raise StopListening
    else:
        if notification_for == sensor:
            with requests.Session() as session:
                resp = session.get(href)
                if resp.status_code == 200:
                    print(json.dumps(resp.json()), flush=True)
                else:
                    print(f"Response {resp.status_code}", flush=True)
            raise StopListening


def listen_notifications(backend):
    connection = backend.get_connection(os.environ["PWP_RABBIT_VHOST"])
    channel = connection.channel()
    channel.exchange_declare(exchange="notifications", exchange_type="fanout")
    result = channel.queue_declare(queue="", exclusive=True)
    channel.queue_bind(exchange="notifications", queue=result.method.queue)
    channel.basic_consume(
        queue=result.method.queue,
        on_message_callback=notification_handler,
        auto_ack=True
    )
    # Departure: says when it listens, so the test starts a worker then.
    print("listening", flush=True)
    channel.start_consuming()


def request_stats(backend, sensor):
    with requests.Session() as session:
        stats_url = API_SERVER + f"/api/sensors/{sensor}/stats/"
        resp = session.get(stats_url)
        if resp.status_code == 200:
            print(json.dumps(resp.json()), flush=True)
        elif resp.status_code == 202:
            try:
                listen_notifications(backend)
            except StopListening:
                sys.exit(0)
        else:
            print(f"Response {resp.status_code}", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "worker":
        worker(backend())
    elif mode == "send_task":
        send_task(backend(), sys.argv[2], json.loads(sys.argv[3]))
    elif mode == "client":
        sensor = sys.argv[2]
        request_stats(backend(), sensor)
