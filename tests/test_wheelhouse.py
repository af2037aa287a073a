"""Fast checks of wheelhouse/install.sh against tiny fake wheelhouses (no network, no
real wheels, a second or two). The real offline installs are scripts/test-offline."""
import base64
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_SH = os.path.join(ROOT, "wheelhouse", "install.sh")
INSTALLER = os.path.join(ROOT, "wheelhouse", "installer.py")
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


def base_python():
    """The interpreter this venv was made from: --user needs one outside a venv."""
    exe = getattr(sys, "_base_executable", None)
    if exe and os.path.realpath(exe) != os.path.realpath(sys.executable):
        return exe
    cand = os.path.join(sys.base_prefix, "bin", "python%d.%d" % sys.version_info[:2])
    return cand if os.path.exists(cand) else sys.executable


BASE = base_python()


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def build_wheel(folder, name, version, files, requires=(), tag="py3-none-any"):
    """A real wheel (zip with WHEEL, METADATA and a correct RECORD); returns its path."""
    info = "%s-%s.dist-info" % (name, version)
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s" % (
        name, version, "".join("Requires-Dist: %s\n" % r for r in requires))
    members = dict(files)
    members[info + "/METADATA"] = meta.encode()
    members[info + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                "Tag: %s\n" % tag).encode()
    record = [record_line(p, d if isinstance(d, bytes) else d.encode()) for p, d in members.items()]
    record.append(info + "/RECORD,,")
    members[info + "/RECORD"] = "\n".join(record).encode() + b"\n"
    path = os.path.join(str(folder), "%s-%s-%s.whl" % (name, version, tag))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


def bundled_pip():
    """The pip wheel that ships with this Python (ensurepip), or None."""
    try:
        import ensurepip
    except ImportError:
        return None
    found = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
    return found[0] if found else None


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_lock(wh, cp, glibc="2.17", pins=None):
    """A lock in pip-compile's layout: PINS [(name, version, [sha256...])], pip unsafe."""
    wh = str(wh)
    if pins is None:
        pins = [(n, v, [sha(os.path.join(wh, f))]) for n, v, f in wheels_in(wh)]
    with open(os.path.join(wh, "locks", cp + ".txt"), "w") as f:
        f.write("#\n# pyrustgrad for CPython on Linux x86_64 (glibc >= %s).\n#\n" % glibc)
        for unsafe in (False, True):
            if unsafe:
                f.write("\n# The following packages are considered to be unsafe in a requirements file:\n")
            for name, version, hashes in pins:
                if (name in ("pip", "setuptools")) == unsafe:
                    f.write("%s==%s \\\n%s\n    # via -r locks/%s.in\n" % (
                        name, version, " \\\n".join("    --hash=sha256:" + h for h in hashes), cp))
    with open(os.path.join(wh, "locks", cp + ".in"), "w") as f:
        f.write("pyrustgrad==0.1.0\npip\n")


def wheels_in(wh):
    out = []
    for f in sorted(os.listdir(str(wh))):
        if f.endswith(".whl") and not f.startswith("._"):
            name, version = f.split("-")[:2]
            out.append((name, version, f))
    return out


def make_wheelhouse(tmp_path, cps=(CP,), pyrustgrad_files=None, where="wh", requires=()):
    """A wheelhouse with the real install.sh, installer.py and smoke test, a small pure
    pyrustgrad wheel that passes the smoke test (FAKE_PYRUSTGRAD), this Python's own pip
    wheel (or a stand-in), locks for the given tags and a correct SHA256SUMS."""
    wh = tmp_path / where
    (wh / "locks").mkdir(parents=True)
    for f in (INSTALL_SH, INSTALLER, SMOKE):
        shutil.copy(f, str(wh / os.path.basename(f)))
    build_wheel(wh, "pyrustgrad", "0.1.0", pyrustgrad_files or {"pyrustgrad/__init__.py": FAKE_PYRUSTGRAD},
                requires=requires)
    pip = bundled_pip()
    if pip:
        shutil.copy(pip, str(wh))
    else:
        build_wheel(wh, "pip", "99.0", {"pip/__init__.py": "__version__ = '99.0'\n"})
    for cp in cps:
        write_lock(wh, cp)
    write_sums(wh)
    return wh


def write_sums(wh):
    lines = []
    for dirpath, _, files in os.walk(str(wh)):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, str(wh))
            if rel == "SHA256SUMS" or name.startswith("._") or name == ".DS_Store":
                continue
            lines.append("%s  %s\n" % (sha(path), rel))
    (wh / "SHA256SUMS").write_text("".join(sorted(lines, key=lambda l: l.split()[1])))


