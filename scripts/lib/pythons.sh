# Real CPython interpreters of each target version, for the scripts that must run code
# under that version itself (build-wheelhouse: pip-compile; verify-wheelhouse: pip's
# resolver). Sourced by bash scripts run from the repository root.
#
#   find_python 3.X [--make]   sets PY_KIND (pyenv|host|chroot), PY_PATH (the interpreter,
#                              inside the chroot for chroot) and PY_CHROOT, or returns 1 with
#                              PY_WHY saying why there is none. Looks in pyenv
#                              ($PYENV_ROOT, ~/.pyenv), then /usr/bin and /usr/local/bin,
#                              then the offline proof's chroots (scripts/make-chroot); with
#                              --make (and root) a missing chroot is made.
#   run_python [VAR=VALUE...] -- ARGS...
#                              runs "$PY_PATH" ARGS in the current folder with a clean
#                              environment (PATH, HOME, LANG and the VARs); in a chroot the
#                              repository and $PYRUSTGRAD_CACHE are bind-mounted at their
#                              own paths, so every path means the same inside and out.
#   pip_tools_for 3.X          the pip-tools release for that Python (pip-tools 6.4.0 is
#                              the last for 3.6, 6.14.0 for 3.7, 7.5.2 for 3.8) and the pip
#                              it runs with
#   ensure_pip_tools PIPWHEEL  installs pip-tools (once, cached in
#                              $PYRUSTGRAD_CACHE/pip-tools/cpXY-VERSION) with the found
#                              interpreter itself, pip run from PIPWHEEL; sets PT_DIR and
#                              PT_VERSION. Needs the package index the first time.
#
# PYRUSTGRAD_CACHE: /var/cache/pyrustgrad when writable (shared by clones, like the
# chroots), else .cache in the repository.

if [ -z "${PYRUSTGRAD_CACHE:-}" ]; then
    if mkdir -p /var/cache/pyrustgrad 2>/dev/null && [ -w /var/cache/pyrustgrad ]; then
        PYRUSTGRAD_CACHE=/var/cache/pyrustgrad
    else
        PYRUSTGRAD_CACHE=$PWD/.cache
    fi
fi
export PYRUSTGRAD_CACHE
PYRUSTGRAD_CHROOTS=${PYRUSTGRAD_CHROOTS:-$PYRUSTGRAD_CACHE/chroots}
export PYRUSTGRAD_CHROOTS
_repo_root=$PWD

# which chroot of scripts/make-chroot has which Python
_chroot_for() {
    case $1 in
        3.6|3.8) echo bionic ;;
        3.9) echo bullseye ;;
        3.13) echo trixie ;;
        3.14) echo sid ;;
        *) return 1 ;;
    esac
}

find_python() {
    local v=$1 make=${2:-} p best="" name
    PY_KIND="" PY_PATH="" PY_CHROOT="" PY_WHY=""
    for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python"$v"; do
        [ -x "$p" ] || continue
        case $(basename "$(dirname "$(dirname "$p")")") in "$v".[0-9]|"$v".[0-9][0-9]) best=$p ;; esac
    done
    if [ -n "$best" ]; then PY_KIND=pyenv PY_PATH=$best; return 0; fi
    for p in /usr/bin/python"$v" /usr/local/bin/python"$v"; do
        if [ -x "$p" ]; then PY_KIND=host PY_PATH=$p; return 0; fi
    done
    if name=$(_chroot_for "$v"); then
        if [ -x "$PYRUSTGRAD_CHROOTS/$name/usr/bin/python$v" ]; then
            PY_KIND=chroot PY_PATH=/usr/bin/python$v PY_CHROOT=$name; return 0
        fi
        if [ "$make" = --make ] && [ "$(id -u)" = 0 ]; then
            if scripts/make-chroot "$name" >&2 && [ -x "$PYRUSTGRAD_CHROOTS/$name/usr/bin/python$v" ]; then
                PY_KIND=chroot PY_PATH=/usr/bin/python$v PY_CHROOT=$name; return 0
            fi
            PY_WHY="no CPython $v in pyenv or /usr/bin, and the $name chroot could not be made"
            return 1
        fi
        PY_WHY="no CPython $v in pyenv or /usr/bin, and no $name chroot (scripts/make-chroot $name, as root)"
        return 1
    fi
    PY_WHY="no CPython $v in pyenv or /usr/bin (and no chroot of the offline proof has one)"
    return 1
}

