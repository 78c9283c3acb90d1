package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// MaxFileSize is the largest file accepted (api.md: uploads 10 MiB).
const MaxFileSize = 10 << 20

// uploadsPerHour caps how many files one user may store in an hour.
const uploadsPerHour = 200

// File describes a stored file (evidence, a dealer's documents); its
// contents are read with FileContent. Files live in the database, so a
// backup holds them.
type File struct {
	ID           int64     `json:"id,string"`
	Name         string    `json:"name"`
	ContentType  string    `json:"content_type"`
	Size         int       `json:"size"`
	SHA256       string    `json:"sha256"`
	Purpose      string    `json:"purpose,omitempty"`
	UploadedBy   int64     `json:"uploaded_by,string"`
	UploaderName string    `json:"uploaded_by_name"`
	CreatedAt    time.Time `json:"created_at"`
}

// Upload is a file as received: the name the sender gave it and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// What a file is attached to.
const (
	attachDispute = "dispute"
	attachDealer  = "dealer"
)

// sniffType names the type of data by its leading bytes — PDF, JPEG, PNG
// or WEBP, the only types accepted — and "" for anything else, whatever
// the sender called it.
func sniffType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}

// checkUpload returns the sniffed type of u, or why it is refused.
func checkUpload(u Upload) (string, *i18n.Text) {
	switch {
	case len(u.Data) == 0:
		return "", &i18n.Text{Zh: "文件是空的", En: "The file is empty"}
	case len(u.Data) > MaxFileSize:
		return "", &i18n.Text{Zh: "文件不能超过 10 MiB", En: "A file may be at most 10 MiB"}
	}
	ct := sniffType(u.Data)
	if ct == "" {
		return "", &i18n.Text{Zh: "只接受 PDF、JPEG、PNG 或 WEBP 文件", En: "Only PDF, JPEG, PNG or WEBP files are accepted"}
	}
	return ct, nil
}

