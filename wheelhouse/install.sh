#!/bin/sh
# Installs pyrustgrad (and NumPy) from this folder, with no network.
#
#   sh install.sh                       make a venv in ~/pyrustgrad-venv
#   sh install.sh --venv DIR            make a venv in DIR (or add to the venv there)
#   sh install.sh --user                into the user's site-packages (pip --user)
#   sh install.sh --target DIR          into DIR (add DIR to PYTHONPATH to use it)
#   options: --python PY                the interpreter (default: python3)
#            --break-system-packages    with --user on a Python marked externally managed
#            --own-installer            use install.sh's own wheel installer even where
#                                       pip can run
#            --provide-torch            also install the torch alias, so that scripts
#                                       saying `import torch` run pyrustgrad unchanged
#                                       (refused where a real torch is importable)
#            --smoke full|import|none   what to test afterwards (default: full; the other
#                                       two are for developing the installer)
#
# Steps: check the interpreter; verify every file against SHA256SUMS; pick
# locks/cpXY.txt for its version; check the destination; make the venv (without pip when
# ensurepip is missing, as on Debian/Ubuntu without python3-venv); install the locked
# wheels, hashes required, with the first of: the destination's own pip (19.3 or newer),
# the wheelhouse's pip run from its wheel, installer.py's own wheel installer (when pip
# cannot run at all: a bare Ubuntu 18.04 has no distutils); install pip too where there
# was none that works, and make it work without distutils; run smoke_test.py. Nothing is
# fetched from any network. On failure (disk full included) it removes what it had added.
# POSIX sh (dash); installer.py needs Python 3.6+.

PROG=install.sh
say() { echo "$PROG: $*"; }
die() {
    for line in "$@"; do echo "$PROG: $line" >&2; done
    exit 1
}
# shq WORD: WORD quoted for a POSIX shell when it needs it (for hints to paste)
shq() {
    case $1 in
        *[!A-Za-z0-9_./:=@%+,-]*|"") printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}

WH=$(cd "$(dirname "$0")" && pwd -P) || die "cannot find the wheelhouse folder"
MODE="" DIR="" PY="" SMOKE=full BSP="" OWN=0 TORCH=0
usage() {
    sed -n -e '2s/^# //p' -e '4,/^#$/s/^# \{0,1\}//p' "$WH/install.sh"
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
        --own-installer) OWN=1 ;;
        --provide-torch) TORCH=1 ;;
        --smoke) [ $# -ge 2 ] || die "--smoke needs full, import or none"; SMOKE=$2; shift ;;
        --smoke=*) SMOKE=${1#--smoke=} ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) set_mode venv; [ -z "$DIR" ] || die "only one venv folder, please"; DIR=$1 ;;
    esac
    shift
done
case $SMOKE in full|import|none) ;; *) die "--smoke takes full, import or none" ;; esac
if [ -z "$MODE" ]; then
    MODE=venv
    [ -n "${HOME:-}" ] || die "HOME is not set: name the venv folder with --venv DIR"
    DIR=$HOME/pyrustgrad-venv
fi
[ "$MODE" = user ] || [ -n "$DIR" ] || die "the folder name is empty"

# Never reach for a network, and ignore pip settings of this machine's environment and
# configuration files (an index URL there must not matter). PYTHONPATH and PYTHONHOME
# would mix another Python's packages in (on Ubuntu 18.04 its pip 9 shadows the right one).
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
export PIP_NO_INDEX PIP_CONFIG_FILE PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR
for v in PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONNOUSERSITE PYTHONEXECUTABLE PYTHONSAFEPATH; do
    if eval "[ -n \"\${$v+set}\" ]"; then
        say "ignoring $v from the environment"
        unset "$v"
    fi
done
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

