#!/bin/sh
# Installs pyrustgrad (and NumPy) from this folder, with no network.
#
#   sh install.sh [DIR]                 make a venv in DIR (default: ./pyrustgrad-venv)
#   sh install.sh --venv DIR            the same
#   sh install.sh --user                into the user's site-packages (pip --user)
#   sh install.sh --target DIR          into DIR (add DIR to PYTHONPATH to use it)
#   options: --python PY                the interpreter (default: python3)
#            --break-system-packages    with --user on a Python marked externally managed
#            --smoke full|import|none   what to test afterwards (default: full; the other
#                                       two are for developing the installer)
#
# Steps: check the interpreter and pick locks/cpXY.txt for its version; verify every
# file against SHA256SUMS; make the venv (without pip when ensurepip is missing, as on
# Debian/Ubuntu without python3-venv); bootstrap pip from this folder when the
# interpreter's pip is missing or older than 19.3; pip install --no-index --find-links
# --require-hashes; run smoke_test.py. Nothing is fetched from any network. On failure
# it stops with a message and removes a venv it had started to make.
# POSIX sh (dash), any Python 3.6+.

PROG=install.sh
say() { echo "$PROG: $*"; }
die() {
    for line in "$@"; do echo "$PROG: $line" >&2; done
    exit 1
}

WH=$(cd "$(dirname "$0")" && pwd) || die "cannot find the wheelhouse folder"
MODE="" DIR="" PY="" SMOKE=full BSP=""
usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$WH/install.sh"
}
set_mode() {
    [ -z "$MODE" ] || [ "$MODE" = "$1" ] || die "choose one of --venv DIR, --user, --target DIR"
    MODE=$1
}
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --venv) [ $# -ge 2 ] || die "--venv needs a folder"; set_mode venv; DIR=$2; shift ;;
        --venv=*) set_mode venv; DIR=${1#--venv=} ;;
        --target) [ $# -ge 2 ] || die "--target needs a folder"; set_mode target; DIR=$2; shift ;;
        --target=*) set_mode target; DIR=${1#--target=} ;;
        --user) set_mode user ;;
        --python) [ $# -ge 2 ] || die "--python needs an interpreter"; PY=$2; shift ;;
        --python=*) PY=${1#--python=} ;;
        --break-system-packages) BSP=--break-system-packages ;;
        --smoke) [ $# -ge 2 ] || die "--smoke needs full, import or none"; SMOKE=$2; shift ;;
        --smoke=*) SMOKE=${1#--smoke=} ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) set_mode venv; [ -z "$DIR" ] || die "only one venv folder, please"; DIR=$1 ;;
    esac
    shift
done
[ -n "$MODE" ] || { MODE=venv; DIR=${DIR:-pyrustgrad-venv}; }
case $SMOKE in full|import|none) ;; *) die "--smoke takes full, import or none" ;; esac

# Never reach for a network, and ignore pip settings of this machine's environment
# and configuration files (an index URL there must not matter).
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
export PIP_NO_INDEX PIP_CONFIG_FILE PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

# ---- the interpreter -------------------------------------------------------------
if [ -z "$PY" ]; then
    for c in python3 python; do
        if command -v "$c" >/dev/null 2>&1; then PY=$c; break; fi
    done
    [ -n "$PY" ] || die "no python3 found; install Python 3.6 or newer, or name one with --python"
