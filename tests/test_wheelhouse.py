"""Fast checks of wheelhouse/install.sh against tiny fake wheelhouses (no network, no
real wheels, a second or two). The real offline installs are scripts/test-offline."""
import hashlib
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_SH = os.path.join(ROOT, "wheelhouse", "install.sh")
SMOKE = os.path.join(ROOT, "wheelhouse", "smoke_test.py")
HERE = "%d.%d" % sys.version_info[:2]
CP = "cp%d%d" % sys.version_info[:2]
PY = shutil.which(sys.executable) or sys.executable


def test_install_sh_is_posix_sh():
    subprocess.run(["sh", "-n", INSTALL_SH], check=True)
    if shutil.which("dash"):
        subprocess.run(["dash", "-n", INSTALL_SH], check=True)
    if shutil.which("bash"):
        subprocess.run(["bash", "--posix", "-n", INSTALL_SH], check=True)


def test_install_sh_has_no_bashisms():
    checkbashisms = shutil.which("checkbashisms")
    if not checkbashisms:
        pytest.skip("checkbashisms (devscripts) not installed")
    subprocess.run([checkbashisms, "--posix", INSTALL_SH], check=True)


def write_lock(wh, cp, glibc="2.17"):
    with open(os.path.join(wh, "locks", cp + ".txt"), "w") as f:
        f.write("#\n# (glibc >= %s), in the format of:\n#\n" % glibc)
        f.write("fake==1.0 \\\n    --hash=sha256:%s\n" % ("0" * 64))
        f.write("\n# The following packages are considered to be unsafe in a requirements file:\n")
        f.write("pip==99.0 \\\n    --hash=sha256:%s\n" % ("0" * 64))


def make_wheelhouse(tmp_path, cps=(CP,)):
    """A wheelhouse with the real install.sh and smoke test, two fake wheels, locks for
    the given tags and a correct SHA256SUMS."""
    wh = tmp_path / "wh"
    (wh / "locks").mkdir(parents=True)
    shutil.copy(INSTALL_SH, str(wh / "install.sh"))
    shutil.copy(SMOKE, str(wh / "smoke_test.py"))
    (wh / "fake-1.0-py3-none-any.whl").write_bytes(b"not really a wheel\n" * 100)
    (wh / "pip-99.0-py3-none-any.whl").write_bytes(b"not pip either\n" * 100)
    for cp in cps:
        write_lock(str(wh), cp)
    write_sums(wh)
    return wh


def write_sums(wh):
    lines = []
    for dirpath, _, files in os.walk(str(wh)):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, str(wh))
            if rel == "SHA256SUMS":
                continue
            with open(path, "rb") as f:
                lines.append("%s  %s\n" % (hashlib.sha256(f.read()).hexdigest(), rel))
    (wh / "SHA256SUMS").write_text("".join(sorted(lines, key=lambda l: l.split()[1])))


def run_install(wh, *args):
    env = dict(os.environ, PIP_INDEX_URL="http://127.0.0.1:9/should-never-be-used")
    p = subprocess.run(["sh", str(wh / "install.sh"), "--python", PY] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       universal_newlines=True, cwd=str(wh.parent), timeout=60)
    return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()


def test_corrupted_wheel_stops_before_installing_and_names_it(tmp_path):
    wh = make_wheelhouse(tmp_path)
    data = bytearray((wh / "fake-1.0-py3-none-any.whl").read_bytes())
    data[10] ^= 0xFF  # one byte changed
    (wh / "fake-1.0-py3-none-any.whl").write_bytes(bytes(data))
    venv = tmp_path / "venv"
    rc, out, err = run_install(wh, "--venv", str(venv))
    assert rc == 1
    assert out == ["install.sh: checksum mismatch: fake-1.0-py3-none-any.whl"]
    assert err == ["install.sh: the wheelhouse is damaged; nothing was installed. "
                   "Copy it again from the source."]
    assert not venv.exists()


