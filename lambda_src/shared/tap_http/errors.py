"""The one error type routes raise; it becomes `{"error": {...}, "request_id": ...}`."""

from __future__ import annotations


class ApiError(Exception):
    """A client-visible error. `code` is snake_case and stable; `message` is for humans."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def service_unavailable() -> ApiError:
    return ApiError(
        503, "service_unavailable", "The service is briefly unavailable; retry shortly.", {"Retry-After": "1"}
    )
