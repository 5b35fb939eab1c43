"""One root exception for the project; subclasses carry where the problem is and whether waiting helps.

Every error is either *terminal* (the input, a setting or a contract file must be corrected by a
person; running again changes nothing) or *transient* (the database or the mail server is busy or
unreachable; the same run may succeed later). The Airflow tasks fail at once on the first kind
and retry the second (``compliance.orchestration.fail_at_once_on_terminal_errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from compliance.base.formatting import value_in

if TYPE_CHECKING:
    from compliance.base.problems import ContractProblem


class ComplianceError(Exception):
    """Root of every error this project raises on purpose.

    ``file`` names the input that caused it, ``location`` the place inside it (line/column,
    element path, sheet and cell, or a contract field path) and ``expected`` what would have
    been accepted, so that a person can act on the message without reading code. ``rule`` (a rule
    id) and ``contract`` (a contract id) say which check and which contract it concerns, when one does.

    ``transient`` is False here: an error raised on purpose and not marked temporary is one that
    running again does not cure. Subclass :class:`TerminalError` or :class:`TransientError`.
    """

    transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        location: str | None = None,
        expected: str | None = None,
        rule: str | None = None,
        contract: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        # With ``values``, ``message`` and ``expected`` are catalog texts (marked ``N_``) with fields: the
        # error reads in English here, and in the person's language through compliance.base.texts.render_error.
        self.template = message
        self.expected_template = expected
        self.values = dict(values or {})
        english = {name: value_in(value, "en") for name, value in self.values.items()}
        self.message = message.format(**english) if values else message
        self.file = file
        self.location = location
        self.expected = expected.format(**english) if values and expected else expected
        self.rule = rule
        self.contract = contract
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.location:
            parts.append(self.location)
        head = ": ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        concerns = [f"{name} {value}" for name, value in (("contract", self.contract), ("rule", self.rule)) if value]
        if concerns:
            text += f" [{', '.join(concerns)}]"
        return text


class TerminalError(ComplianceError):
    """Running again does not help: a file, a setting or a contract must be corrected first."""

    transient: ClassVar[bool] = False


class TransientError(ComplianceError):
    """A service was busy or unreachable; the same work may succeed when tried again later."""

    transient: ClassVar[bool] = True


class ContractTermsError(TerminalError):
    """A contract terms file is missing, unreadable or does not match the schema.

    ``problems`` lists every problem found, each with its line and column and a hint for people
    (``compliance.base.problems``); ``location`` and ``expected`` are those of the first.
    """

    problems: tuple[ContractProblem, ...] = ()


class SourceFileError(TerminalError):
    """A supplier file cannot be read; the file is quarantined with this message."""


class DuplicateDocumentError(SourceFileError):
    """A supplier reused a document number for different content; both files are kept apart."""

    def __init__(self, message: str, *, file: str, supplier: str, number: str, first_file: str, first_sha256: str) -> None:
        super().__init__(message, file=file, location="cbc:ID", expected="a new document number, or the identical file")
        self.supplier = supplier
        self.number = number
        self.first_file = first_file
        self.first_sha256 = first_sha256


class UnsafeInputError(SourceFileError):
    """A supplier file is hostile or too large (entities, DTDs, size limits)."""


class UnknownFormatError(SourceFileError):
    """The content of a file matches none of the formats we read."""


class SettingsError(TerminalError):
    """An environment setting has a value we cannot use."""


class ReportError(TerminalError):
    """A report, statement or notice cannot be written or delivered (PDF libraries, no mail server set)."""


class NoticeDeliveryError(TerminalError):
    """Supplier notices could not be e-mailed, at least one for a lasting reason (address or login
    refused: a 5xx reply); each attempt is recorded with its error."""


class TemporaryNoticeDeliveryError(TransientError):
    """Supplier notices could not be e-mailed, each for a temporary reason (a 4xx reply, a refused
    or dropped connection, a timeout); each attempt is recorded, and sending again later may succeed."""


class DatabaseUnavailableError(TransientError):
    """The compliance database is locked by another writer, busy, or cannot be reached.

    ``file`` is the database URL with its password hidden.
    """