python_label() {   # "pyenv 3.6.15", "chroot sid 3.14.2": for messages
    local full
    full=$(run_python -- -c 'import sys; print(sys.version.split()[0])' 2>/dev/null) || full=?
    case $PY_KIND in
        chroot) echo "CPython $full (chroot $PY_CHROOT, $PY_PATH)" ;;
        *) echo "CPython $full ($PY_KIND, $PY_PATH)" ;;
    esac
}

run_python() {
    local envs=() a
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    if [ "$PY_KIND" != chroot ]; then
        env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 "${envs[@]}" "$PY_PATH" "$@"
        return
    fi
    local root=$PYRUSTGRAD_CHROOTS/$PY_CHROOT
    mkdir -p "$root$_repo_root" "$root$PYRUSTGRAD_CACHE"
    unshare --mount --fork -- bash -c '
        set -e
        root=$1 repo=$2 cache=$3 here=$4; shift 4
        mount --bind "$repo" "$root$repo"
        [ "$cache" = "$repo/.cache" ] || mount --bind "$cache" "$root$cache"
        mount -t proc proc "$root/proc"
        mount --bind /dev "$root/dev"
        exec chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
            sh -c "cd \"\$0\" && exec env \"\$@\"" "$here" "$@"' \
        bash "$root" "$_repo_root" "$PYRUSTGRAD_CACHE" "$PWD" "${envs[@]}" "$PY_PATH" "$@"
}

pip_tools_for() {   # "PIP-TOOLS PIP": the newest pip-tools for that Python and a pip it works with
    case $1 in
        3.6) echo "6.4.0 21.3.1" ;;
        3.7) echo "6.14.0 23.1.2" ;;   # pip 23.2 dropped what pip-tools 6 imports
        3.8) echo "7.5.2 25.0.1" ;;
        *) echo "7.6.2 26.0.1" ;;
    esac
}

ensure_pip_tools() {   # ensure_pip_tools VERSION PIPWHEEL
    local v=$1 pipwhl=$2 pt_pip
    read -r PT_VERSION pt_pip <<< "$(pip_tools_for "$v")"
    PT_DIR=$PYRUSTGRAD_CACHE/pip-tools/cp${v/./}-$PT_VERSION
    [ -f "$PT_DIR/.ok" ] && return 0
    rm -rf "$PT_DIR"
    mkdir -p "$PT_DIR"
    # The host's CA bundle (it may trust a proxy's CA that pip's own certifi does not know);
    # copied where a chroot sees it too.
    local cert=()
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        cp /etc/ssl/certs/ca-certificates.crt "$PYRUSTGRAD_CACHE/pip-tools/ca-bundle.crt"
        cert=(--cert "$PYRUSTGRAD_CACHE/pip-tools/ca-bundle.crt")
    fi
    # the interpreter's own pip may be old (pyenv 3.6: 18.1) or absent (chroots): run the
    # target's pip from its wheel; it needs distutils to run on 3.6-3.9 without sysconfig's
    # switch, hence _PIP_USE_SYSCONFIG where there is none.
    if ! run_python -- -c 'import os, runpy, sys
sys.path.insert(0, sys.argv.pop(1))
if not os.path.exists(os.path.join(os.path.dirname(os.__file__), "distutils", "cmd.py")):
    import sysconfig; sysconfig._PIP_USE_SYSCONFIG = True
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)' "$pipwhl" \
            install -q --disable-pip-version-check --no-cache-dir "${cert[@]}" --target "$PT_DIR" \
            "pip-tools==$PT_VERSION" "pip==$pt_pip" \
            > "$PT_DIR.log" 2>&1; then
        tail -n 20 "$PT_DIR.log" >&2
        rm -rf "$PT_DIR"
        return 1
    fi
    touch "$PT_DIR/.ok"
}