def run_install(wh, *args, **kw):
    """Runs WH/install.sh with --python (BASE unless python=...); returns (rc, out, err)
    as lists of lines. env= adds variables; cwd= (default: the wheelhouse's parent)."""
    # A plain PATH: pip runs `rustc --version` for its user agent, and rustup's proxy
    # would then make ~/.rustup in a test's HOME.
    env = dict(os.environ, PIP_INDEX_URL="http://127.0.0.1:9/should-never-be-used",
               PATH="/usr/bin:/bin")
    env.pop("PYTHONPATH", None)
    env.update(kw.get("env", {}))
    python = kw.get("python", BASE)
    cmd = ["sh", str(wh / "install.sh")] + (["--python", python] if python else []) + list(args)
    p = subprocess.run(kw.get("wrap", []) + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, universal_newlines=True, cwd=str(kw.get("cwd", wh.parent)),
                       timeout=kw.get("timeout", 120))
    return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()


PRG = "pyrustgrad-0.1.0-py3-none-any.whl"


def pip_wheel_name(wh):
    return [f for f in os.listdir(str(wh)) if f.startswith("pip-")][0]


def test_corrupted_wheel_stops_before_installing_and_names_it(tmp_path):
    wh = make_wheelhouse(tmp_path)
    data = bytearray((wh / PRG).read_bytes())
    data[10] ^= 0xFF  # one byte changed
    (wh / PRG).write_bytes(bytes(data))
    venv = tmp_path / "venv"
    rc, out, err = run_install(wh, "--venv", str(venv))
    assert rc == 1
    assert out == ["install.sh: checksum mismatch: " + PRG]
    assert err == ["install.sh: the wheelhouse is damaged; nothing was installed. "
                   "Copy it again from the source."]
    assert not venv.exists()


def test_missing_and_unlisted_files_are_named(tmp_path):
    wh = make_wheelhouse(tmp_path)
    pip = pip_wheel_name(wh)
    (wh / pip).unlink()
    (wh / "stray-1.0-py3-none-any.whl").write_bytes(b"x")
    rc, out, err = run_install(wh, "--venv", str(tmp_path / "venv"))
    assert rc == 1
    assert out == ["install.sh: missing file: " + pip,
                   "install.sh: not listed in SHA256SUMS: stray-1.0-py3-none-any.whl"]
    assert not (tmp_path / "venv").exists()


def test_missing_lock_of_this_python_is_named_not_called_unsupported(tmp_path):
    """Defect 3: the checksum check runs before the lock lookup."""
    wh = make_wheelhouse(tmp_path)
    (wh / "locks" / (CP + ".txt")).unlink()
    rc, out, err = run_install(wh, "--venv", str(tmp_path / "venv"))
    assert rc == 1
    assert out == ["install.sh: missing file: locks/%s.txt" % CP]
    assert err == ["install.sh: the wheelhouse is damaged; nothing was installed. "
                   "Copy it again from the source."]


def test_missing_sha256sums(tmp_path):
    wh = make_wheelhouse(tmp_path)
    (wh / "SHA256SUMS").unlink()
    rc, out, err = run_install(wh, "--target", str(tmp_path / "t"))
    assert rc == 1
    assert err == ["install.sh: SHA256SUMS is missing from %s: copy the whole wheelhouse folder"
                   % os.path.realpath(str(wh))]
    assert not (tmp_path / "t").exists()


def test_unsupported_python_lists_supported_versions_and_suggests_one_found_here(tmp_path):
    other = [cp for cp in ("cp36", "cp310", "cp399") if cp != CP]
    wh = make_wheelhouse(tmp_path, cps=other)
    path = str(tmp_path / "bin")
    os.mkdir(path)
    os.symlink(BASE, os.path.join(path, "python3.99"))   # "installed here", no lock for it
    rc, out, err = run_install(wh, "--venv", str(tmp_path / "venv"),
                               env={"PATH": path + ":/usr/bin:/bin"})
    assert rc == 1
    supported = " ".join("3." + cp[3:] for cp in other)
    on_path = [v for v in supported.split() if v != HERE and shutil.which("python" + v, path=path + ":/usr/bin:/bin")]
    assert err == [
        "install.sh: Python %s (CPython, %s) is not supported by this wheelhouse." % (HERE, BASE),
        "install.sh: supported Python versions: %s (CPython)" % supported,
        "install.sh: this machine has %s: choose one with --python, e.g. --python python%s"
        % (" ".join("python" + v for v in on_path), on_path[0]),
    ]
    assert out[-1].startswith("install.sh: checked ")
    assert not (tmp_path / "venv").exists()


