// Package api serves the JSON API under /api/v1 (shared/spec/api.md),
// calling the same domain functions as the pages.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/internal/session"
)

// API holds what the JSON handlers share.
type API struct {
	svc *domain.Service
	log *slog.Logger
}

// New returns the JSON API handlers.
func New(svc *domain.Service, log *slog.Logger) *API {
	return &API{svc: svc, log: log}
}

// handler is a JSON handler that returns its error for one place to render.
type handler func(w http.ResponseWriter, r *http.Request, a domain.Actor) error

// errorBody is the error format of api.md.
type errorBody struct {
	Error struct {
		Code       string            `json:"code"`
		Message    string            `json:"message"`
		Fields     map[string]string `json:"fields,omitempty"`
		ExistingID string            `json:"existing_id,omitempty"`
	} `json:"error"`
}

// codes maps statuses to api.md's error codes.
var codes = map[int]string{
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusUnprocessableEntity:   "validation_failed",
	http.StatusConflict:              "duplicate",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusServiceUnavailable:    "unavailable",
	http.StatusInternalServerError:   "internal",
}

// WriteError answers err in api.md's error format, logging only internal
// errors.
func (api *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := httperr.Status(err)
	if httperr.Internal(err) {
		api.log.Error("api", "err", err, "path", r.URL.Path, "request_id", session.RequestID(r))
	}
	var body errorBody
	body.Error.Code = codes[status]
	body.Error.Message = httperr.Message(r, err)
	var de *domain.Error
	if errors.As(err, &de) {
		lang := i18n.FromContext(r.Context())
		if len(de.Fields) > 0 {
			body.Error.Fields = make(map[string]string, len(de.Fields))
			for k, v := range de.Fields {
				body.Error.Fields[k] = v.In(lang)
			}
		}
		if de.ExistingID != 0 {
			body.Error.ExistingID = strconv.FormatInt(de.ExistingID, 10)
		}
	}
	writeJSON(w, status, body)
}

// Unauthorized answers 401 for a missing or bad token, saying so when it
// has expired.
func (api *API) Unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil || (domain.ErrorCode(err) != "" && !errors.Is(err, domain.ErrTokenExpired)) {
		err = &domain.Error{Code: domain.CodeUnauthorized, Message: i18n.Text{Zh: "请先登录或提供有效的令牌", En: "Sign in or send a valid token"}}
	}
	api.WriteError(w, r, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// authed wraps a handler that needs an authenticated caller of one of roles
// (any role when none are given). A read-only token may only GET (and
// HEAD); a user whose password an admin reset gets nothing until they
// choose a new one (accounts.go).
func (api *API) authed(h handler, roles ...domain.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := session.ActorFrom(r)
		if !ok {
			api.Unauthorized(w, r, nil)
			return
		}
		if err := tokenRestriction(r, a); err != nil {
			api.WriteError(w, r, err)
			return
		}
		if len(roles) > 0 && !a.Is(roles...) {
			api.WriteError(w, r, domain.ErrForbidden)
			return
		}
		if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost {
			api.idempotent(w, r, a, key, h)
			return
		}
		if err := h(w, r, a); err != nil {
			api.WriteError(w, r, err)
		}
	}
}

var errBadJSON = domain.InvalidMsg(i18n.Text{Zh: "请求体不是有效的 JSON", En: "The request body is not valid JSON"})

// decode reads a JSON body into v. Malformed JSON, wrong types and unknown
// fields are validation errors; an oversized body stays a MaxBytesError.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	// Postgres text cannot hold NUL; refuse it here rather than fail there.
	if err != nil || bytes.Contains(body, []byte(`\u0000`)) {
		return errBadJSON
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return domain.Invalid(map[string]i18n.Text{typeErr.Field: {Zh: "类型不正确", En: "wrong type"}})
	}
	if err != nil {
		return errBadJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBadJSON
	}
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || n <= 0 {
		return 0, domain.ErrNotFound
	}
	return n, nil
}

// list is the list envelope of api.md.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// limitParam reads ?limit= (default 50, at most 500).
func limitParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 500 {
		return 0, domain.Invalid(map[string]i18n.Text{"limit": {Zh: "须为 1 – 500 的整数", En: "must be an integer from 1 to 500"}})
	}
	return n, nil
}