TMPD=$(mktemp -d 2>/dev/null) || die "cannot make a temporary folder (is /tmp full or read-only?)"
ARMED=0 DONE=0 STATE="" ABS=""
cleanup() {
    if [ "$ARMED" = 1 ] && [ "$DONE" != 1 ]; then
        n=$("$PY" -s "$WH/installer.py" rollback "$TMPD/snapshot.json" 2>/dev/null)
        case $MODE/$STATE in
            venv/new) [ -e "$ABS" ] || echo "$PROG: removed the unfinished venv $ABS" >&2 ;;
            venv/empty) echo "$PROG: emptied $ABS again (it was empty before)" >&2 ;;
            target/new) [ -e "$ABS" ] || echo "$PROG: removed the unfinished $ABS" >&2 ;;
            *) [ "${n:-0}" -gt 0 ] 2>/dev/null &&
                   echo "$PROG: removed what this run had added ($n files and folders)" >&2 ;;
        esac
    fi
    rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the interpreter -------------------------------------------------------------
whoami_() { id -un 2>/dev/null || echo "uid $(id -u)"; }
if [ -z "$PY" ]; then
    for c in python3 python; do
        if command -v "$c" >/dev/null 2>&1; then PY=$c; break; fi
    done
    [ -n "$PY" ] || die "no python3 found; install Python 3.6 or newer, or name one with --python"
