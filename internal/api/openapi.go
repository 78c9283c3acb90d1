package api

import (
	_ "embed"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// OpenAPI is the OpenAPI 3.1 document of /api/v1, written by hand and
// kept in step with the routes by internal/server's TestOpenAPIMatchesRoutes.
//
//go:embed openapi.json
var OpenAPI []byte

// openAPIRoutes serves the document, to anyone (GET /openapi.json).
func (api *API) openAPIRoutes(r chi.Router) {
	r.Get("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(OpenAPI)
	})
}
