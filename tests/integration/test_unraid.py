"""deploy/unraid/ddc.xml, the Unraid Community Applications template: parsed
with xml.etree and checked against the image built for this session (its
ports are the image's, its paths and variables are what the entrypoint
reads, with the entrypoint's defaults), then run the way Unraid runs a
template (-p, -v, -e and ExtraParams from the XML): the container turns
healthy, serves the web UI on the template's port and owns its AppData as
PUID:PGID.
"""
import json
import os
import re
import shlex
import uuid
import xml.etree.ElementTree as ET


from conftest import ROOT, docker_cmd, free_port, wait_for
from test_web_http import Http

TEMPLATE = os.path.join(ROOT, "deploy", "unraid", "ddc.xml")
SOCK = "/var/run/docker.sock"


def template():
    root = ET.parse(TEMPLATE).getroot()
    configs = [c.attrib | {"value": (c.text or "").strip()} for c in root.findall("Config")]
    return root, configs


def image_env(image):
    """The variables the entrypoint reads, with their defaults."""
    out = docker_cmd("run", "--rm", "--network", "none", image, "env")
    return dict(line.split("=", 1) for line in out.splitlines())


def test_template_matches_the_image(ddc_image):
    root, configs = template()
    assert root.tag == "Container" and root.get("version") == "2"
    assert root.findtext("Name") == "ddc"
    assert root.findtext("Repository").startswith("ddc:")
    assert root.findtext("Network") == "bridge"
    assert root.findtext("Privileged") == "false"
    webui = re.fullmatch(r"http://\[IP\]:\[PORT:(\d+)\]/", root.findtext("WebUI"))
    assert webui, root.findtext("WebUI")

    targets = [c["Target"] for c in configs]
    assert len(targets) == len(set(targets)), targets
    for c in configs:
        assert c["Type"] in ("Port", "Path", "Variable"), c
        assert c["Name"] and c["Description"], c
        assert c["Default"] == c["value"], c
        assert c["Display"] in ("always", "advanced"), c
        assert c["Required"] in ("true", "false") and c["Mask"] in ("true", "false"), c

    exposed = json.loads(docker_cmd("image", "inspect", ddc_image))[0]["Config"]["ExposedPorts"]
    ports = [c for c in configs if c["Type"] == "Port"]
    assert {f"{c['Target']}/{c['Mode']}" for c in ports} == set(exposed)
    assert webui.group(1) in {c["Target"] for c in ports}

    env = image_env(ddc_image)
    variables = {c["Target"]: c for c in configs if c["Type"] == "Variable"}
    for name in variables:
        assert name in env, f"{name} is not read by the entrypoint ({sorted(env)})"
    # What Unraid users know: the template's ids are Unraid's nobody:users.
    assert variables["PUID"]["Default"] == "99" and variables["PGID"]["Default"] == "100"
    assert variables["DDC_HOST"]["Default"] == env["DDC_HOST"]

    # Paths: the data folder, the import folder and the Docker socket, each
    # where the entrypoint looks by default.
    paths = {c["Target"]: c for c in configs if c["Type"] == "Path"}
    assert set(paths) == {env["DDC_DATA"], env["DDC_IMPORT_DIR"], env["DDC_DOCKER_SOCKET"]}
    assert paths[env["DDC_DATA"]]["Mode"] == "rw"
    assert paths[env["DDC_DATA"]]["Default"].startswith("/mnt/user/appdata/")
    assert paths[env["DDC_IMPORT_DIR"]]["Mode"] == "ro"
    assert paths[env["DDC_IMPORT_DIR"]]["Required"] == "false"
    assert paths[env["DDC_DOCKER_SOCKET"]]["Required"] == "true"


def test_template_runs_as_unraid_would(ddc_image, tmp_path):
    root, configs = template()
    name = "ddct-unraid-" + uuid.uuid4().hex[:8]
    network = name + "-net"
    host_dirs = {"/data": tmp_path / "appdata", "/app/config": tmp_path / "ddc-config"}
    port = free_port()
    args = ["run", "-d", "--name", name, "--network", network]
    for c in configs:
        if c["Type"] == "Port":
            args += ["-p", f"127.0.0.1:{port}:{c['Target']}/{c['Mode']}"]
        elif c["Type"] == "Path":
            source = host_dirs.get(c["Target"], c["value"])
            args += ["-v", f"{source}:{c['Target']}:{c['Mode']}"]
        else:
            args += ["-e", f"{c['Target']}={c['value']}"]
    args += shlex.split(root.findtext("ExtraParams") or "")
    # This machine's engine has no default bridge: a network of the test's own.
    docker_cmd("network", "create", network)
    try:
        docker_cmd(*args, "--health-interval", "1s", ddc_image)

        def healthy():
            state = json.loads(docker_cmd("inspect", name))[0]["State"]
            assert state["Running"], docker_cmd("logs", name, check=False).stderr[-3000:]
            return state.get("Health", {}).get("Status") == "healthy"
        wait_for(healthy, timeout=40, step=0.2, what="the template's container to be healthy")
        health = json.loads(Http(port).get("/health").text)
        assert health["broker"] is True and health["setup_required"] is True, health
        out = docker_cmd("exec", name, "ddc-ctl", "health", "docker@local")
        assert "docker@local: connected" in out, out
        st = os.stat(host_dirs["/data"] / "config.json")
        assert (st.st_uid, st.st_gid) == (99, 100)
        # The import folder was empty: nothing imported, nothing written there.
        assert list(host_dirs["/app/config"].iterdir()) == []
    finally:
        docker_cmd("rm", "-f", name, check=False)
        docker_cmd("network", "rm", network, check=False)
