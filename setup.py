"""Builds the C engine's kernels at install, where a C compiler works.

Everything else about the package is in pyproject.toml; this file only adds
the extension modules, because their list depends on the machine: one
source, ``sknielsen/engine/_ckernel.c``, is compiled once per instruction
set, as ``_ckernel_base`` (the x86-64 baseline, or the portable build on any
other machine), ``_ckernel_v3`` (x86-64-v3: AVX2 and FMA) and
``_ckernel_v4`` (x86-64-v4: AVX-512), each with its own vector width (each
from a one-line source of its own that includes the shared one, so that
they compile in parallel without sharing an object file).
``sknielsen.engine._cengine`` imports the widest one the CPU runs. No
``-march=native`` (the builds must run on any machine of their level) and no
``-ffast-math`` (it may switch the whole process to flush denormals to zero).

Every extension is optional: where no C compiler works (or one is too old
for a level) the build warns and the install goes on without it, and the
estimators train on NumPy. See docs/design-notes.md for why setuptools.
"""

import importlib.util
import platform
import sys
import sysconfig

import setuptools
from setuptools import Extension, setup

# pyproject.toml's build-system asks for setuptools 77 (its license is an SPDX
# expression), which pip's isolated build installs. `pip install
# --no-build-isolation` and `python setup.py ...` build with the environment's
# own instead (Python 3.10's and 3.11's venvs hold 65), which fails on that
# license with a schema error naming no version: name it here.
SETUPTOOLS_FLOOR = 77
if int(setuptools.__version__.split(".")[0]) < SETUPTOOLS_FLOOR:
    sys.exit(
        f"sknielsen builds with setuptools {SETUPTOOLS_FLOOR} or later; this environment "
        f"has setuptools {setuptools.__version__}: pip install --upgrade "
        f"'setuptools>={SETUPTOOLS_FLOOR}', or install without --no-build-isolation."
    )

ENGINE = "sknielsen/engine"
# Contraction into fused multiply-adds is allowed (GCC's default outside ISO C
# modes, made explicit): it rounds less, not more. errno is never read. No
# debugging information: it makes the build slower and the modules larger.
FLAGS = ["-O3", "-ffp-contract=fast", "-fno-math-errno", "-g0"] + (
    ["-pthread"] if platform.system() != "Windows" else []
)
# (module, flags of the instruction set); each module's source (``{module}.c``)
# sets its name and vector width and includes _ckernel.c.
X86_64_BUILDS = [
    ("_ckernel_base", []),
    ("_ckernel_v3", ["-march=x86-64-v3"]),
    ("_ckernel_v4", ["-march=x86-64-v4"]),
]


def _is_x86_64():
    machine = (sysconfig.get_platform().rsplit("-", 1)[-1] or platform.machine()).lower()
    return machine in {"x86_64", "amd64"}


def _load_source_digest():
    """``sknielsen/engine/_source_digest.py``, loaded by its path.

    The kernels' sources and their digest: compiled into each module, the
    digest lets the package refuse kernels older than the sources beside
    them (an in-place or editable build after an edit or a ``git pull``),
    which would otherwise run silently. Loaded by its path: the package's
    dependencies are not installed yet.
    """
    spec = importlib.util.spec_from_file_location("_source_digest", f"{ENGINE}/_source_digest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DIGEST_MODULE = _load_source_digest()
# Every module is rebuilt when a source changes, or the digest's rule (a build
# recording another rule's digest would be refused).
DEPENDS = [f"{ENGINE}/{name}" for name in DIGEST_MODULE.SOURCES] + [f"{ENGINE}/_source_digest.py"]


def _extensions():
    builds = X86_64_BUILDS if _is_x86_64() else X86_64_BUILDS[:1]
    # A bare token (hex digits), made a string by the C source: no quotes to
    # survive each compiler's command line.
    digest = [("SOURCE_DIGEST", DIGEST_MODULE.source_digest(ENGINE))]
    return [
        Extension(
            f"sknielsen.engine.{module}",
            sources=[f"{ENGINE}/{module}.c"],
            depends=DEPENDS,
            define_macros=digest,
            extra_compile_args=FLAGS + flags,
            libraries=["m"] if platform.system() != "Windows" else [],
            # The first layer's threads (pthreads; a build without them runs on one).
            extra_link_args=["-pthread"] if platform.system() != "Windows" else [],
            optional=True,
        )
        for module, flags in builds
    ]


# The variants compile side by side: the build's wall time is the slowest one's.
setup(ext_modules=_extensions(), options={"build_ext": {"parallel": len(X86_64_BUILDS)}})
