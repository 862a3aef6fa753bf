#!/usr/bin/env python3
"""Writes an image tarball from a root filesystem directory, with no registry and no Docker engine.

The tarball is a Docker archive (manifest.json + config + layer blobs) because both `docker load` and
`ctr images import` read it and containerd then names the image the way the kubelet looks it up
(kappa/pause:1.0 becomes the fully qualified default-registry name). An OCI layout would need that fully
qualified name written into index.json. With --base, the layers and config of an image tarball written by this
tool come first, so images can be layered on kappa/node-base.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

def fail(message):
    print(f"image-tarball: error: {message}", file=sys.stderr)
    sys.exit(2)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest(), os.path.getsize(path)


def layer_from_dir(rootfs, workdir):
    """Tar the directory deterministically (sorted, mtime 0, numeric owners kept) with GNU tar; return (digest, size, path)."""
    path = os.path.join(workdir, "layer.tar")
    # The "./" entry sets the mode of the image's "/": a mktemp -d directory (0700) would lock out non-root users.
    os.chmod(rootfs, 0o755)
    subprocess.run(
        ["tar", "--sort=name", "--numeric-owner", "--mtime=@0", "--hard-dereference",
         "-C", rootfs, "-cf", path, "."],
        check=True,
    )
    digest, size = sha256_file(path)
    return digest, size, path


def read_base(base_tar):
    """Return (config dict, [(digest, size)]) of an image tarball written by this tool."""
    with tarfile.open(base_tar) as t:
        manifest = json.load(t.extractfile("manifest.json"))[0]
        config = json.load(t.extractfile(manifest["Config"]))
        layers = [(path.rsplit("/", 1)[1], t.getmember(path).size) for path in manifest["Layers"]]
    return config, layers


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--name", required=True, action="append", help="image reference, e.g. kappa/node-base:20 (repeatable)")
    p.add_argument("--rootfs", required=True, help="directory that becomes the top layer")
    p.add_argument("--output", required=True, help="tarball to write")
    p.add_argument("--base", help="image tarball written by this tool to layer on")
    p.add_argument("--entrypoint", help='JSON array, e.g. ["/pause"]')
    p.add_argument("--cmd", help="JSON array")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE (repeatable)")
    p.add_argument("--workdir")
    p.add_argument("--user")
    p.add_argument("--expose", action="append", default=[], help="port/proto, e.g. 8080/tcp (repeatable)")
    a = p.parse_args()

    for name in a.name:
        if ":" not in name.rsplit("/", 1)[-1]:
            fail(f"--name {name!r} has no tag; give name:tag (e.g. kappa/node-base:20)")
    if not os.path.isdir(a.rootfs):
        fail(f"--rootfs {a.rootfs!r} is not a directory")

    base_config, base_layers = ({"config": {}, "rootfs": {"diff_ids": []}}, [])
    if a.base:
        if not os.path.isfile(a.base):
            fail(f"--base {a.base!r} does not exist; build the base image first")
        base_config, base_layers = read_base(a.base)

    cfg = dict(base_config.get("config") or {})
    env = list(cfg.get("Env") or [])
    for kv in a.env:
        if "=" not in kv:
            fail(f"--env {kv!r} must be KEY=VALUE")
        key = kv.split("=", 1)[0]
        env = [e for e in env if not e.startswith(key + "=")] + [kv]
    if env:
        cfg["Env"] = env
    for field, value in (("Entrypoint", a.entrypoint), ("Cmd", a.cmd)):
        if value is not None:
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, list) or not all(isinstance(x, str) for x in parsed):
                fail(f"--{field.lower()} must be a JSON array of strings, got {value!r}")
            cfg[field] = parsed
    if a.workdir:
        cfg["WorkingDir"] = a.workdir
    if a.user:
        cfg["User"] = a.user
    if a.expose:
        cfg["ExposedPorts"] = {port: {} for port in a.expose}

    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(a.output))) as work:
        digest, size, layer_path = layer_from_dir(a.rootfs, work)
        layers = base_layers + [(digest, size)]
        config = {
            "architecture": "amd64",
            "os": "linux",
            "config": cfg,
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{d}" for d, _ in layers]},
            "history": (base_config.get("history") or []) + [{"created_by": f"image-tarball.py {a.rootfs}"}],
        }
        config_bytes = json.dumps(config, sort_keys=True).encode()
        config_digest = hashlib.sha256(config_bytes).hexdigest()
        docker_manifest = [{
            "Config": f"blobs/sha256/{config_digest}",
            "RepoTags": a.name,
            "Layers": [f"blobs/sha256/{d}" for d, _ in layers],
        }]

        tmp_out = a.output + ".tmp"
        with tarfile.open(tmp_out, "w") as out:
            def add_bytes(name, data):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))

            add_bytes("manifest.json", json.dumps(docker_manifest).encode())
            add_bytes(f"blobs/sha256/{config_digest}", config_bytes)
            if base_layers:
                with tarfile.open(a.base) as base:
                    for d, _ in base_layers:
                        member = base.getmember(f"blobs/sha256/{d}")
                        out.addfile(member, base.extractfile(member))
            out.add(layer_path, arcname=f"blobs/sha256/{digest}")
        os.replace(tmp_out, a.output)
    print(a.output)


if __name__ == "__main__":
    main()
