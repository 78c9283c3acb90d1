// Package files moves stored files (evidence, dealer documents) over HTTP
// for the pages and the API alike: it reads multipart uploads into
// domain.Upload values and serves downloads safely.
package files

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"baobei/internal/domain"
)

// Read reads the uploaded files of one form field. A file larger than
// domain.MaxFileSize is read only that far and one byte more, for the
// domain to refuse.
func Read(fhs []*multipart.FileHeader) ([]domain.Upload, error) {
	var out []domain.Upload
	for _, fh := range fhs {
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, domain.MaxFileSize+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		out = append(out, domain.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// Serve answers a stored file as a download: its sniffed type, an
// attachment disposition with its name (RFC 2231 for Chinese names), and
// headers that keep browsers from running or caching it.
func Serve(w http.ResponseWriter, f domain.File, data []byte) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}
