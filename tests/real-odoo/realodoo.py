#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot and stop real Odoo servers (16.0-19.0) on 127.0.0.1 for the tests.

    realodoo.py up VERSION [--workers N]   boot (a template database makes a rerun take
                                seconds), print URL, database and API key file
    realodoo.py down VERSION    stop it
    realodoo.py restart VERSION [--pause SECONDS] [--workers N]   stop, wait, start on the same port
    realodoo.py env VERSION     print `export` lines for a running server
    realodoo.py template VERSION   only build the template database
    realodoo.py status          the servers this harness runs
    realodoo.py pg              start PostgreSQL 15/main if it is down, wait until it takes connections

--workers N: Odoo's `workers` (default 0: one threaded process; N > 0: the
prefork server with N worker processes, as production runs it).

Sources: $ODOO_SRC_<V> (a checkout holding odoo-bin), else the archive
odoo-<V>.0.tar.zst of $ODOO_ARCHIVES (default: ../shared/real-odoo beside the
project), unpacked once under the state directory. Without either, `up`
prints one line and exits 77 (the tests' "skipped" code).

State: $LIBODOO_REAL_ODOO_DIR (default /var/tmp/libodoo-real-odoo): the
unpacked sources, one folder per version with odoo.conf, data_dir, log,
server.json and the admin API key file. PostgreSQL: the Debian 15 cluster
(started if down), one role `libodoo_odoo<V>` and database `libodoo_<V>` per
version, copied from the template `libodoo_tpl_<V>_<hash>` (hash of the
seed script and the sources), built with `-i sale_management,stock`, demo
data and tests/real-odoo/seed.py.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile  # noqa: F401  (zstd archives go through tar -I zstd)
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
STATE = os.environ.get("LIBODOO_REAL_ODOO_DIR", "/var/tmp/libodoo-real-odoo")
# where the archives are: $ODOO_ARCHIVES, else ../shared/real-odoo beside the
# project, else /work/shared/real-odoo (a clone made elsewhere on this machine)
ARCHIVES = os.environ.get("ODOO_ARCHIVES") or next(
    (d for d in (os.path.join(os.path.dirname(PROJECT), "shared", "real-odoo"),
                 "/work/shared/real-odoo") if os.path.isdir(d)),
    os.path.join(os.path.dirname(PROJECT), "shared", "real-odoo"))
VERSIONS = ("16", "17", "18", "19")
PYTHON = "/usr/bin/python3"           # Debian's, with the python3-* packages Odoo needs
ADMIN_PASSWORD = "Adm1n-R3al-0doo-7c41"
ROLE_PASSWORD = "libodoo-role-pw"
SKIP = 77
HARNESS_REV = "3"                     # bump to rebuild every template
HARNESS_ADDONS = os.path.join(HERE, "odoo-addons")   # libodoo_test_hashing
TEST_HASH_ROUNDS = 1000               # PBKDF2 rounds of the test users' passwords
# $LIBODOO_REAL_ODOO_FULL_HASHING=1 keeps Odoo's own 600,000 rounds (to measure
# what a login costs the server)
CHEAP_HASHING = os.environ.get("LIBODOO_REAL_ODOO_FULL_HASHING", "") in ("", "0")


def log(msg):
    print("realodoo: " + msg, file=sys.stderr, flush=True)


# several servers of one version side by side: $LIBODOO_REAL_ODOO_NAME names one
# (its own folder and database; the template is shared)
NAME = os.environ.get("LIBODOO_REAL_ODOO_NAME", "")


def tdir(v):
    """The version's folder: template artifacts."""
    return os.path.join(STATE, v)


def vdir(v):
    """This server's folder."""
    return os.path.join(STATE, v + ("-" + NAME if NAME else ""))


def dbname(v):
    return "libodoo_" + v + ("_" + NAME if NAME else "")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def psql(sql, db="postgres", quiet=True):
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-tA",
                          "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


# ---- sources -----------------------------------------------------------------
def source_dir(v):
    """The Odoo source folder for version v, or None."""
    env = os.environ.get("ODOO_SRC_" + v)
    if env:
        if not os.path.exists(os.path.join(env, "odoo-bin")):
            sys.exit("realodoo: ODOO_SRC_%s=%s holds no odoo-bin" % (v, env))
        return env
    archive = os.path.join(ARCHIVES, "odoo-%s.0.tar.zst" % v)
    if not os.path.exists(archive):
        return None
    dest = os.path.join(STATE, "src", "odoo-%s.0" % v)
    stamp = dest + ".sha256"
    digest = file_sha256(archive)
    if os.path.exists(os.path.join(dest, "odoo-bin")) and os.path.exists(stamp) \
            and open(stamp).read().strip() == digest:
        return dest
    log("unpacking %s" % archive)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    run(["tar", "-I", "zstd", "-xf", archive, "-C", os.path.dirname(dest)])
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return dest


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def template_name(v, src):
    h = hashlib.sha256(HARNESS_REV.encode())
    with open(os.path.join(HERE, "seed.py"), "rb") as f:
        h.update(f.read())
    with open(os.path.join(src, "odoo", "release.py"), "rb") as f:
        h.update(f.read())
    h.update(os.path.realpath(src).encode())
    return "libodoo_tpl_%s_%s" % (v, h.hexdigest()[:10])


# ---- PostgreSQL ------------------------------------------------------------------
def ensure_postgres():
    """Start the Debian 15/main cluster if it is down and wait until it takes
    connections. Several harness processes (ctest runs the versions side by
    side) may get here at once: one lock file serializes the check and the
    start, so only one of them starts the cluster, and nobody goes on while
    it is still recovering (after a reboot it replays its WAL first)."""
    import fcntl
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, "postgres.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        st = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
        if st.returncode != 0:
            sys.exit("realodoo: PostgreSQL is not installed (apt-get install postgresql)")
        for line in st.stdout.splitlines():
            f = line.split()
            if len(f) >= 4 and f[0] == "15" and f[1] == "main":
                if f[3] != "online":
                    log("starting PostgreSQL 15/main")
                    run(["pg_ctlcluster", "15", "main", "start"])
                wait_postgres_ready(f[2])
                return
    sys.exit("realodoo: no PostgreSQL 15 'main' cluster (pg_createcluster 15 main)")


def wait_postgres_ready(port, deadline_s=300):
    """pg_isready until the server accepts connections (exit 0); 1 means it is
    starting up or recovering, 2 no answer yet. A deadline only for a broken
    cluster: a healthy one answers within seconds."""
    end = time.monotonic() + deadline_s
    while True:
        r = subprocess.run(["pg_isready", "-q", "-h", "/var/run/postgresql", "-p", str(port)])
        if r.returncode == 0:
            return
        if time.monotonic() > end:
            sys.exit("realodoo: PostgreSQL 15/main does not accept connections after %d s "
                     "(see /var/log/postgresql/postgresql-15-main.log)" % deadline_s)
        time.sleep(0.2)


def ensure_role(v):
    role = "libodoo_odoo" + v
    if psql("SELECT 1 FROM pg_roles WHERE rolname = '%s'" % role) != "1":
        psql("CREATE ROLE %s LOGIN CREATEDB PASSWORD '%s'" % (role, ROLE_PASSWORD))
    return role


def db_exists(name):
    return psql("SELECT 1 FROM pg_database WHERE datname = '%s'" % name) == "1"


def drop_db(name):
    if db_exists(name):
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'" % name)
        psql('DROP DATABASE "%s"' % name)


# ---- config and processes ------------------------------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_conf(v, src, role, db, port, d=None, name="odoo.conf", workers=0):
    d = d or vdir(v)
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    conf = os.path.join(d, name)
    addons = [os.path.join(src, "addons"), os.path.join(src, "odoo", "addons"), HARNESS_ADDONS]
    # Odoo's own server-wide modules, and the harness's cheap password hashing
    wide = ["base", "web"] + (["rpc"] if os.path.isdir(os.path.join(src, "odoo", "addons", "rpc"))
                              else []) + (["libodoo_test_hashing"] if CHEAP_HASHING else [])
    with open(conf, "w") as f:
        f.write("\n".join([
            "[options]",
            "addons_path = " + ",".join(addons),
            "server_wide_modules = " + ",".join(wide),
            "http_interface = 127.0.0.1",
            "http_port = %d" % port,
            "gevent_port = %d" % free_port(),
            "db_host = 127.0.0.1",
            "db_port = 5432",
            "db_user = " + role,
            "db_password = " + ROLE_PASSWORD,
            "dbfilter = ^%s$" % db,
            "list_db = True",
            "workers = %d" % workers,
            "max_cron_threads = 0",
            "data_dir = " + os.path.join(d, "data"),
            "admin_passwd = " + ADMIN_PASSWORD,
            "log_level = warn",
            "",
        ]))
    os.chmod(conf, 0o600)
    return conf


def pbkdf2_sha512_hash(password, rounds=TEST_HASH_ROUNDS):
    """passlib's $pbkdf2-sha512$ format, as Odoo stores passwords (stdlib only)."""
    def ab64(b):
        return base64.b64encode(b).decode().rstrip("=").replace("+", ".")
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    return "$pbkdf2-sha512$%d$%s$%s" % (rounds, ab64(salt), ab64(dk))


def cheap_passwords(db):
    """Store the test users' passwords hashed with TEST_HASH_ROUNDS: the
    server-wide module libodoo_test_hashing (odoo-addons/) lowers Odoo's floor
    to the same number, so Odoo verifies them with its own code, cheaply, and
    never rehashes them."""
    for login, pw in (("admin", ADMIN_PASSWORD), ("limited", "limited")):
        psql("UPDATE res_users SET password = '%s' WHERE login = '%s'"
             % (pbkdf2_sha512_hash(pw), login), db=db)


def odoo_cmd(src, conf, *args, sub=None):
    return [PYTHON, os.path.join(src, "odoo-bin")] + ([sub] if sub else []) + ["-c", conf] \
        + list(args)


def db_comment(name):
    return psql("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = '%s'" % name)


def build_template(v, src, role, tpl):
    """Install sale_management + stock with demo data and seed the dataset."""
    d = tdir(v)
    os.makedirs(d, exist_ok=True)
    t0 = time.time()
    conf = write_conf(v, src, role, tpl, free_port(), d, "template.conf")
    logf = os.path.join(d, "template.log")
    if db_exists(tpl) and db_comment(tpl) == "libodoo: modules installed":
        log("%s.0: %s has its modules, seeding it" % (v, tpl))
    else:
        drop_db(tpl)
        psql('CREATE DATABASE "%s" OWNER %s TEMPLATE template0 ENCODING \'UTF8\'' % (tpl, role))
        demo = ["--with-demo"] if v == "19" else []
        log("%s.0: installing sale_management,stock into %s (a few minutes, once)" % (v, tpl))
        with open(logf, "w") as lf:
            subprocess.run(odoo_cmd(src, conf, "-d", tpl, "-i", "sale_management,stock",
                                    "--stop-after-init", "--no-http", *demo),
                           check=True, stdout=lf, stderr=subprocess.STDOUT)
        psql("COMMENT ON DATABASE \"%s\" IS 'libodoo: modules installed'" % tpl)
    t1 = time.time()
    keyfile = os.path.join(d, "tpl-api-key")
    env = dict(os.environ, LIBODOO_SEED_KEYFILE=keyfile,
               LIBODOO_SEED_ADMIN_PASSWORD=ADMIN_PASSWORD)
    with open(os.path.join(HERE, "seed.py")) as script, open(logf, "a") as lf:
        out = subprocess.run(odoo_cmd(src, conf, "-d", tpl, "--no-http", sub="shell"),
                             stdin=script, env=env, capture_output=True, text=True)
        lf.write(out.stdout + out.stderr)
    if out.returncode != 0 or "LIBODOO-SEED-DONE" not in out.stdout:
        sys.stderr.write(out.stderr[-3000:])
        sys.exit("realodoo: seeding %s failed, see %s" % (tpl, logf))
    done = [line for line in out.stdout.splitlines() if "LIBODOO-SEED-DONE" in line][0]
    # the template's files (attachments) go with it
    shutil.copyfile(keyfile, os.path.join(d, tpl + ".api-key"))
    psql("COMMENT ON DATABASE \"%s\" IS 'libodoo real-Odoo template: %s'" % (tpl, done))
    timing = {"install_s": round(t1 - t0, 1), "seed_s": round(time.time() - t1, 1)}
    with open(os.path.join(d, tpl + ".json"), "w") as f:
        json.dump(timing, f)
    log("%s.0: template %s built (install %.0f s, seed %.0f s): %s" % (
        v, tpl, timing["install_s"], timing["seed_s"], done))


def ensure_template(v, src, role):
    tpl = template_name(v, src)
    d = tdir(v)
    if not (db_exists(tpl) and os.path.exists(os.path.join(d, tpl + ".api-key"))
            and db_comment(tpl).startswith("libodoo real-Odoo template")):
        # older templates of this version go
        for name in psql("SELECT datname FROM pg_database WHERE datname LIKE "
                         "'libodoo\\_tpl\\_%s\\_%%'" % v).split():
            if name != tpl:
                drop_db(name)
        build_template(v, src, role, tpl)
    return tpl


def server_json(v):
    p = os.path.join(vdir(v), "server.json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def start_server(v, src, conf, db, port):
    d = vdir(v)
    logf = open(os.path.join(d, "server.log"), "a")
    proc = subprocess.Popen(odoo_cmd(src, conf, "-d", db), stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 300
    while True:
        if proc.poll() is not None:
            sys.exit("realodoo: Odoo %s.0 exited with %s, see %s" % (v, proc.returncode,
                                                                   logf.name))
        try:
            req = urllib.request.Request(url + "/web/webclient/version_info",
                                         data=b'{"jsonrpc":"2.0","params":{}}',
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
            pass
        if time.time() > deadline:
            proc.kill()
            sys.exit("realodoo: Odoo %s.0 did not answer within 300 s" % v)
        time.sleep(0.2)
    return proc.pid, url


def stop_pid(pid):
    if not pid or not alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        return
    for _ in range(200):
        if not alive(pid):
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


# ---- commands ------------------------------------------------------------------------
def cmd_template(v):
    src = source_dir(v)
    if src is None:
        print("realodoo: no Odoo %s.0 source (set ODOO_SRC_%s or put odoo-%s.0.tar.zst in %s)"
              % (v, v, v, ARCHIVES))
        return SKIP
    ensure_postgres()
    role = ensure_role(v)
    ensure_template(v, src, role)
    return 0


def set_workers(conf, workers):
    """Rewrite the `workers` line of an existing odoo.conf."""
    with open(conf) as f:
        lines = f.read().split("\n")
    lines = ["workers = %d" % workers if ln.startswith("workers =") else ln for ln in lines]
    with open(conf, "w") as f:
        f.write("\n".join(lines))


def cmd_up(v, workers=0):
    src = source_dir(v)
    if src is None:
        print("realodoo: no Odoo %s.0 source (set ODOO_SRC_%s or put odoo-%s.0.tar.zst in %s): "
              "skipped" % (v, v, v, ARCHIVES))
        return SKIP
    t0 = time.time()
    cmd_down(v, quiet=True)
    ensure_postgres()
    role = ensure_role(v)
    tpl = ensure_template(v, src, role)
    t_tpl = time.time()
    db = dbname(v)
    drop_db(db)
    psql('CREATE DATABASE "%s" OWNER %s TEMPLATE "%s"' % (db, role, tpl))
    if CHEAP_HASHING:
        cheap_passwords(db)
    d = vdir(v)
    data = os.path.join(d, "data")
    shutil.rmtree(os.path.join(data, "filestore", db), ignore_errors=True)
    shutil.rmtree(os.path.join(data, "sessions"), ignore_errors=True)
    tpl_files = os.path.join(tdir(v), "data", "filestore", tpl)
    if os.path.isdir(tpl_files):
        shutil.copytree(tpl_files, os.path.join(data, "filestore", db))
    keyfile = os.path.join(d, "api-key")
    shutil.copyfile(os.path.join(tdir(v), tpl + ".api-key"), keyfile)
    os.chmod(keyfile, 0o600)
    port = free_port()
    conf = write_conf(v, src, role, db, port, workers=workers)
    pid, url = start_server(v, src, conf, db, port)
    timing = {}
    tj = os.path.join(tdir(v), tpl + ".json")
    if os.path.exists(tj):
        with open(tj) as f:
            timing = json.load(f)
    info = {"version": v, "url": url, "database": db, "login": "admin",
            "password_env": "ODOO_PASSWORD", "api_key_file": keyfile, "pid": pid,
            "port": port, "data_dir": data, "conf": conf, "src": src, "template": tpl,
            "workers": workers,
            "template_timing": timing,
            "setup_s": round(time.time() - t0, 1), "template_s": round(t_tpl - t0, 1)}
    with open(os.path.join(d, "server.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("Odoo %s.0 up in %.1f s: %s database %s, API key file %s (admin password: "
          "`realodoo.py env %s`)" % (v, time.time() - t0, url, db, keyfile, v))
    return 0


def cmd_down(v, quiet=False):
    info = server_json(v)
    if info is None:
        if not quiet:
            print("realodoo: Odoo %s.0 is not running" % v)
        return 0
    stop_pid(info.get("pid"))
    os.unlink(os.path.join(vdir(v), "server.json"))
    if not quiet:
        print("Odoo %s.0 stopped" % v)
    return 0


def cmd_restart(v, pause, workers=0):
    info = server_json(v)
    if info is None:
        sys.exit("realodoo: Odoo %s.0 is not running" % v)
    stop_pid(info["pid"])
    time.sleep(pause)
    set_workers(info["conf"], workers)
    info["workers"] = workers
    pid, url = start_server(v, info["src"], info["conf"], info["database"], info["port"])
    info["pid"] = pid
    with open(os.path.join(vdir(v), "server.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("Odoo %s.0 restarted: %s" % (v, url))
    return 0


def cmd_env(v):
    info = server_json(v)
    if info is None:
        sys.exit("realodoo: Odoo %s.0 is not running" % v)
    for k, val in (("ODOO_URL", info["url"]), ("ODOO_DB", info["database"]),
                   ("ODOO_USER", "admin"), ("ODOO_PASSWORD", ADMIN_PASSWORD),
                   ("ODOO_API_KEY_FILE", info["api_key_file"]),
                   ("ODOO_REAL_VERSION", v), ("ODOO_REAL_DATA_DIR", info["data_dir"])):
        print("export %s='%s'" % (k, val))
    return 0


def cmd_status():
    for v in VERSIONS:
        info = server_json(v)
        if info and alive(info["pid"]):
            print("%s.0 %s %s pid %d" % (v, info["url"], info["database"], info["pid"]))
        else:
            print("%s.0 down" % v)
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] not in ("up", "down", "restart", "env", "template", "status", "pg"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "status":
        return cmd_status()
    if argv[1] == "pg":
        ensure_postgres()
        print("PostgreSQL 15/main accepts connections")
        return 0
    if len(argv) < 3 or argv[2] not in VERSIONS:
        sys.exit("realodoo: a version: one of %s" % ", ".join(VERSIONS))
    v = argv[2]
    os.makedirs(vdir(v), exist_ok=True)
    workers = 0
    if "--workers" in argv:
        workers = int(argv[argv.index("--workers") + 1])
        if workers < 0:
            sys.exit("realodoo: --workers takes a number >= 0")
    if argv[1] == "up":
        return cmd_up(v, workers)
    if argv[1] == "down":
        return cmd_down(v)
    if argv[1] == "template":
        return cmd_template(v)
    if argv[1] == "env":
        return cmd_env(v)
    pause = 0.0
    if "--pause" in argv:
        pause = float(argv[argv.index("--pause") + 1])
    return cmd_restart(v, pause, workers)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