// cleanFileName keeps the last path element of a sender's file name, with
// control characters removed, at most 200 characters; "file" when nothing
// is left.
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(path.Base(strings.ReplaceAll(name, `\`, "/")), "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" || name == "." || name == "/" {
		return "file"
	}
	return name
}

// UploadFile stores a file for the actor and returns it, unattached: only
// its uploader may read it until it is attached to a dispute or a dealer
// (file_ids / documents in their inputs). It returns Invalid for an empty,
// oversized (over MaxFileSize) or unaccepted file — the type is sniffed
// from the contents — and CodeRateLimited for a burst of uploads.
func (s *Service) UploadFile(ctx context.Context, by Actor, u Upload) (File, error) {
	var f File
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if err := checkBurst(ctx, tx, by, "upload", uploadsPerHour, s.Now()); err != nil {
			return err
		}
		var err error
		f, err = storeFile(ctx, tx, by, u, "file", s.Now())
		return err
	})
	if err != nil {
		return File{}, fmt.Errorf("upload: %w", err)
	}
	return f, nil
}

// storeFile checks and stores one file as the actor's; field names the
// input the file came in, for the error.
func storeFile(ctx context.Context, tx pgx.Tx, by Actor, u Upload, field string, now time.Time) (File, error) {
	ct, bad := checkUpload(u)
	if bad != nil {
		return File{}, Invalid(map[string]i18n.Text{field: *bad})
	}
	sum := sha256.Sum256(u.Data)
	f := File{Name: cleanFileName(u.Name), ContentType: ct, Size: len(u.Data), SHA256: hex.EncodeToString(sum[:]),
		UploadedBy: by.UserID, CreatedAt: now}
	err := tx.QueryRow(ctx, `
		INSERT INTO files (tenant_id, uploaded_by, name, content_type, size, sha256, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		by.TenantID, by.UserID, f.Name, ct, f.Size, sum[:], u.Data, now).Scan(&f.ID)
	if err != nil {
		return File{}, fmt.Errorf("store file: %w", err)
	}
	return f, audit(ctx, tx, by, "file.upload", "file", f.ID, nil,
		map[string]any{"name": f.Name, "content_type": ct, "size": f.Size, "sha256": f.SHA256})
}

// attachFiles attaches the actor's staged files ids to a dispute or dealer
// with a purpose. A file that is not the actor's, is attached already or
// does not exist is an Invalid error under field.
func attachFiles(ctx context.Context, tx pgx.Tx, by Actor, ids []int64, to string, toID int64, purpose, field string) error {
	if len(ids) == 0 {
		return nil
	}
	tag, err := tx.Exec(ctx, `
		UPDATE files SET attached_to = $4, attached_id = $5, purpose = $6
		WHERE tenant_id = $1 AND uploaded_by = $2 AND id = ANY($3) AND attached_to IS NULL`,
		by.TenantID, by.UserID, ids, to, toID, purpose)
	if err != nil {
		return fmt.Errorf("attach files: %w", err)
	}
	if int(tag.RowsAffected()) != len(distinct(ids)) {
		return Invalid(map[string]i18n.Text{field: {
			Zh: "文件不存在, 或已附在别处 (请重新上传)", En: "A file does not exist or is attached elsewhere; upload it again"}})
	}
	for _, id := range distinct(ids) {
		if err := audit(ctx, tx, by, "file.attach", "file", id, nil, map[string]any{"to": to, "id": toID, "purpose": purpose}); err != nil {
			return err
		}
	}
	return nil
}

// storeAttached stores uploads and attaches them to a dispute or dealer.
func storeAttached(ctx context.Context, tx pgx.Tx, by Actor, ups []Upload, to string, toID int64, purpose, field string, now time.Time) error {
	for _, u := range ups {
		f, err := storeFile(ctx, tx, by, u, field, now)
		if err != nil {
			return err
		}
		if err := attachFiles(ctx, tx, by, []int64{f.ID}, to, toID, purpose, field); err != nil {
			return err
		}
	}
	return nil
}

func distinct(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

const fileColumns = `f.id, f.name, f.content_type, f.size, encode(f.sha256, 'hex'), f.purpose, f.uploaded_by, u.display_name, f.created_at`

func scanFile(row pgx.Row) (File, error) {
	var f File
	err := row.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Purpose, &f.UploadedBy, &f.UploaderName, &f.CreatedAt)
	return f, err
}

// attachedFiles lists the files attached to a dispute or dealer, oldest
// first.
func attachedFiles(ctx context.Context, tx pgx.Tx, tenantID int64, to string, toID int64) ([]File, error) {
	rows, err := tx.Query(ctx, `SELECT `+fileColumns+`
		FROM files f JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.uploaded_by
		WHERE f.tenant_id = $1 AND f.attached_to = $2 AND f.attached_id = $3 ORDER BY f.id`, tenantID, to, toID)
	if err != nil {
		return nil, fmt.Errorf("attached files: %w", err)
	}
	files, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) { return scanFile(r) })
	if files == nil {
		files = []File{}
	}
	return files, err
}

// FileContent returns a file and its bytes to a reader of what it is
// attached to — a dispute's parties and deciders, a dealer's submitter and
// approvers — or, while unattached, to its uploader. Anyone else gets
// ErrNotFound.
func (s *Service) FileContent(ctx context.Context, by Actor, id int64) (File, []byte, error) {
	var (
		f    File
		data []byte
	)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var (
			to   *string
			toID *int64
		)
		err := tx.QueryRow(ctx, `SELECT `+fileColumns+`, f.attached_to, f.attached_id, f.data
			FROM files f JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.uploaded_by
			WHERE f.tenant_id = $1 AND f.id = $2`, by.TenantID, id).
			Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Purpose, &f.UploadedBy, &f.UploaderName, &f.CreatedAt,
				&to, &toID, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case to == nil:
			if f.UploadedBy != by.UserID {
				return ErrNotFound
			}
		case *to == attachDispute:
			_, err = loadCase(ctx, tx, by, *toID, false)
		case *to == attachDealer:
			_, err = loadDealer(ctx, tx, by, *toID)
		default:
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return File{}, nil, fmt.Errorf("file: %w", err)
	}
	return f, data, nil
}
