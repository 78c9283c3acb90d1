// Package server wires Baobei's HTTP server: the chi router, middleware
// (request id, logging, panic recovery, body limits, CSRF, sessions,
// actors) and the page and API handlers.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"baobei/internal/api"
	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/internal/session"
	"baobei/internal/ui"
	"baobei/web"
)

// MaxBody is the largest request body accepted (api.md: 1 MiB).
const MaxBody = 1 << 20

// Config holds the server's settings.
type Config struct {
	SecureCookies bool
	Log           *slog.Logger
}

// New returns the application's HTTP handler.
func New(svc *domain.Service, cfg Config) http.Handler {
	log := cfg.Log
	sm := session.NewManager(svc, cfg.SecureCookies)
	pages := ui.New(svc, sm, log)
	jsonAPI := api.New(svc, log)

	r := chi.NewRouter()
	r.Use(middleware.RequestID, logRequests(log), recoverPanics(log, pages, jsonAPI), limitBody, checkQuery(pages, jsonAPI))

	r.Get("/healthz", health(svc))
	static, _ := fs.Sub(web.Static, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))

	r.Route("/api/v1", func(r chi.Router) {
		r.Use(session.BearerActor(svc, session.RequestID, jsonAPI.Unauthorized))
		jsonAPI.Routes(r)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { jsonAPI.WriteError(w, r, domain.ErrNotFound) })
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { jsonAPI.WriteError(w, r, domain.ErrNotFound) })
	})

	r.Group(func(r chi.Router) {
		csrf := http.NewCrossOriginProtection()
		r.Use(csrf.Handler, sm.LoadAndSave, sm.LoadActor(session.RequestID, pages.RenderError))
		pages.Routes(r)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { pages.RenderError(w, r, domain.ErrNotFound) })
	})
	return r
}

func health(svc *domain.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := svc.DB().Pool.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	v := "public, max-age=" + strconv.Itoa(int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		next.ServeHTTP(w, r)
	})
}

// MaxUpload is the largest body of a file upload (api.md: uploads 10 MiB).
const MaxUpload = domain.MaxFileSize

// errBadQuery refuses query parameters no handler could use.
var errBadQuery = domain.InvalidMsg(i18n.Text{Zh: "查询参数包含无效字符", En: "The query contains invalid characters"})

// checkQuery refuses query strings with invalid UTF-8 or NUL bytes (422),
// so filters never reach Postgres with text it cannot hold.
func checkQuery(pages *ui.Pages, jsonAPI *api.API) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, vs := range r.URL.Query() {
				for _, v := range vs {
					if ui.TextOK(v) {
						continue
					}
					if strings.HasPrefix(r.URL.Path, "/api/") {
						jsonAPI.WriteError(w, r, errBadQuery)
					} else {
						pages.RenderError(w, r, errBadQuery)
					}
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody caps request bodies — uploads at MaxUpload, the rest at
// MaxBody; handlers see *http.MaxBytesError, which answers 413.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(MaxBody)
		if isUpload(r) {
			limit = MaxUpload
		}
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// uploadPaths are the routes (and those below them) that take files.
var uploadPaths = []string{"/api/v1/files", "/disputes", "/dealers", "/api/v1/imports", "/imports"}

// isUpload reports whether r sends files: a multipart POST or PUT to one
// of uploadPaths.
func isUpload(r *http.Request) bool {
	if (r.Method != http.MethodPost && r.Method != http.MethodPut) ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return false
	}
	for _, p := range uploadPaths {
		if r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/") {
			return true
		}
	}
	return false
}

func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r)
			log.Info("request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"ms", time.Since(start).Milliseconds(), "request_id", session.RequestID(r))
		})
	}
}

// recoverPanics turns a handler panic into a logged 500 (JSON under /api),
// and the server lives on.
func recoverPanics(log *slog.Logger, pages *ui.Pages, jsonAPI *api.API) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil || v == http.ErrAbortHandler {
					if v != nil {
						panic(v)
					}
					return
				}
				log.Error("panic", "value", v, "path", r.URL.Path, "request_id", session.RequestID(r), "stack", string(debug.Stack()))
				err := errors.New("handler panicked")
				if strings.HasPrefix(r.URL.Path, "/api/") {
					jsonAPI.WriteError(w, r, err)
				} else {
					pages.RenderError(w, r, err)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}
