// Package ui serves Baobei's server-rendered pages. Handlers read the
// form, call the domain directly and render a templ view model; POST
// success redirects (303) with a flash message.
package ui

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/internal/session"
	"baobei/templates"
)

// Pages holds what the page handlers share.
type Pages struct {
	svc *domain.Service
	sm  *session.Manager
	log *slog.Logger
}

// New returns the page handlers.
func New(svc *domain.Service, sm *session.Manager, log *slog.Logger) *Pages {
	return &Pages{svc: svc, sm: sm, log: log}
}

// handler is a page handler that returns its error for one place to render.
type handler func(w http.ResponseWriter, r *http.Request, a domain.Actor) error

// errBadForm is returned when a request body is not a parseable form.
var errBadForm = domain.InvalidMsg(i18n.Text{Zh: "表单数据无效", En: "The form data is not valid"})

// signedIn wraps a handler that needs a signed-in user of one of roles
// (any role when none are given): anonymous requests are sent to /login,
// others answer 403. A user whose password an admin reset is sent to the
// change form from everywhere else until they choose a new one.
func (p *Pages) signedIn(h handler, roles ...domain.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := session.ActorFrom(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if a.MustChangePassword && r.URL.Path != passwordChangePath {
			http.Redirect(w, r, passwordChangePath, http.StatusSeeOther)
			return
		}
		if len(roles) > 0 && !a.Is(roles...) {
			p.renderError(w, r, domain.ErrForbidden)
			return
		}
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				p.renderError(w, r, err)
				return
			}
		}
		if err := h(w, r, a); err != nil {
			p.renderError(w, r, err)
		}
	}
}

// parseForm parses a posted form and refuses invalid UTF-8, so no handler
// stores mojibake. The body size limit is the server's.
func parseForm(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	var err error
	if strings.HasPrefix(ct, "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	if err != nil {
		return errBadForm
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !TextOK(v) {
				return errBadForm
			}
		}
	}
	return nil
}

// TextOK reports whether a request value can be stored and shown: valid
// UTF-8 without NUL, which Postgres text cannot hold.
func TextOK(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// page builds the shell of a page for the signed-in actor: their name, the
// unread count, the pending flash, and the tenant's time zone in ctx.
func (p *Pages) page(r *http.Request, a domain.Actor, titleKey string) (templates.Page, *http.Request, error) {
	u, unread, loc, err := p.svc.Me(r.Context(), a)
	if err != nil {
		return templates.Page{}, r, err
	}
	r = r.WithContext(templates.WithLocation(r.Context(), loc))
	return templates.Page{
		Title:  i18n.T(r.Context(), titleKey),
		User:   &u,
		Unread: unread,
		Flash:  p.sm.PopFlash(r.Context()),
		Path:   r.URL.Path,
	}, r, nil
}

// render writes a component with status 200.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	return renderStatus(w, r, http.StatusOK, c)
}

func renderStatus(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return c.Render(r.Context(), w)
}

// redirect answers a successful POST: 303 to url with a flash message.
func (p *Pages) redirect(w http.ResponseWriter, r *http.Request, to, flashKey string) error {
	if flashKey != "" {
		p.sm.Flash(r.Context(), i18n.T(r.Context(), flashKey))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// renderError renders the error page, logging only internal errors.
func (p *Pages) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := httperr.Status(err)
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if httperr.Internal(err) {
		p.log.Error("page", "err", err, "path", r.URL.Path, "request_id", session.RequestID(r))
	}
	pg := templates.Page{Title: strconv.Itoa(status)}
	if a, ok := session.ActorFrom(r); ok && status != http.StatusServiceUnavailable {
		if u, unread, _, err := p.svc.Me(r.Context(), a); err == nil {
			pg.User, pg.Unread = &u, unread
		}
	}
	_ = renderStatus(w, r, status, templates.ErrorPage(pg, status, httperr.Message(r, err)))
}

// RenderError is the page error renderer for the server's own middleware
// (panics, unavailable database).
func (p *Pages) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	p.renderError(w, r, err)
}

// fieldErrors turns domain field errors into messages in the request's
// language, and the banner text above the form.
func fieldErrors(r *http.Request, err error) (map[string]string, string, bool) {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code == domain.CodeForbidden || de.Code == domain.CodeNotFound {
		return nil, "", false
	}
	lang := i18n.FromContext(r.Context())
	out := make(map[string]string, len(de.Fields))
	for k, v := range de.Fields {
		out[k] = v.In(lang)
	}
	return out, de.Message.In(lang), true
}

// joinErrors puts the field messages after the banner text, for forms
// that cannot show them beside their fields.
func joinErrors(msg string, errs map[string]string) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg += " · " + errs[k]
	}
	return msg
}

// pathID reads a numeric id from the URL; a malformed id is not found.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || n <= 0 {
		return 0, domain.ErrNotFound
	}
	return n, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// formID reads an optional numeric id from a form field; "" is 0.
func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

// safeBack returns a local path to go back to, from the Referer, or "/".
// The path is re-escaped, so tabs or backslashes (which browsers drop or
// read as "/") cannot turn it into another host.
func safeBack(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil {
		return "/"
	}
	p := u.EscapedPath()
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
