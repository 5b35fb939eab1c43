"""One context per command or DAG task: the settings, one database engine and the contract terms.

The CLI opens one with :func:`open_context` for each command and the pipeline's stages take it,
so a run reads the contracts folder once and talks to the database through one engine. The engine
and the contracts are made the first time they are used (``compliance contracts list`` needs no
database, ``compliance hearing list`` no contracts) and never again for the same context.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine

from compliance.base.errors import ContractTermsError
from compliance.base.paths import inbox_shown_from
from compliance.base.settings import Settings, load_settings
from compliance.contracts import ContractTerms, load_contracts
from compliance.store.db import make_engine


def contract_terms(settings: Settings) -> tuple[list[ContractTerms], list[ContractTermsError]]:
    """All valid contracts in the contracts folder, and the errors of the files that are not."""
    if not settings.contracts_dir.is_dir():
        return [], [
            ContractTermsError(
                "the contracts folder does not exist",
                file=str(settings.contracts_dir),
                expected="a folder of *.yaml files (COMPLIANCE_CONTRACTS_DIR)",
            )
        ]
    return load_contracts(settings.contracts_dir)


class Context:
    """Settings, engine and contracts (with the errors of rejected contract files), each built once.

    ``engine`` and ``contracts`` may be given (a test's own engine, contracts built in code); an
    engine given is the caller's to dispose, one the context made is disposed by :meth:`close`.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        contracts: Sequence[ContractTerms] | None = None,
        contract_errors: Sequence[ContractTermsError] = (),
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._owns_engine = engine is None
        self._terms = None if contracts is None else (list(contracts), list(contract_errors))

    @property
    def engine(self) -> Engine:
        """The database engine (``settings.db_url``), made on first use."""
        if self._engine is None:
            self._engine = make_engine(self.settings.db_url)
        return self._engine

    def _contract_terms(self) -> tuple[list[ContractTerms], list[ContractTermsError]]:
        if self._terms is None:
            self._terms = contract_terms(self.settings)
        return self._terms

    @property
    def contracts(self) -> list[ContractTerms]:
        """The valid contracts of ``settings.contracts_dir``, read on first use."""
        return self._contract_terms()[0]

    @property
    def contract_errors(self) -> list[ContractTermsError]:
        """Why the other contract files were rejected (the run goes on without them)."""
        return self._contract_terms()[1]

    def close(self) -> None:
        """Dispose of the engine the context made (its pooled connections close)."""
        if self._engine is not None and self._owns_engine:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()


def open_context(settings: Settings | None = None) -> Context:
    """The context for ``settings`` (default: from the environment); use it in a ``with`` block."""
    return Context(settings or load_settings())


@contextmanager
def context_for(source: Context | Settings) -> Iterator[Context]:
    """``source`` itself when it is a context; else a context opened for those settings and closed after.

    Lets a pipeline stage be called with bare settings (as DAG tasks and tests do) as well as with
    the context a CLI command opened once.
    """
    if isinstance(source, Context):
        with inbox_shown_from(source.settings.inbox):
            yield source
        return
    with open_context(source) as context, inbox_shown_from(context.settings.inbox):
        yield context


def settings_of(source: Context | Settings) -> Settings:
    return source.settings if isinstance(source, Context) else source
