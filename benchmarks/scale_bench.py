"""Scale-out benchmark: throughput and latency with 1 and with 2 app processes behind nginx.

Run: .venv/bin/python benchmarks/scale_bench.py [--workers 1 2] [--sessions 1 20] [--rounds 3]

Each configuration is the real stack of `modelchoice ui --workers N` (`ui.cluster.Cluster`): N app processes
on consecutive loopback ports, nginx in front with sticky sessions, one `chroma run` server. The simulated
users are those of ui_bench.py (each its own browser session through Gradio's REST route, keeping the
balancer's cookie and the conversation copy), back to back, all starting together. Server CPU per turn
sums the app processes, nginx and the Chroma server (/proc/<pid>/stat). On this 2-core machine the load
generator competes with the servers for the same cores, so the gain from a second process is a lower
bound of what two machines (or more cores) give.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ui_bench import HttpUser, free_port, idle_cpu, measure, run_users


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    args = parser.parse_args()

    from assistant.ui.cluster import Cluster

    data_dir = tempfile.mkdtemp(prefix="modelchoice-scale-bench-")
    env = {**os.environ, "MODELCHOICE_DATA_DIR": data_dir, "MODELCHOICE_LLM": "none"}
    env.pop("MODELCHOICE_CHROMA_URL", None)
    try:
        for workers in args.workers:
            port = free_port()
            while any(_taken(port + i) for i in range(1, workers + 1)):
                port = free_port()
            cluster = Cluster(workers, port=port, run_dir=Path(data_dir) / f"run-{workers}", env=env).start()
            try:
                apps = [w.pid for w in cluster.workers if w.pid]
                others = [c.pid for c in (cluster.nginx, cluster.chroma) if c and c.pid]
                pids = apps + others  # the search runs in the Chroma server here: its CPU counts too
                run_users(cluster.url, 2 * workers, HttpUser)  # warm-up
                idle = idle_cpu(pids) * 1000
                memory = ", ".join(f"{rss_mb(pid):.0f}" for pid in apps)
                print(
                    f"{workers} app process(es) behind nginx: idle CPU {idle:.2f} ms per second (all "
                    f"processes); memory (RSS) per app process: {memory} MB",
                    flush=True,
                )
                for users in args.sessions:
                    print(f"  {measure(cluster.url, pids, users, args.rounds, HttpUser)}", flush=True)
            finally:
                cluster.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _taken(port: int) -> bool:
    from assistant.ui.cluster import port_free

    return not port_free("127.0.0.1", port)


if __name__ == "__main__":
    main()
