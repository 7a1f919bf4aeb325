#!/usr/bin/env python3
"""Measures how long the course kernel takes to start: until it answers, until a first cell prints, and the first
ND4J call (which loads the native libraries). Run after ./course setup:  /usr/bin/python3 tools/kernel_start.py [N]"""
import os
import subprocess
import sys
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent
os.environ["JUPYTER_PATH"] = str(ROOT / "build" / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")


def wait_idle(kc, msg_id, on_output=None):
    while True:
        m = kc.get_iopub_msg(timeout=120)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if on_output and m["msg_type"] in ("stream", "execute_result", "display_data"):
            on_output()
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return


def once():
    t0 = time.monotonic()
    km = KernelManager(kernel_name="bigmodels-java")
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the kernel's own log is noisy
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        ready = time.monotonic() - t0
        first = []
        wait_idle(kc, kc.execute('System.out.println("hello"); 1 + 1'),
                  lambda: first.append(time.monotonic() - t0) if not first else None)
        t1 = time.monotonic()
        wait_idle(kc, kc.execute("org.nd4j.linalg.factory.Nd4j.rand(2, 2).sumNumber()"))
        return ready, first[0], time.monotonic() - t1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        ready, first, nd4j = once()
        print("kernel start -> ready %.1f s, -> first cell output %.1f s; first ND4J cell %.1f s" % (ready, first, nd4j))
