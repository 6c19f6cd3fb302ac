"""The service's BLAS runs one thread unless the person running it chose otherwise."""

from __future__ import annotations

from bot.cli.app import one_blas_thread


def test_blas_gets_one_thread_when_the_environment_says_nothing() -> None:
    environ: dict[str, str] = {}
    one_blas_thread(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "1"}


def test_an_explicit_openblas_setting_is_kept() -> None:
    environ = {"OPENBLAS_NUM_THREADS": "2"}
    one_blas_thread(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "2"}


def test_an_explicit_omp_setting_is_left_to_openblas() -> None:
    environ = {"OMP_NUM_THREADS": "4"}
    one_blas_thread(environ)
    assert environ == {"OMP_NUM_THREADS": "4"}
