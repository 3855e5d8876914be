"""A TCP proxy on loopback that puts a server at Binder's distance: delay and bandwidth per way.

    with DistanceProxy(target_port=8888) as proxy:   # listens on 127.0.0.1:proxy.port
        proxy.shaped = True     # 40 ms each way, 10 Mbit/s each way (an 80 ms round trip)
        ...
        proxy.shaped = False    # pass straight through (the local row, same connections)

Each direction has a reader and a writer: the reader queues (deliver time, bytes) with deliver
time = max(now, link free) + bytes / rate + delay, the writer sleeps until then. Order is kept
(one queue per direction), so switching ``shaped`` never reorders bytes. Loopback only.
"""

from __future__ import annotations

import asyncio
import threading

DELAY = 0.040  # seconds each way
RATE = 10e6 / 8  # bytes per second each way (10 Mbit/s)


class DistanceProxy:
    def __init__(self, target_port: int, delay: float = DELAY, rate: float = RATE):
        self.target_port, self.delay, self.rate = target_port, delay, rate
        self.shaped = False
        self.port = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self.loop)
        self.server = future.result(timeout=10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc):
        async def close():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _listen(self):
        return await asyncio.start_server(self._connection, "127.0.0.1", 0)

    async def _connection(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(self._pipe(client_reader, server_writer),
                                 self._pipe(server_reader, client_writer),
                                 return_exceptions=True)
        except asyncio.CancelledError:  # the proxy is closing
            for writer in (client_writer, server_writer):
                writer.close()

    async def _pipe(self, reader, writer):
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def deliver():
            while True:
                when, data = await queue.get()
                wait = when - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        free = 0.0  # when the link has sent everything queued so far
        try:
            while True:
                data = await reader.read(65536)
                now = loop.time()
                if self.shaped:
                    free = max(now, free) + len(data) / self.rate
                    queue.put_nowait((free + self.delay, data))
                else:
                    free = max(now, free)
                    queue.put_nowait((now, data))
                if not data:
                    break
        except (ConnectionError, asyncio.CancelledError):
            queue.put_nowait((0.0, b""))
        await sender