fi
command -v "$PY" >/dev/null 2>&1 || die "interpreter not found: $PY"
PY=$(command -v "$PY")
INFO=$("$PY" -c 'import sys, platform
print("%d.%d %s %s %s" % (sys.version_info[0], sys.version_info[1],
      platform.python_implementation(), platform.machine(), sys.version.split()[0]))' 2>/dev/null) ||
    die "$PY does not run"
set -- $INFO
PYVER=$1 IMPL=$2 MACHINE=$3 PYFULL=$4
SUPPORTED=$(ls "$WH/locks" 2>/dev/null | sed -n 's/^cp3\([0-9]*\)\.txt$/\1/p' | sort -n | sed 's/^/3./' | tr '\n' ' ')
SUPPORTED=${SUPPORTED% }
[ -n "$SUPPORTED" ] || die "no lock files in $WH/locks: this folder is not a complete wheelhouse"
LOCK="$WH/locks/cp$(echo "$PYVER" | tr -d .).txt"
if [ "$IMPL" != CPython ] || [ ! -f "$LOCK" ]; then
    die "Python $PYVER ($IMPL, $PY) is not supported by this wheelhouse." \
        "supported Python versions: $SUPPORTED (CPython)" \
        "choose one with --python, e.g. --python python${SUPPORTED##* }"
fi
case $MACHINE in
    x86_64|amd64|AMD64) ;;
    *) die "this wheelhouse holds wheels for Linux x86_64; this machine is $MACHINE" ;;
esac

