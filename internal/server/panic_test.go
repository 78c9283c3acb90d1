package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"baobei/internal/api"
	"baobei/internal/ui"
)

// A panicking handler answers 500 (JSON under /api), is logged, and the
// server goes on serving.
func TestRecoverPanics(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	served := 0
	h := recoverPanics(log, ui.New(nil, nil, log), api.New(nil, log))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		if r.URL.Query().Get("boom") != "" {
			panic("boom")
		}
		_, _ = io.WriteString(w, "fine")
	}))
	for _, tt := range []struct{ path, wantType string }{
		{"/api/v1/me?boom=1", "application/json"},
		{"/registrations?boom=1", "text/html"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.wantType) {
			t.Errorf("%s: %d %q, want 500 %s", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.wantType)
		}
		if strings.Contains(rec.Body.String(), "goroutine") {
			t.Errorf("%s: the stack reached the client", tt.path)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK || served != 3 {
		t.Errorf("after the panics: %d, served %d", rec.Code, served)
	}
	if !strings.Contains(logged.String(), "boom") || !strings.Contains(logged.String(), "goroutine") {
		t.Errorf("the panic was not logged with its stack: %s", logged.String())
	}
}
