package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/files"
)

// downloadFile answers a stored file (evidence, a dealer's document) to a
// reader of what it is attached to; anyone else gets 404.
func (p *Pages) downloadFile(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, data, err := p.svc.FileContent(r.Context(), a, id)
	if err != nil {
		return err
	}
	files.Serve(w, f, data)
	return nil
}

// uploadsOf reads the files posted in a multipart form's field; none when
// the form is not multipart.
func uploadsOf(r *http.Request, field string) ([]domain.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	return files.Read(r.MultipartForm.File[field])
}
