#!/usr/bin/env bash
# Creates, once, the virtual environment of the Python compatibility tests (.venv-compat/,
# gitignored) with the public client pinned in tests/compat/requirements.txt, and prints the
# path of its python on stdout (everything else goes to stderr). Reruns install nothing while
# the requirements file and the base interpreter are unchanged. Never uses the system
# site-packages. PYTHON=/path/to/python3 picks the base interpreter (default: python3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-compat"
requirements="$root/tests/compat/requirements.txt"
python=${PYTHON:-python3}
unset PYTHONPATH PYTHONHOME
export PIP_USER=0 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

fail() {
  echo "python-venv.sh: $*" >&2
  exit 1
}

command -v "$python" >/dev/null ||
  fail "$python not found. Install Python 3.10 or later (Debian/Ubuntu: apt-get install python3 python3-venv)."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  fail "ledgix-python 0.4.0 needs Python 3.10 or later; $python is $("$python" -V 2>&1)."
# Debian and Ubuntu split ensurepip out of the standard library: `python3 -m venv --help` works
# there, but creating an environment fails until the python3-venv package is installed.
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  fail "$python cannot create virtual environments (its ensurepip module is missing). On Debian/Ubuntu: apt-get install python3-venv"

# Concurrent runs (two test processes) must not build the same directory at once.
exec 9>"$root/.venv-compat.lock"
if command -v flock >/dev/null; then flock 9; fi

stamp="$venv/.ledgix-compat-stamp"
want=$("$python" - "$requirements" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "rb") as f:
    print(hashlib.sha256(f.read()).hexdigest(), sys.version.split()[0], sys.executable)
EOF
)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import ledgix_python' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi

echo "python-venv.sh: creating $venv ($("$python" -V 2>&1), $(grep -v '^#' "$requirements" | xargs))" >&2
rm -rf "$venv"
"$python" -m venv "$venv" >&2 || fail "\`$python -m venv $venv\` failed (Debian/Ubuntu: apt-get install python3-venv)."
"$venv/bin/python" -m pip install -q -r "$requirements" >&2 ||
  fail "pip could not install $requirements into $venv (is the package index reachable?)."
printf '%s\n' "$want" >"$stamp"
echo "$venv/bin/python"
