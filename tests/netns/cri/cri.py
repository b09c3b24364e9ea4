#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cri.py: a minimal CRI client, as a kubelet drives a runtime, for tests/netns/cri.sh.

It speaks runtime.v1 over gRPC to a containerd socket, with stubs that
grpc_tools.protoc generated from runtime.proto into $CRI_STUBS at test time.
Requests are given as JSON in the API's own field names and read with
protobuf's json_format, answers printed as JSON (or plain for ids):

    cri.py SOCKET version
    cri.py SOCKET runp POD_CONFIG_JSON             -> pod id
    cri.py SOCKET podstatus POD                    -> {"state", "ip", "ips"}
    cri.py SOCKET stopp POD | rmp POD
    cri.py SOCKET create POD CONTAINER_CONFIG_JSON POD_CONFIG_JSON -> container id
    cri.py SOCKET start ID | stop ID | rm ID
    cri.py SOCKET exec ID TIMEOUT CMD...           -> its stdout; its exit status
    cri.py SOCKET image NAME                       -> image id, or nothing

An RPC that fails prints "cri.py: METHOD: STATUS: DETAILS" on stderr and
exits 1; a usage error exits 2.
"""
import json
import os
import sys

sys.path.insert(0, os.environ.get("CRI_STUBS", "/tmp/cri-stubs"))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import runtime_pb2 as api  # noqa: E402
import runtime_pb2_grpc as rpc  # noqa: E402

TIMEOUT = 120  # seconds for one call: RunPodSandbox runs the CNI chain


def call(stub, method, request):
    try:
        return getattr(stub, method)(request, timeout=TIMEOUT)
    except grpc.RpcError as e:
        print(f"cri.py: {method}: {e.code().name}: {e.details()}", file=sys.stderr)
        sys.exit(1)


def parse(text, message):
    return json_format.ParseDict(json.loads(text), message)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    channel = grpc.insecure_channel("unix://" + argv[1])
    rt = rpc.RuntimeServiceStub(channel)
    verb, args = argv[2], argv[3:]
    if verb == "version" and not args:
        r = call(rt, "Version", api.VersionRequest(version="v1"))
        print(json_format.MessageToJson(r, indent=None))
    elif verb == "runp" and len(args) == 1:
        config = parse(args[0], api.PodSandboxConfig())
        r = call(rt, "RunPodSandbox", api.RunPodSandboxRequest(config=config))
        print(r.pod_sandbox_id)
    elif verb == "podstatus" and len(args) == 1:
        r = call(rt, "PodSandboxStatus", api.PodSandboxStatusRequest(pod_sandbox_id=args[0]))
        net = r.status.network
        print(json.dumps({
            "state": api.PodSandboxState.Name(r.status.state),
            "ip": net.ip,
            "ips": [net.ip] + [a.ip for a in net.additional_ips] if net.ip else [],
        }))
    elif verb == "stopp" and len(args) == 1:
        call(rt, "StopPodSandbox", api.StopPodSandboxRequest(pod_sandbox_id=args[0]))
    elif verb == "rmp" and len(args) == 1:
        call(rt, "RemovePodSandbox", api.RemovePodSandboxRequest(pod_sandbox_id=args[0]))
    elif verb == "create" and len(args) == 3:
        r = call(rt, "CreateContainer", api.CreateContainerRequest(
            pod_sandbox_id=args[0],
            config=parse(args[1], api.ContainerConfig()),
            sandbox_config=parse(args[2], api.PodSandboxConfig())))
        print(r.container_id)
    elif verb == "start" and len(args) == 1:
        call(rt, "StartContainer", api.StartContainerRequest(container_id=args[0]))
    elif verb == "stop" and len(args) == 1:
        call(rt, "StopContainer", api.StopContainerRequest(container_id=args[0], timeout=2))
    elif verb == "rm" and len(args) == 1:
        call(rt, "RemoveContainer", api.RemoveContainerRequest(container_id=args[0]))
    elif verb == "exec" and len(args) >= 3:
        r = call(rt, "ExecSync", api.ExecSyncRequest(
            container_id=args[0], timeout=int(args[1]), cmd=args[2:]))
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.buffer.write(r.stderr)
        return r.exit_code
    elif verb == "image" and len(args) == 1:
        im = rpc.ImageServiceStub(channel)
        r = call(im, "ImageStatus", api.ImageStatusRequest(image=api.ImageSpec(image=args[0])))
        if r.image.id:
            print(r.image.id)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