fi
case $PY in
    */*)
        if [ ! -e "$PY" ]; then
            d=$(dirname "$PY")
            while [ ! -e "$d" ] && [ "$d" != / ] && [ "$d" != . ]; do d=$(dirname "$d"); done
            if [ -d "$d" ] && [ ! -x "$d" ]; then
                die "cannot use $PY: no permission to enter $d (as $(whoami_))"
            fi
            die "interpreter not found: $PY"
        fi
        [ ! -d "$PY" ] || die "$PY is a folder, not an interpreter"
        [ -x "$PY" ] || die "cannot run $PY: no permission to execute it (as $(whoami_))"
        case $PY in /*) ;; *) PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY") ;; esac
        ;;
    *)
        command -v "$PY" >/dev/null 2>&1 || die "interpreter not found: $PY (it is not on PATH)"
        PY=$(command -v "$PY")
        ;;
esac
INFO=$("$PY" -c 'import sys, platform
print("%d.%d %s %s %s" % (sys.version_info[0], sys.version_info[1],
      platform.python_implementation(), platform.machine(), sys.version.split()[0]))' 2>"$TMPD/py.err") || {
    sed 's/^/    /' "$TMPD/py.err" | tail -n 5 >&2
    die "$PY does not run (output above)"
}
set -- $INFO
PYVER=$1 IMPL=$2 MACHINE=$3 PYFULL=$4
case $MACHINE in
    x86_64|amd64|AMD64) ;;
    *) die "this wheelhouse holds wheels for Linux x86_64; this machine is $MACHINE" ;;
esac

# ---- the files (before anything else is read from them) ---------------------------------
[ -f "$WH/SHA256SUMS" ] || die "SHA256SUMS is missing from $WH: copy the whole wheelhouse folder"
"$PY" - "$WH" <<'EOF'
import hashlib, os, re, sys
try:
    wh = sys.argv[1]
    junk = re.compile(r"^(\._.*|\.DS_Store)$")  # left by copying through a Mac
    bad = 0
    listed = set()
    with open(os.path.join(wh, "SHA256SUMS")) as f:
        lines = f.read().splitlines()
    for line in lines:
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not re.match(r"^[0-9a-fA-F]{64}$", parts[0]):
            print("install.sh: SHA256SUMS has a line that is not '<sha256>  <file>'")
            bad += 1
            continue
        want, name = parts[0].lower(), parts[1].lstrip("*")
        listed.add(name)
        path = os.path.join(wh, name)
        if not os.path.isfile(path):
            print("install.sh: missing file: %s" % name)
            bad += 1
            continue
        h = hashlib.sha256()
        try:
            with open(path, "rb") as g:
                for block in iter(lambda: g.read(1 << 20), b""):
                    h.update(block)
        except (IOError, OSError) as e:
            print("install.sh: cannot read %s: %s" % (name, e.strerror))
            bad += 1
            continue
        if h.hexdigest() != want:
            print("install.sh: checksum mismatch: %s" % name)
            bad += 1
    ignored = 0
    for sub in ("", "locks"):
        folder = os.path.join(wh, sub) if sub else wh
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if junk.match(name):
                ignored += 1
                continue
            rel = sub + "/" + name if sub else name
            if (name.endswith(".whl") or sub) and rel not in listed:
                print("install.sh: not listed in SHA256SUMS: %s" % rel)
                bad += 1
    if not bad:
        print("install.sh: checked %d files against SHA256SUMS%s" % (len(listed),
              "; ignored %d macOS metadata files (._*)" % ignored if ignored else ""))
    sys.exit(1 if bad else 0)
except KeyboardInterrupt:
    sys.exit(130)
except (IOError, OSError) as e:
    print("install.sh: cannot read %s: %s" % (e.filename, e.strerror))
    sys.exit(1)
EOF
STATUS=$?
[ "$STATUS" != 130 ] || exit 130
[ "$STATUS" = 0 ] || die "the wheelhouse is damaged; nothing was installed. Copy it again from the source."

# ---- the lock for this Python ------------------------------------------------------------
SUPPORTED=$(ls "$WH/locks" 2>/dev/null | sed -n 's/^cp3\([0-9]*\)\.txt$/\1/p' | sort -n | sed 's/^/3./' | tr '\n' ' ')
SUPPORTED=${SUPPORTED% }
[ -n "$SUPPORTED" ] || die "no lock files in $WH/locks: this folder is not a complete wheelhouse"
LOCK="$WH/locks/cp$(echo "$PYVER" | tr -d .).txt"
if [ "$IMPL" != CPython ] || [ ! -f "$LOCK" ]; then
    found=""
    for v in $SUPPORTED; do
        [ "$v" = "$PYVER" ] && continue
        command -v "python$v" >/dev/null 2>&1 && found="$found python$v"
    done
    if [ -n "$found" ]; then
        first=${found# }
        hint="this machine has$found: choose one with --python, e.g. --python ${first%% *}"
    else
        hint="none of them is on PATH here: install one, or name it with --python PATH"
    fi
    die "Python $PYVER ($IMPL, $PY) is not supported by this wheelhouse." \
        "supported Python versions: $SUPPORTED (CPython)" "$hint"
fi
[ -f "$WH/installer.py" ] || die "installer.py is missing from $WH: copy the whole wheelhouse folder"

# glibc: pyrustgrad needs 2.17 (manylinux2014); the lock header names what NumPy needs.
NEED_GLIBC=$(sed -n 's/^#.*(glibc >= \([0-9.]*\)).*/\1/p' "$LOCK" | head -n 1)
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

# installer.py run by interpreter $1 (its messages are install.sh's own)
inst() { py=$1; shift; "$py" -s "$WH/installer.py" "$@"; }
ALIAS_LOCK=""
if [ "$TORCH" = 1 ]; then
    ALIAS_LOCK=$WH/locks/torch-alias.txt
    [ -f "$ALIAS_LOCK" ] || die "--provide-torch: this wheelhouse has no torch alias (locks/torch-alias.txt);" \
        "it was built without one: run without --provide-torch and use: import pyrustgrad as torch"
fi
PLAN=$(inst "$PY" plan "$WH" "$LOCK" "$TMPD" $ALIAS_LOCK) || exit 1
set -- $PLAN
NPKG=$1 PIPVER=$2 STVER=$3 PIPWHL=$4

# ---- where to install ------------------------------------------------------------
if [ "$MODE" = user ]; then
    D=$(inst "$PY" dest user "$WH") || exit 1
    if [ -z "$BSP" ] && "$PY" -c 'import os, sys, sysconfig