# glibc: pyrustgrad needs 2.17 (manylinux2014); the lock header names what NumPy needs.
NEED_GLIBC=$(sed -n 's/^# (glibc >= \([0-9.]*\)).*/\1/p' "$LOCK" | head -n 1)
GLIBC=$("$PY" -c 'import os
try:
    print(os.confstr("CS_GNU_LIBC_VERSION").split()[1])
except Exception:
    print("none")' 2>/dev/null)
[ "$GLIBC" != none ] || die "this Python does not use glibc (musl?); the wheels here need glibc >= 2.17"
"$PY" -c 'import sys
v = lambda s: [int(x) for x in s.split(".")[:2]]
sys.exit(0 if v(sys.argv[1]) >= v(sys.argv[2]) else 1)' "$GLIBC" "${NEED_GLIBC:-2.17}" ||
    die "the NumPy wheel for Python $PYVER here needs glibc >= $NEED_GLIBC; this machine has $GLIBC"

# ---- the files -------------------------------------------------------------------
[ -f "$WH/SHA256SUMS" ] || die "SHA256SUMS is missing from $WH: copy the whole wheelhouse folder"
"$PY" - "$WH" <<'EOF' || die "the wheelhouse is damaged; nothing was installed. Copy it again from the source."
import hashlib, os, sys
wh = sys.argv[1]
bad = 0
listed = set()
with open(os.path.join(wh, "SHA256SUMS")) as f:
    for line in f:
        if not line.strip():
            continue
        want, name = line.rstrip("\n").split(None, 1)
        name = name.lstrip("*")
        listed.add(name)
        path = os.path.join(wh, name)
        if not os.path.isfile(path):
            print("install.sh: missing file: %s" % name)
            bad += 1
            continue
        h = hashlib.sha256()
        with open(path, "rb") as g:
            for block in iter(lambda: g.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != want.lower():
            print("install.sh: checksum mismatch: %s" % name)
            bad += 1
for sub in ("", "locks"):
    for name in sorted(os.listdir(os.path.join(wh, sub) if sub else wh)):
        rel = sub + "/" + name if sub else name
        if (name.endswith(".whl") or sub) and rel not in listed:
            print("install.sh: not listed in SHA256SUMS: %s" % rel)
            bad += 1
sys.exit(1 if bad else 0)
EOF
say "checked $(wc -l < "$WH/SHA256SUMS" | tr -d ' ') files against SHA256SUMS"

TMPD=$(mktemp -d 2>/dev/null) || TMPD=$("$PY" -c 'import tempfile; print(tempfile.mkdtemp())') ||
    die "cannot make a temporary folder"
CREATED=0 DONE=0
cleanup() {
    if [ "$CREATED" = 1 ] && [ "$DONE" != 1 ]; then
        rm -rf "$DIR"
        echo "$PROG: removed the unfinished venv $DIR" >&2
    fi
    rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The lock without pip, and pip's pin alone (pip-compile puts pip in its "unsafe" part).
sed '/^# The following packages are considered to be unsafe/,$d' "$LOCK" > "$TMPD/req.txt"
sed -n '/^# The following packages are considered to be unsafe/,$p' "$LOCK" | sed 1d > "$TMPD/pip.txt"
PIPVER=$(sed -n 's/^pip==\([^ ]*\).*/\1/p' "$TMPD/pip.txt")
PIPWHL="pip-$PIPVER-py3-none-any.whl"
[ -n "$PIPVER" ] && [ -f "$WH/$PIPWHL" ] || die "the lock $LOCK names no pip wheel that is here"

pip_version() {   # pip_version PYTHON: prints pip's version (without running pip), or "none"
    "$1" -c 'try:
    from pip import __version__ as v
except Exception:
    v = "none"
print(v)' 2>/dev/null || echo none
}
pip_recent() {    # pip_recent VERSION: true when >= 19.3 (knows manylinux2014 tags)
    [ "$1" != none ] && "$PY" -c 'import re, sys
m = re.match(r"(\d+)\.(\d+)", sys.argv[1])
sys.exit(0 if m and (int(m.group(1)), int(m.group(2))) >= (19, 3) else 1)' "$1"
}
PIP_BEFORE=$(pip_version "$PY")

# ---- where to install ------------------------------------------------------------
case $MODE in
venv)
    if [ -x "$DIR/bin/python" ]; then
        say "using the existing venv $DIR"
    elif [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
        die "$DIR exists and is not a venv; name a new folder"
    else
        if "$PY" -c 'import ensurepip' >/dev/null 2>&1; then
            say "making the venv $DIR"
            CREATED=1
            "$PY" -m venv "$DIR" > "$TMPD/venv.log" 2>&1 || {
                rm -rf "$DIR"
                say "venv with pip failed; trying without pip"
                "$PY" -m venv --without-pip "$DIR" > "$TMPD/venv.log" 2>&1
            } || { sed 's/^/    /' "$TMPD/venv.log" >&2
                   die "could not make a venv with $PY"; }
        else
            say "ensurepip is missing (on Debian/Ubuntu: no python3-venv), making the venv $DIR without pip"
            CREATED=1
            "$PY" -m venv --without-pip "$DIR" > "$TMPD/venv.log" 2>&1 || {
                sed 's/^/    /' "$TMPD/venv.log" >&2
                die "could not make a venv with $PY (the venv module is missing)." \
                    "On Debian/Ubuntu: apt-get install python3-venv, or use --user or --target DIR"
            }
        fi
    fi
    DIR=$(cd "$DIR" && pwd)
    TPY="$DIR/bin/python"
    ;;
user|target)
    TPY=$PY
    if [ "$MODE" = user ] && [ -z "$BSP" ] && "$PY" -c 'import os, sys, sysconfig
sys.exit(0 if sys.prefix == getattr(sys, "base_prefix", sys.prefix) and
         os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
        die "$PY is marked externally managed (PEP 668): pip refuses --user installs." \
            "Use a venv (sh install.sh --venv DIR), or add --break-system-packages"
    fi
    if [ "$MODE" = target ]; then
        mkdir -p "$DIR" || die "cannot make $DIR"
        DIR=$(cd "$DIR" && pwd)
    fi
    ;;
esac

# ---- pip ---------------------------------------------------------------------------
# pip runs through this launcher: from its wheel when needed, and told to use sysconfig
# rather than distutils where the interpreter has no distutils (Debian/Ubuntu without
# python3-distutils; pip >= 21.3 understands sysconfig._PIP_USE_SYSCONFIG).
cat > "$TMPD/runpip.py" <<'EOF'
import os, runpy, sys
wheel = os.environ.pop("PYRUSTGRAD_PIP_WHEEL", "")
if wheel:
    sys.path.insert(0, wheel)
try:
    import distutils.cmd
except ImportError:
    import sysconfig
    sysconfig._PIP_USE_SYSCONFIG = True
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF
run_pip() {
    if [ "$PIP_FROM_WHEEL" = 1 ]; then
        PYRUSTGRAD_PIP_WHEEL="$WH/$PIPWHL" "$TPY" "$TMPD/runpip.py" "$@"
    else
        "$TPY" "$TMPD/runpip.py" "$@"
    fi
}
if [ "$PYVER" = 3.6 ] && ! "$TPY" -c 'import distutils.cmd' >/dev/null 2>&1; then
    die "Python 3.6 here has no distutils, which pip $PIPVER needs." \
        "On Ubuntu 18.04: install python3-distutils (python3-venv and python3-pip bring it too)"
fi
PIP_FROM_WHEEL=0
HAVE=$(pip_version "$TPY")
if ! pip_recent "$HAVE"; then
    if [ "$MODE" = venv ]; then
        say "pip in the venv is $HAVE (< 19.3 or missing): installing pip $PIPVER from the wheelhouse"
        PIP_FROM_WHEEL=1
        run_pip install -q --no-index --find-links "$WH" --require-hashes \
            --no-cache-dir --disable-pip-version-check -r "$TMPD/pip.txt" > "$TMPD/pip.log" 2>&1 || {
            sed 's/^/    /' "$TMPD/pip.log" >&2
            die "could not install pip $PIPVER into the venv"
        }
        PIP_FROM_WHEEL=0
    else
        say "pip of $PY is $HAVE (< 19.3 or missing): running pip $PIPVER from its wheel"
        PIP_FROM_WHEEL=1
    fi
fi
# ---- install -----------------------------------------------------------------------
set -- install --no-index --find-links "$WH" --require-hashes --only-binary :all: \
    --no-cache-dir --disable-pip-version-check -r "$TMPD/req.txt"
case $MODE in
    user) set -- "$@" --user $BSP ;;
    target) set -- "$@" --upgrade --target "$DIR" ;;
esac
say "installing $(grep -c '^[a-z].*==' "$TMPD/req.txt") packages from locks/${LOCK##*/} (Python $PYFULL, glibc $GLIBC)"
run_pip "$@" > "$TMPD/install.log" 2>&1 || {
    sed 's/^/    /' "$TMPD/install.log" >&2
    die "pip install failed (output above); nothing was fetched from any network"
}
if [ "$PIP_FROM_WHEEL" = 1 ]; then PIP_AFTER="$PIPVER (run from its wheel)"; else PIP_AFTER=$(pip_version "$TPY"); fi
say "pip before: $PIP_BEFORE, after: $PIP_AFTER"

# ---- smoke test ----------------------------------------------------------------------
if [ "$SMOKE" != none ]; then
    SARGS=""
    [ "$SMOKE" = import ] && SARGS=--import-only
    grep -q '^numpy==' "$TMPD/req.txt" || SARGS="$SARGS --no-numpy"
    if [ "$MODE" = target ]; then
        (cd "$TMPD" && PYTHONPATH="$DIR${PYTHONPATH:+:$PYTHONPATH}" "$TPY" "$WH/smoke_test.py" $SARGS)
    else
        (cd "$TMPD" && "$TPY" "$WH/smoke_test.py" $SARGS)
    fi > "$TMPD/smoke.log" 2>&1
    STATUS=$?
    sed 's/^/    /' "$TMPD/smoke.log"
    [ "$STATUS" = 0 ] || die "the smoke test failed: pyrustgrad does not work with $PY ($PYFULL) here"
fi

DONE=1
case $MODE in
    venv) say "done: pyrustgrad is in the venv $DIR; use $DIR/bin/python, or: . $DIR/bin/activate" ;;
    user) say "done: pyrustgrad is in the user site-packages of $PY" ;;
    target) say "done: pyrustgrad is in $DIR; use it with PYTHONPATH=$DIR $PY" ;;
esac