def test_unsupported_python_with_none_of_them_here(tmp_path):
    wh = make_wheelhouse(tmp_path, cps=["cp398", "cp399"])
    rc, out, err = run_install(wh, env={"PATH": "/usr/bin:/bin"})
    assert err[-1] == ("install.sh: none of them is on PATH here: install one, or name it "
                       "with --python PATH")


def test_glibc_too_old_for_the_lock_and_a_refused_target_leaves_no_folder(tmp_path):
    """Defect 5: --target on a refused run must not leave an empty folder."""
    wh = make_wheelhouse(tmp_path)
    write_lock(str(wh), CP, glibc="2.999")
    write_sums(wh)
    rc, out, err = run_install(wh, "--target", str(tmp_path / "new" / "t"))
    assert rc == 1
    assert len(err) == 1
    assert err[0].startswith("install.sh: the NumPy wheel for Python %s here needs glibc >= 2.999; "
                             "this machine has " % HERE)
    assert not (tmp_path / "new").exists()


def test_existing_folder_that_is_not_a_venv_is_refused(tmp_path):
    wh = make_wheelhouse(tmp_path)
    d = tmp_path / "data"
    d.mkdir()
    (d / "keep.txt").write_text("mine")
    rc, out, err = run_install(wh, "--venv", str(d))
    assert rc == 1
    assert err == ["install.sh: %s exists and is not a venv (it has no pyvenv.cfg); name a new "
                   "folder" % d]
    assert (d / "keep.txt").read_text() == "mine"


def test_a_folder_with_bin_python_but_no_pyvenv_cfg_is_not_a_venv(tmp_path):
    """Defect 6: bin/python alone (a Python's own prefix) must not count as a venv."""
    wh = make_wheelhouse(tmp_path)
    d = tmp_path / "prefix"
    (d / "bin").mkdir(parents=True)
    os.symlink(BASE, str(d / "bin" / "python"))
    rc, out, err = run_install(wh, "--venv", str(d))
    assert rc == 1
    assert err == ["install.sh: %s exists and is not a venv (it has no pyvenv.cfg); name a new "
                   "folder" % d]


@pytest.mark.parametrize("args, message", [
    (["--venv", "a", "--user"], "install.sh: choose one of --venv DIR, --user, --target DIR"),
    (["--frobnicate"], "install.sh: unknown option: --frobnicate"),
    (["--smoke", "half"], "install.sh: --smoke takes full, import or none"),
    (["--venv", ""], "install.sh: the folder name is empty"),
])
def test_bad_arguments(tmp_path, args, message):
    wh = make_wheelhouse(tmp_path)
    rc, out, err = run_install(wh, *args)
    assert rc == 1
    assert err[-1] == message


def test_help_names_the_modes(tmp_path):
    p = subprocess.run(["sh", INSTALL_SH, "--help"], stdout=subprocess.PIPE,
                       universal_newlines=True, check=True)
    assert p.stdout.splitlines()[0] == "Installs pyrustgrad (and NumPy) from this folder, with no network."
    for word in ("--venv DIR", "--user", "--target DIR", "--python PY", "--own-installer",
                 "~/pyrustgrad-venv"):
        assert word in p.stdout