def test_missing_and_unlisted_files_are_named(tmp_path):
    wh = make_wheelhouse(tmp_path)
    (wh / "pip-99.0-py3-none-any.whl").unlink()
    (wh / "stray-1.0-py3-none-any.whl").write_bytes(b"x")
    rc, out, err = run_install(wh, "--venv", str(tmp_path / "venv"))
    assert rc == 1
    assert out == ["install.sh: missing file: pip-99.0-py3-none-any.whl",
                   "install.sh: not listed in SHA256SUMS: stray-1.0-py3-none-any.whl"]
    assert not (tmp_path / "venv").exists()


def test_missing_sha256sums(tmp_path):
    wh = make_wheelhouse(tmp_path)
    (wh / "SHA256SUMS").unlink()
    rc, out, err = run_install(wh, "--target", str(tmp_path / "t"))
    assert rc == 1
    assert err == ["install.sh: SHA256SUMS is missing from %s: copy the whole wheelhouse folder"
                   % os.path.realpath(str(wh))]


def test_unsupported_python_lists_supported_versions(tmp_path):
    other = [cp for cp in ("cp36", "cp310", "cp399") if cp != CP]
    wh = make_wheelhouse(tmp_path, cps=other)
    rc, out, err = run_install(wh, "--venv", str(tmp_path / "venv"))
    assert rc == 1
    supported = " ".join("3." + cp[3:] for cp in other)
    assert err == [
        "install.sh: Python %s (CPython, %s) is not supported by this wheelhouse." % (HERE, PY),
        "install.sh: supported Python versions: %s (CPython)" % supported,
        "install.sh: choose one with --python, e.g. --python python%s" % supported.split()[-1],
    ]
    assert out == []
    assert not (tmp_path / "venv").exists()


def test_glibc_too_old_for_the_lock(tmp_path):
    wh = make_wheelhouse(tmp_path)
    write_lock(str(wh), CP, glibc="2.999")
    write_sums(wh)
    rc, out, err = run_install(wh)
    assert rc == 1
    assert len(err) == 1
    assert err[0].startswith("install.sh: the NumPy wheel for Python %s here needs glibc >= 2.999; "
                             "this machine has " % HERE)


