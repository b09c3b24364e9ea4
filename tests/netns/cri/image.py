#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""image.py: an OCI image archive made of busybox-static, for "ctr images import".

    image.py OUT.tar NAME [BUSYBOX]

One layer: /bin/busybox (Debian's busybox-static, or BUSYBOX) and links to
it for the applets the tests use, /www/index.html for httpd, /etc/passwd and
/etc/group. Its command is "sleep 2147483647", so that the same image is the
pod's sandbox ("pause") image too. The archive is an OCI image layout
(oci-layout, index.json, blobs/sha256/) whose manifest carries NAME in the
annotation containerd names imported images by (io.containerd.image.name).
Everything is owned by root with time 0: the same input gives the same
archive, byte for byte.
"""
import gzip
import hashlib
import io
import json
import platform
import sys
import tarfile

APPLETS = ["sh", "sleep", "httpd", "nc", "cat", "echo", "hostname", "ip", "ls", "true"]
ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64", "i686": "386"}


def add(tar, name, data=None, mode=0o644, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, link
    info.mtime = info.uid = info.gid = 0
    info.uname = info.gname = "root"
    if data is not None:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def layer(busybox):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in ["bin", "etc", "www", "tmp", "proc", "sys", "dev"]:
            add(tar, d, mode=0o1777 if d == "tmp" else 0o755, kind=tarfile.DIRTYPE)
        with open(busybox, "rb") as f:
            add(tar, "bin/busybox", f.read(), mode=0o755)
        for a in APPLETS:
            add(tar, "bin/" + a, kind=tarfile.SYMTYPE, link="busybox", mode=0o777)
        add(tar, "www/index.html", b"hello from a pod\n")
        add(tar, "etc/passwd", b"root:x:0:0:root:/:/bin/sh\n")
        add(tar, "etc/group", b"root:x:0:\n")
    return out.getvalue()


def blob(tar, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    add(tar, "blobs/sha256/" + digest[7:], data)
    return {"digest": digest, "size": len(data)}


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    out, name = argv[1], argv[2]
    raw = layer(argv[3] if len(argv) == 4 else "/bin/busybox")
    gz = gzip.compress(raw, mtime=0)
    config = json.dumps({
        "architecture": ARCH.get(platform.machine(), platform.machine()),
        "os": "linux",
        "config": {"Cmd": ["/bin/sleep", "2147483647"], "Env": ["PATH=/bin"],
                   "WorkingDir": "/"},
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
    }, sort_keys=True).encode()
    with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "blobs", kind=tarfile.DIRTYPE, mode=0o755)
        add(tar, "blobs/sha256", kind=tarfile.DIRTYPE, mode=0o755)
        cfg = blob(tar, config)
        lay = blob(tar, gz)
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
            "layers": [dict(lay, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
        }, sort_keys=True).encode()
        man = blob(tar, manifest)
        index = {"schemaVersion": 2, "manifests": [dict(
            man, mediaType="application/vnd.oci.image.manifest.v1+json",
            annotations={"io.containerd.image.name": name,
                         "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]})]}
        add(tar, "index.json", json.dumps(index, sort_keys=True).encode())
        add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