sys.exit(0 if sys.prefix == getattr(sys, "base_prefix", sys.prefix) and
         os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
        die "$PY is marked externally managed (PEP 668): pip refuses --user installs." \
            "Use a venv (sh install.sh --venv DIR), or add --break-system-packages"
    fi
    "$PY" -c 'import sys; sys.exit(sys.prefix != getattr(sys, "base_prefix", sys.prefix))' ||
        die "$PY is the Python of a venv, which does not see user site-packages: use --venv instead"
    ROOTS=--user
else
    D=$(inst "$PY" dest "$MODE" "$DIR" "$WH") || exit 1
    ROOTS=${D#* }
fi
STATE=${D%% *} ABS=${D#* }

inst "$PY" snapshot "$TMPD/snapshot.json" "$ROOTS" || exit 1
ARMED=1
if [ "$MODE" = venv ] && [ "$STATE" != venv ]; then
    if "$PY" -c 'import ensurepip' >/dev/null 2>&1; then
        say "making the venv $ABS"
        VOPT=""
    else
        say "ensurepip is missing (on Debian/Ubuntu: no python3-venv), making the venv $ABS without pip"
        VOPT=--without-pip
    fi
    "$PY" -m venv $VOPT "$ABS" > "$TMPD/venv.log" 2>&1 || {
        if ! "$PY" -c 'import venv' >/dev/null 2>&1; then
            die "$PY has no venv module, so no venv can be made." \
                "On Debian/Ubuntu: apt-get install python3-venv; or use --user or --target DIR"
        fi
        sed 's/^/    /' "$TMPD/venv.log" >&2
        die "could not make a venv with $PY in $ABS (output above)"
    }
elif [ "$MODE" = venv ]; then
    say "adding to the existing venv $ABS"
elif [ "$MODE" = target ] && [ ! -d "$ABS" ]; then
    mkdir -p "$ABS" || die "cannot make $ABS"
fi
if [ "$MODE" = venv ]; then TPY=$ABS/bin/python; else TPY=$PY; fi
TDIR=""
[ "$MODE" = target ] && TDIR=$ABS

# ---- --provide-torch: never hide a real torch ---------------------------------------------
# Asked of the destination's interpreter as scripts will run it (no -s: user site counts).
if [ "$TORCH" = 1 ]; then
    if [ -n "$TDIR" ]; then TC=$("$TPY" "$WH/installer.py" torch-check "$TPY" "$TDIR") || exit 1
    else TC=$("$TPY" "$WH/installer.py" torch-check "$TPY") || exit 1
    fi
    case $TC in alias*) say "replacing the torch alias an earlier run installed (${TC#alias })" ;; esac
fi

# ---- how: the destination's pip, the wheelhouse's pip, or installer.py ----------------------
# pip runs through this launcher: from its wheel when asked, and told to use sysconfig
# rather than distutils where the interpreter has none (Debian/Ubuntu without
# python3-distutils; pip >= 22 honours sysconfig._PIP_USE_SYSCONFIG).
cat > "$TMPD/runpip.py" <<'EOF'
import os, runpy, sys
wheel = os.environ.pop("PYRUSTGRAD_PIP_WHEEL", "")
if wheel:
    sys.path.insert(0, wheel)
if not os.path.exists(os.path.join(os.path.dirname(os.__file__), "distutils", "cmd.py")):
    import sysconfig
    sysconfig._PIP_USE_SYSCONFIG = True
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF
pip_recent() {    # pip_recent VERSION: true when >= 19.3 (knows manylinux2014 tags)
    "$PY" -c 'import re, sys
m = re.match(r"(\d+)\.(\d+)", sys.argv[1])
sys.exit(0 if m and (int(m.group(1)), int(m.group(2))) >= (19, 3) else 1)' "$1"
}
pip_of() {   # the version of the pip the destination runs, "none" or "broken: why"
    if [ -n "$TDIR" ]; then inst "$TPY" pip-version "$TDIR"; else inst "$TPY" pip-version; fi
}
NO_DISTUTILS=0
"$TPY" -c 'import os, sys
sys.exit(0 if sys.version_info < (3, 10) and not os.path.exists(
    os.path.join(os.path.dirname(os.__file__), "distutils", "cmd.py")) else 1)' && NO_DISTUTILS=1

PIP_BEFORE=$(pip_of)
case $MODE in venv) WHOSE="the venv's pip" ;; target) WHOSE="the pip $PY runs" ;; *) WHOSE="the pip of $PY" ;; esac
NEED_PIP=0 WAY=""
if pip_recent "$PIP_BEFORE"; then
    WAY=dest
