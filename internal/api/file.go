package api

import (
	"errors"
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/files"
	"baobei/internal/i18n"
)

// uploadFile stores one file for the caller (POST /files, multipart form
// with the field "file"; at most 10 MiB; PDF, JPEG, PNG or WEBP) → 201 with
// its id, to name in file_ids or documents of a later request.
func (api *API) uploadFile(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	up, err := uploaded(r)
	if err != nil {
		return err
	}
	f, err := api.svc.UploadFile(r.Context(), a, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

// uploaded reads the one file of a multipart request, in the field
// "file"; anything else is a validation error (413 when too big).
func uploaded(r *http.Request) (domain.Upload, error) {
	err := r.ParseMultipartForm(1 << 20)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return domain.Upload{}, err
	}
	if err != nil || r.MultipartForm == nil || len(r.MultipartForm.File["file"]) != 1 {
		return domain.Upload{}, domain.Invalid(map[string]i18n.Text{"file": {
			Zh: "请以 multipart/form-data 上传一个文件 (字段 file)", En: "Send one file as multipart/form-data in the field file"}})
	}
	ups, err := files.Read(r.MultipartForm.File["file"])
	if err != nil {
		return domain.Upload{}, err
	}
	return ups[0], nil
}

// downloadFile answers a stored file to a reader of what it is attached
// to (GET /files/{id}); anyone else gets 404.
func (api *API) downloadFile(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, data, err := api.svc.FileContent(r.Context(), a, id)
	if err != nil {
		return err
	}
	files.Serve(w, f, data)
	return nil
}
