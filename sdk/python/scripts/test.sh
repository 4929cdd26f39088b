#!/usr/bin/env bash
# The Python SDK's checks: a virtual environment (.venv/, gitignored) with the package, all its
# extras and the dev tools; ruff, mypy --strict; `python -m build` with the wheel and the sdist
# each installed into a fresh virtual environment, and the README's `pip install
# "./sdk/python[yaml]"` run from the repository root into another; then pytest, unit tests and integration
# tests against the real server. Run from anywhere; `npm test` calls it after vitest, with the
# production build made and LEDGIX_TEST_DATABASE_URL set. Run alone, it starts a throwaway
# PostgreSQL 15 (scripts/postgres.sh) and builds the server if no build exists.
# Extra arguments go to pytest (e.g. `tests/unit`).
set -euo pipefail
sdk=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$sdk/../.." && pwd)
python=${PYTHON:-python3}
unset PYTHONPATH PYTHONHOME
export PIP_USER=0 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
cd "$sdk"

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
.venv/bin/mypy

echo "== python sdk: build, install the wheel and the sdist into fresh environments"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
.venv/bin/python -m build --outdir "$scratch/dist" . >/dev/null
for artifact in "$scratch"/dist/ledgix_python-*.whl "$scratch"/dist/ledgix_python-*.tar.gz; do
  "$python" -m venv "$scratch/env"
  "$scratch/env/bin/python" -m pip install -q "$artifact"
  (cd "$scratch" && env/bin/python -c 'import ledgix_python as l, pathlib; l.LedgixClient(l.VaultConfig()); assert (pathlib.Path(l.__file__).parent / "py.typed").is_file(); print("installed", pathlib.Path(l.__file__).parent.parent.name, l.__version__)')
  rm -rf "$scratch/env"
done
# The install command README.md documents, run as written from the repository root.
install=$(grep -m 1 -o 'pip install "./sdk/python\[yaml\]"' README.md) ||
  { echo "sdk/python: README.md no longer shows pip install \"./sdk/python[yaml]\"" >&2; exit 1; }
echo "== python sdk: $install, from the repository root, into a fresh environment"
"$python" -m venv "$scratch/env"
(cd "$root" && . "$scratch/env/bin/activate" && eval "$install -q")
(cd "$scratch" && env/bin/python -c 'import ledgix_python as l, yaml; print("installed", l.__version__, "with PyYAML", yaml.__version__)')
rm -rf "$scratch"
trap - EXIT

echo "== python sdk: pytest"
if [ -z "${LEDGIX_TEST_DATABASE_URL:-}" ]; then
  . "$root/scripts/postgres.sh"
  start_throwaway_postgres
fi
[ -f "$root/.next/BUILD_ID" ] || (cd "$root" && npx next build >/dev/null)
.venv/bin/pytest -q -p no:cacheprovider "$@"
