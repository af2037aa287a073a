"""install.sh's helper, run by the target interpreter: everything install.sh needs that is
easier to get right in Python than in POSIX sh.

    python installer.py plan WH LOCK OUT [LOCK2]
                                                read LOCK (and LOCK2: locks/torch-alias.txt for
                                                --provide-torch), pick this interpreter's wheel
                                                for each pin, write OUT/{payload,pip,setuptools}.txt
    python installer.py torch-check [DIR]       whether `import torch` finds a torch (DIR first
                                                on sys.path) that is not pyrustgrad's alias
    python installer.py dest venv|user|target [DIR] WH
                                                say whether the destination can be used
    python installer.py snapshot OUT ROOT...    remember what is under the ROOTs (--user:
                                                pip --user's folders) ...
    python installer.py rollback OUT            ... and remove what was added since
    python installer.py install OUT venv|user|target [DIR] [--with-pip] [--with-setuptools]
                                                install the planned wheels without pip
    python installer.py distutils-fix user|venv|target [DIR]
                                                make pip work where this Python has no distutils
    python installer.py pip-version [DIR]       the version of the pip that this Python
                                                (with DIR first on sys.path) runs, or none

The wheel installer is the way in when pip cannot run (a bare Ubuntu 18.04: no distutils,
no ensurepip): it checks each wheel's sha256 against the lock and every file against the
wheel's RECORD, unpacks per the wheel spec (PEP 427/491: purelib/platlib, the .data
directories, #!python scripts), writes RECORD, INSTALLER and the console scripts of
entry_points.txt, so that pip can list, check and uninstall what it installed. On any
error it puts back what it replaced and removes what it wrote.

It never touches the network, never writes into the wheelhouse, and reports every
failure as one "install.sh: ..." message (exit 1), never a traceback; Ctrl-C exits 130.
Standard library only; runs on CPython 3.6 and later.
"""
import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import sys
import zipfile
import zlib

PROG = "install.sh"
# Files that copying through a Mac leaves beside the real ones (AppleDouble "._name",
# Finder's .DS_Store); they are never part of the wheelhouse.
MAC_JUNK = re.compile(r"^(\._.*|\.DS_Store)$")
BOOTSTRAP = ("pip", "setuptools")  # pip-compile's "unsafe" packages: the installer's tools
UMASK = os.umask(0o022)
os.umask(UMASK)


class Failure(Exception):
    """A problem with a message for the person at the machine."""


def say(msg):
    print("%s: %s" % (PROG, msg))
    sys.stdout.flush()


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---- wheel names and tags -----------------------------------------------------------------

def parse_wheel_name(filename):
    """(name, version, python tags, abi tags, platform tags) of a wheel file name, or None."""
    if not filename.endswith(".whl") or MAC_JUNK.match(filename):
        return None
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return None
    name, version = parts[0], parts[1]
    py, abi, plat = parts[-3:]
    return name, version, py.split("."), abi.split("."), plat.split(".")


def glibc_version():
    try:
        kind, ver = os.confstr("CS_GNU_LIBC_VERSION").split()
        major, minor = ver.split(".")[:2]
        return int(major), int(minor)
    except Exception:
        return None


def platform_ok(plat, glibc):
    if plat == "any":
        return True
    m = re.match(r"^manylinux_(\d+)_(\d+)_x86_64$", plat)
    legacy = {"manylinux1_x86_64": (2, 5), "manylinux2010_x86_64": (2, 12),
              "manylinux2014_x86_64": (2, 17)}
    need = (int(m.group(1)), int(m.group(2))) if m else legacy.get(plat)
    if need is None:
        return plat == "linux_x86_64"
    return glibc is not None and glibc >= need


def wheel_fits(filename, version_info=None, glibc=None):
    """True when this CPython (Linux x86_64) can install the wheel."""
    v = version_info or sys.version_info
    parsed = parse_wheel_name(filename)
    if parsed is None:
        return False
    _, _, pys, abis, plats = parsed
    if not any(platform_ok(p, glibc) for p in plats):
        return False
    cp = "cp%d%d" % (v[0], v[1])
    cpabi = cp + ("m" if v[:2] < (3, 8) else "")
    for py in pys:
        for abi in abis:
            generic = re.match(r"^py3(\d*)$", py)
            if abi == "none" and (py == cp or generic and int(generic.group(1) or 0) <= v[1]):
                return True
            if abi == "abi3" and re.match(r"^cp3\d+$", py) and int(py[3:]) <= v[1]:
                return True
            if abi == cpabi and py == cp:
                return True
    return False


