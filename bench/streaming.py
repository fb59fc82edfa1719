"""Streaming engine benchmark: direct play through gunicorn gthread, and on-demand HLS.

Usage: .venv/bin/python bench/streaming.py [--size-mib 1024] [--ranges 200] [--keep-tmp]

Prints (does not assert) numbers against the targets of the streaming issue:

* open-ended ``Range: bytes=N-`` throughput of a ~1 GiB file, served by ``send_source`` from a bare
  WSGI app in a real ``gunicorn -k gthread`` on loopback (target ≥ 300 MB/s), with and without
  gunicorn's sendfile, and random 1 MiB ranges on one keep-alive connection (target ≥ 50 % of the
  whole-file rate); best of 3 passes each, plus the server's CPU time per GB sent — compared with
  stock ``werkzeug.utils.send_file``, whose range wrapper reads from byte 0 behind gunicorn;
* first HLS segment latency through HTTP vs the same ffmpeg command alone (target ≤ 1.25×), cached
  segment latency (target ≤ 20 ms) and sustained 720p speed (target ≥ 1.5× real time), from a
  720p30 testsrc2 clip; plus single/dual 1080p and 720p segment encode speeds.

Everything lives in a temporary folder that is deleted at the end (the 1 GiB file too).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugins_builtin.videos.streaming.hls_encode import live_transcode_speed, segment_command  # noqa: E402
from plugins_builtin.videos.streaming.hls_playlists import renditions_for, segment_bounds  # noqa: E402

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"
MIB = 1024 * 1024

DIRECT_APP = """
from werkzeug.utils import send_file
from plugin_sdk.files import send_source

PATH = {path!r}


def app(environ, start_response):
    if environ["PATH_INFO"] == "/stock":
        response = send_file(PATH, environ, mimetype="video/mp4", conditional=True, max_age=0)
    else:
        response = send_source(PATH, environ=environ)
    return response(environ, start_response)
"""

HLS_APP = """
from flask import Flask, send_file
from plugin_sdk.media import probe
from plugins_builtin.videos.streaming.hls import HlsCache
from plugins_builtin.videos.streaming.hls_playlists import find_rendition, renditions_for

SOURCE = {source!r}
INFO = probe(SOURCE, binary={ffprobe!r})
CACHE = HlsCache({cache!r}, ffmpeg={ffmpeg!r})
app = Flask(__name__)