def test_existing_folder_that_is_not_a_venv_is_refused(tmp_path):
    wh = make_wheelhouse(tmp_path)
    d = tmp_path / "data"
    d.mkdir()
    (d / "keep.txt").write_text("mine")
    rc, out, err = run_install(wh, "--venv", str(d))
    assert rc == 1
    assert err == ["install.sh: %s exists and is not a venv; name a new folder" % d]
    assert (d / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("args, message", [
    (["--venv", "a", "--user"], "install.sh: choose one of --venv DIR, --user, --target DIR"),
    (["--frobnicate"], "install.sh: unknown option: --frobnicate"),
    (["--smoke", "half"], "install.sh: --smoke takes full, import or none"),
])
def test_bad_arguments(tmp_path, args, message):
    wh = make_wheelhouse(tmp_path)
    rc, out, err = run_install(wh, *args)
    assert rc == 1
    assert err[-1] == message


def test_help_names_the_modes(tmp_path):
    p = subprocess.run(["sh", INSTALL_SH, "--help"], stdout=subprocess.PIPE,
                       universal_newlines=True, check=True)
    for word in ("--venv DIR", "--user", "--target DIR", "--python PY"):
        assert word in p.stdout


def test_locks_of_a_built_wheelhouse_are_hashed_pins():
    """If scripts/build-wheelhouse has run: every lock pins pyrustgrad, numpy (unless
    built with --no-numpy) and pip, each with the sha256 of the file in the wheelhouse."""
    wh = os.path.join(ROOT, "wheelhouse")
    locks = os.path.join(wh, "locks")
    if not os.path.isdir(locks):
        pytest.skip("no built wheelhouse (scripts/build-wheelhouse)")
    sums = {}
    with open(os.path.join(wh, "SHA256SUMS")) as f:
        for line in f:
            h, name = line.split()
            sums[h] = name
    expected = ["cp3%d.txt" % m for m in range(6, 15)]
    assert sorted(os.listdir(locks), key=lambda n: int(n[3:-4])) == expected
    for lock in expected:
        text = open(os.path.join(locks, lock)).read()
        pins = [l.split(" ")[0] for l in text.splitlines() if "==" in l and not l.startswith("#")]
        names = [p.split("==")[0] for p in pins]
        assert names in (["numpy", "pyrustgrad", "pip"], ["pyrustgrad", "pip"]), lock
        hashes = [l.split("sha256:")[1] for l in text.splitlines() if "--hash=sha256:" in l]
        assert len(hashes) == len(names), lock
        for pin, h in zip(pins, hashes):
            name, version = pin.split("==")
            assert sums[h].startswith("%s-%s-" % (name, version)), (lock, pin)


# A stand-in for the real package with the target API (tensor, *, sum, backward, grad,
# tolist, detach, __array_interface__, from_numpy), so that smoke_test.py itself is
# tested before the Rust core lands. BROKEN_GRAD makes backward wrong on purpose.
FAKE_PYRUSTGRAD = '''
import array, os
BROKEN_GRAD = os.environ.get("FAKE_BROKEN_GRAD") == "1"

class Tensor:
    def __init__(self, values, requires_grad=False, parents=()):
        self._buf = array.array("d", values)
        self.requires_grad = requires_grad
        self.grad = None
        self._parents = parents
    def tolist(self):
        return list(self._buf)
    def detach(self):
        return Tensor(self._buf)
    def __mul__(self, other):
        vals = [a * b for a, b in zip(self._buf, other._buf)]
        return Tensor(vals, True, (("mul", self, other),))
    def sum(self):
        return Tensor([sum(self._buf)], True, (("sum", self),))
    def backward(self):
        (op, *args), = self._parents
        (_, x, y), = args[0]._parents
        g = [2 * v for v in x._buf] if not BROKEN_GRAD else list(x._buf)
        x.grad = Tensor(g)
    @property
    def __array_interface__(self):
        addr, n = self._buf.buffer_info()
        return {"shape": (n,), "typestr": "<f8", "data": (addr, False), "version": 3}

def tensor(values, requires_grad=False):
    return Tensor(values, requires_grad)

def from_numpy(a):
    return Tensor(a.tolist())
'''


def run_smoke_with_fake(tmp_path, broken=False):
    pytest.importorskip("numpy")
    pkg = tmp_path / "fake" / "pyrustgrad"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(FAKE_PYRUSTGRAD)
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"),
               FAKE_BROKEN_GRAD="1" if broken else "0")
    return subprocess.run([sys.executable, SMOKE], stdout=subprocess.PIPE, env=env,
                          universal_newlines=True, cwd=str(tmp_path))


def test_smoke_test_passes_on_the_target_api(tmp_path):
    p = run_smoke_with_fake(tmp_path)
    lines = p.stdout.splitlines()
    assert p.returncode == 0, p.stdout
    expected = [
        "smoke: ok   import pyrustgrad",
        "smoke: ok   backward of (x * x).sum()",
        "smoke: ok   import numpy",
        "smoke: ok   tensor -> numpy (__array_interface__)",
        "smoke: ok   numpy -> tensor (from_numpy)",
        "smoke: PASSED",
    ]
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected):
        assert line == want or line.startswith(want + " ("), (line, want)
    assert lines[2].startswith("smoke: ok   import numpy (numpy ")


def test_smoke_test_names_the_failing_step(tmp_path):
    p = run_smoke_with_fake(tmp_path, broken=True)
    assert p.returncode == 1
    assert p.stdout.splitlines()[-1] == (
        "smoke: FAILED x.grad.tolist(): got [1.0, 2.0, 3.0], expected [2.0, 4.0, 6.0]")
