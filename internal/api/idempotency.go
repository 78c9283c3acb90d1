package api

import (
	"bytes"
	"net/http"

	"baobei/internal/domain"
)

// recorder buffers a response so it can be stored for retries.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// idempotent runs a POST handler at most once per Idempotency-Key (api.md):
// a retry with the same key gets the first response again. Server errors
// are not stored, so their retries run anew.
func (api *API) idempotent(w http.ResponseWriter, r *http.Request, a domain.Actor, key string, h handler) {
	stored, err := api.svc.BeginIdempotent(r.Context(), a, key, r.Method, r.URL.Path)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if stored != nil {
		w.Header().Set("Content-Type", stored.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(stored.Status)
		_, _ = w.Write(stored.Body)
		return
	}
	rec := &recorder{header: w.Header()}
	if err := h(rec, r, a); err != nil {
		api.WriteError(rec, r, err)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 500 {
		err = api.svc.AbandonIdempotent(r.Context(), a, key)
	} else {
		err = api.svc.FinishIdempotent(r.Context(), a, key, domain.StoredResponse{
			Status: rec.status, ContentType: rec.header.Get("Content-Type"), Body: rec.body.Bytes()})
	}
	if err != nil {
		api.log.Error("idempotency", "err", err, "request_id", a.RequestID)
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}
