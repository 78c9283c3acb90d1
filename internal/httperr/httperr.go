// Package httperr maps domain and transport errors to the HTTP status and
// the message a user reads, for the pages and the API alike.
package httperr

import (
	"context"
	"errors"
	"net/http"

	"baobei/internal/db"
	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// Status maps an error to the HTTP status the user gets.
func Status(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case db.Unavailable(err):
		return http.StatusServiceUnavailable
	}
	switch domain.ErrorCode(err) {
	case domain.CodeNotFound:
		return http.StatusNotFound
	case domain.CodeForbidden:
		return http.StatusForbidden
	case domain.CodeInvalid:
		return http.StatusUnprocessableEntity
	case domain.CodeDuplicate, domain.CodeConflict:
		return http.StatusConflict
	case domain.CodeRateLimited:
		return http.StatusTooManyRequests
	case domain.CodeUnauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// Message is the user-facing text of an error in the request's language;
// internal errors are not described.
func Message(r *http.Request, err error) string {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		return de.Message.In(i18n.FromContext(r.Context()))
	case Status(err) == http.StatusRequestEntityTooLarge:
		return i18n.T(r.Context(), "error.too_large")
	case Status(err) == http.StatusServiceUnavailable:
		return i18n.T(r.Context(), "error.unavailable")
	}
	return i18n.T(r.Context(), "error.internal")
}

// Internal reports whether err is worth logging: an internal error (500)
// other than a request its client gave up on.
func Internal(err error) bool {
	return Status(err) == http.StatusInternalServerError && !errors.Is(err, context.Canceled)
}
