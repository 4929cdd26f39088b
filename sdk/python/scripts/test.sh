#!/usr/bin/env bash
# The Python SDK's checks: a virtual environment (.venv/, gitignored) with the package, all its
# extras and the dev tools; ruff, mypy --strict; `python -m build` (the sdist, then the wheel from
# it) with the wheel installed into a fresh virtual environment, and the README's `pip install
# "./sdk/python[yaml]"` run from the repository root into another; then pytest, unit tests and integration
# tests against the real server. Run from anywhere; `npm test` calls it after vitest, with the
# production build made and LEDGIX_TEST_DATABASE_URL set. Run alone, it starts a throwaway
# PostgreSQL 15 (scripts/postgres.sh) and builds the server if no build exists.
# Extra arguments go to pytest (e.g. `tests/unit`). LEDGIX_PYTHON_SDK_STEP=checks stops before
# pytest, and =pytest runs only pytest on the environment the checks made: `npm test` runs the
# checks while vitest runs, and pytest after it.
set -euo pipefail
step=${LEDGIX_PYTHON_SDK_STEP:-all}
sdk=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$sdk/../.." && pwd)
python=${PYTHON:-python3}
unset PYTHONPATH PYTHONHOME
export PIP_USER=0 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
cd "$sdk"

# The checks before pytest: environment, lint, types, packaging.
checks() {
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    { echo "sdk/python: needs Python 3.10 or later, $python is $("$python" -V 2>&1)" >&2; exit 1; }

  # The dependencies live in a virtual environment kept outside the checkout, one per
  # pyproject.toml and interpreter: a fresh clone (CI makes one every run) reuses it instead of
  # installing langchain, llama-index and crewai again (minutes). Only this package itself is
  # installed into it each run (editable, seconds), from this checkout. .venv links to it.
  want="$(sha256sum pyproject.toml | cut -c1-64) $("$python" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ledgix/python-sdk-venv-$(printf '%s' "$want" | sha256sum | cut -c1-16)
  if [ ! -f "$cache/.ledgix-complete" ]; then
    echo "== python sdk: creating $cache (first run downloads the framework packages: a few minutes)"
    rm -rf "$cache"
    "$python" -m venv "$cache"
    "$cache/bin/python" -m pip install -q -e ".[dev,yaml,langchain,llamaindex,crewai]"
    touch "$cache/.ledgix-complete"
  fi
  "$cache/bin/python" -m pip install -q --no-deps -e .
  [ -L .venv ] || rm -rf .venv # a virtual environment of its own, from before
  ln -sfn "$cache" .venv

  echo "== python sdk: ruff, mypy --strict"
  .venv/bin/ruff check src tests
  .venv/bin/ruff format --check src tests
  # mypy's cache lives beside the environment it describes, so a fresh clone checks incrementally
  # (mypy still compares every source's hash).
  MYPY_CACHE_DIR="$cache/mypy-cache" .venv/bin/mypy

  # `python -m build` builds the sdist, then the wheel from the sdist: a wheel that installs and
  # imports proves the sdist complete too, so only the wheel is installed.
  echo "== python sdk: build the sdist and the wheel from it, install the wheel into a fresh environment"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  .venv/bin/python -m build --outdir "$scratch/dist" . >/dev/null
  "$python" -m venv "$scratch/env"
  "$scratch/env/bin/python" -m pip install -q "$scratch"/dist/ledgix_python-*.whl
  (cd "$scratch" && env/bin/python -c 'import ledgix_python as l, pathlib; l.LedgixClient(l.VaultConfig()); assert (pathlib.Path(l.__file__).parent / "py.typed").is_file(); print("installed", pathlib.Path(l.__file__).parent.parent.name, l.__version__)')
  rm -rf "$scratch/env"
  # The install command README.md documents, run as written from the repository root.
  install=$(grep -m 1 -o 'pip install "./sdk/python\[yaml\]"' README.md) ||
    { echo "sdk/python: README.md no longer shows pip install \"./sdk/python[yaml]\"" >&2; exit 1; }
  echo "== python sdk: $install, from the repository root, into a fresh environment"
  "$python" -m venv "$scratch/env"
  (cd "$root" && . "$scratch/env/bin/activate" && eval "$install -q")
  (cd "$scratch" && env/bin/python -c 'import ledgix_python as l, yaml; print("installed", l.__version__, "with PyYAML", yaml.__version__)')
  rm -rf "$scratch"
  trap - EXIT
}
[ "$step" = pytest ] || checks
[ "$step" != checks ] || exit 0

echo "== python sdk: pytest"
[ -x .venv/bin/pytest ] || { echo "sdk/python: no .venv yet; run this script without LEDGIX_PYTHON_SDK_STEP=pytest first" >&2; exit 1; }
if [ -z "${LEDGIX_TEST_DATABASE_URL:-}" ]; then
  . "$root/scripts/postgres.sh"
  start_throwaway_postgres
fi
[ -f "$root/.next/BUILD_ID" ] || (cd "$root" && npx next build >/dev/null)
.venv/bin/pytest -q -p no:cacheprovider "$@"