else
    NEED_PIP=1
    case $PIP_BEFORE in
        none) WHY="there is no pip" ;;
        broken*) WHY="$WHOSE does not run (${PIP_BEFORE#broken: })" ;;
        *) WHY="$WHOSE is $PIP_BEFORE, older than 19.3" ;;
    esac
    if [ "$OWN" != 1 ]; then
        if PYRUSTGRAD_PIP_WHEEL="$WH/$PIPWHL" "$TPY" "$TMPD/runpip.py" --version > "$TMPD/pipw.log" 2>&1; then
            WAY=wheel
        else
            REASON=$(grep -v '^[[:space:]]*$' "$TMPD/pipw.log" | tail -n 1)
        fi
    fi
    [ -n "$WAY" ] || WAY=own
fi
[ "$OWN" = 1 ] && WAY=own
NEED_ST=0
[ "$NEED_PIP" = 1 ] && [ "$NO_DISTUTILS" = 1 ] && [ "$STVER" != - ] && NEED_ST=1

PINS=$(sed 's/ .*//; s/==/ /' "$TMPD/payload.txt" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
FROM=locks/${LOCK##*/}
[ "$TORCH" = 1 ] && FROM="$FROM and locks/torch-alias.txt"
say "installing $PINS from $FROM (Python $PYFULL, glibc $GLIBC)"
ALSO=""
[ "$NEED_PIP" = 1 ] && ALSO="; pip $PIPVER goes in too"
[ "$NEED_ST" = 1 ] && ALSO="$ALSO, with setuptools $STVER (its copy of distutils lets pip run)"
case $WAY in
    dest) say "  with $WHOSE ($PIP_BEFORE)" ;;
    wheel) say "  with pip $PIPVER run from its wheel, as $WHY$ALSO" ;;
    own)
        if [ "$OWN" = 1 ]; then say "  with install.sh's own wheel installer (--own-installer)$ALSO"
        else say "  with install.sh's own wheel installer, as pip cannot run here (${REASON:-$WHY})$ALSO"
        fi ;;
esac

# ---- install -----------------------------------------------------------------------
cp "$TMPD/payload.txt" "$TMPD/req.txt"
[ "$NEED_PIP" = 1 ] && cat "$TMPD/pip.txt" >> "$TMPD/req.txt"
[ "$NEED_ST" = 1 ] && cat "$TMPD/setuptools.txt" >> "$TMPD/req.txt"
if [ "$WAY" = own ]; then
    set -- install "$TMPD" "$MODE"
    [ "$MODE" = user ] || set -- "$@" "$ABS"
    [ "$NEED_PIP" = 1 ] && set -- "$@" --with-pip
    [ "$NEED_ST" = 1 ] && set -- "$@" --with-setuptools
    inst "$TPY" "$@" > "$TMPD/install.log" 2> "$TMPD/install.err" || {
        cat "$TMPD/install.log"; cat "$TMPD/install.err" >&2
        exit 1
    }
    cat "$TMPD/install.log"
