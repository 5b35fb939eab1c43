"""One root exception for the project; subclasses carry where the problem is."""

from __future__ import annotations


class ComplianceError(Exception):
    """Root of every error this project raises on purpose.

    ``file`` names the input that caused it, ``location`` the place inside it (line/column,
    element path, sheet and cell, or a contract field path) and ``expected`` what would have
    been accepted, so that a person can act on the message without reading code.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        location: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.location = location
        self.expected = expected
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
        return text


class ContractTermsError(ComplianceError):
    """A contract terms file is missing, unreadable or does not match the schema."""


class SourceFileError(ComplianceError):
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


class SettingsError(ComplianceError):
    """An environment setting has a value we cannot use."""


class ReportError(ComplianceError):
    """A report, statement or notice cannot be written or delivered (PDF libraries, SMTP)."""


class NoticeDeliveryError(ComplianceError):
    """One or more supplier notices could not be e-mailed; each attempt is recorded with its error."""
