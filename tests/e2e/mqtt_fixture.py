"""A real mosquitto broker on 127.0.0.1 for the live end-to-end tests: a free port, a generated
configuration in a temporary folder, stop / start on the same port (broker outages), TLS with a
self-signed CA made by /usr/bin/openssl. Every wait is bounded; the broker is killed on exit."""
import atexit
import os
import signal
import socket
import subprocess
import time

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, up=True, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return True
        except OSError:
            if not up:
                return True
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not come {'up' if up else 'down'} within {timeout} s")


class Broker:
    def __init__(self, folder, tls=None, extra=""):
        """tls: None, or a dict of cafile/certfile/keyfile paths (+ require_certificate)."""
        self.folder = folder
        self.port = free_port()
        self.conf = os.path.join(folder, f"mosquitto-{self.port}.conf")
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true", "persistence false",
                 "log_dest stderr", "log_type error", "log_type warning", "max_queued_messages 0"]
        # As root, mosquitto switches to the user "mosquitto", which cannot read a private key in a
        # 0700 temporary folder; `user root` keeps the current user (ignored when not root).
        if os.geteuid() == 0:
            lines.append("user root")
        if tls:
            lines += [f"cafile {tls['cafile']}", f"certfile {tls['certfile']}", f"keyfile {tls['keyfile']}",
                      f"require_certificate {'true' if tls.get('require_certificate') else 'false'}"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.process = None
        self.log = open(os.path.join(folder, f"mosquitto-{self.port}.log"), "ab")
        atexit.register(self.stop)

    @property
    def url(self):
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=self.log, stderr=self.log)
        wait_port(self.port, up=True)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def make_certificates(folder):
    """A CA, a server certificate for 127.0.0.1/localhost signed by it, and a second unrelated CA."""
    def openssl(*args):
        subprocess.run(["/usr/bin/openssl", *args], check=True, cwd=folder, capture_output=True)

    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=twinbed test {ca}",
                "-keyout", f"{ca}.key", "-out", f"{ca}.crt")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
            "-out", "server.csr")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.crt")
    return {name: os.path.join(folder, name) for name in
            ("ca.crt", "other-ca.crt", "server.crt", "server.key")}
