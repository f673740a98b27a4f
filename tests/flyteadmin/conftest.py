"""The real FlyteAdmin for pytest suites (../shared/flyteadmin, FlyteAdmin v1.16.8).

Fixture:
  admin_lab  (session) the lab, brought up by ../shared/flyteadmin/up.sh in a new temporary
             directory on free loopback ports and stopped with down.sh --purge at the end.
             Attributes: local_url and s3_url (the HTTP gateways of the "local" and "s3"
             instances; each one's gRPC port is its HTTP port + 1), s3_endpoint (moto's
             S3, http://127.0.0.1:PORT, bucket flyte-bucket, keys minio / miniostorage),
             workdir, and s3() (a boto3 client for moto).

Every test that uses it is skipped, with the reason, when ../shared/flyteadmin (relative to
the repository; FLYTEADMIN_LAB overrides it) is absent: reported as skipped, never passed.
"""
import os
import random
import shutil
import socket
import subprocess
import tempfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.environ.get("FLYTEADMIN_LAB") or os.path.join(os.path.dirname(REPO), "shared", "flyteadmin")
BUCKET = "flyte-bucket"


def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_ports(n_single, n_triples):
    """n_single free ports and n_triples free runs of three (FlyteAdmin: HTTP, gRPC, profiler),
    below the kernel's ephemeral range, where no outgoing connection takes them meanwhile."""
    rng = random.Random()
    taken, single, triples = set(), [], []
    while len(single) + len(triples) < n_single + n_triples:
        want = 1 if len(single) < n_single else 3
        base = rng.randrange(20000, 32000 - 3)
        run = set(range(base, base + want))
        if not taken & run and all(_port_free(p) for p in run):
            (single if want == 1 else triples).append(base)
            taken |= run
    return single, triples


class AdminLab:
    def __init__(self, workdir):
        self.workdir = workdir
        self.pick_ports()

    def pick_ports(self):
        (pg, k8s, s3), (admin, admin_s3) = _free_ports(3, 2)
        self.env = dict(os.environ, PG_PORT=str(pg), K8S_PORT=str(k8s), S3_PORT=str(s3),
                        ADMIN_PORT=str(admin), ADMIN_S3_PORT=str(admin_s3))
        self.local_url = "http://127.0.0.1:%d" % admin
        self.s3_url = "http://127.0.0.1:%d" % admin_s3
        self.s3_endpoint = "http://127.0.0.1:%d" % s3

    def up(self):
        for attempt in range(3):
            p = subprocess.run([os.path.join(LAB, "up.sh"), self.workdir], env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
            if p.returncode == 0:
                break
            self.down()
            err = p.stderr.decode(errors="replace")
            if "already in use" not in err or attempt == 2:
                raise RuntimeError("up.sh failed (%d): %s" % (p.returncode, err[-3000:]))
            self.pick_ports()  # another program took a port between the check and the start
        urls = p.stdout.decode().split()
        assert urls == [self.local_url, self.s3_url], urls

    def down(self):
        subprocess.run([os.path.join(LAB, "down.sh"), self.workdir, "--purge"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)

    def s3(self):
        import boto3
        return boto3.client("s3", endpoint_url=self.s3_endpoint, aws_access_key_id="minio",
                            aws_secret_access_key="miniostorage", region_name="us-east-1")


@pytest.fixture(scope="session")
def admin_lab():
    if not os.path.isfile(os.path.join(LAB, "up.sh")):
        pytest.skip("the real FlyteAdmin is not here: %s/up.sh is missing" % LAB)
    # Under /tmp: the PostgreSQL user must be able to pass through every parent directory.
    workdir = tempfile.mkdtemp(prefix="flyteadmin-lab-", dir="/tmp")
    lab = AdminLab(workdir)
    try:
        lab.up()
        yield lab
    finally:
        lab.down()
        shutil.rmtree(workdir, ignore_errors=True)