def test_locks_of_a_built_wheelhouse_are_hashed_pins_made_by_pip_compile():
    """If scripts/build-wheelhouse has run: every lock pins pyrustgrad, numpy (unless
    built with --no-numpy), pip (and setuptools for 3.6), each with the sha256 of the
    file in the wheelhouse, and says who made it and how to install it."""
    wh = os.path.join(ROOT, "wheelhouse")
    locks = os.path.join(wh, "locks")
    if not os.path.isdir(locks):
        pytest.skip("no built wheelhouse (scripts/build-wheelhouse)")
    sums = {}
    with open(os.path.join(wh, "SHA256SUMS")) as f:
        for line in f:
            h, name = line.split()
            sums[h] = name
    targets = sorted((n[:-4] for n in os.listdir(locks) if n.startswith("cp3") and n.endswith(".txt")),
                     key=lambda n: int(n[2:]))
    assert sorted(os.listdir(locks)) == sorted([t + ".txt" for t in targets] + [t + ".in" for t in targets]
                                               + ["torch-alias.txt"])
    # the torch alias's lock: its one wheel, hashed, in the wheelhouse
    text = open(os.path.join(locks, "torch-alias.txt")).read()
    assert "install.sh --provide-torch" in text
    pins = [l.split(" ")[0] for l in text.splitlines() if "==" in l and not l.startswith("#")]
    hashes = [l.split("sha256:")[1].split()[0] for l in text.splitlines() if "--hash=sha256:" in l]
    assert len(pins) == 1 and pins[0].startswith("pyrustgrad-torch-alias==") and len(hashes) == 1
    assert sums[hashes[0]].startswith("pyrustgrad_torch_alias-%s-py3-none-any" % pins[0].split("==")[1])
    for t in targets:
        text = open(os.path.join(locks, t + ".txt")).read()
        assert "Install with: sh install.sh" in text, t
        assert ("Made by pip-compile (pip-tools " in text or
                "# This file was NOT made by pip-compile, only in its format" in text), t
        pins = [l.split(" ")[0] for l in text.splitlines() if "==" in l and not l.startswith("#")]
        names = sorted(p.split("==")[0] for p in pins)
        tools = ["pip", "setuptools"] if t == "cp36" else ["pip"]
        assert names in (sorted(["numpy", "pyrustgrad"] + tools), sorted(["pyrustgrad"] + tools)), t
        hashes = [l.split("sha256:")[1].split()[0] for l in text.splitlines() if "--hash=sha256:" in l]
        assert len(hashes) == len(names), t
        for pin, h in zip(pins, hashes):
            name, version = pin.split("==")
            assert sums[h].startswith("%s-%s-" % (name, version)), (t, pin)


def resolver_wheelhouse(tmp_path):
    """pyrustgrad 0.1.0 needs fakedep; fakedep 1.0 and 2.0 are both here, so pip's resolver
    takes 2.0; the lock (written here, as pip-compile would) pins 2.0."""
    if not bundled_pip():
        pytest.skip("this Python has no bundled pip wheel")
    wh = make_wheelhouse(tmp_path, requires=["fakedep"])
    for v in ("1.0", "2.0"):
        build_wheel(wh, "fakedep", v, {"fakedep/__init__.py": "VERSION = %r\n" % v})
    return wh


def pins_of(wh, drop=None, **versions):
    pins = []
    for name, version, f in wheels_in(wh):
        if name == "fakedep" and version != versions.get("fakedep", "2.0") or name == drop:
            continue
        pins.append((name, version, [sha(os.path.join(str(wh), f))]))
    return pins


def check_lock(tmp_path, wh):
    p = subprocess.run([os.path.join(ROOT, "scripts", "check-lock"), str(wh),
                        str(wh / "locks" / (CP + ".txt")), "--python", BASE],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                       env=dict(os.environ, PYRUSTGRAD_CACHE=str(tmp_path / "cache")), timeout=120)
    return p.returncode, p.stdout.splitlines()


def test_check_lock_passes_when_the_lock_is_what_the_resolver_picks(tmp_path):
    wh = resolver_wheelhouse(tmp_path)
    write_lock(wh, CP, pins=pins_of(wh))
    rc, out = check_lock(tmp_path, wh)
    pipver = pip_wheel_name(wh).split("-")[1]
    assert (rc, out) == (0, ["%s: ok, pip's resolver picks exactly the lock's fakedep 2.0, pip %s, "
                             "pyrustgrad 0.1.0 (pip %s --dry-run --report)" % (CP, pipver, pipver)])


def test_check_lock_fails_on_a_pin_edited_by_hand(tmp_path):
    """Issue 13: the lock still installs (fakedep 1.0 and its hash are here), but it is not
    what pip resolves."""
    wh = resolver_wheelhouse(tmp_path)
    write_lock(wh, CP, pins=pins_of(wh, fakedep="1.0"))
    rc, out = check_lock(tmp_path, wh)
    assert (rc, out) == (1, ["%s: the lock pins fakedep==1.0; pip's resolver picks fakedep 2.0" % CP])


def test_check_lock_fails_on_a_missing_dependency(tmp_path):
    wh = resolver_wheelhouse(tmp_path)
    write_lock(wh, CP, pins=pins_of(wh, drop="fakedep"))
    rc, out = check_lock(tmp_path, wh)
    assert rc == 1
    assert out[-2:] == [
        "%s: pip's resolver also picks fakedep 2.0, which the lock does not pin" % CP,
        "%s: the lock does not install with --require-hashes (pip's words above)" % CP]


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
