"""tests/repl_pty_test.py: the REPL in a real terminal (a pty).

usage: /usr/bin/python3 repl_pty_test.py PATH/TO/actjit

Session 1: the banner and prompt appear; "mis<TAB>" completes to mish and
compiles it (seen by mish's rewrites: the line's echo is redrawn with
escapes); ":ev<TAB> 1" completes the command and prints f(1); "sw<TAB>
<TAB>" lists both swish and a user definition swishb; ":quit" ends it.
Session 2 (same state directory): <Up> three times recalls "mish" from the
history file, and running it compiles mish again.  Every wait has a
timeout; a failure prints what the terminal showed.  Exit status 1 if any
check failed.
"""
import os
import pty
import re
import select
import sys
import tempfile
import time

ACTJIT = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="actjit-pty-")
failures = 0


class Session:
    def __init__(self):
        env = dict(os.environ, TERM="xterm", NO_COLOR="1", LC_ALL="C.UTF-8",
                   XDG_CONFIG_HOME=TMP + "/config",
                   XDG_STATE_HOME=TMP + "/state",
                   XDG_CACHE_HOME=TMP + "/cache", COLUMNS="100", LINES="40")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(ACTJIT, [ACTJIT], env)
        self.seen = b""

    def send(self, data):
        os.write(self.fd, data.encode())

    def wait_for(self, pattern, timeout=30):
        """Reads until the output since the last match has `pattern`."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern.encode(), self.seen)
            if m:
                self.seen = self.seen[m.end():]
                return True
            left = deadline - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            self.seen += chunk

    def close(self):
        try:
            os.write(self.fd, b":quit\r")
        except OSError:
            pass
        deadline = time.time() + 10
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


def check(ok, what, session):
    global failures
    if not ok:
        failures += 1
        shown = session.seen.decode("utf-8", "replace")[-2000:]
        print("FAIL: %s\n--- the terminal showed (since the last match):\n%s"
              % (what, shown))


# A user definition, so completion offers it next to the catalog's swish.
os.makedirs(TMP + "/config/actjit")
with open(TMP + "/config/actjit/activations.act", "w") as f:
    f.write("swishb = x*sigmoid(beta*x)\n")

s = Session()
check(s.wait_for(r"type an activation"), "the banner", s)
check(s.wait_for(r"actjit> "), "the prompt", s)
s.send("mis\t\r")  # the echo redraws with escapes: judge by what runs
check(s.wait_for(r"mish_tanh"), "mis<TAB> completes to mish (its rewrites)",
      s)
check(s.wait_for(r"compiled in [0-9.]+ ms"), "mish compiles", s)
check(s.wait_for(r"actjit> "), "the prompt after mish", s)
s.send(":ev\t 1\r")
check(s.wait_for(r"0\.86509"), ":ev<TAB> completes :eval, f(1)", s)
check(s.wait_for(r"actjit> "), "the prompt after :eval", s)
s.send("sw\t\t")
check(s.wait_for(r"swish\s+swishb"), "sw<TAB><TAB> lists swish and swishb",
      s)
s.send("\x15")  # ^U: drop the partial line
rc = s.close()
check(rc == 0, "session 1 exits 0 (got %r)" % rc, s)
history = TMP + "/state/actjit/history"
check(os.path.exists(history), "the history file exists", s)

s = Session()
check(s.wait_for(r"actjit> "), "session 2: the prompt", s)
s.send("\x1b[A\x1b[A\x1b[A\r")  # Up x3: :quit, :eval 1, mish
check(s.wait_for(r"mish_tanh"), "Up recalls mish from the history", s)
check(s.wait_for(r"compiled in [0-9.]+ ms"), "the recalled mish compiles", s)
rc = s.close()
check(rc == 0, "session 2 exits 0 (got %r)" % rc, s)

print("repl_pty_test: %s" % ("all checks passed" if not failures
                             else "%d checks failed" % failures))
sys.exit(1 if failures else 0)
