"""The app listens on the loopback address unless told otherwise, and the
nginx configuration that deploy/ renders is valid for any number of replicas."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
from run_replicas import main as run_replicas_main  # noqa: E402
from run_replicas import render_main, render_site  # noqa: E402


def test_streamlit_listens_on_loopback_by_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    # Streamlit itself, started from the repository as the README says, reads it
    done = subprocess.run([sys.executable, "-c",
                           "from streamlit import config; config.get_config_options(force_reparse=True);"
                           " print(config.get_option('server.address'))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "127.0.0.1", done.stderr
    readme = (ROOT / "README.md").read_text()
    run = re.search(r"^Run .*?```\n(.*?)```", readme, re.S | re.M).group(1)
    assert "streamlit run app.py" in run and "server.address" not in run


@pytest.mark.parametrize("replicas", [1, 3])
def test_rendered_nginx_configuration_is_valid(tmp_path, replicas):
    ports = [18501 + i for i in range(replicas)]
    site = render_site(ports, "127.0.0.1:18080", secure_cookie=True)
    for i, port in enumerate(ports):
        assert f"upstream qp_r{i + 1} {{\n    server 127.0.0.1:{port} max_fails=1" in site
    assert "{{" not in site and "Secure" in site
    assert site.count("backup;") == replicas * (replicas - 1)
    assert 'add_header X-Frame-Options "DENY" always;' in site
    assert "location ^~ /_stcore/metrics {\n        return 404;" in site
    (tmp_path / "qplatform.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(render_main(tmp_path, tmp_path / "qplatform.conf"))
    (tmp_path / "tmp").mkdir()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "the Debian package nginx is needed (apt-get install nginx)"
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_render_command_writes_the_site_file(tmp_path, capsys):
    out = tmp_path / "site.conf"
    assert run_replicas_main(["--replicas", "2", "--first-port", "9001", "--render", str(out),
                              "--listen", "8088"]) == 0
    text = out.read_text()
    assert "listen 8088;" in text and "127.0.0.1:9002" in text and "Secure" not in text
    assert run_replicas_main(["--replicas", "2", "--render", str(out), "--listen", "443 ssl",
                              "--secure-cookie"]) == 0
    assert "SameSite=Lax; Secure" in out.read_text()
    assert "wrote" in capsys.readouterr().out