# ---- the lock -----------------------------------------------------------------------------

def read_lock(path):
    """[(name, version, [sha256...])] from a pip-compile lock (hashes required)."""
    with open(path) as f:
        text = f.read()
    logical = re.sub(r"\\\n", " ", text)
    pins = []
    for n, line in enumerate(logical.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line or line.startswith("-"):
            continue  # pip options pip-compile may write (--no-index, --find-links ...)
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)((?:\s+--hash=sha256:[0-9a-f]{64})+)$",
                     line)
        if not m:
            raise Failure("cannot read %s (entry %d: %r): the lock is damaged; copy the "
                          "wheelhouse again" % (os.path.basename(path), n, line[:60]))
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", m.group(4))
        pins.append((m.group(1), m.group(3), hashes))
    if not pins:
        raise Failure("%s pins nothing: the lock is damaged" % os.path.basename(path))
    return pins


def cmd_plan(wh, lock, out, extra=None):
    """Pick, for every pin, the one wheel here whose sha256 the lock (or the EXTRA lock)
    lists and that fits this interpreter; write the requirement files install.sh hands
    to pip."""
    glibc = glibc_version()
    files = {}
    for f in os.listdir(wh):
        parsed = parse_wheel_name(f)
        if parsed:
            files.setdefault((canonical(parsed[0]), parsed[1]), []).append(f)
    plan = []
    pins = [(p, lock) for p in read_lock(lock)]
    if extra:
        pins += [(p, extra) for p in read_lock(extra)]
    for (name, version, hashes), src in pins:
        chosen = None
        for f in sorted(files.get((canonical(name), version), [])):
            if wheel_fits(f, glibc=glibc) and sha256_of(os.path.join(wh, f)) in hashes:
                chosen = f
                break
        if chosen is None:
            raise Failure("the lock %s pins %s==%s, but no wheel here has one of its hashes and "
                          "fits Python %d.%d (glibc %s): the wheelhouse is incomplete"
                          % (os.path.basename(src), name, version, sys.version_info[0],
                             sys.version_info[1], "%d.%d" % glibc if glibc else "none"))
        plan.append({"name": name, "version": version, "hashes": hashes, "file": chosen})
    groups = {"payload": [], "pip": [], "setuptools": []}
    for p in plan:
        groups[canonical(p["name"]) if canonical(p["name"]) in BOOTSTRAP else "payload"].append(p)
    if not groups["pip"]:
        raise Failure("the lock %s pins no pip: the wheelhouse is damaged" % os.path.basename(lock))
    for group, pins in groups.items():
        with open(os.path.join(out, group + ".txt"), "w") as f:
            for p in pins:
                f.write("%s==%s %s\n" % (p["name"], p["version"],
                                         " ".join("--hash=sha256:" + h for h in p["hashes"])))
    with open(os.path.join(out, "plan.json"), "w") as f:
        json.dump({"wheelhouse": wh, "pins": plan}, f)
    st = groups["setuptools"]
    print("%d %s %s %s" % (len(groups["payload"]), groups["pip"][0]["version"],
                           st[0]["version"] if st else "-", groups["pip"][0]["file"]))
    return 0


# ---- destinations ---------------------------------------------------------------------------

def nearest_existing(path):
    p = os.path.abspath(path)
    while not os.path.lexists(p):
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    return p


def check_writable(path, what):
    """Raise a Failure naming why PATH (or the folder it would be made in) cannot be written."""
    base = nearest_existing(path)
    if not os.path.isdir(base):
        raise Failure("cannot make %s: %s is a file, not a folder" % (path, base))
    try:
        ro = os.statvfs(base).f_flag & os.ST_RDONLY
    except (OSError, AttributeError):
        ro = 0
    if ro:
        raise Failure("cannot write %s: %s is on a read-only file system; %s"
                      % (path, base, what))
    if not os.access(base, os.W_OK | os.X_OK):
        try:
            import pwd
            user = pwd.getpwuid(os.geteuid()).pw_name
        except Exception:
            user = "uid %d" % os.geteuid()
        raise Failure("cannot write %s: no permission to write in %s (as %s); %s"
                      % (path, base, user, what))


def inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def venv_python_version(d):
    """'3.6.9' from DIR/pyvenv.cfg, or None."""
    try:
        with open(os.path.join(d, "pyvenv.cfg")) as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() in ("version", "version_info"):
                    return v.strip()
    except OSError:
        return None
    return "?"


def cmd_dest(mode, d, wh):
    """Prints 'new', 'empty' or 'venv' (venv mode) / 'ok' and the absolute folder; fails
    with the reason when the destination must not or cannot be used."""
    here = "%d.%d" % sys.version_info[:2]
    if mode == "user":
        import site
        d = site.getusersitepackages()
        check_writable(d, "use --venv DIR or --target DIR in a folder you can write")
        print("ok %s" % d)
        return 0
    absd = os.path.abspath(d)
    if inside(absd, wh) or inside(nearest_existing(absd), wh):
        raise Failure("%s is inside the wheelhouse folder %s; install somewhere else "
                      "(the default is ~/pyrustgrad-venv)" % (d, wh))
    if os.path.lexists(absd) and not os.path.isdir(absd):
        raise Failure("%s exists and is not a folder; name another one" % d)
    state = "new"
    if os.path.isdir(absd):
        entries = [e for e in os.listdir(absd) if not MAC_JUNK.match(e)]
        state = "empty" if not entries else "full"
    if mode == "venv" and state == "full":
        ver = venv_python_version(absd)
        if ver is None:
            raise Failure("%s exists and is not a venv (it has no pyvenv.cfg); name a new "
                          "folder" % d)
        if not os.path.exists(os.path.join(absd, "bin", "python")):
            raise Failure("%s has a pyvenv.cfg but no bin/python: a broken venv; remove it "
                          "or name a new folder" % d)
        if ver.split(".")[:2] != here.split("."):
            raise Failure("%s is a venv of Python %s; this run uses Python %s (%s). To add "
                          "pyrustgrad to that venv, run with --python %s; for Python %s, "
                          "name a new folder with --venv DIR"
                          % (d, ver, sys.version.split()[0], sys.executable,
                             os.path.join(absd, "bin", "python"), here))
        state = "venv"
    what = ("name a folder you can write with --venv DIR, or use --user" if mode == "venv"
            else "name a folder you can write with --target DIR, or use --user")
    check_writable(absd, what)
    print("%s %s" % (state, absd))
    return 0


# ---- snapshot and rollback --------------------------------------------------------------------