@app.get("/hls/<rendition>/<int:seg>.ts")
def segment(rendition, seg):
    chosen = find_rendition(renditions_for(INFO.width, INFO.height), rendition)
    path = CACHE.segment("bench1", SOURCE, INFO.duration, chosen, seg)
    return send_file(path, mimetype="video/mp2t", max_age=31536000)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gunicorn -k gthread`` serving ``module:app`` from ``folder`` on a loopback port."""

    def __init__(self, folder: Path, module: str, *extra: str, threads: int = 4) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}"}
        cmd = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads)]
        cmd += ["-b", f"127.0.0.1:{self.port}", "--timeout", "300", *extra, f"{module}:app"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not start: {cmd}")

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the gunicorn master and its worker(s)."""
        pids = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry))
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Http:
    """A minimal keep-alive HTTP/1.1 client that reads bodies into one reusable buffer."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray(4 * MIB)
        self.view = memoryview(self.buf)
        self.pending = b""

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, int, bytes]:
        """GET ``path``; returns (status, body bytes received, first 16 bytes of the body)."""
        lines = [f"GET {path} HTTP/1.1", "Host: bench", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = self.pending
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        got = min(len(rest), length)
        prefix = bytes(rest[:16])
        self.pending = rest[length:]
        while got < length:
            n = self.sock.recv_into(self.view, min(len(self.buf), length - got))
            if n == 0:
                raise ConnectionError("short body")
            if len(prefix) < 16:
                prefix += bytes(self.view[: 16 - len(prefix)])
            got += n
        return status, got, prefix

    def close(self) -> None:
        self.sock.close()


def make_big_file(path: Path, size: int) -> None:
    block = os.urandom(64 * MIB)
    with path.open("wb") as f:
        written = 0
        while written < size:
            n = min(len(block), size - written)
            f.write(block[:n])
            written += n


def rate(nbytes: int, seconds: float) -> float:
    return nbytes / seconds / 1e6


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def bench_direct(tmp: Path, size: int, n_ranges: int) -> None:
    print(f"\n== direct play: {size / MIB:.0f} MiB random file, gunicorn gthread on loopback ==")
    big = tmp / "big.bin"
    began = time.perf_counter()
    make_big_file(big, size)
    print(f"created {big} in {time.perf_counter() - began:.1f}s (page cache warm)")
    (tmp / "direct_app.py").write_text(textwrap.dedent(DIRECT_APP.format(path=str(big))))
    rng = random.Random(7)
    offsets = [rng.randrange(0, size - MIB) for _ in range(n_ranges)]

    results: dict[str, float] = {}
    for label, extra in (("sendfile", ()), ("no-sendfile", ("--no-sendfile",))):
        server = Server(tmp, "direct_app", *extra)
        try:
            client = Http(server.port)
            client.get("/f", {"Range": "bytes=0-1023"})  # warm up
            best_whole = best_open = 0.0
            cpu_before, sent = server.cpu_seconds(), 0
            for _ in range(3):
                began = time.perf_counter()
                status, got, _ = client.get("/f")
                assert status == 200 and got == size
                best_whole = max(best_whole, rate(got, time.perf_counter() - began))
                began = time.perf_counter()
                status, got, _ = client.get("/f", {"Range": "bytes=1000-"})
                assert status == 206 and got == size - 1000
                best_open = max(best_open, rate(got, time.perf_counter() - began))
                sent += 2 * size
            cpu_per_gb = (server.cpu_seconds() - cpu_before) / (sent / 1e9) * 1000
            random_rate = 0.0
            for _ in range(3):
                began = time.perf_counter()
                for off in offsets:
                    status, got, _ = client.get("/f", {"Range": f"bytes={off}-{off + MIB - 1}"})
                    assert status == 206 and got == MIB
                random_rate = max(random_rate, rate(len(offsets) * MIB, time.perf_counter() - began))
            client.close()
        finally:
            server.close()
        results[label] = best_open
        print(
            f"send_source [{label:11}] whole file {best_whole:8.0f} MB/s | open-ended range {best_open:8.0f} MB/s"
            f" | {n_ranges} random 1 MiB ranges {random_rate:7.0f} MB/s ({random_rate / best_whole:.0%} of whole)"
            f" | server CPU {cpu_per_gb:.0f} ms/GB"
        )
        if label == "sendfile":
            print(f"  target open-ended ≥ 300 MB/s: {verdict(best_open >= 300)}")
            print(f"  target random 1 MiB ≥ 50 % of whole-file: {verdict(random_rate >= 0.5 * best_whole)}")

    server = Server(tmp, "direct_app")
    try:
        client = Http(server.port)
        sample = offsets[:8]
        began = time.perf_counter()
        for off in sample:
            status, got, _ = client.get("/stock", {"Range": f"bytes={off}-{off + MIB - 1}"})
            assert status == 206 and got == MIB
        stock = rate(len(sample) * MIB, time.perf_counter() - began)
        began = time.perf_counter()
        status, got, _ = client.get("/stock", {"Range": "bytes=1000-"})
        stock_open = rate(got, time.perf_counter() - began)
        client.close()
    finally:
        server.close()
    print(
        f"stock werkzeug send_file (for comparison): open-ended range {stock_open:6.0f} MB/s | "
        f"{len(sample)} random 1 MiB ranges {stock:6.1f} MB/s (reads from byte 0 through an 8 KiB iterator)"
    )
    big.unlink()


def bench_hls(tmp: Path) -> None:
    print("\n== HLS: 720p30 testsrc2 source (120 s, H.264 veryfast crf 23 + AAC) ==")
    source = tmp / "src720.mp4"
    subprocess.run(
        [
            *[FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
            *["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=120", "-f", "lavfi", "-i", "sine=f=440:d=120"],
            *["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-shortest", str(source)],
        ],
        check=True,
    )
    rendition = renditions_for(1280, 720)[0]
    duration = 120.0
    picks = [3, 7, 11, 15, 19]
    seg_dir = tmp / "cache" / "hls" / "be" / "bench1" / rendition.name

    def settle(*indexes: int) -> None:
        """Wait until the server's prefetch of ``indexes`` is done (measure on an idle box)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all((seg_dir / f"{i}.ts").exists() for i in indexes):
            time.sleep(0.1)
        time.sleep(0.3)

    (tmp / "hls_app.py").write_text(
        textwrap.dedent(HLS_APP.format(source=str(source), ffprobe=FFPROBE, ffmpeg=FFMPEG, cache=str(tmp / "cache")))
    )
    server = Server(tmp, "hls_app")
    try:
        alone: list[float] = []
        first: list[float] = []
        cached: list[float] = []
        for index in picks:  # interleaved, so drifting background load hits both alike
            start, length = segment_bounds(duration, index)
            cmd = segment_command(source, rendition, start, length, tmp / f"alone{index}.ts", FFMPEG)
            began = time.perf_counter()
            subprocess.run(cmd, check=True)
            alone.append(time.perf_counter() - began)
            began = time.perf_counter()
            client = Http(server.port)  # (gunicorn closes idle keep-alive connections after 2 s)
            status, got, prefix = client.get(f"/hls/720p/{index}.ts")
            first.append(time.perf_counter() - began)
            client.close()
            assert status == 200 and got > 0 and prefix[:1] == b"\x47", (status, got)
            settle(index + 1, index + 2)
        client = Http(server.port)
        for _ in range(3):
            for index in picks:
                began = time.perf_counter()
                status, got, _ = client.get(f"/hls/720p/{index}.ts")
                cached.append(time.perf_counter() - began)
        client.close()
        client = Http(server.port)
        status, _, _ = client.get("/hls/720p/0.ts")  # starts prefetching 1 and 2 …
        began = time.perf_counter()
        status, got, _ = client.get("/hls/720p/10.ts")  # … while the viewer seeks elsewhere
        seek_busy = time.perf_counter() - began
        client.close()
        assert status == 200 and got > 0
        settle(1, 2, 11, 12)
        ratio = statistics.median(first) / statistics.median(alone)
        print(
            f"ffmpeg alone, one 720p segment: {', '.join(f'{t:.2f}' for t in alone)} s "
            f"(median {statistics.median(alone):.2f} s)"
        )
        print(
            f"first HLS segment over HTTP   : {', '.join(f'{t:.2f}' for t in first)} s "
            f"(median {statistics.median(first):.2f} s) = {ratio:.2f}× ffmpeg alone — "
            f"target ≤ 1.25×: {verdict(ratio <= 1.25)}"
        )
        print(
            f"seek while prefetch runs      : {seek_busy:.2f} s = "
            f"{seek_busy / statistics.median(alone):.2f}× ffmpeg alone"
            " (prefetch runs at nice 10; a foreground request preempts it when both slots are taken)"
        )
        print(
            f"cached segment over HTTP      : median {statistics.median(cached) * 1000:.1f} ms, "
            f"max {max(cached) * 1000:.1f} ms — target ≤ 20 ms: {verdict(max(cached) <= 0.020)}"
        )
        client.close()
    finally:
        server.close()

    # sustained: a fresh cache, segments requested back to back like a player filling its buffer
    shutil.rmtree(tmp / "cache", ignore_errors=True)
    server = Server(tmp, "hls_app")
    try:
        client = Http(server.port)
        began = time.perf_counter()
        for index in range(10):
            status, got, _ = client.get(f"/hls/720p/{index}.ts")
            assert status == 200 and got > 0
        elapsed = time.perf_counter() - began
        client.close()
    finally:
        server.close()
    speed = 60.0 / elapsed
    print(
        f"sustained 720p via HLS (10 segments back to back, prefetch on): 60 s of video in "
        f"{elapsed:.1f} s = {speed:.1f}× real time — target ≥ 1.5×: {verdict(speed >= 1.5)}"
    )
    continuous = tmp / "continuous.ts"
    cmd = segment_command(source, rendition, 0.0, 60.0, continuous, FFMPEG)
    began = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"one continuous 720p ffmpeg encode of 60 s: {60.0 / (time.perf_counter() - began):.1f}× real time")

    print("\n== live_transcode_speed (1080p30 testsrc2 + light grain source, one 6 s segment) ==")
    for height in (1080, 720):
        one = live_transcode_speed(height, ffmpeg=FFMPEG)
        two = live_transcode_speed(height, ffmpeg=FFMPEG, parallel=2)
        print(f"{height}p: {one:.1f}× real time alone, {two:.1f}× each with two encodes at once")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the direct-play test file")
    parser.add_argument("--ranges", type=int, default=100, help="random 1 MiB range requests per pass (best of 3)")
    parser.add_argument("--skip-direct", action="store_true")
    parser.add_argument("--skip-hls", action="store_true")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder (for debugging)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="obscura-bench-streaming-"))
    print(f"{os.cpu_count()} CPUs, temporary folder {tmp}")
    try:
        if not args.skip_direct:
            bench_direct(tmp, args.size_mib * MIB, args.ranges)
        if not args.skip_hls:
            bench_hls(tmp)
    finally:
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
