"""The scale-out stack's plan, without starting anything: nginx's config from the template, the checks."""

import shutil
import subprocess
from pathlib import Path

import pytest
from assistant.ui.cluster import Cluster, ClusterError, render_nginx


def test_the_config_fronts_every_worker_with_sticky_sessions(tmp_path):
    conf = render_nginx("127.0.0.1", 7860, [7861, 7862, 7863], tmp_path, 4 * 1024 * 1024)
    assert "@" not in "".join(line.split("#")[0] for line in conf.splitlines())  # every placeholder filled
    for port in (7861, 7862, 7863):
        assert f"server 127.0.0.1:{port} max_fails=1" in conf
    assert "listen 127.0.0.1:7860;" in conf
    assert "hash $mc_sticky consistent;" in conf and "mc_sticky=$request_id" in conf
    assert "proxy_buffering off;" in conf  # answers stream as server-sent events
    assert "client_max_body_size 4096k;" in conf
    assert "daemon off;" in conf and f"pid {tmp_path}/nginx.pid;" in conf
    lines = [line.split("#")[0] for line in conf.splitlines() if "location" not in line]
    paths = [word for line in lines for word in line.split() if word.startswith("/")]
    assert paths and all(p.startswith(str(tmp_path)) for p in paths), paths  # nothing outside the run dir


def test_ipv6_listen_address(tmp_path):
    assert "listen [::1]:8000;" in render_nginx("::1", 8000, [8001], tmp_path, 1024)


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="no nginx")
def test_nginx_accepts_the_config(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / sub).mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx("127.0.0.1", 7860, [7861, 7862], tmp_path, 1024 * 1024))
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_workers_take_the_ports_after_the_balancer(tmp_path):
    cluster = Cluster(3, port=9000, run_dir=tmp_path, env={})
    assert cluster.worker_ports == [9001, 9002, 9003] and cluster.url == "http://127.0.0.1:9000/"


def test_a_local_model_per_worker_is_refused(tmp_path):
    with pytest.raises(ClusterError, match="OpenAI-compatible"):
        Cluster(2, run_dir=tmp_path, llm="local", env={})
    with pytest.raises(ClusterError, match="at least 1"):
        Cluster(0, run_dir=tmp_path, env={})