def walk_all(root):
    """Every path under ROOT (not following symlinks), relative to it."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            found.append(os.path.relpath(os.path.join(dirpath, n), root))
    return found


def cmd_snapshot(out, roots):
    """ROOT '--user' stands for the folders pip --user writes: site-packages, bin, include."""
    if "--user" in roots:
        s = scheme_paths("user", "")
        roots = [r for r in roots if r != "--user"] + [s["purelib"], s["scripts"], s["headers"]]
    snap = []
    for r in roots:
        r = os.path.abspath(r)
        if os.path.isdir(r):
            snap.append({"root": r, "existed": True, "entries": walk_all(r)})
        else:
            top = r
            while not os.path.lexists(os.path.dirname(top)) and os.path.dirname(top) != top:
                top = os.path.dirname(top)
            snap.append({"root": r, "existed": False, "top": top})
    with open(out, "w") as f:
        json.dump(snap, f)
    return 0


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def cmd_rollback(out):
    with open(out) as f:
        snap = json.load(f)
    removed = 0
    for s in snap:
        if not s["existed"]:
            if os.path.lexists(s["top"]):
                removed += 1 + (len(walk_all(s["top"])) if os.path.isdir(s["top"]) else 0)
                remove(s["top"])
            continue
        if not os.path.isdir(s["root"]):
            continue
        before = set(s["entries"])
        # deepest first, so that a new folder goes after what is in it
        for rel in sorted(walk_all(s["root"]), key=lambda p: -p.count(os.sep)):
            if rel not in before:
                remove(os.path.join(s["root"], rel))
                removed += 1
    print(removed)
    return 0


# ---- the wheel installer -------------------------------------------------------------------

def record_hash(data_hash):
    return "sha256=" + base64.urlsafe_b64encode(data_hash).rstrip(b"=").decode("ascii")


class Journal:
    """What an install changed, so that a failure can undo it: files and folders it made,
    files it moved aside (replaced or uninstalled), restored on undo, dropped on commit."""

    def __init__(self):
        self.made = []
        self.moved = []  # (original path, backup path)

    def makedirs(self, d):
        missing = []
        while not os.path.isdir(d):
            missing.append(d)
            d = os.path.dirname(d)
        for m in reversed(missing):
            os.mkdir(m)
            self.made.append(m)

    def move_aside(self, path):
        backup = "%s.pyrustgrad-old-%d" % (path, os.getpid())
        os.rename(path, backup)
        self.moved.append((path, backup))

    def new_file(self, path):
        """Call before writing PATH: sets aside what is there and notes the new file."""
        self.makedirs(os.path.dirname(path))
        if os.path.lexists(path):
            self.move_aside(path)
        self.made.append(path)

    def undo(self):
        for p in reversed(self.made):
            if os.path.isdir(p) and not os.path.islink(p):
                try:
                    os.rmdir(p)
                except OSError:
                    shutil.rmtree(p, ignore_errors=True)
            elif os.path.lexists(p):
                os.unlink(p)
        for path, backup in reversed(self.moved):
            if os.path.lexists(backup):
                os.rename(backup, path)

    def commit(self):
        for _, backup in self.moved:
            remove(backup)


def scheme_paths(mode, d):
    """Where each part of a wheel goes: purelib, platlib, scripts, data, headers (a folder
    to which the distribution's name is added)."""
    import site
    import sysconfig
    pyver = "python%d.%d" % sys.version_info[:2]
    if mode == "target":
        d = os.path.abspath(d)
        return {"purelib": d, "platlib": d, "scripts": os.path.join(d, "bin"), "data": d,
                "headers": os.path.join(d, "include")}
    if mode == "user":
        base = site.getuserbase()
        return {"purelib": site.getusersitepackages(), "platlib": site.getusersitepackages(),
                "scripts": os.path.join(base, "bin"), "data": base,
                "headers": os.path.join(base, "include", pyver)}
    prefix = os.path.abspath(d)
    if os.path.realpath(sys.prefix) != os.path.realpath(prefix):
        raise Failure("internal: the venv installer must run under %s/bin/python" % prefix)
    purelib = sysconfig.get_path("purelib")
    platlib = sysconfig.get_path("platlib")
    default = os.path.join(prefix, "lib", pyver, "site-packages")
    if not inside(purelib, prefix) or purelib not in sys.path:
        purelib = default
    if not inside(platlib, prefix) or platlib not in sys.path:
        platlib = purelib
    return {"purelib": purelib, "platlib": platlib, "scripts": os.path.join(prefix, "bin"),
            "data": prefix, "headers": os.path.join(prefix, "include", "site", pyver)}


def shebang(python):
    """The first line(s) of a script run by PYTHON. Linux reads at most 127 bytes of a #!
    line and splits it at spaces, so longer or spaced paths go through /bin/sh."""
    if len(python) < 120 and " " not in python and "\t" not in python:
        return "#!%s\n" % python
    quoted = "'" + python.replace("'", "'\"'\"'") + "'"
    return "#!/bin/sh\n'''exec' %s \"$0\" \"$@\"\n' '''\n" % quoted


def safe_member(name):
    parts = name.split("/")
    return not (name.startswith("/") or "\\" in name or any(p in ("..",) for p in parts)
                or re.match(r"^[A-Za-z]:", name))


def installed_dist_infos(folder, name):
    if not os.path.isdir(folder):
        return []
    found = []
    for e in os.listdir(folder):
        if e.endswith(".dist-info"):
            n = e[:-len(".dist-info")].rsplit("-", 1)
            if canonical(n[0]) == canonical(name):
                found.append(os.path.join(folder, e))
    return found


def uninstall(dist_info, journal):
    """Moves aside the files an earlier install of the same project recorded."""
    site_dir = os.path.dirname(dist_info)
    rec = os.path.join(dist_info, "RECORD")
    paths = []
    if os.path.exists(rec):
        with open(rec, newline="") as f:
            for row in csv.reader(f):
                if row:
                    paths.append(os.path.normpath(os.path.join(site_dir, row[0])))
    for p in sorted(set(paths)):
        if os.path.lexists(p) and not os.path.isdir(p):
            journal.move_aside(p)
    if os.path.isdir(dist_info):
        journal.move_aside(dist_info)


class WheelInstall:
    def __init__(self, path, name, version, hashes, scheme, python, journal):
        self.path, self.name, self.version, self.hashes = path, name, version, hashes
        self.scheme, self.python, self.journal = scheme, python, journal
        self.records = []  # (absolute path, hash, size)
        self.label = os.path.basename(path)

    def fail(self, why):
        raise Failure("%s: %s; nothing of it is left installed. The wheelhouse is damaged: "
                      "copy it again from the source" % (self.label, why))

    def run(self):
        if sha256_of(self.path) not in self.hashes:
            self.fail("its sha256 is not one the lock lists")
        try:
            zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as e:
            self.fail("not a complete zip file (%s)" % e)
        with zf:
            self.install_from(zf)

    def dist_info_dir(self, names):
        tops = set(n.split("/")[0] for n in names)
        infos = [t for t in tops if t.endswith(".dist-info")
                 and canonical(t[:-10].rsplit("-", 1)[0]) == canonical(self.name)]
        if len(infos) != 1:
            self.fail("it has %d .dist-info folders for %s, not one" % (len(infos), self.name))
        return infos[0]

    def read_record(self, zf, info):
        try:
            text = zf.read(info + "/RECORD").decode("utf-8")
        except KeyError:
            self.fail("it has no %s/RECORD" % info)
        entries = {}
        for row in csv.reader(io.StringIO(text)):
            if row:
                entries[row[0]] = row[1] if len(row) > 1 else ""
        return entries

    def target_of(self, member, info, root_key):
        data = info[:-len(".dist-info")] + ".data/"
        if member.startswith(data):
            rest = member[len(data):]
            key, _, sub = rest.partition("/")
            if key not in ("purelib", "platlib", "scripts", "data", "headers") or not sub:
                self.fail("unknown .data entry %s" % member)
            if key == "headers":
                return key, os.path.join(self.scheme["headers"], self.name, sub)
            if key == "scripts":
                return key, os.path.join(self.scheme["scripts"], os.path.basename(sub))
            return key, os.path.join(self.scheme[key], sub)
        return root_key, os.path.join(self.scheme[root_key], member)

    def install_from(self, zf):
        names = zf.namelist()
        bad = [n for n in names if not safe_member(n)]
        if bad:
            self.fail("it holds a file outside its folder: %s" % bad[0])
        info = self.dist_info_dir(names)
        try:
            wheel_meta = zf.read(info + "/WHEEL").decode("utf-8")
        except KeyError:
            self.fail("it has no %s/WHEEL" % info)
        meta = dict((k.strip().lower(), v.strip()) for k, _, v in
                    (l.partition(":") for l in wheel_meta.splitlines()) if k)
        if not meta.get("wheel-version", "").startswith("1."):
            self.fail("Wheel-Version %s is not 1.x" % meta.get("wheel-version"))
        root_key = "purelib" if meta.get("root-is-purelib", "").lower() == "true" else "platlib"
        record = self.read_record(zf, info)
        site_dir = self.scheme[root_key]
        for old in installed_dist_infos(self.scheme["purelib"], self.name) + (
                installed_dist_infos(self.scheme["platlib"], self.name)
                if self.scheme["platlib"] != self.scheme["purelib"] else []):
            uninstall(old, self.journal)
        seen = set()
        for zi in zf.infolist():
            member = zi.filename
            if member.endswith("/"):
                continue
            if member in (info + "/RECORD", info + "/RECORD.jws", info + "/RECORD.p7s"):
                continue
            if member not in record:
                self.fail("%s is not listed in its RECORD" % member)
            seen.add(member)
            key, dest = self.target_of(member, info, root_key)
            self.extract(zf, zi, record[member], key, dest)
        missing = [m for m, h in record.items() if h and m not in seen]
        if missing:
            self.fail("its RECORD lists %s, which it does not hold" % missing[0])
        self.entry_points(zf, info)
        self.write_meta(site_dir, info)

    def extract(self, zf, zi, want, key, dest):
        self.journal.new_file(dest)
        h = hashlib.sha256()
        size = 0
        try:
            with zf.open(zi) as src, open(dest, "wb") as out:
                first = True
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    h.update(block)
                    size += len(block)
                    if first and key == "scripts" and re.match(br"^#!pythonw?(\r?\n|\s)", block):
                        block = shebang(self.python).encode("utf-8") + block.split(b"\n", 1)[1]
                    first = False
                    out.write(block)
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            self.fail("%s is damaged (%s)" % (zi.filename, e))
        except OSError as e:   # disk full, most likely: name the file it happened on
            if not e.filename:
                e.filename = dest
            raise
        if want:
            algo, _, value = want.partition("=")
            if algo != "sha256":
                self.fail("RECORD uses %s, not sha256, for %s" % (algo, zi.filename))
            if record_hash(h.digest()) != want:
                self.fail("%s does not match the hash in its RECORD" % zi.filename)
        mode = (zi.external_attr >> 16) & 0o777
        os.chmod(dest, (0o777 if key == "scripts" or mode & 0o111 else 0o666) & ~UMASK)
        self.records.append(dest)

    def entry_points(self, zf, info):
        try:
            text = zf.read(info + "/entry_points.txt").decode("utf-8")
        except KeyError:
            return
        import configparser
        cp = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        cp.optionxform = str
        cp.read_string(text)
        for section in ("console_scripts", "gui_scripts"):
            if not cp.has_section(section):
                continue
            items = cp.items(section)
            if canonical(self.name) == "pip":
                # pip's wheel names pipX.Y after the Python that built it; name it after ours
                items = [(k, v) for k, v in items if not re.match(r"^pip\d+\.\d+$", k)]
                items.append(("pip%d.%d" % sys.version_info[:2], dict(items).get("pip", "")))
            for script, spec in items:
                spec = re.sub(r"\s*\[.*\]\s*$", "", spec).strip()
                m = re.match(r"^([\w.]+)\s*:\s*([\w.]+)$", spec)
                if not m or "/" in script:
                    self.fail("cannot read its entry point %s = %s" % (script, spec))
                module, attr = m.groups()
                head = attr.split(".")[0]
                body = ("%s# made by pyrustgrad's install.sh from the entry point %s = %s\n"
                        "import sys\n"
                        "from %s import %s\n"
                        "if __name__ == \"__main__\":\n"
                        "    sys.exit(%s())\n" % (shebang(self.python), script, spec,
                                                  module, head, attr))
                dest = os.path.join(self.scheme["scripts"], script)
                self.journal.new_file(dest)
                with open(dest, "w") as f:
                    f.write(body)
                os.chmod(dest, 0o777 & ~UMASK)
                self.records.append(dest)

    def write_meta(self, site_dir, info):
        folder = os.path.join(site_dir, info)
        installer = os.path.join(folder, "INSTALLER")
        self.journal.new_file(installer)
        with open(installer, "w") as f:
            f.write("pyrustgrad-install.sh\n")
        self.records.append(installer)
        rec = os.path.join(folder, "RECORD")
        self.journal.new_file(rec)
        rows = []
        for p in self.records:
            rows.append((os.path.relpath(p, site_dir), record_hash(hash_bytes(p)),
                         str(os.path.getsize(p))))
        rows.append((os.path.relpath(rec, site_dir), "", ""))
        with open(rec, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            for r in rows:
                w.writerow(r)


def hash_bytes(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.digest()


def cmd_install(out, mode, d, with_pip, with_setuptools):
    with open(os.path.join(out, "plan.json")) as f:
        plan = json.load(f)
    wh = plan["wheelhouse"]
    scheme = scheme_paths(mode, d)
    python = sys.executable if mode != "venv" else os.path.join(os.path.abspath(d), "bin", "python")
    journal = Journal()
    done = []
    try:
        for p in plan["pins"]:
            kind = canonical(p["name"])
            if kind == "pip" and not with_pip or kind == "setuptools" and not with_setuptools:
                continue
            present = [i for i in installed_dist_infos(scheme["purelib"], p["name"])
                       + installed_dist_infos(scheme["platlib"], p["name"])
                       if i.endswith("-%s.dist-info" % p["version"])]
            if present:
                say("    %s %s is already installed" % (p["name"], p["version"]))
                continue
            WheelInstall(os.path.join(wh, p["file"]), p["name"], p["version"], p["hashes"],
                         scheme, python, journal).run()
            done.append("%s %s" % (p["name"], p["version"]))
    except OSError as e:
        journal.undo()
        raise Failure("cannot write %s: %s; what this run had installed is removed again"
                      % (e.filename or scheme["purelib"], e.strerror or e))
    except BaseException:
        journal.undo()
        raise
    journal.commit()
    say("    installed %s" % (", ".join(done) if done else "nothing new"))
    return 0


# ---- the torch alias ---------------------------------------------------------------------------

ALIAS_MARK = "_PYRUSTGRAD_TORCH_ALIAS = True"


def cmd_torch_check(python, d=None):
    """For --provide-torch: prints 'none' or 'alias PATH' (an earlier install of the alias);
    fails when `import torch` would find another torch (real PyTorch), which the alias
    must not hide. Looks without importing it (importing PyTorch takes seconds)."""
    import importlib.util
    if d:
        sys.path.insert(0, os.path.abspath(d))
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        print("none")
        return 0
    origin = spec.origin if spec.origin not in (None, "namespace") else None
    where = origin or ", ".join(list(spec.submodule_search_locations or [])) or "?"
    if origin and os.path.basename(origin) == "__init__.py":
        try:
            with open(origin) as f:
                if ALIAS_MARK in f.read():
                    print("alias %s" % origin)
                    return 0
        except (IOError, OSError, UnicodeDecodeError):
            pass
    raise Failure("--provide-torch: %s already imports a torch that is not pyrustgrad's alias "
                  "(%s), which the alias would hide. Nothing was installed. Run without "
                  "--provide-torch (and use `import pyrustgrad as torch`), or install into a "
                  "venv that has no PyTorch" % (python, where))


# ---- pip where the interpreter has no distutils -------------------------------------------------

# Written next to pip when this Python lacks distutils (Debian/Ubuntu without
# python3-distutils). pip >= 22 (the pip of the locks for 3.7-3.9) needs none once
# sysconfig._PIP_USE_SYSCONFIG is set, the switch pip offers to distributors; pip 21.3.1
# (Python 3.6) cannot do without, so `import distutils` gets the copy in setuptools 59.6's
# wheel (setuptools/_distutils beside this file), which needs nothing else.
DISTUTILS_FIX = '''"""Written by pyrustgrad's install.sh because this Python has no distutils (on
Debian/Ubuntu: python3-distutils is not installed) and pip needs one. It does nothing once
the interpreter has its own distutils again. To undo it, remove this file and %(hook)s."""
import os
import sys


def _stdlib_has_distutils():
    return os.path.exists(os.path.join(os.path.dirname(os.__file__), "distutils", "cmd.py"))


class _SetuptoolsDistutils:
    """Finds `distutils` in setuptools/_distutils beside this file (Python 3.6 only)."""

    def __init__(self, folder):
        self.folder = folder

    def find_spec(self, name, path=None, target=None):
        if name != "distutils":
            return None
        import importlib.util
        return importlib.util.spec_from_file_location(
            "distutils", os.path.join(self.folder, "__init__.py"),
            submodule_search_locations=[self.folder])


def _fix():
    if sys.version_info >= (3, 10) or _stdlib_has_distutils():
        return
    import sysconfig
    sysconfig._PIP_USE_SYSCONFIG = True
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "setuptools", "_distutils")
    if sys.version_info < (3, 7) and os.path.isfile(os.path.join(folder, "__init__.py")):
        if not any(isinstance(f, _SetuptoolsDistutils) for f in sys.meta_path):
            sys.meta_path.insert(0, _SetuptoolsDistutils(folder))


def _chain_sitecustomize(here):
    """A sitecustomize.py in a --target folder shadows the system's: run that one too."""
    import importlib.machinery
    rest = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(here)]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        import types
        module = types.ModuleType("_system_sitecustomize")
        module.__file__ = spec.origin
        try:
            spec.loader.exec_module(module)
        except Exception:
            pass


_fix()
'''

SITECUSTOMIZE = '''# Written by pyrustgrad's install.sh (see _pyrustgrad_distutils.py); runs the system's
# sitecustomize too. Remove both files to undo.
import os
import _pyrustgrad_distutils
_pyrustgrad_distutils._chain_sitecustomize(os.path.dirname(os.path.abspath(__file__)))
'''


def needs_distutils_fix():
    return sys.version_info < (3, 10) and not os.path.exists(
        os.path.join(os.path.dirname(os.__file__), "distutils", "cmd.py"))


def cmd_distutils_fix(mode, d):
    if not needs_distutils_fix():
        print("not needed")
        return 0
    scheme = scheme_paths(mode, d)
    site_dir = scheme["purelib"]
    hook = "sitecustomize.py" if mode == "target" else "pyrustgrad-distutils.pth"
    files = {"_pyrustgrad_distutils.py": DISTUTILS_FIX % {"hook": hook}}
    if mode == "target":
        if os.path.exists(os.path.join(site_dir, "sitecustomize.py")):
            with open(os.path.join(site_dir, "sitecustomize.py")) as f:
                if "_pyrustgrad_distutils" not in f.read():
                    raise Failure("%s/sitecustomize.py exists: not adding the distutils fix "
                                  "for pip" % site_dir)
        files["sitecustomize.py"] = SITECUSTOMIZE
    else:
        files["pyrustgrad-distutils.pth"] = "import _pyrustgrad_distutils\n"
    for name, text in files.items():
        with open(os.path.join(site_dir, name), "w") as f:
            f.write(text)
    print("%s and %s in %s" % (sorted(files)[0], sorted(files)[1], site_dir))
    return 0


def cmd_pip_version(d=None):
    """pip's version as the interpreter would import it (DIR first, as PYTHONPATH=DIR)."""
    import subprocess
    env = dict(os.environ)
    if d:
        env["PYTHONPATH"] = d
    try:
        p = subprocess.Popen([sys.executable, "-m", "pip", "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, universal_newlines=True)
        out, err = p.communicate()
    except OSError:
        print("none")
        return 0
    m = re.match(r"^pip (\S+) ", out)
    if p.returncode == 0 and m:
        print(m.group(1))
    elif "No module named pip" in err and "pip." not in err:
        print("none")
    else:
        last = [l for l in err.strip().splitlines() if l.strip()]
        print("broken: %s" % (last[-1].strip() if last else "exit %d" % p.returncode))
    return 0


def main(argv):
    if not argv:
        raise Failure("installer.py: no command (see its docstring)")
    cmd, args = argv[0], argv[1:]
    if cmd == "plan" and len(args) in (3, 4):
        return cmd_plan(*args)
    if cmd == "torch-check" and len(args) in (1, 2):
        return cmd_torch_check(*args)
    if cmd == "dest" and len(args) in (2, 3):
        mode = args[0]
        return cmd_dest(mode, args[1] if len(args) == 3 else "", args[-1])
    if cmd == "snapshot" and len(args) >= 2:
        return cmd_snapshot(args[0], args[1:])
    if cmd == "rollback" and len(args) == 1:
        return cmd_rollback(args[0])
    if cmd == "install" and len(args) >= 2:
        out, mode = args[0], args[1]
        rest = args[2:]
        d = rest.pop(0) if mode != "user" and rest and not rest[0].startswith("--") else ""
        return cmd_install(out, mode, d, "--with-pip" in rest, "--with-setuptools" in rest)
    if cmd == "distutils-fix" and len(args) in (1, 2):
        return cmd_distutils_fix(args[0], args[1] if len(args) == 2 else "")
    if cmd == "pip-version" and len(args) <= 1:
        return cmd_pip_version(*args)
    raise Failure("installer.py: bad command line: %s" % " ".join(argv))


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("%s: interrupted" % PROG, file=sys.stderr)
        sys.exit(130)
    except OSError as e:
        # disk full, permission denied, read-only: the OS's words, with the file
        print("%s: %s%s" % (PROG, e.strerror or e, ": %s" % e.filename if e.filename else ""),
              file=sys.stderr)
        sys.exit(1)
