"""wheelhouse/install.sh in the situations that go wrong on real machines (issue 12), on
this machine's own Python against a tiny wheelhouse of real wheels (make_wheelhouse in
test_wheelhouse.py: a pure-Python stand-in for pyrustgrad that passes the smoke test, and
this Python's own pip wheel). A few seconds each. The cases that need mounts (read-only,
disk full) or another user need root and are skipped without it. The real installs on
Ubuntu 18.04 and Debian chroots are scripts/test-offline."""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from test_wheelhouse import (BASE, CP, HERE, INSTALLER, PRG, build_wheel, make_wheelhouse,
                             run_install, write_lock, write_sums, FAKE_PYRUSTGRAD)

AS_ROOT = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                             reason="needs root (mount namespaces, another user)")


def last(lines):
    return lines[-1] if lines else ""


def venv_pip(venv, *args):
    return subprocess.run([os.path.join(str(venv), "bin", "python"), "-m", "pip"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


@pytest.mark.parametrize("way", ["pip", "own"])
def test_venv_install_works_and_pip_checks_it(tmp_path, way):
    wh = make_wheelhouse(tmp_path)
    venv = tmp_path / "venv"
    rc, out, err = run_install(wh, "--venv", str(venv), *(["--own-installer"] if way == "own" else []))
    assert rc == 0, err
    assert ("install.sh: installed with: the venv's pip" if way == "pip" else
            "install.sh: installed with: install.sh's own installer") in out
    assert "    smoke: PASSED (NumPy interop skipped: this wheelhouse has no NumPy)" in out
    assert last(out) == ("install.sh: done: pyrustgrad is in the venv %s; use %s/bin/python, or: "
                         ". %s/bin/activate" % (venv, venv, venv))
    check = venv_pip(venv, "check")
    assert check.returncode == 0 and check.stdout.strip() == "No broken requirements found.", check.stdout
    if way == "own":   # what the own installer wrote, pip can take away again (RECORD)
        assert venv_pip(venv, "uninstall", "-y", "pyrustgrad").returncode == 0
        assert not glob.glob(str(venv / "lib" / "python*" / "site-packages" / "pyrustgrad*"))


def test_own_installer_bootstraps_a_pip_that_runs_into_a_venv_without_pip(tmp_path):
    """What a bare Ubuntu 18.04 needs: no pip at all, so installer.py installs the wheels
    and pip itself, with working console scripts named after this Python."""
    wh = make_wheelhouse(tmp_path)
    venv = tmp_path / "bare"
    subprocess.run([BASE, "-m", "venv", "--without-pip", str(venv)], check=True)
    vpy = str(venv / "bin" / "python")
    out = str(tmp_path / "plan")
    os.mkdir(out)
    plan = subprocess.run([vpy, INSTALLER, "plan", str(wh), str(wh / "locks" / (CP + ".txt")), out],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.split()
    assert plan[0] == "1" and plan[2] == "-" and plan[3].startswith("pip-")
    p = subprocess.run([vpy, INSTALLER, "install", out, "venv", str(venv), "--with-pip"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["install.sh:     installed pyrustgrad 0.1.0, pip %s" % plan[1]]
    for script in ("pip", "pip3", "pip" + HERE):
        r = subprocess.run([str(venv / "bin" / script), "--version"], stdout=subprocess.PIPE,
                           universal_newlines=True)
        assert r.returncode == 0 and r.stdout.startswith("pip %s from %s" % (plan[1], venv)), script
    assert not [s for s in os.listdir(str(venv / "bin")) if s.startswith("pip3.") and s != "pip" + HERE]
    assert venv_pip(venv, "check").returncode == 0


@pytest.mark.parametrize("mode", ["venv", "target"])
def test_paths_with_spaces_and_quotes_and_the_final_hint_pastes(tmp_path, mode):
    """Defect 7: the hints are shell-quoted, so pasting them works."""
    wh = make_wheelhouse(tmp_path, where="usb stick/wheel house")
    dest = tmp_path / "my envs" / "it's here"
    rc, out, err = run_install(wh, "--" + mode, str(dest))
    assert rc == 0, err
    q = "'%s'" % str(dest).replace("'", "'\\''")
    if mode == "venv":
        assert last(out) == ("install.sh: done: pyrustgrad is in the venv %s; use %s, or: . %s"
                             % (dest, q[:-1] + "/bin/python'", q[:-1] + "/bin/activate'"))
        hint = last(out).split("or: ", 1)[1] + " && python -c 'import pyrustgrad; print(pyrustgrad.__file__)'"
    else:
        assert last(out) == "install.sh: done: pyrustgrad is in %s; use it with: PYTHONPATH=%s %s" % (
            dest, q, BASE)
        hint = last(out).split("use it with: ", 1)[1] + " -c 'import pyrustgrad; print(pyrustgrad.__file__)'"
    p = subprocess.run(["sh", "-c", hint], stdout=subprocess.PIPE, universal_newlines=True,
                       cwd=str(tmp_path))
    assert p.returncode == 0 and p.stdout.startswith(str(dest) + "/"), hint


def test_rerun_into_the_existing_venv_with_pip_then_the_own_installer(tmp_path):
    wh = make_wheelhouse(tmp_path)
    venv = tmp_path / "venv"
    assert run_install(wh, "--venv", str(venv), "--smoke", "none")[0] == 0
    rc, out, err = run_install(wh, "--venv", str(venv))
    assert rc == 0, err
    assert out[1] == "install.sh: adding to the existing venv %s" % venv
    rc, out, err = run_install(wh, "--venv", str(venv), "--own-installer")
    assert rc == 0, err
    assert "install.sh:     pyrustgrad 0.1.0 is already installed" in out
    assert venv_pip(venv, "check").returncode == 0


def other_python():
    """A CPython of another minor version on this machine, or None."""
    cands = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.[0-9]*")))
    cands += sorted(glob.glob("/usr/bin/python3.[0-9]*"))
    for c in cands:
        v = os.path.basename(c)[len("python"):]
        if v != HERE and v.count(".") == 1 and os.access(c, os.X_OK):
            return c, v
    return None, None


def test_a_venv_of_another_python_is_refused(tmp_path):
    """Defect 6: re-running with another --python must not pick that Python's lock for a
    venv made by another one."""
    other, v = other_python()
    if not other:
        pytest.skip("no CPython of another version here")
    wh = make_wheelhouse(tmp_path)
    venv = tmp_path / "old"
    subprocess.run([other, "-m", "venv", "--without-pip", str(venv)], check=True)
    full = subprocess.run([other, "-c", "import sys; print(sys.version.split()[0])"],
                          stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    rc, out, err = run_install(wh, "--venv", str(venv))
    assert rc == 1
    assert err == ["install.sh: %s is a venv of Python %s; this run uses Python %s (%s). To add "
                   "pyrustgrad to that venv, run with --python %s/bin/python; for Python %s, name "
                   "a new folder with --venv DIR" % (venv, full, sys.version.split()[0], BASE, venv, HERE)]
    assert sorted(os.listdir(str(venv))) == ["bin", "include", "lib", "pyvenv.cfg"] or \
        "lib64" in os.listdir(str(venv))


@pytest.mark.parametrize("way", ["own", "pip"])
def test_a_truncated_wheel_whose_sums_match_is_refused_and_nothing_is_left(tmp_path, way):
    """A wheelhouse built from a broken download: the sums agree, the zip does not."""
    wh = make_wheelhouse(tmp_path)
    data = (wh / PRG).read_bytes()
    (wh / PRG).write_bytes(data[: len(data) // 2])
    write_lock(wh, CP)
    write_sums(wh)
    target = tmp_path / "t"
    rc, out, err = run_install(wh, "--target", str(target), *(["--own-installer"] if way == "own" else []))
    assert rc == 1
    if way == "own":
        assert err[0].startswith("install.sh: %s: not a complete zip file (" % PRG)
        assert err[0].endswith("); nothing of it is left installed. The wheelhouse is damaged: "
                               "copy it again from the source")
    else:
        assert "install.sh: pip install failed (output above); nothing was fetched from any network" in err
    assert last(err) == "install.sh: removed the unfinished %s" % target
    assert not target.exists()


def test_mac_metadata_files_are_ignored(tmp_path):
    """Defect 8: copying through a Mac onto FAT/exFAT adds ._* files (and .DS_Store)."""
    wh = make_wheelhouse(tmp_path)
    for junk in ("._" + PRG, "._SHA256SUMS", "locks/._%s.txt" % CP, ".DS_Store"):
        (wh / junk).write_bytes(b"\x00\x05\x16\x07AppleDouble")
    rc, out, err = run_install(wh, "--target", str(tmp_path / "t"), "--smoke", "import")
    assert rc == 0, err
    assert out[0].startswith("install.sh: checked ")
    assert out[0].endswith(" files against SHA256SUMS; ignored 4 macOS metadata files (._*)")


def test_pythonpath_and_pythonhome_of_the_environment_are_ignored(tmp_path):
    """Defect 9: on Ubuntu 18.04, PYTHONPATH=/usr/lib/python3/dist-packages puts Debian's
    pip 9 before the right one."""
    wh = make_wheelhouse(tmp_path)
    shadow = tmp_path / "shadow"
    for pkg in ("pip", "pyrustgrad"):
        (shadow / pkg).mkdir(parents=True)
        (shadow / pkg / "__init__.py").write_text("raise ImportError('the shadowing %s')\n" % pkg)
    rc, out, err = run_install(wh, "--target", str(tmp_path / "t"),
                               env={"PYTHONPATH": str(shadow), "PYTHONSTARTUP": "/nonexistent"})
    assert rc == 0, err
    assert out[:2] == ["install.sh: ignoring PYTHONPATH from the environment",
                       "install.sh: ignoring PYTHONSTARTUP from the environment"]
    assert "    smoke: PASSED (NumPy interop skipped: this wheelhouse has no NumPy)" in out


def _wait_until_reading(sid, name, timeout=60.0):
    """Waits until a process of session ``sid`` has ``name`` open (the checksum step has
    begun), so the signal lands in that step however loaded the machine is."""
    end = time.time() + timeout
    while time.time() < end:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.getsid(int(pid)) != sid:
                    continue
                fds = os.listdir("/proc/%s/fd" % pid)
                if any(os.readlink("/proc/%s/fd/%s" % (pid, fd)).endswith(name) for fd in fds):
                    time.sleep(0.2)
                    return
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError("no process of the install opened %s within %ss" % (name, timeout))


def test_ctrl_c_during_the_checksum_step_prints_no_traceback(tmp_path):
    wh = make_wheelhouse(tmp_path)
    with open(str(wh / "big.bin"), "wb") as f:
        f.truncate(64 << 30)   # sparse: hashing it takes long, storing it nothing
    with open(str(wh / "SHA256SUMS"), "a") as f:
        f.write("%s  big.bin\n" % ("0" * 64))
    p = subprocess.Popen(["sh", str(wh / "install.sh"), "--python", BASE, "--venv", str(tmp_path / "v")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                         start_new_session=True)
    _wait_until_reading(p.pid, "big.bin")
    os.killpg(p.pid, signal.SIGINT)   # as a terminal's Ctrl-C does: the whole group
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert "Traceback" not in out + err
    assert (out + err).strip() == ""
    assert not (tmp_path / "v").exists()


def test_default_venv_is_in_home_even_when_run_from_inside_the_wheelhouse(tmp_path):
    """Defect 9: `cd /media/usb && sh install.sh` must not put the venv on the stick."""
    wh = make_wheelhouse(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    before = sorted(os.listdir(str(wh)))
    rc, out, err = run_install(wh, "--smoke", "none", env={"HOME": str(home)}, cwd=wh)
    assert rc == 0, err
    assert (home / "pyrustgrad-venv" / "pyvenv.cfg").exists()
    assert sorted(os.listdir(str(wh))) == before
    rc, out, err = run_install(wh, "--venv", "sub", env={"HOME": str(home)}, cwd=wh)
    assert rc == 1
    assert err == ["install.sh: sub is inside the wheelhouse folder %s; install somewhere else "
                   "(the default is ~/pyrustgrad-venv)" % os.path.realpath(str(wh))]
    assert sorted(os.listdir(str(wh))) == before


def test_an_existing_empty_venv_folder_is_emptied_not_deleted_when_the_install_fails(tmp_path):
    """Defect 5: --venv on an existing empty folder (a mount point, say) keeps the folder."""
    wh = make_wheelhouse(tmp_path)
    d = tmp_path / "empty"
    d.mkdir()
    rc, out, err = run_install(wh, "--venv", str(d), env={"FAKE_BROKEN_GRAD": "1"})
    assert rc == 1
    assert err == ["install.sh: the smoke test failed: pyrustgrad does not work with %s (%s) here"
                   % (BASE, sys.version.split()[0]),
                   "install.sh: emptied %s again (it was empty before)" % d]
    assert d.is_dir() and os.listdir(str(d)) == []


@pytest.mark.parametrize("way", ["pip", "own"])
@pytest.mark.parametrize("mode", ["user", "target"])
def test_user_and_target_installs_are_rolled_back_when_they_fail(tmp_path, mode, way):
    """Defect 5: --user and --target left partial packages behind. A failing smoke test
    (after everything was installed) must take all of it back, and only it."""
    wh = make_wheelhouse(tmp_path)
    home = tmp_path / "home"
    keep = home / ".local" / "lib" / "keep.txt" if mode == "user" else tmp_path / "t" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    before = sorted(os.path.relpath(os.path.join(d, f), str(tmp_path))
                    for d, ds, fs in os.walk(str(tmp_path)) for f in ds + fs if "wh" not in d)
    args = ["--user"] if mode == "user" else ["--target", str(tmp_path / "t")]
    rc, out, err = run_install(wh, *args, *(["--own-installer"] if way == "own" else []),
                               env={"FAKE_BROKEN_GRAD": "1", "HOME": str(home)})
    assert rc == 1
    assert err[0].startswith("install.sh: the smoke test failed")
    assert err[1].startswith("install.sh: removed what this run had added (") and err[1].endswith(" files and folders)")
    after = sorted(os.path.relpath(os.path.join(d, f), str(tmp_path))
                   for d, ds, fs in os.walk(str(tmp_path)) for f in ds + fs if "wh" not in d)
    assert after == before
    assert keep.read_text() == "mine"


# ---- root: mounts and another user ------------------------------------------------------------

def in_namespace(script, *args):
    """A command prefix that runs SCRIPT (sh, $1.. = ARGS) in a private mount namespace and
    then the install.sh command line given after it (as "$@")."""
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            script + '\n"$@"\n', "sh"] + list(args)


@AS_ROOT
def test_a_read_only_wheelhouse_installs_and_stays_untouched(tmp_path):
    """A read-only USB stick, install.sh run from inside it with the default venv."""
    wh = make_wheelhouse(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    before = sorted(os.listdir(str(wh)))
    wrap = in_namespace('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift', str(wh))
    rc, out, err = run_install(wh, "--smoke", "import", env={"HOME": str(home)}, cwd=wh, wrap=wrap)
    assert rc == 0, err
    assert (home / "pyrustgrad-venv" / "pyvenv.cfg").exists()
    assert sorted(os.listdir(str(wh))) == before


@AS_ROOT
@pytest.mark.parametrize("mode", ["venv", "target"])
def test_a_read_only_destination_is_named_as_such(tmp_path, mode):
    """Defect 4: not 'the venv module is missing', and nothing claimed removed."""
    wh = make_wheelhouse(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    wrap = in_namespace('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift', str(ro))
    rc, out, err = run_install(wh, "--" + mode, str(ro / "x"), wrap=wrap)
    assert rc == 1
    assert err == ["install.sh: cannot write %s: %s is on a read-only file system; name a folder "
                   "you can write with --%s DIR, or use --user" % (ro / "x", ro, mode)]
    assert os.listdir(str(ro)) == []


@pytest.fixture(scope="module")
def big_wheelhouse(tmp_path_factory):
    """A wheelhouse whose pyrustgrad wheel unpacks to 40 MB of incompressible data."""
    tmp = tmp_path_factory.mktemp("big")
    return make_wheelhouse(tmp, pyrustgrad_files={"pyrustgrad/__init__.py": FAKE_PYRUSTGRAD,
                                                  "pyrustgrad/blob.bin": os.urandom(40 << 20)})


@AS_ROOT
@pytest.mark.parametrize("way", ["pip", "own"])
@pytest.mark.parametrize("mode", ["venv", "user", "target"])
def test_disk_full_leaves_nothing_behind(tmp_path, big_wheelhouse, mode, way):
    """Defect 5: a 30 MB tmpfs holds the venv but not the 40 MB package."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    script = ('mount -t tmpfs -o size=30m tmpfs "$1" && mkdir "$1/home" && m=$1 && shift\n'
              'trap \'echo "LEFT: $(ls -A "$m/home" | tr "\\n" " ")" >&2\' EXIT')
    args = {"venv": ["--venv", str(mnt / "home" / "v")], "user": ["--user"],
            "target": ["--target", str(mnt / "home" / "t")]}[mode]
    rc, out, err = run_install(big_wheelhouse, *args, *(["--own-installer"] if way == "own" else []),
                               env={"HOME": str(mnt / "home")}, wrap=in_namespace(script, str(mnt)))
    assert rc == 1
    assert any("No space left on device" in line for line in err), err
    assert err[-1] == "LEFT: "
    assert err[-2] == {"venv": "install.sh: removed the unfinished venv %s" % (mnt / "home" / "v"),
                       "target": "install.sh: removed the unfinished %s" % (mnt / "home" / "t"),
                       "user": err[-2]}[mode]
    if mode == "user" and way == "pip":
        assert err[-2].startswith("install.sh: removed what this run had added (")
    if way == "own":   # the own installer takes back what it wrote itself, and says so
        assert [l for l in err if l.startswith("install.sh: cannot write ")][0].endswith(
            ": No space left on device; what this run had installed is removed again")


def nobody_python():
    """An interpreter another user can run (pyenv's live under /root, 0700), or None."""
    for c in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(c):
            return c
    return None


@AS_ROOT
def test_as_a_user_who_is_not_root(tmp_path):
    """Defect 4 (no permission) and 9 (an interpreter that exists but cannot be reached)."""
    py = nobody_python()
    if not py:
        pytest.skip("no system python3 that another user can run")
    cp = subprocess.run([py, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"],
                        stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    top = tempfile.mkdtemp(prefix="pyrustgrad-nobody-")
    try:
        os.chmod(top, 0o755)
        from pathlib import Path
        wh = make_wheelhouse(Path(top), cps=(cp,))
        home = Path(top) / "home"
        home.mkdir()
        os.chown(str(home), 65534, 65534)
        theirs = Path(top) / "root-only"
        theirs.mkdir()

        def as_nobody():
            os.setgid(65534)
            os.setgroups([])
            os.setuid(65534)

        def run(*args, python=py):
            p = subprocess.run(["sh", str(wh / "install.sh"), "--python", python] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                               env={"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"},
                               cwd=str(home), preexec_fn=as_nobody, timeout=120)
            return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()

        rc, out, err = run("--smoke", "import")
        assert rc == 0, err
        assert (home / "pyrustgrad-venv" / "pyvenv.cfg").exists()
        rc, out, err = run("--venv", str(theirs / "v"))
        assert err == ["install.sh: cannot write %s: no permission to write in %s (as nobody); name "
                       "a folder you can write with --venv DIR, or use --user" % (theirs / "v", theirs)]
        locked = os.path.realpath(BASE)
        if locked.startswith("/root/"):
            rc, out, err = run("--venv", str(home / "v2"), python=locked)
            assert err == ["install.sh: cannot use %s: no permission to enter /root (as nobody)" % locked]
        os.chmod(str(wh / PRG), 0o600)   # copied with root's permissions: named, no traceback
        rc, out, err = run("--venv", str(home / "v3"))
        assert rc == 1
        assert out == ["install.sh: cannot read %s: Permission denied" % PRG]
    finally:
        shutil.rmtree(top, ignore_errors=True)


# ---- install.sh --provide-torch: the torch alias (tests/test_torch_alias.py tests the alias) ----

# What the alias needs of pyrustgrad, on top of FAKE_PYRUSTGRAD.
FAKE_NAMES = '''prefix = "pyrustgrad"
def set_module_prefix(name):
    global prefix
    prefix = name
def rename_classes(module):
    pass
'''
FAKE_SIZE = '''
__version__ = "0.1.0"
class Size(tuple):
    def __repr__(self):
        from . import _names
        return "%s.Size([%s])" % (_names.prefix, ", ".join(str(d) for d in self))
'''
ALIAS_LINE = "    torch alias: import torch runs pyrustgrad 0.1.0; torch.Size([2, 3])"


def alias_wheelhouse(tmp_path, with_alias=True):
    wh = make_wheelhouse(tmp_path, pyrustgrad_files={
        "pyrustgrad/__init__.py": FAKE_PYRUSTGRAD + FAKE_SIZE, "pyrustgrad/_names.py": FAKE_NAMES})
    if with_alias:   # as scripts/build-wheelhouse adds it: the real alias wheel, its own lock
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        whl = subprocess.run([sys.executable, os.path.join(root, "scripts", "build-torch-alias"), str(wh)],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
        import hashlib
        with open(whl, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        (wh / "locks" / "torch-alias.txt").write_text(
            "#\n# the torch alias\npyrustgrad-torch-alias==0.1.0 \\\n    --hash=sha256:%s\n" % h)
        write_sums(wh)
    return wh


@pytest.mark.parametrize("way", ["pip", "own"])
def test_provide_torch_installs_the_alias_and_import_torch_is_pyrustgrad(tmp_path, way):
    wh = alias_wheelhouse(tmp_path)
    venv = tmp_path / "venv"
    rc, out, err = run_install(wh, "--venv", str(venv), "--provide-torch",
                               *(["--own-installer"] if way == "own" else []))
    assert rc == 0, err
    assert ("install.sh: installing pyrustgrad 0.1.0, pyrustgrad-torch-alias 0.1.0 from locks/%s.txt "
            "and locks/torch-alias.txt" % CP) in " ".join(out)
    assert ALIAS_LINE in out
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import torch; print(torch.__name__, torch.Size([1]))"],
                       stdout=subprocess.PIPE, universal_newlines=True, cwd=str(tmp_path))
    assert r.stdout == "pyrustgrad torch.Size([1])\n"
    check = venv_pip(venv, "check")
    assert check.returncode == 0, check.stdout
    if way == "own":   # again into the same venv: the alias is its own, not a torch to protect
        rc, out, err = run_install(wh, "--venv", str(venv), "--provide-torch", "--own-installer")
        assert rc == 0, err
        assert [l for l in out if "replacing the torch alias" in l] == [
            "install.sh: replacing the torch alias an earlier run installed (%s)"
            % glob.glob(str(venv / "lib" / "python*" / "site-packages" / "torch" / "__init__.py"))[0]]


@pytest.mark.parametrize("mode", ["venv", "target"])
def test_provide_torch_refuses_where_a_torch_is_importable(tmp_path, mode):
    wh = alias_wheelhouse(tmp_path)
    dest = tmp_path / "dest"
    if mode == "venv":
        subprocess.run([BASE, "-m", "venv", "--without-pip", str(dest)], check=True)
        site = glob.glob(str(dest / "lib" / "python*" / "site-packages"))[0]
        python = str(dest / "bin" / "python")
    else:
        site = str(dest)
        os.makedirs(site)
        python = BASE
    os.makedirs(os.path.join(site, "torch"))
    with open(os.path.join(site, "torch", "__init__.py"), "w") as f:
        f.write("__version__ = '2.15.0'  # a stand-in for real PyTorch\n")
    before = sorted(os.listdir(site))
    rc, out, err = run_install(wh, "--" + mode, str(dest), "--provide-torch")
    assert rc == 1
    assert err[-1] == (
        "install.sh: --provide-torch: %s already imports a torch that is not pyrustgrad's alias "
        "(%s), which the alias would hide. Nothing was installed. Run without --provide-torch "
        "(and use `import pyrustgrad as torch`), or install into a venv that has no PyTorch"
        % (python, os.path.join(site, "torch", "__init__.py")))
    assert sorted(os.listdir(site)) == before   # nothing of pyrustgrad went in
    rc, out, err = run_install(wh, "--" + mode, str(dest))   # without it: installs
    assert rc == 0, err


def test_provide_torch_from_a_wheelhouse_without_the_alias_says_so(tmp_path):
    wh = alias_wheelhouse(tmp_path, with_alias=False)
    rc, out, err = run_install(wh, "--target", str(tmp_path / "t"), "--provide-torch")
    assert rc == 1 and err == [
        "install.sh: --provide-torch: this wheelhouse has no torch alias (locks/torch-alias.txt);",
        "install.sh: it was built without one: run without --provide-torch and use: import pyrustgrad as torch"]
    assert not os.path.exists(str(tmp_path / "t"))