else
    set -- install --no-index --find-links "$WH" --require-hashes --only-binary :all: \
        --no-cache-dir --disable-pip-version-check --no-warn-script-location -r "$TMPD/req.txt"
    case $MODE in
        user) set -- "$@" --user $BSP ;;
        target) set -- "$@" --upgrade --target "$ABS" ;;
    esac
    if [ "$WAY" = wheel ]; then
        PYRUSTGRAD_PIP_WHEEL="$WH/$PIPWHL" "$TPY" "$TMPD/runpip.py" "$@"
    elif [ -n "$TDIR" ]; then
        PYTHONPATH=$TDIR "$TPY" "$TMPD/runpip.py" "$@"
    else
        "$TPY" "$TMPD/runpip.py" "$@"
    fi > "$TMPD/install.log" 2>&1 || {
        sed 's/^/    /' "$TMPD/install.log" >&2
        die "pip install failed (output above); nothing was fetched from any network"
    }
fi
if [ "$NEED_PIP" = 1 ] && [ "$NO_DISTUTILS" = 1 ]; then
    if [ "$MODE" = user ]; then FIX=$(inst "$TPY" distutils-fix user) || exit 1
    else FIX=$(inst "$TPY" distutils-fix "$MODE" "$ABS") || exit 1
    fi
    [ "$FIX" = "not needed" ] ||
        say "this Python has no distutils: wrote $FIX, so that pip runs without it"
fi
PIP_AFTER=$(pip_of)
case $WAY in
    dest) HOW=$WHOSE ;;
    wheel) HOW="pip $PIPVER from its wheel" ;;
    own) HOW="install.sh's own installer" ;;
esac
say "installed with: $HOW"
say "pip before: $PIP_BEFORE, after: $PIP_AFTER"
case $PIP_AFTER in
    none|broken*) say "warning: pyrustgrad is installed, but pip does not run here ($PIP_AFTER)" ;;
esac

# ---- smoke test ----------------------------------------------------------------------
if [ "$SMOKE" != none ]; then
    SARGS=""
    [ "$SMOKE" = import ] && SARGS=--import-only
    grep -qi '^numpy==' "$TMPD/payload.txt" || SARGS="$SARGS --no-numpy"
    if [ "$MODE" = target ]; then
        (cd "$TMPD" && PYTHONPATH="$ABS" "$TPY" "$WH/smoke_test.py" $SARGS)
    else
        (cd "$TMPD" && "$TPY" "$WH/smoke_test.py" $SARGS)
    fi > "$TMPD/smoke.log" 2>&1
    STATUS=$?
    sed 's/^/    /' "$TMPD/smoke.log"
    [ "$STATUS" = 0 ] || die "the smoke test failed: pyrustgrad does not work with $PY ($PYFULL) here"
fi

# ---- the torch alias works: `import torch` is pyrustgrad -----------------------------------
if [ "$TORCH" = 1 ]; then
    TCHECK='import sys, torch, pyrustgrad
sys.exit("import torch gave %r, not pyrustgrad" % (torch,)) if torch is not pyrustgrad else None
print("    torch alias: import torch runs pyrustgrad %s; %r" % (pyrustgrad.__version__, torch.Size([2, 3])))'
    if [ "$MODE" = target ]; then
        (cd "$TMPD" && PYTHONPATH="$ABS" "$TPY" -c "$TCHECK")
    else
        (cd "$TMPD" && "$TPY" -c "$TCHECK")
    fi > "$TMPD/alias.log" 2>&1
    STATUS=$?
    sed 's/^/    /' "$TMPD/alias.log" | sed 's/^        torch alias/    torch alias/'
    [ "$STATUS" = 0 ] || die "the torch alias does not work with $PY ($PYFULL) here (output above)"
fi

DONE=1
case $MODE in
    venv) say "done: pyrustgrad is in the venv $ABS; use $(shq "$ABS/bin/python"), or: . $(shq "$ABS/bin/activate")" ;;
    user) say "done: pyrustgrad is in the user site-packages of $PY ($ABS)" ;;
    target) say "done: pyrustgrad is in $ABS; use it with: PYTHONPATH=$(shq "$ABS") $(shq "$PY")" ;;
esac
